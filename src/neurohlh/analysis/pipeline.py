"""The analysis steps: classify, apply criteria and genetics, compare groups, estimate survival.

:func:`analyze` is pure: a validated :class:`~neurohlh.io.Cohort` and an
:class:`~neurohlh.analysis.plan.AnalysisPlan` in, an :class:`~neurohlh.analysis.results.AnalysisResult` out.
Writing files is :func:`neurohlh.reports.write_report`'s job, and :func:`neurohlh.service.run_analysis` does
both.

Denominators: every comparison counts the patients whose value is *known* (``None`` is unknown, never
"no"), the paper's way (CSF rows are over the 50 patients with CSF, not the 57). Groups:

* *pattern 1* / *pattern 2*: :func:`neurohlh.patterns.classify_patient`; ``indeterminate`` patients are
  left out of every comparison and counted in a caveat;
* *subpatterns* 1.1 / 1.2 / 1.3: the **onset** subpattern (first lesional study), as in the paper's Table 2.
"""
from __future__ import annotations

import time
import warnings
from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from neurohlh.analysis.compare import GroupMasks, compare_row
from neurohlh.analysis.plan import EXACT_PLAN, AnalysisPlan, PlanName, plan_named
from neurohlh.analysis.rows import PatientColumns
from neurohlh.analysis.results import (
    PATTERNS, AnalysisResult, Curve, GroupComparison, SurvivalComparison,
)
from neurohlh.analysis.sites import site_analysis
from neurohlh.analysis.table2 import GENOTYPE_AGE, GENOTYPE_GROUPINGS, TABLE2_GROUPINGS, TABLE2_VARIABLES
from neurohlh.criteria import cns_involvement_frame, hlh2004_frame
from neurohlh.criteria.cns import IMAGING_FINDING_FIELDS, IMAGING_LESION_NUMBER_FIELDS, CNSResult
from neurohlh.criteria.hlh2004 import HLH2004Result
from neurohlh.endpoints import survival_endpoints
from neurohlh.errors import Caveat, StatisticalWarning
from neurohlh.genetics import Genotyper, recurrent_variants
from neurohlh.genetics.genotype import GENOTYPE_PATIENT_FIELDS, Genotype
from neurohlh.genetics.classify import VariantClassification
from neurohlh.genetics.recurrence import RecurrentVariant, check_cohort_variants
from neurohlh.io import Cohort
from neurohlh.patterns import allocate_patients, classify_studies_frame, summarise_studies
from neurohlh.patterns.patient import PatientAllocation
from neurohlh.patterns.study import StudyAllocation
from neurohlh.schema import Variant
from neurohlh.stats import kaplan_meier, logrank

T = TypeVar("T")


def _classify(cohort: Cohort) -> tuple[pd.DataFrame, list[StudyAllocation], tuple[PatientAllocation, ...],
                                      pd.DataFrame]:
    """The consensus studies (a new frame at each ``cohort.consensus_studies``: taken once for every step), the
    allocation of each of its rows (in row order), allocations per patient and a per-study frame (study_id,
    patient_id, category, subpattern; each patient's studies in time order)."""
    consensus = cohort.consensus_studies
    study_allocations = classify_studies_frame(consensus)
    allocations = tuple(allocate_patients(cohort.patients, study_allocations))
    ordered = [s for a in allocations for s in a.studies]
    studies = pd.DataFrame({"study_id": [s.study_id for s in ordered], "patient_id": [s.patient_id for s in ordered],
                            "category": [s.category for s in ordered], "subpattern": [s.subpattern for s in ordered]},
                           columns=["study_id", "patient_id", "category", "subpattern"])
    return consensus, study_allocations, allocations, studies


def _allocation_columns(allocations: Sequence[PatientAllocation]) -> pd.DataFrame:
    return pd.DataFrame({
        "patient_id": [a.patient_id for a in allocations],
        "pattern": [a.pattern for a in allocations],
        "onset_subpattern": [a.onset_subpattern for a in allocations],
        "last_subpattern": [a.last_subpattern for a in allocations],
        "n_studies": [len(a.studies) for a in allocations],
    })


_IMAGING_NAMES = ("patient_id", *IMAGING_FINDING_FIELDS, *IMAGING_LESION_NUMBER_FIELDS)
#: The fields of a consensus study that the CNS imaging rule reads, as a light record.
StudyFindings = namedtuple("StudyFindings", _IMAGING_NAMES)  # type: ignore[misc]  # fields are the imaging names


def imaging_records(cohort: Cohort) -> dict[str, list[Any]]:
    """Consensus studies per patient, carrying only the fields the CNS imaging rule reads.

    :func:`neurohlh.criteria.cns_involvement` reads ``patient_id`` and the fields named in
    ``neurohlh.criteria.cns.IMAGING_FINDING_FIELDS`` / ``IMAGING_LESION_NUMBER_FIELDS`` of each study; building
    these light records column-wise (values exactly as in :class:`~neurohlh.schema.Study`: ``True``/``False``/
    ``None``, enum strings) is 10x faster than full ``Study`` records on large cohorts.
    """
    frame = cohort.consensus_studies
    columns = [frame[n].astype(object).where(frame[n].notna(), None).tolist() for n in _IMAGING_NAMES]
    out: dict[str, list[Any]] = {}
    for values in zip(*columns):
        out.setdefault(values[0], []).append(StudyFindings(*values))
    return out


def _study_lesional(study_allocations: Sequence[StudyAllocation]) -> list[bool | None]:
    """The lesional status classification decided for each consensus study (``StudyAllocation.lesional``), in
    the rows' order, which :func:`neurohlh.criteria.cns_involvement_frame` then does not decide again."""
    return [s.lesional for s in study_allocations]


def _criteria(cohort: Cohort, consensus: pd.DataFrame, patients: Sequence[Any], lesional: Sequence[bool | None],
              plan: AnalysisPlan) -> tuple[tuple[HLH2004Result, ...], tuple[CNSResult, ...], pd.DataFrame]:
    """HLH-2004 and CNS involvement (the plan's rule) per patient, plus the CSF and symptom flags.

    ``lesional`` holds the lesional status of each consensus study (:func:`_study_lesional`)."""
    h = hlh2004_frame(cohort.patients, patients)
    c = cns_involvement_frame(cohort.patients, patients, consensus, lesional, rule=plan.cns_rule)
    frame = pd.DataFrame({
        "patient_id": [r.patient_id for r in c],
        "csf_abnormal": [r.csf_abnormal for r in c],
        "csf_pleocytosis": [r.csf_pleocytosis for r in c],
        "csf_proteinosis": [r.csf_proteinosis for r in c],
        "cns_symptomatic": [r.neurologic_symptoms for r in c],
        "cns_involved": [r.involved for r in c],
        "hlh2004_status": [str(r.status) for r in h],
    })
    return h, c, frame


def _genetics(cohort: Cohort, patients: PatientColumns, plan: AnalysisPlan
              ) -> tuple[dict[str, Genotype], tuple[RecurrentVariant, ...], pd.DataFrame]:
    """Genotype per patient with at least one variant row (in the patients table's order), recurrent variants,
    genotype columns. Each genotype reads only :data:`~neurohlh.genetics.genotype.GENOTYPE_PATIENT_FIELDS` of its
    patient."""
    records: list[Variant] = cohort.variant_records()
    # every unreadable variant reported at once, with file and row; each variant is classified this once
    classified = check_cohort_variants(cohort, plan.disruptive, records)
    by_patient: dict[str, tuple[list[Variant], list[VariantClassification]]] = {}
    for v, c in zip(records, classified, strict=True):
        own, known = by_patient.setdefault(v.patient_id, ([], []))
        own.append(v)
        known.append(c)
    carriers = [i for i, pid in enumerate(patients.column("patient_id")) if pid in by_patient]
    genotype = Genotyper(plan.disruptive)  # patients with the same variant rows share their gene calls
    genotypes = {}
    for p in patients.records(GENOTYPE_PATIENT_FIELDS, carriers):
        own, known = by_patient[p.patient_id]
        genotypes[p.patient_id] = genotype(p, own, classified=known)
    frame = pd.DataFrame({
        "patient_id": list(genotypes),
        "pooled_group": [g.pooled_group for g in genotypes.values()],
        "purely_disruptive": [g.purely_disruptive for g in genotypes.values()],
        "zygosity": [g.zygosity for g in genotypes.values()],
    })
    return genotypes, tuple(recurrent_variants(records, plan.disruptive, classified=classified)), frame


#: Columns of the patient frame held as nullable booleans (unknown = ``<NA>``).
_BOOLEAN_COLUMNS = ("csf_abnormal", "csf_pleocytosis", "csf_proteinosis", "pooled_group", "purely_disruptive",
                    "cns_involved", "cns_symptomatic")


def _patient_frame(cohort: Cohort, allocation_cols: pd.DataFrame, criteria_cols: pd.DataFrame,
                   genotype_cols: pd.DataFrame) -> pd.DataFrame:
    """The patients table with the allocation, criteria and genotype columns (blank where a patient has none).

    ``allocation_cols`` and ``criteria_cols`` hold one row per patient in the table's order (as the analysis
    builds them); ``genotype_cols`` the patients with variant data. Columns are joined by position, or by
    ``patient_id`` for the genotypes, into one new frame. Its columns are the arrays of those tables, not copies:
    like the cohort's tables, the analysis frame is read, never changed in place."""
    base = cohort.patients
    ids = base["patient_id"].reset_index(drop=True)
    for cols in (allocation_cols, criteria_cols):
        # compared by value: the two columns may hold the same ids in different text dtypes (pandas 3)
        if ids.tolist() != cols["patient_id"].tolist():
            raise AssertionError("per-patient columns are not in the order of the patients table")
    genotypes = genotype_cols.set_index("patient_id").reindex(ids)  # refuses a repeated patient_id
    index = pd.RangeIndex(len(ids))
    columns: dict[str, pd.Series] = {}
    for part in (base, allocation_cols, criteria_cols, genotypes):
        by_position = part if part.index.equals(index) else part.reset_index(drop=True)
        columns.update((name, by_position[name]) for name in part.columns if name not in columns)
    columns.pop("_row", None)
    for name in _BOOLEAN_COLUMNS:
        columns[name] = columns[name].astype("boolean")
    return pd.DataFrame(columns, copy=False)


def _deficit_free_of_the_dead(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Caveat]]:
    """``deficit_free`` means "alive and free of neurologic deficit at last follow-up" (schema), so for a patient
    who died it is known: a blank is read as no (said in a caveat) instead of dropping the patient from the
    deficit-free row and survival. (Died *and* deficit-free is rejected by the loader.)"""
    died = frame["died"].astype("boolean").fillna(False).astype(bool)
    deficit_free = frame["deficit_free"].astype("boolean")
    implied = died & deficit_free.isna()
    if not implied.any():
        return frame, []
    frame = frame.copy(deep=False)  # a new frame sharing the other columns; the given one is left as it was
    frame["deficit_free"] = deficit_free.mask(implied, False)
    n = int(implied.sum())
    shown = ", ".join(frame.loc[implied, "patient_id"].astype(str).head(10)) + (", ..." if n > 10 else "")
    return frame, [Caveat("implied_value", f"{n} patient(s) who died have deficit_free blank: counted as not "
                          f"deficit-free (deficit-free means alive and free of neurologic deficit): {shown}.",
                          n, "deficit_free")]


# ---------------------------------------------------------------- comparisons


def _table2_comparisons(frame: pd.DataFrame, plan: AnalysisPlan) -> tuple[GroupComparison, ...]:
    masks = GroupMasks(frame)  # the groups of both groupings, found once for every row
    return tuple(c for v in TABLE2_VARIABLES for c in compare_row(frame, v, TABLE2_GROUPINGS, plan, masks=masks))


def _group_labels(flags: pd.Series, yes: str, no: str) -> np.ndarray:
    """``yes`` / ``no`` for a known flag, ``None`` (in no group) for an unknown one."""
    known = flags.astype("boolean")
    labels = np.where(known.fillna(False).to_numpy(dtype=bool), yes, no).astype(object)
    labels[known.isna().to_numpy()] = None
    return labels


def _genotype_comparisons(frame: pd.DataFrame, plan: AnalysisPlan) -> tuple[GroupComparison, ...]:
    """Onset age by genotype group: one row (one normality decision) with two groupings."""
    f = pd.DataFrame({
        GENOTYPE_AGE.key: frame[GENOTYPE_AGE.key],
        "purely_group": _group_labels(frame["purely_disruptive"], "purely disruptive", "not purely disruptive"),
        "pooled_label": _group_labels(frame["pooled_group"], "pooled", "residual-expression missense"),
    })
    return compare_row(f, GENOTYPE_AGE, GENOTYPE_GROUPINGS, plan)


# ---------------------------------------------------------------- survival


def _km_steps(time_: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kaplan-Meier steps (:func:`neurohlh.stats.kaplan_meier`) starting at (0, 1), plus censoring marks."""
    curve = kaplan_meier(time_, event).curves[0]
    t, surv = np.asarray(curve.time, float), np.asarray(curve.survival, float)
    censored = np.asarray(curve.n_censor) > 0
    return np.r_[0.0, t], np.r_[1.0, surv], t[censored], surv[censored]


def _survival(frame: pd.DataFrame) -> tuple[SurvivalComparison, ...]:
    """Overall and deficit-free survival by pattern (:mod:`neurohlh.endpoints`): KM curves and the log-rank test."""
    out = []
    in_pattern = frame["pattern"].isin(PATTERNS)
    for ep in survival_endpoints(frame):
        ok = in_pattern & ep.included
        t = ep.time[ok].to_numpy(dtype=float)
        e = ep.event[ok].astype(bool).to_numpy()
        g = frame.loc[ok, "pattern"].to_numpy()
        curves: dict[str, Curve] = {}
        marks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        times: dict[str, np.ndarray] = {}
        for p in PATTERNS:
            m = g == p
            if m.any():
                steps_t, steps_s, cens_t, cens_s = _km_steps(t[m], e[m])
                curves[f"Pattern {p}"] = (steps_t, steps_s, int(m.sum()))
                marks[f"Pattern {p}"] = (cens_t, cens_s)
                times[f"Pattern {p}"] = np.sort(t[m])
        result = None
        if len(curves) == 2 and e.any():
            with warnings.catch_warnings():  # copied into the result's caveats by neurohlh.stats
                warnings.simplefilter("ignore", StatisticalWarning)
                result = logrank(t, e, g)
        no_time = 0 if ep.deficit_without_time is None else int((in_pattern & ep.deficit_without_time).sum())
        out.append(SurvivalComparison(ep.key, ep.label, ep.event_definition, curves, result,
                                      int((~ok & in_pattern).sum()), marks, times, no_time))
    return tuple(out)


# ---------------------------------------------------------------- caveats


def _caveats(frame: pd.DataFrame, comparisons: Sequence[GroupComparison],
             survival: Sequence[SurvivalComparison]) -> list[Caveat]:
    out = []
    n_ind = int((frame["pattern"] == "indeterminate").sum())
    if n_ind:
        out.append(Caveat("excluded_patients", f"{n_ind} patient(s) have an indeterminate pattern (unknown imaging "
                          "fields or no study) and are left out of every pattern comparison; see "
                          "results/allocations.csv for the missing fields.", n_ind, "pattern"))
    n_p1_no_onset = int(((frame["pattern"] == "1") & frame["onset_subpattern"].isna()).sum())
    if n_p1_no_onset:
        out.append(Caveat("excluded_patients", f"{n_p1_no_onset} pattern-1 patient(s) have no onset subpattern and "
                          "are left out of the subpattern comparisons.", n_p1_no_onset, "onset_subpattern"))
    sparse = []
    for c in comparisons:
        for caveat in c.caveats:
            if caveat.code == "low_expected_count":
                sparse.append(f"{c.variable.label} ({c.comparison})")
            else:
                out.append(Caveat(caveat.code, f"{c.variable.label} ({c.comparison}): {caveat.message}",
                                  caveat.value, caveat.subject))
    if sparse:
        out.append(Caveat("low_expected_count", f"{len(sparse)} comparison(s) use the chi-square approximation with "
                          "expected counts < 5 (details in the table footnotes): " + ", ".join(sparse) + ".",
                          len(sparse)))
    for s in survival:
        other = s.n_excluded - s.n_deficit_without_time
        if s.n_deficit_without_time:
            out.append(Caveat("excluded_patients", f"{s.label}: {s.n_deficit_without_time} patient(s) with a "
                              "neurologic deficit but no deficit_months_after_diagnosis left out of the curve (they "
                              "stay in the deficit-free row).", s.n_deficit_without_time, s.endpoint))
        if other:
            out.append(Caveat("excluded_patients", f"{s.label}: {other} patient(s) without follow-up time "
                              "or outcome left out.", other, s.endpoint))
    return out


def _validation_caveats(cohort: Cohort) -> list[Caveat]:
    """Plausibility warnings of the loader (possible but suspicious values), repeated where the results are read."""
    return [Caveat("validation_warning", f"validation warning: {w}", None, w.column or "")
            for w in getattr(cohort, "warnings", ())]


# ---------------------------------------------------------------- entry point


def _timed(timings: dict[str, float], name: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = fn()
    timings[name] = round(time.perf_counter() - start, 4)
    return value


def analyze(cohort: Cohort, plan: AnalysisPlan | PlanName | str = EXACT_PLAN,
            progress: Callable[[str], None] | None = None, *, policy: str | None = None) -> AnalysisResult:
    """Run the whole analysis on a validated cohort.

    Parameters
    ----------
    cohort
        A :class:`neurohlh.io.Cohort` (from :func:`neurohlh.io.load_cohort`, which validates).
    plan
        An :class:`~neurohlh.analysis.plan.AnalysisPlan` or the name of a built-in one: ``"exact"`` (the
        default: exact tests where an expected count is below 5) or ``"paper"`` (the paper's SPSS tests).
    progress
        Optional callback called with the name of each step as it starts.
    policy
        Older spelling of ``plan`` (a plan name).

    Returns
    -------
    AnalysisResult
    """
    the_plan = plan_named(policy if policy is not None else plan)
    step = progress or (lambda name: None)
    timings: dict[str, float] = {}
    step("classify")
    consensus, study_allocations, allocations, study_frame = _timed(timings, "classify", lambda: _classify(cohort))
    # each patient as a row of the table (a Patient's fields, read on demand): criteria are decided column-wise,
    # and the results read their patient only to explain themselves
    columns = PatientColumns(cohort.patients)
    patients = _timed(timings, "patient records", columns.rows)
    if columns.column("patient_id") != [a.patient_id for a in allocations]:
        raise AssertionError("classification returned the patients in another order")  # classify_cohort's promise
    step("criteria")
    lesional = _timed(timings, "imaging findings", lambda: _study_lesional(study_allocations))
    h, c, crit_cols = _timed(timings, "criteria", lambda: _criteria(cohort, consensus, patients, lesional, the_plan))
    step("genetics")
    genotypes, recurrent, geno_cols = _timed(timings, "genetics", lambda: _genetics(cohort, columns, the_plan))
    frame, implied = _timed(timings, "patient frame", lambda: _deficit_free_of_the_dead(
        _patient_frame(cohort, _allocation_columns(allocations), crit_cols, geno_cols)))
    step("statistics")
    summary = _timed(timings, "study summary", lambda: summarise_studies(
        cohort, allocations, studies=consensus, study_allocations=study_allocations))
    comparisons = _timed(timings, "statistics", lambda: _table2_comparisons(frame, the_plan)
                         + _genotype_comparisons(frame, the_plan))
    survival = _timed(timings, "survival", lambda: _survival(frame))
    by_site = _timed(timings, "sites", lambda: site_analysis(frame, TABLE2_VARIABLES, survival_endpoints(frame)))
    caveats = _timed(timings, "caveats", lambda: tuple(implied + _validation_caveats(cohort)
                                                        + _caveats(frame, comparisons, survival)))
    return AnalysisResult(
        plan=the_plan, source=str(cohort.source), checksums=dict(cohort.checksums), patients=frame,
        studies=study_frame, allocations=allocations, hlh2004=h, cns=c, genotypes=genotypes,
        recurrent_variants=recurrent, study_summary=summary, comparisons=comparisons, survival=survival,
        caveats=caveats, timings=timings, notes=tuple(cohort.notes), sites=by_site,
    )


__all__ = ["analyze", "imaging_records"]
