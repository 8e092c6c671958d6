"""Study-level summary counted the paper's way, on a small cohort counted by hand (see the table in each test)."""
from __future__ import annotations

import pytest
from _patterns_support import CLEAN, write_and_load

from neurohlh.errors import InputError
from neurohlh.patterns import allocate_patients, classify_cohort, classify_studies_frame, summarise_studies
from neurohlh.schema import Patient, Study

BASE = {**CLEAN, "swi_blooming": False, "ventriculomegaly": False, "supra_target_lesions": False,
        "supra_target_variants": False, "infra_target_lesions": False, "infra_target_variants": False}


def _s(sid: str, pid: str, age: float, **kw) -> Study:
    return Study(study_id=sid, patient_id=pid, reader="consensus", age_at_study_months=age, **{**BASE, **kw})


STUDIES = [
    # P1, pattern 1
    _s("S1", "P1", 40, supra_lesion_number="few", loc_cerebral_wm=True, supra_enhancement=True, atrophy_cerebral=True,
       swi_blooming=True, loc_deep_grey=True, deep_grey_laterality="bilateral_asymmetric", supra_target_lesions=True),
    _s("S2", "P1", 46, infra_lesion_number="multiple", loc_cerebellar_wm=True, infra_enhancement=False, loc_pons=True,
       loc_midbrain=True, ventriculomegaly=True, ventriculomegaly_obstructive=True, cerebellar_diffuse_edema=True,
       cerebellar_folia_effacement=True, loc_cranial_nerves=True),
    # P2, pattern 1 (S4 is a normal follow-up of a pattern-1 patient)
    _s("S3", "P2", 50, supra_lesion_number="multiple", infra_lesion_number="few", loc_cerebral_wm=True,
       loc_cerebellar_wm=True, supra_enhancement=False, infra_enhancement=True, loc_medulla=True, loc_deep_grey=True,
       deep_grey_laterality="unilateral", loc_cord=True, infra_target_variants=True),
    _s("S4", "P2", 60),
    # P3, pattern 2
    _s("S5", "P3", 5, atrophy_cerebral=True, ventriculomegaly=True, ventriculomegaly_obstructive=False),
    _s("S6", "P3", 9),
    # P4, pattern 2
    _s("S7", "P4", 12, ctt_t2_hyperintensity=True),
    _s("S8", "P4", 20, nonspecific_findings=True, loc_optic_nerve=True),
    # P6: an empty read (every field unknown)
    Study(study_id="S9", patient_id="P6", reader="consensus", age_at_study_months=30.0),
]
PATIENTS = [Patient(patient_id=p) for p in ("P1", "P2", "P3", "P4", "P5", "P6")]

#: Counted by hand from the table above: key -> (numerator, denominator, unknown). The denominator holds only
#: studies whose finding is known: S9 (every field unknown) is left out wherever it is counted as unknown.
EXPECTED = {
    "lesional": (3, 8, 1),                      # S1 S2 S3; S9 unknown
    "pattern_1_studies": (4, 8, 1),             # S1-S4; S9 belongs to an indeterminate patient
    "pattern_2_studies": (4, 8, 1),             # S5-S8
    "pattern_2_normal": (1, 4, 0),              # S6 (S4 is normal but its patient is pattern 1)
    "pattern_2_atrophy": (1, 4, 0),             # S5
    "pattern_2_isolated_ctt": (1, 4, 0),        # S7
    "pattern_2_nonspecific": (1, 4, 0),         # S8
    "pattern_2_extraparenchymal_only": (0, 4, 0),  # S8 has an optic nerve finding but also nonspecific findings
    "cerebral": (2, 8, 1),                      # S1 S3
    "cerebellar": (2, 8, 1),                    # S2 S3
    "deep_grey": (2, 8, 1),                     # S1 S3
    "deep_grey_bilateral_asymmetric": (1, 2, 0),  # S1 of S1 S3
    "brainstem": (2, 8, 1),                     # S2 (pons, midbrain) S3 (medulla)
    "brainstem_midbrain": (1, 2, 0),
    "brainstem_medulla": (1, 2, 0),
    "cranial_nerves": (1, 8, 1),
    "optic_nerve": (1, 8, 1),
    "cord": (1, 8, 1),
    "cauda_equina": (0, 8, 1),
    "swi_blooming": (1, 8, 1),
    "ventriculomegaly": (2, 8, 1),              # S2 S5
    "ventriculomegaly_obstructive": (1, 2, 0),  # S2
    "cortical_atrophy_with_lesions": (1, 8, 1),  # S1 (S5 has atrophy without lesions); S9: both unknown
    "enhancing_cerebral": (1, 2, 0),            # S1 of S1 S3
    "enhancing_cerebellar": (1, 2, 0),          # S3 of S2 S3
    "target_supra": (1, 2, 0),                  # S1 of S1 S3 (studies with supratentorial lesions)
    "target_infra": (1, 2, 0),                  # S3 of S2 S3
}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    return write_and_load(tmp_path_factory.mktemp("summary"), PATIENTS, STUDIES)


def test_summary_counts_match_the_hand_count(cohort):
    summary = summarise_studies(cohort, classify_cohort(cohort))
    got = {c.key: (c.numerator, c.denominator, c.unknown) for c in summary.counts}
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert summary.n_studies == 9 and summary.n_patients == 6


def test_the_row_allocations_of_the_studies_give_the_hand_count_too(cohort):
    studies = cohort.consensus_studies
    rows = classify_studies_frame(studies)
    summary = summarise_studies(cohort, allocate_patients(cohort.patients, rows), studies=studies,
                                study_allocations=rows)
    got = {c.key: (c.numerator, c.denominator, c.unknown) for c in summary.counts}
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    with pytest.raises(InputError, match="consensus studies in row order"):
        summarise_studies(cohort, classify_cohort(cohort), studies=studies, study_allocations=rows[::-1])
    without_p1 = [a for a in allocate_patients(cohort.patients, rows) if a.patient_id != "P1"]
    with pytest.raises(InputError, match=r"do not cover 2 consensus stud\(ies\) of the cohort, e.g. S1, S2"):
        summarise_studies(cohort, without_p1, studies=studies, study_allocations=rows)


def test_summary_computes_allocations_when_not_given(cohort):
    assert summarise_studies(cohort).to_dict() == summarise_studies(cohort, classify_cohort(cohort)).to_dict()


def test_counts_carry_definition_and_the_paper_figure(cohort):
    summary = summarise_studies(cohort)
    assert summary["cerebral"].paper == "77/123"
    assert summary["brainstem"].definition == "any of loc_midbrain, loc_pons, loc_medulla = yes"
    assert str(summary["deep_grey_bilateral_asymmetric"]) == "Deep grey: bilateral asymmetric: 1/2 (50%)"
    assert summary.to_frame().shape[0] == len(summary.counts)
    with pytest.raises(KeyError):
        summary["no_such_count"]


def test_patients_without_studies_and_patient_order(cohort):
    allocations = classify_cohort(cohort)
    assert [a.patient_id for a in allocations] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert [a.pattern for a in allocations] == ["1", "1", "2", "2", "indeterminate", "indeterminate"]
    assert allocations[4].notes == ("no consensus MR study for this patient",)
    assert allocations[0].evolution == ("1.1", "1.3") and allocations[0].transitions == ("1.1->1.3",)


def test_allocations_of_another_cohort_are_rejected(cohort):
    from neurohlh.errors import InputError

    partial = [a for a in classify_cohort(cohort) if a.patient_id != "P1"]
    with pytest.raises(InputError, match=r"do not cover 2 consensus stud\(ies\) of the cohort, e.g. S1, S2"):
        summarise_studies(cohort, partial)


def test_count_percent_rounds_half_up_like_the_report_tables():
    # 1/8 = 12.5%: a person (and the report tables, neurohlh.reports.format) writes 13%; Python's f"{12.5:.0f}"
    # would print 12 (round half to even).
    from neurohlh.patterns import Count

    assert str(Count("k", "Finding", 1, 8, 0, "def")) == "Finding: 1/8 (13%)"
    assert str(Count("k", "Finding", 0, 0, 0, "def")) == "Finding: 0/0"


def test_a_compartment_read_none_makes_its_blank_locations_known_negatives(tmp_path):
    """How coordinators type: the compartment lesion number is filled, the location ticks left blank.

    Hand count (blank = not typed):

    ====  ======  ======  ==============  ==================  =============================
    id    supra   infra   cerebral_wm     cerebellar_wm       midbrain / pons / medulla
    ====  ======  ======  ==============  ==================  =============================
    T1    few     none    yes             blank (infra none)  blank (infra none)
    T2    none    none    blank (none)    blank (infra none)  blank (infra none)
    T3    none    few     blank (none)    yes                 blank, infra has lesions
    T4    blank   none    blank, unknown  blank (infra none)  blank (infra none)
    ====  ======  ======  ==============  ==================  =============================

    Cerebral: yes in T1; known no in T2 and T3 (supra none); unknown in T4 -> 1/3, 1 unknown.
    Cerebellar: yes in T3; known no in T1, T2, T4 (infra none) -> 1/4, 0 unknown.
    Brainstem: known no in T1, T2, T4; T3 unknown (infra has lesions, no tick) -> 0/3, 1 unknown.
    """
    studies = [
        Study(study_id="T1", patient_id="Q1", reader="consensus", supra_lesion_number="few", loc_cerebral_wm=True,
              infra_lesion_number="none"),
        Study(study_id="T2", patient_id="Q2", reader="consensus", supra_lesion_number="none",
              infra_lesion_number="none"),
        Study(study_id="T3", patient_id="Q3", reader="consensus", supra_lesion_number="none",
              infra_lesion_number="few", loc_cerebellar_wm=True),
        Study(study_id="T4", patient_id="Q4", reader="consensus", infra_lesion_number="none"),
    ]
    cohort = write_and_load(tmp_path / "typed", [Patient(patient_id=f"Q{i}") for i in range(1, 5)], studies)
    summary = summarise_studies(cohort)
    got = {k: (summary[k].numerator, summary[k].denominator, summary[k].unknown)
           for k in ("cerebral", "cerebellar", "brainstem")}
    assert got == {"cerebral": (1, 3, 1), "cerebellar": (1, 4, 0), "brainstem": (0, 3, 1)}


def test_the_lesion_table_prints_known_negatives_in_the_denominator_and_says_so(tmp_path):
    """The report's study-level lesion table on the same four studies: cerebral 1/3 (33%), not 1/1 (100%)."""
    from neurohlh.analysis import analyze
    from neurohlh.reports.tables_imaging import lesion_table

    studies = [
        Study(study_id="T1", patient_id="Q1", reader="consensus", supra_lesion_number="few", loc_cerebral_wm=True,
              infra_lesion_number="none", age_at_study_months=10.0),
        Study(study_id="T2", patient_id="Q2", reader="consensus", supra_lesion_number="none",
              infra_lesion_number="none", age_at_study_months=10.0),
        Study(study_id="T3", patient_id="Q3", reader="consensus", supra_lesion_number="none",
              infra_lesion_number="few", loc_cerebellar_wm=True, age_at_study_months=10.0),
        Study(study_id="T4", patient_id="Q4", reader="consensus", infra_lesion_number="none",
              age_at_study_months=10.0),
    ]
    cohort = write_and_load(tmp_path / "typed", [Patient(patient_id=f"Q{i}") for i in range(1, 5)], studies)
    table = lesion_table(analyze(cohort))
    assert table.cell("Cerebral white matter", 0).text == "1/3 (33%)"
    assert table.cell("Cerebellar", 0).text == "1/4 (25%)"
    notes = " ".join(table.footnotes)
    assert "denominator = studies in which the item is known" in notes and "compartment" in notes
