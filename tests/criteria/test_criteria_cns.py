"""CNS involvement: CSF thresholds at their boundaries (paper Table 1: > 10 cells/uL, > 45 mg/dL), the two
rules, and the paper's inclusion counts (Table 1 / Results) on a synthetic cohort built to them."""
from __future__ import annotations

import pytest

from neurohlh import InputError
from neurohlh.criteria import cns_cohort, cns_involvement, csf_abnormal, csf_pleocytosis, csf_proteinosis
from neurohlh.schema import Patient, Study

NO_SYMPTOMS = dict(seizures=False, encephalopathy=False, meningismus=False, gait_ataxia=False, hypotonia=False,
                   limb_weakness=False, dysarthria=False, diplopia=False)


@pytest.mark.parametrize("wbc, expected", [(10.0, False), (10.5, True), (11.0, True), (0.0, False), (None, None)])
def test_pleocytosis_above_10(wbc, expected):
    assert csf_pleocytosis(Patient(patient_id="S", csf_wbc_per_ul=wbc)) is expected


@pytest.mark.parametrize("protein, expected", [(45.0, False), (45.1, True), (None, None)])
def test_proteinosis_above_45(protein, expected):
    assert csf_proteinosis(Patient(patient_id="S", csf_protein_mg_dl=protein)) is expected


@pytest.mark.parametrize("wbc, protein, expected", [(11.0, None, True), (None, 46.0, True), (5.0, 30.0, False),
                                                    (5.0, None, None), (None, None, None)])
def test_csf_abnormal_is_unknown_unless_decided(wbc, protein, expected):
    assert csf_abnormal(Patient(patient_id="S", csf_wbc_per_ul=wbc, csf_protein_mg_dl=protein)) is expected


def test_csf_not_done_makes_flags_unknown():
    assert csf_abnormal(Patient(patient_id="S", csf_done=False, csf_wbc_per_ul=50.0)) is None


def test_comprehensive_rule_accepts_symptoms_or_imaging():
    p = Patient(patient_id="S", csf_wbc_per_ul=2.0, csf_protein_mg_dl=20.0, **{**NO_SYMPTOMS, "seizures": True})
    assert cns_involvement(p, rule="csf").involved is False
    r = cns_involvement(p)
    assert (r.involved, r.rule, r.neurologic_symptoms) == (True, "comprehensive", True)
    q = Patient(patient_id="S", csf_done=False, **NO_SYMPTOMS)
    lesion = Study(study_id="M1", patient_id="S", reader="consensus", supra_lesion_number="few")
    normal = Study(study_id="M2", patient_id="S", reader="consensus", supra_lesion_number="none",
                   infra_lesion_number="none", **{f: False for f in (
                       "loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons",
                       "loc_medulla", "loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina",
                       "cerebellar_diffuse_edema", "atrophy_cerebral", "atrophy_cerebellar",
                       "ctt_t2_hyperintensity")})
    assert cns_involvement(q, [lesion]).involved is True
    assert cns_involvement(q, [normal]).involved is None     # CSF unknown: cannot rule out
    assert cns_involvement(q, []).imaging_findings is None
    assert cns_involvement(Patient(patient_id="S", csf_wbc_per_ul=1.0, csf_protein_mg_dl=10.0, **NO_SYMPTOMS),
                           [normal]).involved is False


def test_irritability_alone_is_not_a_neurologic_symptom_unless_asked():
    p = Patient(patient_id="S", irritability=True, csf_wbc_per_ul=1.0, csf_protein_mg_dl=10.0, **NO_SYMPTOMS)
    assert cns_involvement(p).neurologic_symptoms is False
    assert cns_involvement(p, count_irritability=True).involved is True


def test_bad_rule_and_foreign_studies_raise():
    p = Patient(patient_id="S")
    with pytest.raises(InputError, match="`rule` must be one of"):
        cns_involvement(p, rule="strict")
    with pytest.raises(InputError, match="Studies of patient"):
        cns_involvement(p, [Study(study_id="M", patient_id="T", reader="consensus")])


def _paper_table1_cohort() -> list[Patient]:
    """57 synthetic patients built to Table 1 / Results: CSF analysed 50, abnormal 42 (pleocytosis 25,
    proteinosis 32, so 15 both), neurologic symptoms 45, and 12 CSF-abnormal with no or only mild symptoms."""
    csf = ([(50.0, 80.0)] * 15 + [(30.0, 20.0)] * 10 + [(3.0, 60.0)] * 17 + [(2.0, 30.0)] * 8)  # 42 abn + 8 normal
    patients = []
    for i in range(57):
        symptomatic = i >= 12  # patients 0-11: abnormal CSF, no symptoms or only irritability
        symptoms = {**NO_SYMPTOMS, "seizures": symptomatic, "irritability": (not symptomatic) and i % 2 == 0}
        if i < 50:
            wbc, protein = csf[i]
            patients.append(Patient(patient_id=f"S{i:02d}", csf_done=True, csf_wbc_per_ul=wbc,
                                    csf_protein_mg_dl=protein, **symptoms))
        else:
            patients.append(Patient(patient_id=f"S{i:02d}", csf_done=False, **symptoms))
    return patients


def test_paper_inclusion_counts_under_both_rules():
    patients = _paper_table1_cohort()
    assert sum(csf_pleocytosis(p) is True for p in patients) == 25
    assert sum(csf_proteinosis(p) is True for p in patients) == 32
    csf = cns_cohort(patients, rule="csf")
    assert (csf.n_involved, len(csf.failing), len(csf.undetermined)) == (42, 8, 7)   # 15/57 not shown
    comp = cns_cohort(patients, rule="comprehensive")
    assert (comp.n_involved, comp.failing, comp.undetermined) == (57, (), ())
    assert "comprehensive" in comp.sentence and "57/57" in comp.sentence
    assert "S42" in csf.sentence and "fail" in csf.sentence


def test_imaging_rule_reads_lesions_the_way_the_pattern_rules_do():
    # Both compartments read "none" and every non-parenchymal finding is known absent; the location fields
    # (loc_cerebral_wm ... cerebellar_diffuse_edema) are left blank. Pattern rule 1 (docs/patterns.md): a
    # compartment's "none" covers its location fields, so the study has no lesions and no imaging finding.
    # (Before, the imaging rule re-derived lesions itself and called this study unknown.)
    from neurohlh.criteria import imaging_findings
    from neurohlh.patterns import classify_study

    study = Study(study_id="M1", patient_id="S", reader="consensus", supra_lesion_number="none",
                  infra_lesion_number="none", loc_cranial_nerves=False, loc_optic_nerve=False, loc_cord=False,
                  loc_cauda_equina=False, atrophy_cerebral=False, atrophy_cerebellar=False,
                  ctt_t2_hyperintensity=False)
    assert classify_study(study).lesional is False
    assert imaging_findings([study]) is False
    # a location "yes" counts even when its compartment says none (a positive finding wins)
    assert imaging_findings([Study(study_id="M2", patient_id="S", reader="consensus", supra_lesion_number="none",
                                   infra_lesion_number="none", loc_pons=True)]) is True


def test_lesional_statuses_given_by_classification_decide_as_the_rule_does(demo_cohort):
    # The analysis passes the lesional status classification decided for each study instead of deciding it again:
    # on every demo patient the result is the one cns_involvement reaches by itself.
    from neurohlh.criteria import cns_involvement
    from neurohlh.patterns import classify_patient

    studies = demo_cohort.study_records()
    by_patient: dict[str, list] = {}
    for s in studies:
        by_patient.setdefault(s.patient_id, []).append(s)
    for patient in demo_cohort.patient_records():
        own = by_patient.get(patient.patient_id, [])
        decided = {a.study_id: a.lesional for a in classify_patient(own, patient).studies} if own else {}
        given = cns_involvement(patient, own, lesional=[decided[s.study_id] for s in own])
        assert given == cns_involvement(patient, own), patient.patient_id
        assert given.reasons == cns_involvement(patient, own).reasons


def test_lesional_statuses_must_match_the_studies():
    from neurohlh.criteria.cns import imaging_findings

    study = Study(study_id="S1", patient_id="P1", reader="consensus")
    with pytest.raises(InputError, match="2 lesional statuses were given for 1 studies"):
        imaging_findings([study], [True, False])
    assert imaging_findings([study], [True]) is True  # a lesional study is an imaging finding


def _frame_cohort(tmp_path, patients, studies):
    import pandas as pd

    from neurohlh.io import load_cohort, write_cohort_csv

    write_cohort_csv({"patients": pd.DataFrame(patients), "studies": pd.DataFrame(studies)}, tmp_path / "c",
                     "SYNTHETIC test cohort")
    return load_cohort(tmp_path / "c")


def test_cns_involvement_frame_decides_each_patient_by_hand(tmp_path):
    # Column-wise rule, worked by hand per patient (symptoms all no unless stated; imaging from the studies):
    # A: CSF not analysed, no symptoms, one study with no finding -> csf unknown,
    #    imaging no -> comprehensive unknown (CSF could still be abnormal); csf rule unknown.
    # B: 10 cells (not > 10), protein 45.1 (> 45) -> CSF abnormal; involved under both rules.
    # C: 10 cells, 45 mg/dL -> CSF normal; seizures unknown, no study -> symptoms and imaging unknown -> unknown.
    # D: CSF normal, no symptoms, two studies: one lesional (classification said so), one without finding ->
    #    imaging yes -> comprehensive yes, csf rule no.
    # E: CSF normal, no symptoms, a study of unknown lesion status with atrophy no -> imaging unknown.
    from neurohlh.criteria import cns_involvement_frame

    no = dict(NO_SYMPTOMS)
    patients = [
        {"patient_id": "A", "csf_done": False, **no},
        {"patient_id": "B", "csf_done": True, "csf_wbc_per_ul": 10.0, "csf_protein_mg_dl": 45.1, **no},
        {"patient_id": "C", "csf_done": True, "csf_wbc_per_ul": 10.0, "csf_protein_mg_dl": 45.0,
         **{**no, "seizures": None}},
        {"patient_id": "D", "csf_done": True, "csf_wbc_per_ul": 1.0, "csf_protein_mg_dl": 20.0, **no},
        {"patient_id": "E", "csf_done": True, "csf_wbc_per_ul": 1.0, "csf_protein_mg_dl": 20.0, **no},
    ]
    none_found = {f: False for f in ("loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina",
                                     "atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity")}
    studies = [{"study_id": "A1", "patient_id": "A", "reader": "consensus", **none_found},
               {"study_id": "D1", "patient_id": "D", "reader": "consensus", **none_found},
               {"study_id": "D2", "patient_id": "D", "reader": "consensus", **none_found},
               {"study_id": "E1", "patient_id": "E", "reader": "consensus", **none_found}]
    cohort = _frame_cohort(tmp_path, patients, studies)
    frame = cohort.consensus_studies
    lesional = {"A1": False, "D1": True, "D2": False, "E1": None}
    given = [lesional[s] for s in frame["study_id"]]
    records = cohort.patient_records()
    both = {rule: {r.patient_id: r for r in cns_involvement_frame(cohort.patients, records, frame, given, rule)}
            for rule in ("comprehensive", "csf")}
    c, csf = both["comprehensive"], both["csf"]
    assert [c[p].involved for p in "ABCDE"] == [None, True, None, True, None]
    assert [csf[p].involved for p in "ABCDE"] == [None, True, False, False, False]
    assert [c[p].csf_pleocytosis for p in "ABCDE"] == [None, False, False, False, False]
    assert [c[p].csf_proteinosis for p in "ABCDE"] == [None, True, False, False, False]
    assert [c[p].neurologic_symptoms for p in "ABCDE"] == [False, False, None, False, False]
    assert [c[p].imaging_findings for p in "ABCDE"] == [False, None, None, True, None]
    assert [c[p].n_studies for p in "ABCDE"] == [1, 0, 0, 2, 1]
    assert c["A"].reasons[0] == "CSF not analysed"
    # the same results, one patient at a time
    by_patient = {}
    for s in cohort.study_records():
        by_patient.setdefault(s.patient_id, []).append(s)
    for p in records:
        own = by_patient.get(p.patient_id, [])
        assert c[p.patient_id] == cns_involvement(p, own, lesional=[lesional[s.study_id] for s in own])


def test_cns_involvement_frame_agrees_with_cns_involvement_on_the_demo_cohort(demo_cohort):
    from neurohlh.criteria import cns_involvement_frame
    from neurohlh.patterns import classify_cohort

    decided = {s.study_id: s.lesional for a in classify_cohort(demo_cohort) for s in a.studies}
    frame = demo_cohort.consensus_studies
    records = demo_cohort.patient_records()
    by_patient: dict[str, list] = {}
    for s in demo_cohort.study_records():
        by_patient.setdefault(s.patient_id, []).append(s)
    for rule in ("comprehensive", "csf"):
        results = cns_involvement_frame(demo_cohort.patients, records, frame,
                                        [decided[s] for s in frame["study_id"]], rule)
        for p, r in zip(records, results, strict=True):
            assert r == cns_involvement(p, by_patient.get(p.patient_id, []), rule), p.patient_id


def test_column_wise_and_per_patient_cns_rules_agree_on_random_combinations():
    # cns_involvement_frame beside cns_involvement: random patients over every CSF boundary and unknown symptom,
    # each with 0-3 studies whose lesional status and other findings are yes / no / unknown; both rules, with and
    # without irritability
    import dataclasses
    import random

    import pandas as pd

    from neurohlh.criteria import cns_involvement_frame
    from neurohlh.criteria.cns import NEUROLOGIC_SYMPTOM_FIELDS, OTHER_IMAGING_FINDING_FIELDS
    from neurohlh.schema import Study

    rng = random.Random(45)
    tri = [None, True, False]
    patients, studies, lesional = [], [], []
    for i in range(600):
        symptoms = {n: rng.choice([False, False, *tri]) for n in (*NEUROLOGIC_SYMPTOM_FIELDS, "irritability")}
        patients.append(Patient(patient_id=f"P{i}", csf_done=rng.choice(tri),
                                csf_wbc_per_ul=rng.choice([None, 0.0, 10.0, 10.1]),
                                csf_protein_mg_dl=rng.choice([None, 20.0, 45.0, 45.1]), **symptoms))
        for k in range(rng.choice([0, 1, 1, 2, 3])):
            studies.append(Study(study_id=f"P{i}-{k}", patient_id=f"P{i}", reader="consensus",
                                 **{n: rng.choice([False, False, False, *tri]) for n in OTHER_IMAGING_FINDING_FIELDS}))
            lesional.append(rng.choice([False, False, *tri]))
    frame = pd.DataFrame({f.name: [getattr(p, f.name) for p in patients] for f in dataclasses.fields(Patient)})
    study_frame = pd.DataFrame({n: [getattr(s, n) for s in studies]
                                for n in ("study_id", "patient_id", *OTHER_IMAGING_FINDING_FIELDS)})
    own: dict[str, list[int]] = {}
    for at, s in enumerate(studies):
        own.setdefault(s.patient_id, []).append(at)
    for rule in ("comprehensive", "csf"):
        for irritability in (False, True):
            column_wise = cns_involvement_frame(frame, patients, study_frame, lesional, rule, irritability)
            one_by_one = tuple(cns_involvement(p, [studies[a] for a in own.get(p.patient_id, [])], rule, irritability,
                                               lesional=[lesional[a] for a in own.get(p.patient_id, [])])
                               for p in patients)
            assert column_wise == one_by_one


def test_the_reasons_name_every_input_of_the_rule():
    # written out by hand from the thresholds (> 10 cells/uL, > 45 mg/dL) and the flags
    patient = Patient(patient_id="R", csf_wbc_per_ul=12.5, csf_protein_mg_dl=None, seizures=True)
    comprehensive = cns_involvement(patient, [], "comprehensive")
    assert comprehensive.reasons == (
        "CSF leucocytes 12.5/uL (> 10 = pleocytosis), protein unknown (> 45 = proteinosis)",
        "abnormal CSF: yes", "neurologic symptoms: yes", "imaging findings (0 consensus studies): unknown")
    assert cns_involvement(patient, [], "csf").reasons == comprehensive.reasons[:2]
    no_csf = Patient(patient_id="N", csf_done=False, csf_wbc_per_ul=None, **NO_SYMPTOMS)
    assert cns_involvement(no_csf, [], "comprehensive").reasons == (
        "CSF not analysed", "abnormal CSF: unknown", "neurologic symptoms: no",
        "imaging findings (0 consensus studies): unknown")
