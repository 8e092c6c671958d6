"""The pattern rules read against the paper's own words (Malik et al., AJNR 2021), one test per rule.

Each expected value is quoted from the paper's text; the table-driven cases are in data/vignettes.tsv (rows A1-A4).
"""
from __future__ import annotations

from _patterns_support import CLEAN

from neurohlh.patterns import classify_patient, classify_study
from neurohlh.schema import Patient, Study

NO_CONTRAST = frozenset({"t1", "t2", "flair", "dwi"})


def _s(sid: str = "S1", **kw) -> Study:
    return Study(study_id=sid, patient_id="P1", reader="consensus", **{**CLEAN, "age_at_study_months": 60.0, **kw})


def _step(allocation, rule: str):
    return next(s for s in allocation.trace if s.rule == rule)


# A1. "diffuse cerebellar cortical swelling/edema with diffuse effacement of cerebellar folia" (Subgroup 1.3);
#     "effacement of cerebellar folia and/or cerebellopontine cisterns" (Results).

def test_1_3_needs_swelling_with_effacement_of_folia_or_cisterns():
    swelling = {"infra_lesion_number": "multiple", "loc_cerebellar_wm": True, "cerebellar_diffuse_edema": True}
    assert classify_study(_s(**swelling)).subpattern == "1.1"  # folia and cisterns known not effaced
    assert classify_study(_s(**swelling, cerebellar_folia_effacement=True)).subpattern == "1.3"
    assert classify_study(_s(**swelling, cp_cistern_effacement=True)).subpattern == "1.3"


def test_1_3_with_unknown_effacement_is_not_evaluable_and_the_trace_names_the_fields():
    a = classify_study(_s(infra_lesion_number="multiple", cerebellar_diffuse_edema=True,
                          cerebellar_folia_effacement=None, cp_cistern_effacement=None))
    assert a.subpattern is None
    assert a.missing_fields == ("cerebellar_folia_effacement", "cp_cistern_effacement")
    step = _step(a, "subpattern_1_3")
    assert step.status == "not_evaluable"
    assert "cerebellar_folia_effacement" in step.outcome and "cp_cistern_effacement" in step.outcome


# A2. Cranial nerve, optic nerve, cord and cauda equina findings are listed under "Imaging Findings in Pattern 1";
#     the paper says nothing about them alone, so such a study is never "normal".

def test_extra_parenchymal_findings_alone_are_never_normal_and_ask_for_a_reader():
    for name in ("loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina"):
        a = classify_study(_s(**{name: True}))
        assert (a.lesional, a.category, a.needs_reader_decision) == (False, "extraparenchymal_only", True), name
        assert a.to_dict()["needs_reader_decision"] is True
        assert _step(a, "pattern2_extraparenchymal_only").status == "met"
    patient = classify_patient([_s(loc_cord=True), _s("S2", age_at_study_months=70.0)])
    assert patient.pattern == "2"  # no parenchymal lesion at onset or follow-up
    assert any("S1" in n and "reader decision needed" in n for n in patient.notes)
    normal = classify_study(_s())
    assert (normal.category, normal.needs_reader_decision) == ("normal", False)


def test_an_extra_parenchymal_finding_next_to_atrophy_is_named_in_the_trace():
    a = classify_study(_s(atrophy_cerebral=True, loc_optic_nerve=True))
    assert a.category == "atrophy"
    assert "loc_optic_nerve = yes" in _step(a, "pattern2_atrophy").outcome


# A3. 1.2: "numerous (>3) punctate to nodular enhancing lesions involving the pons with variable extension".

def test_pons_dominance_is_inferred_when_every_other_site_is_known_lesion_free():
    a = classify_study(_s(infra_lesion_number="multiple", loc_pons=True, pontine_enhancing_lesion_count=5,
                          pons_dominant_site=None))
    assert a.subpattern == "1.2" and a.missing_fields == ()
    assert "pons dominant inferred" in _step(a, "subpattern_1_2").outcome
    extended = classify_study(_s(infra_lesion_number="multiple", loc_pons=True, loc_midbrain=True,
                                 pontine_enhancing_lesion_count=5, pons_dominant_site=None))
    assert extended.subpattern is None and extended.missing_fields == ("pons_dominant_site",)


def test_pons_dominance_is_not_inferred_when_the_supratentorial_compartment_is_unknown():
    a = classify_study(_s(supra_lesion_number=None, infra_lesion_number="multiple", loc_pons=True,
                          pontine_enhancing_lesion_count=5, pons_dominant_site=None))
    assert a.subpattern is None and "pons_dominant_site" in a.missing_fields


# A4. Enhancement needs a post-contrast T1 ("T1 postcontrast enhancement", Methods).

def test_a_count_of_zero_without_contrast_does_not_rule_out_1_2():
    pons = {"infra_lesion_number": "multiple", "loc_pons": True, "pons_dominant_site": True}
    without = classify_study(_s(**pons, pontine_enhancing_lesion_count=0, sequences=NO_CONTRAST))
    assert without.subpattern is None and without.missing_fields == ("sequences",)
    assert "no post-contrast T1" in _step(without, "subpattern_1_2").outcome
    with_contrast = classify_study(_s(**pons, pontine_enhancing_lesion_count=0,
                                      sequences=NO_CONTRAST | {"t1_postcontrast"}))
    assert with_contrast.subpattern == "1.1"
    unknown_sequences = classify_study(_s(**pons, pontine_enhancing_lesion_count=0))
    assert unknown_sequences.subpattern == "1.1"  # sequences not recorded: the read count stands


# A5. Red flag without any MR study: not evaluable, as for an unreadable study.

def test_red_flag_without_any_mr_study_is_not_evaluable():
    a = classify_patient([], Patient(patient_id="P1", etiologic_workup="negative"))
    assert a.red_flag is not None and a.red_flag.status == "not_evaluable" and not a.red_flag.raised
    assert "no MR study" in a.red_flag.reason
    blank = classify_patient([Study(study_id="S1", patient_id="P1", reader="consensus")],
                             Patient(patient_id="P1", etiologic_workup="negative"))
    assert blank.red_flag.status == a.red_flag.status
    assert any(s.rule == "red_flag" for s in a.trace)
