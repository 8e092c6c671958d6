"""The end-to-end analysis a user runs: classify, apply criteria and genetics, compare groups.

``analyze(cohort, policy)`` is pure: it takes a validated :class:`~neurohlh.io.Cohort` and returns an
:class:`AnalysisResult` holding every allocation, criteria result, genotype and test result. Writing
files is :func:`neurohlh.reports.write_report`'s job.

Denominators: every comparison counts the patients whose value is *known* (``None`` is unknown, never
"no"), the paper's way (CSF rows are over the 50 patients with CSF, not the 57). Groups:

* *pattern 1* / *pattern 2*: :func:`neurohlh.patterns.classify_patient`; ``indeterminate`` patients are
  left out of every comparison and counted in a warning;
* *subpatterns* 1.1 / 1.2 / 1.3: the **onset** subpattern (first lesional study), as in the paper's Table 2.
"""
from __future__ import annotations

import time
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

import numpy as np
import pandas as pd

from neurohlh.errors import InputError

Policy = Literal["paper", "exact"]
POLICIES: tuple[str, ...] = ("paper", "exact")
SUBPATTERNS: tuple[str, ...] = ("1.1", "1.2", "1.3")
PATTERNS: tuple[str, ...] = ("1", "2")



@dataclass(frozen=True, slots=True)
class Variable:
    """One compared characteristic: a derived patient column, binary (yes/no) or continuous."""

    key: str
    label: str
    kind: Literal["binary", "continuous"]
    section: str = ""
    level: int = 0


#: Rows of the paper's Table 2, in its order.
TABLE2_VARIABLES: tuple[Variable, ...] = (
    Variable("age_at_onset_months", "Median age at onset (mo)", "continuous"),
    Variable("seizures", "Seizures", "binary", "Symptoms", 1),
    Variable("encephalopathy", "Encephalopathy", "binary", "Symptoms", 1),
    Variable("gait_ataxia", "Gait ataxia", "binary", "Symptoms", 1),
    Variable("limb_weakness", "Limb weakness", "binary", "Symptoms", 1),
    Variable("dysarthria", "Dysarthria", "binary", "Symptoms", 1),
    Variable("diplopia", "Diplopia", "binary", "Symptoms", 1),
    Variable("csf_abnormal", "Abnormal CSF", "binary"),
    Variable("csf_proteinosis", "Proteinosis", "binary", "", 1),
    Variable("csf_pleocytosis", "Pleocytosis", "binary", "", 1),
    Variable("pooled_group", "Pooled mutation group", "binary"),
    Variable("died", "Mortality", "binary"),
    Variable("deficit_free", "Deficit-free at follow-up", "binary"),
)


@dataclass(frozen=True)
class GroupComparison:
    """One variable compared across groups: the per-group summaries and the test result.

    ``counts`` holds ``(n_yes, n_known)`` per group for binary variables; ``samples`` the known values
    per group for continuous ones. ``result`` is the :mod:`neurohlh.stats` result (``None`` when fewer
    than two groups had data, with the reason in ``reason``).
    """

    variable: Variable
    comparison: str
    groups: tuple[str, ...]
    counts: tuple[tuple[int, int], ...] = ()
    samples: tuple[np.ndarray, ...] = ()
    result: Any = None
    reason: str = ""

    @property
    def pvalue(self) -> float | None:
        return None if self.result is None else self.result.pvalue

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "variable": self.variable.key, "label": self.variable.label, "kind": self.variable.kind,
            "comparison": self.comparison, "groups": list(self.groups), "reason": self.reason,
            "result": None if self.result is None else _to_dict(self.result),
        }
        if self.counts:
            out["counts"] = [{"group": g, "yes": a, "known": n} for g, (a, n) in zip(self.groups, self.counts)]
        if self.samples:
            out["samples_n"] = {g: int(s.size) for g, s in zip(self.groups, self.samples)}
        return out


@dataclass(frozen=True)
class SurvivalComparison:
    """Kaplan-Meier curves by pattern and the log-rank test, for one endpoint."""

    endpoint: str
    label: str
    event_definition: str
    curves: dict[str, tuple[np.ndarray, np.ndarray, int]]
    result: Any
    n_excluded: int
    censored: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  #: censoring marks

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint, "label": self.label, "event_definition": self.event_definition,
            "n_per_group": {k: v[2] for k, v in self.curves.items()}, "n_excluded": self.n_excluded,
            "result": None if self.result is None else _to_dict(self.result),
        }


@dataclass(frozen=True)
class AnalysisResult:
    """Everything ``analyze`` computed. ``patients`` is the per-patient analysis frame (one row each)."""

    policy: str
    source: str
    checksums: dict[str, str]
    patients: pd.DataFrame
    studies: pd.DataFrame
    allocations: tuple[Any, ...]
    hlh2004: tuple[Any, ...]
    cns: tuple[Any, ...]
    genotypes: dict[str, Any]
    recurrent_variants: tuple[Any, ...]
    study_summary: Any
    comparisons: tuple[GroupComparison, ...]
    survival: tuple[SurvivalComparison, ...]
    warnings: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def comparison(self, variable: str, comparison: str) -> GroupComparison:
        for c in self.comparisons:
            if c.variable.key == variable and c.comparison == comparison:
                return c
        raise KeyError(f"no comparison {comparison!r} of {variable!r}")

    def summary(self) -> dict[str, Any]:
        pattern = self.patients["pattern"].value_counts()
        onset = self.patients["onset_subpattern"].value_counts()
        return {
            "patients": int(len(self.patients)), "studies": int(len(self.studies)),
            "pattern": {k: int(pattern.get(k, 0)) for k in ("1", "2", "indeterminate")},
            "onset_subpattern": {k: int(onset.get(k, 0)) for k in SUBPATTERNS},
        }


def _to_dict(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return str(obj)


# ---------------------------------------------------------------- pipeline steps


def _iv_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise InputError(f"`policy` must be one of {set(POLICIES)}; got {policy!r}")
    return policy


def _classify(cohort: Any) -> tuple[tuple[Any, ...], pd.DataFrame]:
    """Allocations per patient and a per-study frame (study_id, patient_id, category, subpattern)."""
    from neurohlh.patterns import classify_cohort

    allocations = tuple(classify_cohort(cohort))
    rows = [(s.study_id, s.patient_id, s.category, s.subpattern) for a in allocations for s in a.studies]
    studies = pd.DataFrame(rows, columns=["study_id", "patient_id", "category", "subpattern"])
    return allocations, studies


def _allocation_columns(allocations: Sequence[Any]) -> pd.DataFrame:
    return pd.DataFrame({
        "patient_id": [a.patient_id for a in allocations],
        "pattern": [a.pattern for a in allocations],
        "onset_subpattern": [a.onset_subpattern for a in allocations],
        "last_subpattern": [a.last_subpattern for a in allocations],
        "n_studies": [len(a.studies) for a in allocations],
    })


def _imaging_records(cohort: Any) -> dict[str, list[Any]]:
    """Consensus studies per patient, carrying only the fields the CNS imaging rule reads.

    :func:`neurohlh.criteria.cns_involvement` reads ``patient_id`` and the fields named in
    ``neurohlh.criteria.cns.IMAGING_FINDING_FIELDS`` / ``IMAGING_LESION_NUMBER_FIELDS`` of each study; building
    these light records column-wise (values exactly as in :class:`~neurohlh.schema.Study`: ``True``/``False``/
    ``None``, enum strings) is 10x faster than full ``Study`` records on large cohorts.
    """
    from collections import namedtuple

    from neurohlh.criteria.cns import IMAGING_FINDING_FIELDS, IMAGING_LESION_NUMBER_FIELDS

    names = ("patient_id", *IMAGING_FINDING_FIELDS, *IMAGING_LESION_NUMBER_FIELDS)
    record = namedtuple("StudyFindings", names)  # type: ignore[misc]
    frame = cohort.consensus_studies
    columns = [frame[n].astype(object).where(frame[n].notna(), None).tolist() for n in names]
    out: dict[str, list[Any]] = {}
    for values in zip(*columns):
        out.setdefault(values[0], []).append(record(*values))
    return out


def _criteria(patients: Sequence[Any], studies_by_patient: dict[str, list[Any]]) -> tuple[tuple, tuple, pd.DataFrame]:
    """HLH-2004 and CNS involvement (comprehensive rule) per patient, plus the CSF and symptom flags."""
    from neurohlh.criteria import cns_involvement, hlh2004

    h = tuple(hlh2004(p) for p in patients)
    c = tuple(cns_involvement(p, studies_by_patient.get(p.patient_id, ()), rule="comprehensive") for p in patients)
    frame = pd.DataFrame({
        "patient_id": [p.patient_id for p in patients],
        "csf_abnormal": [r.csf_abnormal for r in c],
        "csf_pleocytosis": [r.csf_pleocytosis for r in c],
        "csf_proteinosis": [r.csf_proteinosis for r in c],
        "cns_symptomatic": [r.neurologic_symptoms for r in c],
        "cns_involved": [r.involved for r in c],
        "hlh2004_status": [str(r.status) for r in h],
    })
    return h, c, frame


def _genetics(cohort: Any, patients: Sequence[Any]) -> tuple[dict[str, Any], tuple[Any, ...], pd.DataFrame]:
    """Genotype per patient with at least one variant row, recurrent variants, genotype columns."""
    from neurohlh.genetics import patient_genotype, recurrent_variants
    from neurohlh.genetics.recurrence import check_cohort_variants

    check_cohort_variants(cohort)  # every unreadable variant reported at once, with file and row
    records = cohort.variant_records()
    by_patient: dict[str, list[Any]] = {}
    for v in records:
        by_patient.setdefault(v.patient_id, []).append(v)
    genotypes = {p.patient_id: patient_genotype(p, by_patient[p.patient_id])
                 for p in patients if p.patient_id in by_patient}
    frame = pd.DataFrame({
        "patient_id": list(genotypes),
        "pooled_group": [g.pooled_group for g in genotypes.values()],
        "purely_disruptive": [g.purely_disruptive for g in genotypes.values()],
        "zygosity": [g.zygosity for g in genotypes.values()],
    })
    return genotypes, tuple(recurrent_variants(cohort)), frame


def _patient_frame(cohort: Any, allocation_cols: pd.DataFrame, criteria_cols: pd.DataFrame,
                   genotype_cols: pd.DataFrame) -> pd.DataFrame:
    base = cohort.patients.drop(columns=[c for c in ("_row",) if c in cohort.patients]).copy()
    frame = base.merge(allocation_cols, on="patient_id", how="left", validate="one_to_one")
    frame = frame.merge(criteria_cols, on="patient_id", how="left", validate="one_to_one")
    frame = frame.merge(genotype_cols, on="patient_id", how="left", validate="one_to_one")
    for col in ("csf_abnormal", "csf_pleocytosis", "csf_proteinosis", "pooled_group", "purely_disruptive",
                "cns_involved", "cns_symptomatic"):
        frame[col] = frame[col].astype("boolean")
    return frame


def _deficit_free_of_the_dead(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``deficit_free`` means "alive and free of neurologic deficit at last follow-up" (schema), so for a patient
    who died it is known: a blank is read as no (said in a warning) instead of dropping the patient from the
    deficit-free row and survival. (Died *and* deficit-free is rejected by the loader.)"""
    died = frame["died"].astype("boolean").fillna(False).astype(bool)
    deficit_free = frame["deficit_free"].astype("boolean")
    implied = died & deficit_free.isna()
    if not implied.any():
        return frame, []
    frame = frame.copy()
    frame["deficit_free"] = deficit_free.mask(implied, False)
    shown = ", ".join(frame.loc[implied, "patient_id"].astype(str).head(10)) + (", ..." if implied.sum() > 10 else "")
    return frame, [f"{int(implied.sum())} patient(s) who died have deficit_free blank: counted as not deficit-free "
                   f"(deficit-free means alive and free of neurologic deficit): {shown}."]


# ---------------------------------------------------------------- comparisons


def _binary_counts(frame: pd.DataFrame, column: str, group_col: str, groups: Sequence[str]) -> tuple:
    values = frame[column].astype("boolean")
    known = values.notna()
    out = []
    for g in groups:
        mask = (frame[group_col] == g) & known
        out.append((int(values[mask].sum()), int(mask.sum())))
    return tuple(out)


def compare_variable(frame: pd.DataFrame, variable: Variable, group_col: str, groups: Sequence[str],
                     comparison: str, policy: str) -> GroupComparison:
    """Compare one variable across ``groups`` of ``frame[group_col]`` with the :mod:`neurohlh.stats` policy."""
    from neurohlh.stats import compare_categorical, compare_continuous

    if variable.kind == "binary":
        counts = _binary_counts(frame, variable.key, group_col, groups)
        usable = [(a, n) for a, n in counts if n > 0]
        if len(usable) < 2:
            return GroupComparison(variable, comparison, tuple(groups), counts,
                                   reason="fewer than two groups with known values; no test")
        table = np.array([[a, n - a] for a, n in usable], dtype=np.int64)
        if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
            return GroupComparison(variable, comparison, tuple(groups), counts,
                                   reason="no variation (all yes or all no); no test")
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                result = compare_categorical(table, policy=policy)
        except InputError as exc:  # a test undefined for this table: say why instead of aborting the analysis
            return GroupComparison(variable, comparison, tuple(groups), counts, reason=f"no test: {exc}")
        return GroupComparison(variable, comparison, tuple(groups), counts, result=result)
    values = pd.to_numeric(frame[variable.key], errors="coerce").astype(float)
    samples = tuple(values[(frame[group_col] == g).to_numpy()].dropna().to_numpy() for g in groups)
    usable = [s for s in samples if s.size > 0]
    if len(usable) < 2 or any(s.size < 2 for s in usable):
        return GroupComparison(variable, comparison, tuple(groups), samples=samples,
                               reason="fewer than two groups with at least two known values; no test")
    if np.ptp(np.concatenate(usable)) == 0:
        return GroupComparison(variable, comparison, tuple(groups), samples=samples,
                               reason="no variation (every known value is the same); no test")
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            result = _paper_continuous(usable) if policy == "paper" else compare_continuous(*usable, policy=policy)
    except InputError as exc:  # a test undefined for these values (e.g. zero variance in every group)
        return GroupComparison(variable, comparison, tuple(groups), samples=samples, reason=f"no test: {exc}")
    return GroupComparison(variable, comparison, tuple(groups), samples=samples, result=result)


#: Shapiro-Wilk significance level for the paper's normality check.
NORMALITY_ALPHA = 0.05


def _paper_continuous(samples: Sequence[np.ndarray]) -> Any:
    """The paper's rule (Methods, Statistical Analysis), read at the variable level.

    "Data from the collected variables were assessed for normality using the Shapiro-Wilk test": the
    variable's values over the compared patients are tested once; normal -> Student t / one-way ANOVA,
    otherwise Mann-Whitney U (SPSS: asymptotic, tie-corrected, no continuity correction) / Kruskal-Wallis.
    The same test then serves every comparison of the variable, and Table 2 prints medians, which fits a
    rank test. (Per-group normality, :func:`neurohlh.stats.compare_continuous`, can pick ANOVA for groups of
    5 and 6 patients where the paper's P can only come from Kruskal-Wallis.)
    """
    from dataclasses import replace

    from neurohlh.stats import anova, format_p, kruskal, mann_whitney, shapiro, t_test

    pooled = np.concatenate(samples)
    two = len(samples) == 2
    if pooled.size >= 3 and np.ptp(pooled) > 0:
        sw = shapiro(pooled).pvalue
        normal = sw > NORMALITY_ALPHA
        why = (f"Shapiro-Wilk on the variable (n = {pooled.size}) P = {format_p(sw, style='fixed', decimals=3)} "
               f"{'>' if normal else '<='} {NORMALITY_ALPHA:g}")
    else:
        normal, why = False, "too few distinct values to check normality"
    if normal:
        result = t_test(*samples, equal_var=True) if two else anova(*samples)
        chosen = "Student t test" if two else "one-way ANOVA"
    else:
        result = mann_whitney(*samples, method="asymptotic", correction=False) if two else kruskal(*samples)
        chosen = "Mann-Whitney U (asymptotic, no continuity correction, as SPSS)" if two else "Kruskal-Wallis"
    return replace(result, reason=f'{why}, so {chosen} (policy "paper", variable-level normality as in the '
                                  "paper's Methods)")


def _table2_comparisons(frame: pd.DataFrame, policy: str) -> tuple[GroupComparison, ...]:
    out = []
    for v in TABLE2_VARIABLES:
        out.append(compare_variable(frame, v, "onset_subpattern", SUBPATTERNS, "subpatterns", policy))
        out.append(compare_variable(frame, v, "pattern", PATTERNS, "patterns", policy))
    return tuple(out)


#: Genotype-correlation comparisons (Genotype Correlations section): onset age by genotype group.
GENOTYPE_AGE = Variable("age_at_onset_months", "Median age at onset (mo)", "continuous")


def _genotype_comparisons(frame: pd.DataFrame, policy: str) -> tuple[GroupComparison, ...]:
    f = frame.copy()
    f["purely_group"] = f["purely_disruptive"].map({True: "purely disruptive", False: "not purely disruptive"})
    f["pooled_label"] = f["pooled_group"].map({True: "pooled", False: "residual-expression missense"})
    return (
        compare_variable(f, GENOTYPE_AGE, "purely_group", ("purely disruptive", "not purely disruptive"),
                         "purely disruptive", policy),
        compare_variable(f, GENOTYPE_AGE, "pooled_label", ("pooled", "residual-expression missense"),
                         "pooled vs residual", policy),
    )


# ---------------------------------------------------------------- survival


def _km_steps(time_: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kaplan-Meier steps (:func:`neurohlh.stats.kaplan_meier`) starting at (0, 1), plus censoring marks."""
    from neurohlh.stats import kaplan_meier

    curve = kaplan_meier(time_, event).curves[0]
    t, surv = np.asarray(curve.time, float), np.asarray(curve.survival, float)
    censored = np.asarray(curve.n_censor) > 0
    return np.r_[0.0, t], np.r_[1.0, surv], t[censored], surv[censored]


def _survival(frame: pd.DataFrame) -> tuple[SurvivalComparison, ...]:
    """Overall and deficit-free survival by pattern: KM curves and the log-rank test."""
    from neurohlh.stats import logrank

    died = frame["died"].astype("boolean")
    deficit_free = frame["deficit_free"].astype("boolean")
    endpoints = (
        ("overall_survival", "Overall survival", "death; censored at last follow-up", died),
        ("deficit_free_survival", "Deficit-free survival",
         "death or neurologic deficit at last follow-up (the deficit is dated at last follow-up, the only "
         "time recorded); censored when deficit-free at last follow-up", ~deficit_free),
    )
    out = []
    t_all = pd.to_numeric(frame["follow_up_months"], errors="coerce").astype(float)
    in_pattern = frame["pattern"].isin(PATTERNS)
    for key, label, definition, event in endpoints:
        ok = in_pattern & t_all.notna() & event.notna()
        t = t_all[ok].to_numpy()
        e = event[ok].astype(bool).to_numpy()
        g = frame.loc[ok, "pattern"].to_numpy()
        curves, marks = {}, {}
        for p in PATTERNS:
            m = g == p
            if m.any():
                steps_t, steps_s, cens_t, cens_s = _km_steps(t[m], e[m])
                curves[f"Pattern {p}"] = (steps_t, steps_s, int(m.sum()))
                marks[f"Pattern {p}"] = (cens_t, cens_s)
        result = None
        if len(curves) == 2 and e.any():
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                result = logrank(t, e, g)
        out.append(SurvivalComparison(key, label, definition, curves, result, int((~ok & in_pattern).sum()), marks))
    return tuple(out)


# ---------------------------------------------------------------- entry point


def _timed(timings: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    timings[name] = round(time.perf_counter() - start, 4)
    return value


def analyze(cohort: Any, policy: Policy = "paper", progress: Callable[[str], None] | None = None) -> AnalysisResult:
    """Run the whole analysis on a validated cohort.

    Parameters
    ----------
    cohort
        A :class:`neurohlh.io.Cohort` (from :func:`neurohlh.io.load_cohort`, which validates).
    policy
        ``"paper"`` reproduces the paper's test choices (SPSS asymptotic tests; see
        :func:`neurohlh.stats.compare_categorical`); ``"exact"`` uses exact tests wherever they exist.
    progress
        Optional callback called with the name of each step as it starts.

    Returns
    -------
    AnalysisResult
    """
    from neurohlh.patterns import summarise_studies

    _iv_policy(policy)
    step = progress or (lambda name: None)
    timings: dict[str, float] = {}
    step("classify")
    allocations, study_frame = _timed(timings, "classify", lambda: _classify(cohort))
    patients = cohort.patient_records()
    studies_by_patient = _imaging_records(cohort)
    step("criteria")
    h, c, crit_cols = _timed(timings, "criteria", lambda: _criteria(patients, studies_by_patient))
    step("genetics")
    genotypes, recurrent, geno_cols = _timed(timings, "genetics", lambda: _genetics(cohort, patients))
    frame = _patient_frame(cohort, _allocation_columns(allocations), crit_cols, geno_cols)
    frame, implied = _deficit_free_of_the_dead(frame)
    step("statistics")
    summary = _timed(timings, "study summary", lambda: summarise_studies(cohort, list(allocations)))
    comparisons = _timed(timings, "statistics", lambda: _table2_comparisons(frame, policy)
                         + _genotype_comparisons(frame, policy))
    survival = _timed(timings, "survival", lambda: _survival(frame))
    return AnalysisResult(
        policy=policy, source=str(cohort.source), checksums=dict(cohort.checksums), patients=frame,
        studies=study_frame, allocations=allocations, hlh2004=h, cns=c, genotypes=genotypes,
        recurrent_variants=recurrent, study_summary=summary, comparisons=comparisons, survival=survival,
        warnings=tuple(implied + _warnings_for(frame, comparisons, survival)), timings=timings,
        notes=tuple(cohort.notes),
    )


def _warnings_for(frame: pd.DataFrame, comparisons: Sequence[GroupComparison],
                  survival: Sequence[SurvivalComparison]) -> list[str]:
    out = []
    n_ind = int((frame["pattern"] == "indeterminate").sum())
    if n_ind:
        out.append(f"{n_ind} patient(s) have an indeterminate pattern (unknown imaging fields or no study) "
                   "and are left out of every pattern comparison; see results.json for the missing fields.")
    n_p1_no_onset = int(((frame["pattern"] == "1") & frame["onset_subpattern"].isna()).sum())
    if n_p1_no_onset:
        out.append(f"{n_p1_no_onset} pattern-1 patient(s) have no onset subpattern and are left out of the "
                   "subpattern comparisons.")
    sparse = []
    for c in comparisons:
        if c.result is not None:
            for w in getattr(c.result, "warnings", ()) or ():
                if "expected count < 5" in w:
                    sparse.append(f"{c.variable.label} ({c.comparison})")
                else:
                    out.append(f"{c.variable.label} ({c.comparison}): {w}")
    if sparse:
        out.append(f"{len(sparse)} comparison(s) have expected counts < 5 (details in the table footnotes): "
                   + ", ".join(sparse) + ".")
    for s in survival:
        if s.n_excluded:
            out.append(f"{s.label}: {s.n_excluded} patient(s) without follow-up time or outcome left out.")
    return out


__all__ = [
    "AnalysisResult", "GroupComparison", "SurvivalComparison", "Variable", "TABLE2_VARIABLES", "POLICIES",
    "analyze", "compare_variable",
]
