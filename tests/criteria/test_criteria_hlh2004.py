"""HLH-2004 (Henter 2007): every threshold at its boundary, the infant haemoglobin rule, the
triglyceride/fibrinogen alternative, the molecular path and the met / not_met / could_be_met logic.
Thresholds below are typed from Henter 2007 Table I (clinical.md section 1.1), not imported from the code."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from neurohlh.criteria import Status, hlh2004
from neurohlh.schema import Kind, Patient, field_specs


def _assessed(patient: Patient):
    """hlh2004 of one patient, checked to be what the column-wise hlh2004_frame decides for it too."""
    import dataclasses

    import pandas as pd

    from neurohlh.criteria import hlh2004_frame

    result = hlh2004(patient)
    frame = pd.DataFrame({f.name: [getattr(patient, f.name)] for f in dataclasses.fields(Patient)})
    assert hlh2004_frame(frame, [patient]) == (result,)
    return result


def _item(patient: Patient, item_id: str):
    return next(i for i in _assessed(patient).items if i.item_id == item_id)


def P(**kw) -> Patient:
    return Patient(patient_id="S1", **kw)


@pytest.mark.parametrize("ferritin, status", [(499.0, Status.NOT_MET), (499.9, Status.NOT_MET), (500.0, Status.MET),
                                              (501.0, Status.MET), (None, Status.NOT_EVALUABLE)])
def test_ferritin_at_least_500(ferritin, status):
    assert _item(P(ferritin_ug_l=ferritin), "ferritin").status is status


@pytest.mark.parametrize("scd25, status", [(2399.0, Status.NOT_MET), (2400.0, Status.MET),
                                           (None, Status.NOT_EVALUABLE)])
def test_scd25_at_least_2400(scd25, status):
    assert _item(P(scd25_u_ml=scd25), "scd25").status is status


@pytest.mark.parametrize("tg, fib, status", [
    (2.99, 1.51, Status.NOT_MET), (3.0, 1.51, Status.MET), (2.99, 1.5, Status.MET), (3.0, 1.5, Status.MET),
    (None, 1.5, Status.MET), (3.0, None, Status.MET), (None, 1.51, Status.NOT_EVALUABLE),
    (2.99, None, Status.NOT_EVALUABLE), (None, None, Status.NOT_EVALUABLE),
])
def test_triglycerides_at_least_3_or_fibrinogen_at_most_1_5(tg, fib, status):
    assert _item(P(triglycerides_mmol_l=tg, fibrinogen_g_l=fib), "triglycerides_fibrinogen").status is status


@pytest.mark.parametrize("hb, plt, neut, age_days, status", [
    (89.9, 99.9, None, None, Status.MET),          # two lineages below
    (90.0, 99.9, 1.0, 400.0, Status.NOT_MET),      # Hb 90 and ANC 1.0 are not "< threshold"
    (90.0, 99.9, 1.0, None, Status.NOT_EVALUABLE), # Hb 90 would be low in a neonate; age unknown
    (89.0, 100.0, 1.0, 400.0, Status.NOT_MET),     # one lineage only
    (89.0, 100.0, 0.99, 400.0, Status.MET),
    (95.0, 50.0, 1.5, 27.0, Status.MET),           # infant < 4 weeks: Hb < 100 counts
    (95.0, 50.0, 1.5, 28.0, Status.NOT_MET),       # 28 days is not < 4 weeks
    (99.9, 50.0, 1.5, 0.0, Status.MET),
    (100.0, 50.0, 1.5, 10.0, Status.NOT_MET),
    (95.0, 50.0, 1.5, None, Status.NOT_EVALUABLE), # Hb 95 is low only for a neonate, age unknown
    (None, 50.0, None, None, Status.NOT_EVALUABLE),
    (None, 150.0, 2.0, None, Status.NOT_MET),      # 2 known normal: cannot reach 2 of 3
])
def test_cytopenias_two_of_three_lineages_with_infant_haemoglobin_rule(hb, plt, neut, age_days, status):
    p = P(hemoglobin_g_l=hb, platelets_10e9_l=plt, neutrophils_10e9_l=neut, age_at_labs_days=age_days)
    assert _item(p, "cytopenias").status is status


def test_boolean_items_are_tri_state():
    assert _item(P(fever=True), "fever").status is Status.MET
    assert _item(P(fever=False), "fever").status is Status.NOT_MET
    assert _item(P(), "fever").status is Status.NOT_EVALUABLE
    assert _item(P(nk_activity="low_or_absent"), "nk_activity").status is Status.MET
    assert _item(P(nk_activity="normal"), "nk_activity").status is Status.NOT_MET
    assert _item(P(hemophagocytosis=False), "hemophagocytosis").status is Status.NOT_MET


FIVE = dict(fever=True, splenomegaly=True, hemoglobin_g_l=80.0, platelets_10e9_l=40.0, ferritin_ug_l=600.0,
            hemophagocytosis=True)


def test_five_of_eight_is_met_without_genetics():
    r = _assessed(P(**FIVE))
    assert (r.status, r.clinical_status, r.n_met) == ("met", "met", 5)


def test_four_met_and_four_known_negative_with_negative_genetics_is_not_met():
    r = _assessed(P(**{**FIVE, "hemophagocytosis": False}, triglycerides_mmol_l=1.0, fibrinogen_g_l=3.0,
                  nk_activity="normal", scd25_u_ml=1000.0, genetic_result="negative"))
    assert (r.status, r.n_met, r.n_not_evaluable) == ("not_met", 4, 0)


def test_four_met_with_unknown_items_could_be_met():
    r = _assessed(P(**{**FIVE, "hemophagocytosis": None}, genetic_result="negative"))
    assert (r.status, r.n_met, r.n_not_evaluable) == ("could_be_met", 4, 4)
    assert "1 more of the 4 unknown" in r.reason


def test_untested_genetics_keeps_the_molecular_path_open():
    r = _assessed(P(fever=False, splenomegaly=False, hemoglobin_g_l=120.0, platelets_10e9_l=300.0,
                  neutrophils_10e9_l=3.0, triglycerides_mmol_l=1.0, fibrinogen_g_l=3.0, hemophagocytosis=False,
                  nk_activity="normal", ferritin_ug_l=100.0, scd25_u_ml=500.0, genetic_result="not_tested"))
    assert (r.status, r.clinical_status, r.n_met) == ("could_be_met", "not_met", 0)
    assert "molecular path open" in r.reason


@pytest.mark.parametrize("result, status", [("pathogenic", "met"), ("likely_pathogenic", "met"),
                                            ("vus", "not_met"), ("negative", "not_met")])
def test_molecular_path_needs_no_clinical_criteria(result, status):
    r = _assessed(P(fever=False, splenomegaly=False, hemophagocytosis=False, nk_activity="normal",
                  ferritin_ug_l=100.0, scd25_u_ml=100.0, triglycerides_mmol_l=1.0, fibrinogen_g_l=3.0,
                  hemoglobin_g_l=120.0, platelets_10e9_l=300.0, neutrophils_10e9_l=3.0, genetic_result=result))
    assert r.status == status and r.clinical_status == "not_met"


def test_items_report_the_values_used_and_result_serialises():
    r = _assessed(P(**FIVE))
    ferritin = next(i for i in r.items if i.item_id == "ferritin")
    assert ferritin.values == {"ferritin_ug_l": 600.0} and ">= 500" in ferritin.rule
    d = r.to_dict()
    assert d["status"] == "met" and len(d["items"]) == 8 and d["criteria_version"].startswith("HLH-2004")


# --- clinician-reviewable case table ----------------------------------------------------------------------
NEGATIVE = dict(fever=False, splenomegaly=False, triglycerides_mmol_l=1.0, fibrinogen_g_l=3.0, hemophagocytosis=False,
                nk_activity="normal", ferritin_ug_l=100.0, scd25_u_ml=500.0, hemoglobin_g_l=130.0,
                platelets_10e9_l=300.0, neutrophils_10e9_l=3.0, age_at_labs_days=400.0)


def _case_patient(inputs: str) -> Patient:
    specs = field_specs(Patient)
    values: dict = {}
    for pair in filter(None, (p.strip() for p in inputs.split(";"))):
        if pair == "NEG":
            values.update(NEGATIVE)
            continue
        name, _, raw = pair.partition("=")
        kind = specs[name.strip()].kind
        raw = raw.strip()
        values[name.strip()] = (None if raw == "" else raw == "yes" if kind is Kind.BOOL
                                else float(raw) if kind is Kind.FLOAT else raw)
    return Patient(patient_id="CASE", **values)


def _cases() -> list[dict[str, str]]:
    path = Path(__file__).parent / "data" / "hlh2004_cases.tsv"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["case"])
def test_hlh2004_case_table(case):
    r = _assessed(_case_patient(case["inputs"]))
    assert (r.status, r.n_met, r.n_not_evaluable) == (
        case["expected_status"], int(case["expected_met"]), int(case["expected_unknown"]))


def test_frame_assesses_patients_with_the_same_items_but_another_molecular_result_apart():
    # four patients, every clinical item unknown (0/8 met, 8 not evaluable -> clinical could_be_met):
    # pathogenic -> met by the molecular path; negative -> could_be_met (clinical still open); not_tested and
    # unknown -> could_be_met. Then two with 5 of 8 met: met whatever the genetics.
    import dataclasses

    import pandas as pd

    from neurohlh.criteria import hlh2004_frame

    five = {"fever": True, "splenomegaly": True, "hemophagocytosis": True, "ferritin_ug_l": 900.0,
            "scd25_u_ml": 3000.0}
    patients = [Patient(patient_id="A", genetic_result="pathogenic"), Patient(patient_id="B", genetic_result="negative"),
                Patient(patient_id="C", genetic_result="not_tested"), Patient(patient_id="D"),
                Patient(patient_id="E", genetic_result="negative", **five), Patient(patient_id="F", **five)]
    frame = pd.DataFrame({f.name: [getattr(p, f.name) for p in patients] for f in dataclasses.fields(Patient)})
    results = hlh2004_frame(frame, patients)
    assert [r.patient_id for r in results] == ["A", "B", "C", "D", "E", "F"]
    assert [r.status for r in results] == ["met", "could_be_met", "could_be_met", "could_be_met", "met", "met"]
    assert [r.molecular_status for r in results] == [Status.MET, Status.NOT_MET, Status.NOT_EVALUABLE,
                                                     Status.NOT_EVALUABLE, Status.NOT_MET, Status.NOT_EVALUABLE]
    assert [(r.n_met, r.n_not_evaluable) for r in results] == [(0, 8)] * 4 + [(5, 3)] * 2
    assert results == tuple(hlh2004(p) for p in patients)


#: Each HLH-2004 input at and around its thresholds (Henter 2007 Table I), unknown included.
_BOUNDARIES = {
    "fever": [None, True, False], "splenomegaly": [None, True, False], "hemophagocytosis": [None, True, False],
    "nk_activity": [None, "low_or_absent", "normal"],
    "hemoglobin_g_l": [None, 89.9, 90.0, 95.0, 99.9, 100.0], "age_at_labs_days": [None, 27.9, 28.0, 400.0],
    "platelets_10e9_l": [None, 99.9, 100.0], "neutrophils_10e9_l": [None, 0.99, 1.0],
    "triglycerides_mmol_l": [None, 2.99, 3.0], "fibrinogen_g_l": [None, 1.5, 1.51],
    "ferritin_ug_l": [None, 499.9, 500.0], "scd25_u_ml": [None, 2399.0, 2400.0],
    "genetic_result": [None, "pathogenic", "likely_pathogenic", "vus", "negative", "not_tested"],
}


def test_column_wise_and_per_patient_assessments_agree_on_every_boundary_combination():
    # the per-patient rule (hlh2004) and the column-wise one (hlh2004_frame) exist side by side: every
    # combination of the cytopenia inputs, then of the other items, each crossed with random values of the rest
    import dataclasses
    import itertools
    import random

    import pandas as pd

    from neurohlh.criteria import hlh2004_frame

    rng = random.Random(2004)
    groups = [("hemoglobin_g_l", "age_at_labs_days", "platelets_10e9_l", "neutrophils_10e9_l"),
              ("triglycerides_mmol_l", "fibrinogen_g_l", "ferritin_ug_l", "scd25_u_ml", "genetic_result"),
              ("fever", "splenomegaly", "hemophagocytosis", "nk_activity", "genetic_result")]
    patients = []
    for names in groups:
        for values in itertools.product(*(_BOUNDARIES[n] for n in names)):
            fields = {n: rng.choice(v) for n, v in _BOUNDARIES.items()} | dict(zip(names, values))
            patients.append(Patient(patient_id=f"P{len(patients)}", **fields))
    frame = pd.DataFrame({f.name: [getattr(p, f.name) for p in patients] for f in dataclasses.fields(Patient)})
    assert len(patients) > 1000
    assert hlh2004_frame(frame, patients) == tuple(hlh2004(p) for p in patients)
