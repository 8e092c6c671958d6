"""Plausibility across fields: each check on a cohort written for it, the expected message worked out by hand.

Months are days / (365.25 / 12) = days / 30.4375 (neurohlh.io.plausibility.DAYS_PER_MONTH); weeks are
months * 30.4375 / 7 = months * 4.348.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from neurohlh.io import load_cohort, validate, write_cohort_csv

D = dt.date


def _write(folder: Path, patients: list[dict], studies: list[dict]) -> Path:
    studies = [{"reader": "consensus", **s} for s in studies]
    write_cohort_csv({"patients": pd.DataFrame(patients), "studies": pd.DataFrame(studies)}, folder)
    return folder


def _found(report, column: str) -> list:
    return [p for p in report.problems if p.column == column]


def _warned(report, column: str) -> list:
    return [p for p in report.warnings if p.column == column]


def test_age_at_study_typed_in_years_is_an_error_with_the_years_suggestion(tmp_path):
    # birth 2015-03-01, study 2018-03-01: 1096 days (2016 is a leap year) / 30.4375 = 36.0 months.
    # The typed age 3 differs by 33 months; 3 years = 36 months matches, so the suggestion says years.
    folder = _write(tmp_path / "c", [{"patient_id": "P1", "birth_date": D(2015, 3, 1)}],
                    [{"study_id": "S1", "patient_id": "P1", "study_date": D(2018, 3, 1), "age_at_study_months": 3.0}])
    (p,) = _found(validate(folder), "age_at_study_months")
    assert (p.file, p.row, p.value) == ("studies.csv", 2, "3")
    assert "36 months" in p.message and p.suggestion == "looks like years: 3 years = 36 months"


def test_age_at_study_within_a_month_of_the_dates_passes(tmp_path):
    # 1096 days = 36.0 months; typed 36.5 is 0.5 month off (tolerance 1 month): no message
    folder = _write(tmp_path / "c", [{"patient_id": "P1", "birth_date": D(2015, 3, 1)}],
                    [{"study_id": "S1", "patient_id": "P1", "study_date": D(2018, 3, 1), "age_at_study_months": 36.5}])
    assert validate(folder).ok


def test_an_age_column_with_every_value_at_most_18_is_a_warning(tmp_path):
    # 10 patients aged 1..10 at onset: every value <= 18 with >= 10 values -> one column warning, still loads
    patients = [{"patient_id": f"P{i}", "age_at_onset_months": float(i)} for i in range(1, 11)]
    folder = _write(tmp_path / "c", patients, [])
    report = validate(folder)
    assert report.ok
    (w,) = _warned(report, "age_at_onset_months")
    assert w.row is None and "typed in years" in w.message
    assert load_cohort(folder).warnings == report.warnings


def test_age_at_onset_that_is_the_first_study_age_in_years_is_a_warning(tmp_path):
    # onset 4 (typed in years), first study at 50 months: 4 * 12 = 48, within max(2, 5.0) of 50, and 50 - 4 > 12
    folder = _write(tmp_path / "c", [{"patient_id": "P1", "age_at_onset_months": 4.0,
                                      "age_at_cns_presentation_months": 50.0}],
                    [{"study_id": "S1", "patient_id": "P1", "age_at_study_months": 50.0}])
    report = validate(folder)
    (w,) = _warned(report, "age_at_onset_months")
    assert (w.row, w.value) == (2, "4") and "50 months" in w.message and w.suggestion == "4 years = 48 months"


def test_cns_presentation_before_onset(tmp_path):
    # onset 40, CNS 20 months: 20 months earlier. With cns_timing after_systemic: a contradiction (error);
    # not recorded: a warning that names preceded_systemic; preceded_systemic: consistent, no message.
    rows = [{"patient_id": "P1", "age_at_onset_months": 40.0, "age_at_cns_presentation_months": 20.0,
             "cns_timing": "after_systemic"},
            {"patient_id": "P2", "age_at_onset_months": 40.0, "age_at_cns_presentation_months": 20.0},
            {"patient_id": "P3", "age_at_onset_months": 40.0, "age_at_cns_presentation_months": 20.0,
             "cns_timing": "preceded_systemic"}]
    report = validate(_write(tmp_path / "c", rows, []))
    (e,) = _found(report, "age_at_cns_presentation_months")
    assert (e.row, e.value) == (2, "20") and "after_systemic" in e.suggestion
    (w,) = _warned(report, "age_at_cns_presentation_months")
    assert w.row == 3 and "preceded_systemic" in w.suggestion


def test_a_study_after_death_is_a_warning_on_the_study_row(tmp_path):
    # onset at 12 months; death 6 weeks after diagnosis = 6 * 7 / 30.4375 = 1.38 months -> died at 13.4 months.
    # Study at 20 months = 8 months after diagnosis > 1.38 + 1: error. Study at 13 months (1 month): fine.
    folder = _write(tmp_path / "c", [{"patient_id": "P1", "age_at_onset_months": 12.0, "died": True,
                                      "death_weeks_after_diagnosis": 6.0, "follow_up_months": 1.4}],
                    [{"study_id": "S1", "patient_id": "P1", "age_at_study_months": 13.0},
                     {"study_id": "S2", "patient_id": "P1", "age_at_study_months": 20.0}])
    report = validate(folder)
    assert report.ok  # the time of diagnosis comes from age_at_onset_months: a warning, not an error
    after = [p for p in report.warnings if p.file == "studies.csv"]
    assert [(p.row, p.column) for p in after] == [(3, "age_at_study_months")]
    assert "8 months after HLH diagnosis" in after[0].message and "1.4 months" in after[0].message


def test_follow_up_shorter_than_the_last_study_is_a_warning_on_the_patient_row(tmp_path):
    # onset 10 months, last study at 34 months = 24 months after diagnosis; follow-up 12 months < 24 - 1
    folder = _write(tmp_path / "c", [{"patient_id": "P1", "age_at_onset_months": 10.0, "follow_up_months": 12.0}],
                    [{"study_id": "S1", "patient_id": "P1", "age_at_study_months": 11.0},
                     {"study_id": "S2", "patient_id": "P1", "age_at_study_months": 34.0}])
    (p,) = _warned(validate(folder), "follow_up_months")
    assert (p.file, p.row, p.value) == ("patients.csv", 2, "12")
    assert "24 months, study S2" in p.message


def test_death_time_and_follow_up_must_agree(tmp_path):
    # died 6 weeks after diagnosis (before 8 weeks) = 1.38 months, but follow-up says 10 months: error.
    # P2: 40 weeks = 9.2 months and follow-up 9.2: consistent.
    rows = [{"patient_id": "P1", "died": True, "death_weeks_after_diagnosis": 6.0, "follow_up_months": 10.0},
            {"patient_id": "P2", "died": True, "death_weeks_after_diagnosis": 40.0, "follow_up_months": 9.2}]
    (p,) = _found(validate(_write(tmp_path / "c", rows, [])), "follow_up_months")
    assert p.row == 2 and "before 8 weeks" in p.message and "1.4 months" in p.message


def test_the_demo_and_example_cohorts_are_plausible():
    from neurohlh.datasets import demo_cohort_path

    root = Path(__file__).resolve().parents[2]
    for folder in (demo_cohort_path(), root / "examples" / "example-cohort"):
        report = validate(folder)
        assert report.ok and report.warnings == (), [str(p) for p in report.problems + report.warnings]


def test_time_of_deficit_for_a_deficit_free_patient_or_after_follow_up_is_an_error(tmp_path):
    # P1 recorded deficit-free but with a deficit at 5 months: contradiction. P2: deficit at 40 months but
    # follow-up ends at 30 (both from HLH diagnosis): after the last follow-up. P3: deficit at 10 of 30: fine.
    rows = [{"patient_id": "P1", "deficit_free": True, "deficit_months_after_diagnosis": 5.0, "follow_up_months": 30.0},
            {"patient_id": "P2", "deficit_free": False, "deficit_months_after_diagnosis": 40.0,
             "follow_up_months": 30.0},
            {"patient_id": "P3", "deficit_free": False, "deficit_months_after_diagnosis": 10.0,
             "follow_up_months": 30.0}]
    found = _found(validate(_write(tmp_path / "c", rows, [])), "deficit_months_after_diagnosis")
    assert [(p.row, p.value) for p in found] == [(2, "5"), (3, "40")]
    assert "deficit_free is yes" in found[0].message and "30 months" in found[1].message


def test_validation_warnings_reach_the_analysis_warnings(tmp_path):
    # same cohort as the 10-infants warning above: the warning is repeated in the analysis result (and report)
    from neurohlh.analysis import analyze

    patients = [{"patient_id": f"P{i}", "age_at_onset_months": float(i)} for i in range(1, 11)]
    result = analyze(load_cohort(_write(tmp_path / "c", patients, [])))
    assert any(w.startswith("validation warning:") and "typed in years" in w for w in result.warnings)
