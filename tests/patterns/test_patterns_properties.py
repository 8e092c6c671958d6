"""Property tests (hypothesis): order invariance and monotonicity of the patient allocation."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
from _patterns_support import CLEAN, records_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurohlh.io import Cohort
from neurohlh.patterns import classify_cohort, classify_patient
from neurohlh.schema import Patient, Study, Variant

NUMBERS = st.sampled_from([None, "none", "single", "few", "multiple"])
TRI = st.sampled_from([None, True, False])
BOOL_FIELDS = ("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons", "loc_medulla",
               "cerebellar_diffuse_edema", "atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity",
               "nonspecific_findings", "pons_dominant_site", "t2_beyond_enhancement", "mass_effect",
               "pons_symmetric_at_mcp")


@st.composite
def study_values(draw) -> dict:
    values = {f: draw(TRI) for f in BOOL_FIELDS}
    values["supra_lesion_number"] = draw(NUMBERS)
    values["infra_lesion_number"] = draw(NUMBERS)
    values["pontine_enhancing_lesion_count"] = draw(st.one_of(st.none(), st.integers(0, 8)))
    values["largest_enhancing_nodule_mm"] = draw(st.one_of(st.none(), st.sampled_from([1.0, 2.9, 3.0, 6.5])))
    # ties on purpose (broken by study_id); sometimes only a date, sometimes no timing at all
    timing = draw(st.sampled_from(["age", "age", "age", "date", "both", "none"]))
    month = draw(st.integers(0, 60))
    if timing in ("age", "both"):
        values["age_at_study_months"] = float(month)
    if timing in ("date", "both"):
        values["study_date"] = dt.date(2010 + month // 12, month % 12 + 1, 1)
    return values


@st.composite
def patient_studies(draw, patient_id: str = "P1", min_size: int = 1) -> list[Study]:
    rows = draw(st.lists(study_values(), min_size=min_size, max_size=5))
    return [Study(study_id=f"{patient_id}-S{i}", patient_id=patient_id, reader="consensus", **v)
            for i, v in enumerate(rows)]


WORKUP = st.sampled_from([None, "negative", "positive", "pending", "not_done"])


def _diff(x, y, path="") -> list[str]:
    if isinstance(x, dict) and isinstance(y, dict):
        return [d for k in sorted(set(x) | set(y)) for d in _diff(x.get(k), y.get(k), f"{path}.{k}")]
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        return [d for i, (u, v) in enumerate(zip(x, y)) for d in _diff(u, v, f"{path}[{i}]")]
    return [] if x == y and type(x) is type(y) else [f"{path}: {x!r} != {y!r}"]


def assert_same_allocation(a, b) -> None:
    assert _diff(a.to_dict(trace=True), b.to_dict(trace=True)) == []


@settings(max_examples=150, deadline=None)
@given(studies=patient_studies(), workup=WORKUP, rnd=st.randoms())
def test_shuffling_study_order_changes_nothing(studies, workup, rnd):
    patient = Patient(patient_id="P1", etiologic_workup=workup)
    shuffled = list(studies)
    rnd.shuffle(shuffled)
    assert_same_allocation(classify_patient(studies, patient), classify_patient(shuffled, patient))


def _cohort(patients: list[Patient], studies: list[Study]) -> Cohort:
    return Cohort(Path("in-memory"), records_frame(patients, Patient), records_frame(studies, Study),
                  records_frame([], Variant))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(1, 6))
def test_shuffling_patient_and_row_order_changes_no_allocation(data, n):
    patients = [Patient(patient_id=f"P{i}", etiologic_workup=data.draw(WORKUP)) for i in range(n)]
    studies = [s for p in patients for s in data.draw(patient_studies(p.patient_id, min_size=0))]
    rnd = data.draw(st.randoms())
    shuffled_patients, shuffled_studies = list(patients), list(studies)
    rnd.shuffle(shuffled_patients)
    rnd.shuffle(shuffled_studies)
    first = {a.patient_id: a for a in classify_cohort(_cohort(patients, studies))}
    second = classify_cohort(_cohort(shuffled_patients, shuffled_studies))
    assert [a.patient_id for a in second] == [p.patient_id for p in shuffled_patients]
    for a in second:
        assert_same_allocation(a, first[a.patient_id])
        # the cohort path and the record path agree
        own = [s for s in studies if s.patient_id == a.patient_id]
        patient = next(p for p in patients if p.patient_id == a.patient_id)
        if own:
            assert_same_allocation(a, classify_patient(own, patient))


NORMAL = {**CLEAN}


@settings(max_examples=150, deadline=None)
@given(studies=patient_studies(), age=st.integers(0, 80), workup=WORKUP)
def test_a_normal_follow_up_never_changes_a_pattern_1_patient(studies, age, workup):
    patient = Patient(patient_id="P1", etiologic_workup=workup)
    before = classify_patient(studies, patient)
    if before.pattern != "1":
        return
    normal = Study(study_id="P1-N", patient_id="P1", reader="consensus", age_at_study_months=float(age), **NORMAL)
    after = classify_patient(studies + [normal], patient)
    assert next(s for s in after.studies if s.study_id == "P1-N").category == "normal"
    for name in ("pattern", "onset_subpattern", "onset_study_id", "evolution", "transitions", "last_subpattern",
                 "ever_subpatterns", "clippers", "red_flag", "missing_fields"):
        assert getattr(after, name) == getattr(before, name), name


@settings(max_examples=150, deadline=None)
@given(studies=patient_studies(), extra=study_values(), finding=st.sampled_from(
    ["loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons", "loc_medulla",
     "cerebellar_diffuse_edema", "supra_lesion_number", "infra_lesion_number"]))
def test_a_lesional_study_turns_pattern_2_into_pattern_1(studies, extra, finding):
    before = classify_patient(studies)
    if before.pattern != "2":
        return
    extra = {**extra, finding: "few" if finding.endswith("_number") else True}
    lesional = Study(study_id="P1-L", patient_id="P1", reader="consensus", **extra)
    after = classify_patient(studies + [lesional])
    assert after.pattern == "1"
    assert next(s for s in after.studies if s.study_id == "P1-L").lesional is True


def _contradicts(values: dict, name: str, fill) -> bool:
    """A fill that contradicts a known compartment lesion number of none (documented implication rule)."""
    from neurohlh.patterns.study import LOCATION_COMPARTMENT

    if fill is True and values.get(LOCATION_COMPARTMENT.get(name, "")) == "none":
        return True
    no_pons = values["loc_pons"] is False or values["infra_lesion_number"] == "none"
    if name == "pontine_enhancing_lesion_count" and fill and no_pons:
        return True
    # the pons being the only site with lesions makes it the dominant site (documented inference rule)
    from neurohlh.patterns.evidence import EVIDENCE_FIELDS, Evidence

    evidence = Evidence(**{f: values.get(f) for f in EVIDENCE_FIELDS})
    return name == "pons_dominant_site" and fill is False and evidence.pons_only


@settings(max_examples=200, deadline=None)
@given(values=study_values())
def test_unknown_never_read_as_no(values):
    """Filling an unknown field (consistently with the known ones) never changes a decision, only decides more."""
    study = Study(study_id="S", patient_id="P", reader="consensus", **values)
    from neurohlh.patterns import classify_study

    a = classify_study(study)
    for name, value in values.items():
        if value is not None or name in ("age_at_study_months", "largest_enhancing_nodule_mm", "t2_beyond_enhancement",
                                         "mass_effect", "pons_symmetric_at_mcp"):
            continue
        fills = ["none", "single"] if name.endswith("_number") else [0, 7] if name.endswith("count") else [True, False]
        for fill in fills:
            if _contradicts(values, name, fill):
                continue
            b = classify_study(dataclasses.replace(study, **{name: fill}))
            if a.lesional is not None:
                assert b.lesional == a.lesional
            if a.category not in ("indeterminate",):
                assert b.category == a.category
            if a.subpattern is not None:
                assert b.subpattern == a.subpattern


def test_frames_built_in_memory_match_the_loader(tmp_path):
    """Sanity check of the in-memory cohort helper used above against the real file round trip."""
    from _patterns_support import write_and_load

    studies = [Study(study_id="S1", patient_id="P1", reader="consensus", age_at_study_months=3.0, **CLEAN)]
    patients = [Patient(patient_id="P1")]
    a = classify_cohort(_cohort(patients, studies))
    b = classify_cohort(write_and_load(tmp_path / "c", patients, studies))
    assert [x.to_dict() for x in a] == [x.to_dict() for x in b]
    assert isinstance(records_frame(studies, Study), pd.DataFrame)
