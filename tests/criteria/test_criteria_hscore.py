"""HScore (Fardet 2014): every band boundary, hand-added totals, and ranges for missing items.
Point values typed from clinical.md section 1.5 (three independent reproductions of the Fardet table)."""
from __future__ import annotations

import pytest

from neurohlh.criteria import hscore
from neurohlh.schema import Patient

ALL_KNOWN_ZERO = dict(known_immunosuppression=False, max_temperature_c=37.0, hepatomegaly=False,
                      splenomegaly=False, hemoglobin_g_l=130.0, leukocytes_10e9_l=8.0, platelets_10e9_l=250.0,
                      ferritin_ug_l=100.0, triglycerides_mmol_l=1.0, fibrinogen_g_l=3.0, ast_u_l=20.0,
                      hemophagocytosis=False)


def _points(name: str, **kw) -> int | None:
    r = hscore(Patient(patient_id="S", **{**ALL_KNOWN_ZERO, **kw}))
    return next(i.points for i in r.items if i.name == name)


def test_baseline_scores_zero():
    r = hscore(Patient(patient_id="S", **ALL_KNOWN_ZERO))
    assert (r.score, r.above_cutoff) == (0, False)


@pytest.mark.parametrize("t, pts", [(38.39, 0), (38.4, 33), (39.4, 33), (39.41, 49)])
def test_temperature_bands(t, pts):
    assert _points("temperature", max_temperature_c=t) == pts


@pytest.mark.parametrize("ferritin, pts", [(1999.0, 0), (2000.0, 35), (6000.0, 35), (6001.0, 50)])
def test_ferritin_bands(ferritin, pts):
    assert _points("ferritin", ferritin_ug_l=ferritin) == pts


@pytest.mark.parametrize("tg, pts", [(1.49, 0), (1.5, 44), (4.0, 44), (4.01, 64)])
def test_triglyceride_bands(tg, pts):
    assert _points("triglycerides", triglycerides_mmol_l=tg) == pts


@pytest.mark.parametrize("fib, pts", [(2.5, 30), (2.51, 0)])
def test_fibrinogen_at_most_2_5(fib, pts):
    assert _points("fibrinogen", fibrinogen_g_l=fib) == pts


@pytest.mark.parametrize("ast, pts", [(29.9, 0), (30.0, 19)])
def test_ast_at_least_30(ast, pts):
    assert _points("ast", ast_u_l=ast) == pts


@pytest.mark.parametrize("hb, wbc, plt, pts", [
    (92.0, 8.0, 250.0, 0),     # one lineage: 0 points
    (92.0, 5.0, 250.0, 24),    # Hb <= 92 and WBC <= 5 (inclusive)
    (92.1, 5.0, 110.0, 24),
    (92.0, 5.0, 110.0, 34),
    (92.1, 5.1, 110.1, 0),
])
def test_cytopenia_bands_use_hscore_cut_offs_not_hlh2004(hb, wbc, plt, pts):
    assert _points("cytopenias", hemoglobin_g_l=hb, leukocytes_10e9_l=wbc, platelets_10e9_l=plt) == pts


@pytest.mark.parametrize("hep, spl, pts", [(False, False, 0), (True, False, 23), (False, True, 23), (True, True, 38)])
def test_organomegaly(hep, spl, pts):
    assert _points("organomegaly", hepatomegaly=hep, splenomegaly=spl) == pts


def test_hand_added_total_and_cut_off():
    # 0 + 33 (39.0 C) + 38 (both organs) + 34 (3 lineages) + 50 (ferritin 7000) + 44 (TG 2.0) + 30 (fib 2.0)
    # + 19 (AST 50) + 35 (haemophagocytosis) = 283
    r = hscore(Patient(patient_id="S", known_immunosuppression=False, max_temperature_c=39.0, hepatomegaly=True,
                       splenomegaly=True, hemoglobin_g_l=80.0, leukocytes_10e9_l=3.0, platelets_10e9_l=50.0,
                       ferritin_ug_l=7000.0, triglycerides_mmol_l=2.0, fibrinogen_g_l=2.0, ast_u_l=50.0,
                       hemophagocytosis=True))
    assert (r.score, r.above_cutoff, r.cutoff) == (283, True, 169)


def test_maximum_is_337():
    r = hscore(Patient(patient_id="S", known_immunosuppression=True, max_temperature_c=40.0, hepatomegaly=True,
                       splenomegaly=True, hemoglobin_g_l=80.0, leukocytes_10e9_l=3.0, platelets_10e9_l=50.0,
                       ferritin_ug_l=7000.0, triglycerides_mmol_l=5.0, fibrinogen_g_l=1.0, ast_u_l=50.0,
                       hemophagocytosis=True))
    assert r.score == 337


def test_cut_off_boundary_168_vs_169():
    # 49 (39.5 C) + 50 (ferritin 6001) + 35 (haemophagocytosis) + 34 (3 lineages) = 168
    s168 = dict(ALL_KNOWN_ZERO, max_temperature_c=39.5, ferritin_ug_l=6001.0, hemophagocytosis=True,
                hemoglobin_g_l=92.0, leukocytes_10e9_l=5.0, platelets_10e9_l=110.0)
    r = hscore(Patient(patient_id="S", **s168))
    assert (r.score, r.above_cutoff) == (168, False)
    # 33 (38.4 C) + 38 (both organs) + 34 (3 lineages) + 64 (TG 4.01) = 169
    s169 = dict(ALL_KNOWN_ZERO, max_temperature_c=38.4, hepatomegaly=True, splenomegaly=True,
                hemoglobin_g_l=92.0, leukocytes_10e9_l=5.0, platelets_10e9_l=110.0, triglycerides_mmol_l=4.01)
    r = hscore(Patient(patient_id="S", **s169))
    assert (r.score, r.above_cutoff) == (169, True)


def test_missing_items_give_a_range_not_zero():
    r = hscore(Patient(patient_id="S", **{**ALL_KNOWN_ZERO, "ast_u_l": None, "hepatomegaly": None,
                                          "splenomegaly": True}))
    assert r.score is None
    assert (r.score_min, r.score_max) == (23, 23 + 15 + 19)   # organomegaly 23..38, AST 0..19
    assert r.above_cutoff is False and "below" in r.reason


def test_fever_no_without_temperature_scores_zero_and_unknown_fever_is_a_range():
    assert _points("temperature", max_temperature_c=None, fever=False) == 0
    r = hscore(Patient(patient_id="S", **{**ALL_KNOWN_ZERO, "max_temperature_c": None}))
    item = next(i for i in r.items if i.name == "temperature")
    assert (item.points, item.min_points, item.max_points) == (None, 0, 49)


def test_no_probability_is_reported():
    assert hscore(Patient(patient_id="S", **ALL_KNOWN_ZERO)).to_dict()["probability"] is None
