"""CLIPPERS radiologic check (Tobin 2017 items) and the red flag (paper, Conclusions)."""
from __future__ import annotations

import pytest
from _patterns_support import CLEAN

from neurohlh.patterns import assess_red_flag, check_clippers, classify_patient, classify_study
from neurohlh.schema import Patient, Study

BRAINSTEM = {**CLEAN, "infra_lesion_number": "multiple", "loc_pons": True, "loc_midbrain": True,
             "pontine_enhancing_lesion_count": 8, "pons_dominant_site": True}


def _study(**kw) -> Study:
    values = {**BRAINSTEM, "study_id": "S1", "patient_id": "P1", "reader": "consensus", **kw}
    return Study(**values)


def _status(check, item):
    return next(i.status for i in check.items if i.item == item)


def test_typical_paper_brainstem_study_fails_clippers():
    # Paper, Subgroup 1.2: T2 beyond the enhancing nodule 6/6, largest nodule > 3 mm 5/6, asymmetric pons 4/6.
    check = check_clippers(_study(infra_enhancement_pattern=frozenset({"nodular"}), mass_effect=False,
                                  largest_enhancing_nodule_mm=5.0, t2_beyond_enhancement=True,
                                  pons_symmetric_at_mcp=False))
    assert _status(check, "nodules_under_3mm") == "not_met"
    assert _status(check, "t2_not_exceeding_enhancement") == "not_met"
    assert _status(check, "homogeneous_nodules") == "met"
    assert _status(check, "pontocerebellar_predominance") == "met"
    assert _status(check, "symmetric_pontine_involvement") == "not_met"
    assert check.all_radiologic_met is False
    assert check.summary == "not all radiologic items met (2/4 required items met)"


def test_textbook_clippers_meets_every_radiologic_item_and_symmetry_is_only_supportive():
    check = check_clippers(_study(infra_enhancement_pattern=frozenset({"perivascular", "nodular"}), mass_effect=False,
                                  largest_enhancing_nodule_mm=2.0, t2_beyond_enhancement=False,
                                  pons_symmetric_at_mcp=False))
    assert check.all_radiologic_met is True
    assert _status(check, "symmetric_pontine_involvement") == "not_met"
    assert next(i for i in check.items if i.item == "symmetric_pontine_involvement").supportive


@pytest.mark.parametrize("size, expected", [(2.9, "met"), (3.0, "not_met"), (3.1, "not_met"), (None, "not_evaluable")])
def test_nodule_size_boundary_is_strictly_below_3_mm(size, expected):
    assert _status(check_clippers(_study(largest_enhancing_nodule_mm=size)), "nodules_under_3mm") == expected


@pytest.mark.parametrize("pattern, mass, expected", [
    (frozenset({"ring"}), False, "not_met"),
    (frozenset({"nodular", "heterogeneous"}), False, "not_met"),
    (frozenset({"nodular"}), True, "not_met"),
    (frozenset({"nodular"}), None, "not_evaluable"),
    (None, False, "not_evaluable"),
    (frozenset({"ring"}), None, "not_met"),  # a known violation decides even when the other value is unknown
])
def test_homogeneous_nodules_item(pattern, mass, expected):
    check = check_clippers(_study(infra_enhancement_pattern=pattern, mass_effect=mass))
    assert _status(check, "homogeneous_nodules") == expected


def test_unknown_items_make_the_overall_result_not_evaluable_not_false():
    check = check_clippers(_study(infra_enhancement_pattern=frozenset({"nodular"}), mass_effect=False,
                                  largest_enhancing_nodule_mm=2.0, t2_beyond_enhancement=None))
    assert check.all_radiologic_met is None
    assert check.to_dict()["items"][2]["values"] == {"t2_beyond_enhancement": None}


def test_clippers_is_attached_to_1_2_studies_only_and_to_the_patient_from_the_first_1_2_study():
    wm = Study(study_id="S1", patient_id="P1", reader="consensus", age_at_study_months=90.0,
               **{**CLEAN, "supra_lesion_number": "multiple", "loc_cerebral_wm": True})
    bs1 = _study(study_id="S2", age_at_study_months=96.0, largest_enhancing_nodule_mm=4.0)
    bs2 = _study(study_id="S3", age_at_study_months=99.0, largest_enhancing_nodule_mm=2.0)
    assert classify_study(wm).clippers is None
    a = classify_patient([bs2, wm, bs1], Patient(patient_id="P1", etiologic_workup="negative"))
    assert a.clippers.study_id == "S2"
    assert [s.clippers is not None for s in a.studies] == [False, True, True]


def test_six_brainstem_patients_like_the_paper_none_meets_all_radiologic_criteria():
    """Six 1.2 patients with the paper's item frequencies (T2 beyond 6/6, > 3 mm 5/6, asymmetric 4/6)."""
    sizes = [5.0, 4.0, 6.0, 3.5, 8.0, 2.0]
    symmetric = [False, False, False, False, True, True]
    checks = []
    for i, (size, sym) in enumerate(zip(sizes, symmetric)):
        study = _study(study_id=f"S{i}", patient_id=f"P{i}", largest_enhancing_nodule_mm=size,
                       t2_beyond_enhancement=True, pons_symmetric_at_mcp=sym,
                       infra_enhancement_pattern=frozenset({"nodular"}), mass_effect=False)
        checks.append(classify_patient([study]).clippers)
    assert sum(_status(c, "t2_not_exceeding_enhancement") == "not_met" for c in checks) == 6
    assert sum(_status(c, "nodules_under_3mm") == "not_met" for c in checks) == 5
    assert sum(_status(c, "symmetric_pontine_involvement") == "not_met" for c in checks) == 4
    assert sum(c.all_radiologic_met is True for c in checks) == 0


@pytest.mark.parametrize("subpatterns, workup, status", [
    (["1.2"], "negative", "raised"),
    (["1.3", "1.1"], "negative", "raised"),
    (["1.1", "1.2"], "negative", "raised"),       # patient 47: brainstem pattern on follow-up
    (["1.3"], None, "raised"),
    (["1.3"], "not_done", "raised"),
    (["1.3"], "pending", "provisional"),
    (["1.2"], "positive", "not_raised"),
    (["1.1", None], "negative", "not_evaluable"),
])
def test_red_flag(subpatterns, workup, status):
    flag = assess_red_flag(subpatterns, workup)
    assert flag.status == status
    assert flag.raised == (status in ("raised", "provisional"))
    assert (flag.recommendation is not None) == flag.raised
    if flag.raised:
        assert "perforin" in flag.recommendation and "degranulation" in flag.recommendation
        assert "genetic panel" in flag.recommendation


def test_red_flag_reasons_name_the_pattern_and_the_work_up():
    assert assess_red_flag(["1.2"], "negative").reason == \
        "brainstem-predominant (1.2) pattern with a negative etiologic work-up"
    assert "not recorded" in assess_red_flag(["1.3"], None).reason
    assert "no patient record" in assess_red_flag(["1.3"], None, patient_known=False).reason
    assert "another cause" in assess_red_flag(["1.3"], "positive").reason
    assert assess_red_flag(["1.1", "1.1"], "negative") is None
    assert assess_red_flag([], None) is None
