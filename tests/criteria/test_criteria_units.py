"""Unit conversions: values typed from Henter 2007 (Hb 90 g/L = 9.0 g/dL, fibrinogen 1.5 g/L = 150 mg/dL,
triglycerides 3.0 mmol/L printed as 265 mg/dL) and ordinary arithmetic."""
from __future__ import annotations

import pytest

from neurohlh import InputError
from neurohlh.criteria import convert, hlh2004, to_canonical
from neurohlh.criteria.units import fahrenheit_to_celsius
from neurohlh.schema import Patient


@pytest.mark.parametrize("analyte, value, unit, expected", [
    ("hemoglobin", 9.0, "g/dL", 90.0),
    ("hemoglobin", 10.0, "g/dl", 100.0),
    ("fibrinogen", 150.0, "mg/dL", 1.5),
    ("ferritin", 500.0, "ng/mL", 500.0),
    ("ferritin", 500.0, "µg/L", 500.0),
    ("platelets", 100000.0, "/uL", 100.0),
    ("neutrophils", 1000.0, "/mm3", 1.0),
    ("csf_protein", 0.45, "g/L", 45.0),
    ("csf_protein", 470.0, "mg/L", 47.0),
    ("csf_wbc", 11.0, "cells/mm3", 11.0),
    ("scd25", 2400.0, "kU/L", 2400.0),
])
def test_to_canonical(analyte, value, unit, expected):
    assert to_canonical(value, unit, analyte).canonical_value == pytest.approx(expected, rel=1e-12)


def test_triglycerides_mg_dl_use_the_triolein_factor():
    # 3.0 mmol/L x 88.57 = 265.71 mg/dL; the table's "265" is rounded down, so 265 mg/dL is 2.992 mmol/L
    assert convert(3.0, "mmol/L", "mg/dL", "triglycerides") == pytest.approx(265.71)
    assert to_canonical(265.0, "mg/dL", "triglycerides").canonical_value == pytest.approx(2.99199, abs=1e-5)


def test_converted_boundaries_meet_the_hlh2004_thresholds_exactly():
    fib = to_canonical(150.0, "mg/dL", "fibrinogen").canonical_value
    hb = to_canonical(8.99, "g/dL", "hemoglobin").canonical_value
    plt = to_canonical(99000.0, "/uL", "platelets").canonical_value
    p = Patient(patient_id="S", fibrinogen_g_l=fib, hemoglobin_g_l=hb, platelets_10e9_l=plt, age_at_labs_days=100.0)
    items = {i.item_id: i.status.value for i in hlh2004(p).items}
    assert items["triglycerides_fibrinogen"] == "met" and items["cytopenias"] == "met"
    tg = to_canonical(265.0, "mg/dL", "triglycerides").canonical_value
    fib_normal = to_canonical(151.0, "mg/dL", "fibrinogen").canonical_value
    p = Patient(patient_id="S", triglycerides_mmol_l=tg, fibrinogen_g_l=fib_normal)
    assert {i.item_id: i.status.value for i in hlh2004(p).items}["triglycerides_fibrinogen"] == "not_met"


def test_round_trip():
    assert convert(convert(2.5, "g/L", "mg/dL", "fibrinogen"), "mg/dL", "g/L", "fibrinogen") == pytest.approx(2.5)


def test_fahrenheit():
    assert fahrenheit_to_celsius(101.3) == pytest.approx(38.5)


def test_unknown_unit_and_analyte_raise():
    with pytest.raises(InputError, match="Unit 'mmol/L' is not known for fibrinogen"):
        to_canonical(1.0, "mmol/L", "fibrinogen")
    with pytest.raises(InputError, match="`analyte` must be one of"):
        to_canonical(1.0, "g/L", "albumin")
    with pytest.raises(InputError, match="not a number"):
        to_canonical("high", "g/L", "fibrinogen")
    with pytest.raises(InputError, match="not known"):
        convert(1.0, "g/L", "furlongs", "fibrinogen")
