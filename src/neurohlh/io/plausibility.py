"""Plausibility across fields: values that parse but cannot all be true together.

Every check names the file, row and column it concerns. A contradiction between recorded values is an
**error** (the cohort is not loaded); a pattern that is suspicious but possible is a **warning** (shown by
``validate`` and in the report, never blocking). Times are compared in months from HLH diagnosis, with the
patient's ``age_at_onset_months`` as the date of diagnosis (the paper counts follow-up from diagnosis) and
``DAYS_PER_MONTH`` days per month:

* ``age_at_study_months`` that disagrees with ``study_date`` minus ``birth_date`` (error; when the value
  times 12 matches, the suggestion says it looks like years);
* an age column whose every value is at most ``YEARS_LIKE_MAX`` (warning: typed in years?), and a patient's age
  at onset or CNS presentation that matches the age at their first MR study once multiplied by 12 (warning);
* age at CNS presentation before age at onset (error when ``cns_timing`` says CNS involvement came with or
  after systemic HLH or stayed CNS-restricted; warning when the timing is not recorded; no message for
  ``preceded_systemic``);
* an MR study after the patient's death (on the study row) and ``follow_up_months`` shorter than the time from
  diagnosis to the last MR study (on the patient row): warnings, because the date of diagnosis is derived from
  ``age_at_onset_months`` (a rounded or approximate onset age moves it);
* for a patient who died, ``follow_up_months`` (time to last follow-up *or death*) that disagrees with
  ``death_weeks_after_diagnosis`` (error; this also decides the paper's death before/after 8 weeks);
* a time of neurologic deficit for a patient recorded deficit-free, or after the last follow-up (errors).

``TOLERANCE_MONTHS`` absorbs rounding of typed values.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from neurohlh.errors import Problem
from neurohlh.io.checks import day_numbers, row_number

DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
#: Recorded times may differ by this much (rounding of typed values) before a message is given.
TOLERANCE_MONTHS = 1.0
#: An age column whose values are all at most this (with at least ``YEARS_LIKE_MIN_VALUES`` values) looks like
#: years typed in a months column: a paediatric cohort aged 0-18 *months* only is possible, so it is a warning.
YEARS_LIKE_MAX = 18.0
YEARS_LIKE_MIN_VALUES = 10
AGE_COLUMNS = ("age_at_onset_months", "age_at_cns_presentation_months")
CNS_MAY_PRECEDE = "preceded_systemic"


@dataclass(frozen=True, slots=True)
class Findings:
    """Problems found by the plausibility checks: ``errors`` block loading, ``warnings`` do not."""

    errors: list[Problem]
    warnings: list[Problem]


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _row(frame: pd.DataFrame, idx: Hashable) -> int:
    return row_number(frame, idx)


def _months_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    days = day_numbers(later) - day_numbers(earlier)
    return pd.Series(days, index=later.index, dtype=float) / DAYS_PER_MONTH


def _patient_columns(patients: pd.DataFrame, studies: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Patient values on each study row (first row of a patient id; duplicates are reported elsewhere)."""
    known = patients[["patient_id", *columns]].dropna(subset=["patient_id"]).drop_duplicates("patient_id") \
        .set_index("patient_id")
    return pd.DataFrame({c: studies["patient_id"].map(known[c]) for c in columns}, index=studies.index)


def _study_ages(patients: pd.DataFrame, studies: pd.DataFrame, errors: list[Problem], label: str) -> pd.Series:
    """Age at each study in months (the typed age, else from the dates), checking the two against each other."""
    typed = _num(studies, "age_at_study_months")
    birth = _patient_columns(patients, studies, ["birth_date"])["birth_date"]
    from_dates = _months_between(studies["study_date"], birth)
    off = (typed - from_dates).abs() > TOLERANCE_MONTHS
    for idx in off[off].index:
        value, computed = typed[idx], from_dates[idx]
        years = abs(value * 12 - computed) <= max(TOLERANCE_MONTHS, 0.05 * computed)
        errors.append(Problem(
            label, f"disagrees with study_date minus the patient's birth_date ({_fmt(computed)} months)",
            _row(studies, idx), "age_at_study_months", _fmt(value),
            f"looks like years: {_fmt(value)} years = {_fmt(value * 12)} months" if years
            else "correct the age, the study date or the birth date"))
    return typed.fillna(from_dates)


def _years_like_columns(frame: pd.DataFrame, columns: tuple[str, ...], label: str,
                        warnings: list[Problem]) -> None:
    for column in columns:
        values = _num(frame, column).dropna()
        if len(values) >= YEARS_LIKE_MIN_VALUES and values.max() <= YEARS_LIKE_MAX:
            warnings.append(Problem(
                label, f"every one of the {len(values)} values is at most {_fmt(YEARS_LIKE_MAX)}: were the ages "
                "typed in years? The column is in months", None, column, None,
                "multiply by 12 if the values are years (a cohort of infants only is possible: then ignore this)"))


def _cns_before_onset(patients: pd.DataFrame, label: str, findings: Findings) -> None:
    onset, cns = _num(patients, "age_at_onset_months"), _num(patients, "age_at_cns_presentation_months")
    timing = patients["cns_timing"]
    before = (cns < onset - TOLERANCE_MONTHS) & timing.ne(CNS_MAY_PRECEDE).fillna(True).astype(bool)
    for idx in before[before].index:
        known = not pd.isna(timing[idx])
        target = findings.errors if known else findings.warnings
        why = (f"contradicts cns_timing = {timing[idx]}" if known else
               "if CNS involvement preceded systemic HLH, set cns_timing to preceded_systemic")
        target.append(Problem(
            label, f"age at CNS presentation is before age at onset ({_fmt(onset[idx])} months)",
            _row(patients, idx), "age_at_cns_presentation_months", _fmt(cns[idx]),
            why + "; check that both ages are in months"))


def _ages_like_years_of_studies(patients: pd.DataFrame, first_study_age: pd.Series, label: str,
                                warnings: list[Problem]) -> None:
    first = patients["patient_id"].map(first_study_age)
    for column in AGE_COLUMNS:
        value = _num(patients, column)
        like = ((value * 12 - first).abs() <= np.maximum(2.0, 0.1 * first)) & (first - value > 12)
        for idx in like[like].index:
            warnings.append(Problem(
                label, f"times 12 is the age at the patient's first MR study ({_fmt(first[idx])} months): "
                "typed in years?", _row(patients, idx), column, _fmt(value[idx]),
                f"{_fmt(value[idx])} years = {_fmt(value[idx] * 12)} months"))


def _times_after_diagnosis(patients: pd.DataFrame, studies: pd.DataFrame, ages: pd.Series, labels: dict[str, str],
                           warnings: list[Problem]) -> None:
    lp, ls = labels["patients"], labels["studies"]
    onset_of = _patient_columns(patients, studies, ["age_at_onset_months", "died", "death_weeks_after_diagnosis"])
    study_time = ages - pd.to_numeric(onset_of["age_at_onset_months"], errors="coerce").astype(float)
    death = pd.to_numeric(onset_of["death_weeks_after_diagnosis"], errors="coerce").astype(float) / WEEKS_PER_MONTH
    died = onset_of["died"].astype("boolean").fillna(False).astype(bool)
    after_death = died & (study_time > death + TOLERANCE_MONTHS)
    for idx in after_death[after_death].index:
        column = "study_date" if not pd.isna(studies.at[idx, "study_date"]) else "age_at_study_months"  # type: ignore[arg-type]
        value = studies.at[idx, column]
        warnings.append(Problem(
            ls, f"the study is {_fmt(study_time[idx])} months after HLH diagnosis, after the patient's death "
            f"({_fmt(death[idx])} months, from death_weeks_after_diagnosis)", _row(studies, idx), column,
            None if value is None or pd.isna(value) else str(value),  # type: ignore[arg-type]
            "check the study date, the age at onset and the time of death"))
    last = pd.DataFrame({"patient_id": studies["patient_id"], "t": study_time, "study_id": studies["study_id"]})
    last = last.dropna(subset=["t", "patient_id"]).sort_values("t").drop_duplicates("patient_id", keep="last")
    last = last.set_index("patient_id")
    follow_up = _num(patients, "follow_up_months")
    latest = patients["patient_id"].map(last["t"])
    short = follow_up < latest - TOLERANCE_MONTHS
    for idx in short[short].index:
        warnings.append(Problem(
            lp, f"is shorter than the time from HLH diagnosis to the last MR study ({_fmt(latest[idx])} months, "
            f"study {last.at[patients.at[idx, 'patient_id'], 'study_id']})", _row(patients, idx), "follow_up_months",  # type: ignore[str-bytes-safe]
            _fmt(follow_up[idx]), "follow-up runs from HLH diagnosis to the last contact or death"))


def _death_and_follow_up(patients: pd.DataFrame, label: str, errors: list[Problem]) -> None:
    died = patients["died"].astype("boolean").fillna(False).astype(bool)
    death = _num(patients, "death_weeks_after_diagnosis") / WEEKS_PER_MONTH
    follow_up = _num(patients, "follow_up_months")
    off = died & ((follow_up - death).abs() > TOLERANCE_MONTHS)
    for idx in off[off].index:
        weeks = death[idx] * WEEKS_PER_MONTH
        errors.append(Problem(
            label, f"for a patient who died, follow-up is the time to death, but death_weeks_after_diagnosis "
            f"({_fmt(weeks)} weeks = {_fmt(death[idx])} months, death {'before' if weeks < 8 else 'after'} "
            f"8 weeks) disagrees", _row(patients, idx), "follow_up_months", _fmt(follow_up[idx]),
            "make the two times agree (one of them may be in the wrong unit)"))


def _deficit_time(patients: pd.DataFrame, label: str, errors: list[Problem]) -> None:
    deficit_at = _num(patients, "deficit_months_after_diagnosis")
    free = patients["deficit_free"].astype("boolean").eq(True).fillna(False).astype(bool)
    given = free & deficit_at.notna()
    for idx in given[given].index:
        errors.append(Problem(label, "a time of neurologic deficit is given but deficit_free is yes",
                              _row(patients, idx), "deficit_months_after_diagnosis", _fmt(deficit_at[idx]),
                              "leave it empty for a deficit-free patient, or set deficit_free to no"))
    follow_up = _num(patients, "follow_up_months")
    late = deficit_at > follow_up + TOLERANCE_MONTHS
    for idx in late[late].index:
        errors.append(Problem(label, f"is after the last follow-up or death ({_fmt(follow_up[idx])} months)",
                              _row(patients, idx), "deficit_months_after_diagnosis", _fmt(deficit_at[idx]),
                              "both times run from HLH diagnosis"))


def plausibility_checks(patients: pd.DataFrame | None, studies: pd.DataFrame | None,
                        labels: dict[str, str]) -> Findings:
    """Run every cross-field plausibility check on typed frames (either may be ``None`` if unreadable)."""
    findings = Findings([], [])
    if patients is None:
        return findings
    lp = labels["patients"]
    _years_like_columns(patients, AGE_COLUMNS, lp, findings.warnings)
    _cns_before_onset(patients, lp, findings)
    _death_and_follow_up(patients, lp, findings.errors)
    _deficit_time(patients, lp, findings.errors)
    if studies is None:
        return findings
    ls = labels["studies"]
    consensus = studies.loc[studies["reader"] == "consensus",  # the columns the checks below read
                            ["patient_id", "study_id", "study_date", "age_at_study_months", "_row"]]
    ages = _study_ages(patients, studies, findings.errors, ls)
    _years_like_columns(consensus, ("age_at_study_months",), ls, findings.warnings)
    first_age = pd.DataFrame({"patient_id": studies["patient_id"], "age": ages}).dropna() \
        .groupby("patient_id")["age"].min()
    _ages_like_years_of_studies(patients, first_age, lp, findings.warnings)
    _times_after_diagnosis(patients, consensus, ages[consensus.index], labels, findings.warnings)
    return findings


__all__ = ["DAYS_PER_MONTH", "TOLERANCE_MONTHS", "YEARS_LIKE_MAX", "Findings", "plausibility_checks"]
