"""Study-level findings counted the paper's way ("cerebral involvement in 77/123 studies").

Each :class:`Count` states its numerator, its denominator (the studies of the row's subgroup in which the
finding is known), how many studies of the subgroup had the finding unknown (not evaluable: counted neither as
absent nor in the denominator, only reported), the definition used and the figure printed in the paper.
A location left blank in a compartment read ``none`` (e.g. ``loc_cerebral_wm`` when ``supra_lesion_number`` is
``none``) is a known negative, as in the study rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from neurohlh.errors import InputError
from neurohlh.patterns.patient import PatientAllocation
from neurohlh.patterns.study import StudyAllocation
from neurohlh.patterns.evidence import LOCATION_COMPARTMENT, POSITIVE_NUMBERS
from neurohlh.patterns.rules import EXTRAPARENCHYMAL
from neurohlh.rounding import percent_text


@dataclass(frozen=True, slots=True)
class Count:
    """One study-level count: ``numerator`` / ``denominator`` studies where the finding is known; ``unknown``
    studies of the same subgroup are not evaluable and are left out of both."""

    key: str
    label: str
    numerator: int
    denominator: int
    unknown: int
    definition: str
    paper: str | None = None

    @property
    def percent(self) -> float | None:
        return None if self.denominator == 0 else 100.0 * self.numerator / self.denominator

    def __str__(self) -> str:
        pct = "" if self.denominator == 0 else f" ({percent_text(self.numerator, self.denominator)})"
        return f"{self.label}: {self.numerator}/{self.denominator}{pct}"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "numerator": self.numerator, "denominator": self.denominator,
                "percent": self.percent, "unknown": self.unknown, "definition": self.definition,
                "paper": self.paper}


@dataclass(frozen=True, slots=True)
class StudySummary:
    """Study-level summary of a cohort (consensus reads)."""

    n_studies: int
    n_patients: int
    counts: tuple[Count, ...]

    def __getitem__(self, key: str) -> Count:
        for c in self.counts:
            if c.key == key:
                return c
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {"n_studies": self.n_studies, "n_patients": self.n_patients,
                "counts": [c.to_dict() for c in self.counts]}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.to_dict() for c in self.counts])


#: Text columns that several counts compare with a value (held as categoricals while counting).
_COMPARED_TEXTS = ("supra_lesion_number", "infra_lesion_number", "deep_grey_laterality")


def _yes(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name].astype("boolean").fillna(False).astype(bool)


def _unknown(frame: pd.DataFrame, name: str) -> pd.Series:
    """Not evaluable: the value is blank and, for a location field, its compartment is not read ``none``.

    A compartment whose lesion number is ``none`` covers its location fields (the study rules read it the same
    way), so a blank location there is a known negative, not an unknown.
    """
    unknown = frame[name].isna()
    compartment = LOCATION_COMPARTMENT.get(name)
    if compartment is not None:
        unknown &= frame[compartment].ne("none").fillna(True).astype(bool)
    return unknown


class _Counter:
    def __init__(self) -> None:
        self.counts: list[Count] = []

    def add(self, key: str, label: str, hit: pd.Series, within: pd.Series, unknown: pd.Series, definition: str,
            paper: str | None = None) -> None:
        not_evaluable = unknown & within & ~hit
        self.counts.append(Count(key, label, int((hit & within).sum()), int((within & ~not_evaluable).sum()),
                                 int(not_evaluable.sum()), definition, paper))


def _any(frame: pd.DataFrame, names: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    hit = pd.concat([_yes(frame, n) for n in names], axis=1).any(axis=1)
    unknown = pd.concat([_unknown(frame, n) for n in names], axis=1).any(axis=1) & ~hit
    return hit, unknown


def _allocation_series(f: pd.DataFrame, allocations: Sequence[PatientAllocation],
                       study_allocations: Sequence[StudyAllocation] | None) -> tuple[pd.Series, ...]:
    """Per row of ``f``: the study category, the patient's pattern, and whether the lesion status is unknown."""
    if study_allocations is not None:
        if [s.study_id for s in study_allocations] != f["study_id"].tolist():
            raise InputError("`study_allocations` must be the allocations of the consensus studies in row order "
                             "(classify_studies_frame(cohort.consensus_studies))")
        patterns = {a.patient_id: a.pattern for a in allocations}
        uncovered = [s.study_id for s in study_allocations if s.patient_id not in patterns]
        if not uncovered:
            decisions = [s.decision for s in study_allocations]
            return (_categorical([d.category for d in decisions], f.index),
                    _categorical([patterns[s.patient_id] for s in study_allocations], f.index),
                    pd.Series([d.lesional is None for d in decisions], index=f.index, dtype=bool))
        rows = []
    else:
        by_study = {s.study_id: (s.category, a.pattern, s.lesional) for a in allocations for s in a.studies}
        uncovered = [sid for sid in f["study_id"] if sid not in by_study]
        rows = [by_study.get(sid, (None, None, None)) for sid in f["study_id"].tolist()]
    if uncovered:
        raise InputError(f"`allocations` do not cover {len(uncovered)} consensus stud(ies) of the cohort, e.g. "
                         f"{', '.join(uncovered[:5])}; pass the allocations of this cohort (classify_cohort(cohort))")
    category, pattern, lesional = zip(*rows) if rows else ((), (), ())
    return (_categorical(category, f.index), _categorical(pattern, f.index),
            pd.Series([v is None for v in lesional], index=f.index, dtype=bool))


def _categorical(values: Sequence[Any], index: pd.Index) -> pd.Series:
    """Categories and patterns as a categorical: each count compares them with a few values."""
    return pd.Series(pd.Categorical(values), index=index)


def _pattern_counts(c: _Counter, category: pd.Series, pattern: pd.Series, lesion_unknown: pd.Series) -> None:
    every = pd.Series(True, index=category.index)
    c.add("lesional", "Studies with parenchymal lesions", category == "lesional", every, lesion_unknown,
          "study category lesional (parenchymal lesions, docs/patterns.md)")
    c.add("pattern_1_studies", "Studies of pattern-1 patients", pattern == "1", every, pattern == "indeterminate",
          "all studies of patients allocated pattern 1", "93/123")
    p2 = pattern == "2"
    c.add("pattern_2_studies", "Studies of pattern-2 patients", p2, every, pattern == "indeterminate",
          "all studies of patients allocated pattern 2", "30/123")
    for cat, label, paper in (("normal", "normal", "10/30"), ("atrophy", "isolated atrophy", "15/30"),
                              ("isolated_ctt", "isolated CTT T2 hyperintensity", "3/30"),
                              ("nonspecific", "nonspecific findings", "2/30"),
                              (EXTRAPARENCHYMAL, "extra-parenchymal findings only (reader decision needed)", None)):
        c.add(f"pattern_2_{cat}", f"Pattern-2 studies: {label}", category == cat, p2, category == "indeterminate",
              f"study category {cat} among studies of pattern-2 patients", paper)


def _location_counts(c: _Counter, f: pd.DataFrame) -> None:
    every = pd.Series(True, index=f.index)
    for key, name, label, paper in (
            ("cerebral", "loc_cerebral_wm", "Cerebral involvement", "77/123"),
            ("cerebellar", "loc_cerebellar_wm", "Cerebellar involvement", "71/123"),
            ("deep_grey", "loc_deep_grey", "Deep grey nuclei / thalamus", "35/123")):
        c.add(key, label, _yes(f, name), every, _unknown(f, name), f"{name} = yes", paper)
    c.add("deep_grey_bilateral_asymmetric", "Deep grey: bilateral asymmetric",
          f["deep_grey_laterality"] == "bilateral_asymmetric", _yes(f, "loc_deep_grey"),
          _unknown(f, "deep_grey_laterality"), "deep_grey_laterality = bilateral_asymmetric among deep grey studies",
          "24/35")
    brainstem, brainstem_unknown = _any(f, ("loc_midbrain", "loc_pons", "loc_medulla"))
    c.add("brainstem", "Brainstem involvement", brainstem, every, brainstem_unknown,
          "any of loc_midbrain, loc_pons, loc_medulla = yes", "34/123")
    brainstem_rows: tuple[tuple[str, str, str, str | None], ...] = (
                                    ("brainstem_midbrain", "loc_midbrain", "Brainstem: midbrain", "32/34"),
                                    ("brainstem_medulla", "loc_medulla", "Brainstem: medulla", "9/34"),
                                    ("brainstem_dorsal_pons", "loc_pons_dorsal", "Brainstem: dorsal pons", None))
    for key, name, label, printed in brainstem_rows:
        c.add(key, label, _yes(f, name), brainstem, _unknown(f, name), f"{name} = yes among brainstem studies",
              printed)
    for key, name, label, paper in (
            ("cranial_nerves", "loc_cranial_nerves", "Cranial nerve enhancement", "5"),
            ("optic_nerve", "loc_optic_nerve", "Optic nerve involvement", "1"),
            ("cord", "loc_cord", "Spinal cord lesions", "3"),
            ("cauda_equina", "loc_cauda_equina", "Cauda equina thickening", "1")):
        c.add(key, label, _yes(f, name), every, _unknown(f, name), f"{name} = yes", paper)


def _other_counts(c: _Counter, f: pd.DataFrame, category: pd.Series, lesion_unknown: pd.Series) -> None:
    every = pd.Series(True, index=f.index)
    for key, name, label, paper in (("swi_blooming", "swi_blooming", "SWI blooming", "18"),
                                    ("ventriculomegaly", "ventriculomegaly", "Ventriculomegaly", "19")):
        c.add(key, label, _yes(f, name), every, _unknown(f, name), f"{name} = yes", paper)
    c.add("ventriculomegaly_obstructive", "Ventriculomegaly: obstructive", _yes(f, "ventriculomegaly_obstructive"),
          _yes(f, "ventriculomegaly"), _unknown(f, "ventriculomegaly_obstructive"),
          "ventriculomegaly_obstructive = yes among ventriculomegaly", "3/19")
    lesional = category == "lesional"
    atrophy_absent = f["atrophy_cerebral"].astype("boolean").eq(False).fillna(False).astype(bool)
    known_absent = atrophy_absent | ~(lesional | lesion_unknown)  # no atrophy, or known to have no lesions
    c.add("cortical_atrophy_with_lesions", "Cortical atrophy with parenchymal lesions",
          _yes(f, "atrophy_cerebral") & lesional, every, ~known_absent,
          "atrophy_cerebral = yes in a study with parenchymal lesions", "32/123")
    c.add("enhancing_cerebral", "Enhancement in studies with cerebral lesions", _yes(f, "supra_enhancement"),
          _yes(f, "loc_cerebral_wm"), _unknown(f, "supra_enhancement"),
          "supra_enhancement = yes among loc_cerebral_wm = yes", "52%")
    c.add("enhancing_cerebellar", "Enhancement in studies with cerebellar lesions", _yes(f, "infra_enhancement"),
          _yes(f, "loc_cerebellar_wm"), _unknown(f, "infra_enhancement"),
          "infra_enhancement = yes among loc_cerebellar_wm = yes (infratentorial enhancement field)", "60%")
    for key, prefix, label, paper in (("target_supra", "supra", "supratentorial", "6"),
                                      ("target_infra", "infra", "infratentorial", "4")):
        hit, unknown = _any(f, (f"{prefix}_target_lesions", f"{prefix}_target_variants"))
        c.add(key, f"Target lesions/variants, {label}", hit, f[f"{prefix}_lesion_number"].isin(list(POSITIVE_NUMBERS)),
              unknown, f"{prefix}_target_lesions or {prefix}_target_variants = yes among studies with "
              f"{label} lesions", paper)


def summarise_studies(cohort: Any, allocations: Sequence[PatientAllocation] | None = None, *,
                      studies: pd.DataFrame | None = None,
                      study_allocations: Sequence[StudyAllocation] | None = None) -> StudySummary:
    """Count findings over the cohort's consensus studies as the paper reports them (Results).

    ``allocations`` (from :func:`classify_cohort`) supply study categories and patient patterns; they are
    computed when not given. ``studies`` is ``cohort.consensus_studies`` when the caller already holds it, and
    ``study_allocations`` the allocations of its rows in their order (:func:`classify_studies_frame`), when held.

    Raises
    ------
    InputError
        If ``allocations`` do not cover every consensus study of ``cohort``.
    """
    if allocations is None:
        from neurohlh.patterns.cohort import classify_cohort

        allocations = classify_cohort(cohort)
    f = (cohort.consensus_studies if studies is None else studies).copy(deep=False)  # the columns are not copied
    f.index = pd.RangeIndex(len(f))
    for name in _COMPARED_TEXTS:  # compared with a few values by many counts (the cohort's frame is unchanged)
        f[name] = f[name].astype("category")
    category, pattern, lesion_unknown = _allocation_series(f, allocations, study_allocations)
    c = _Counter()
    _pattern_counts(c, category, pattern, lesion_unknown)
    _location_counts(c, f)
    _other_counts(c, f, category, lesion_unknown)
    return StudySummary(len(f), len({a.patient_id for a in allocations}), tuple(c.counts))


__all__ = ["Count", "StudySummary", "summarise_studies"]
