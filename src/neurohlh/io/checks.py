"""Checks that need more than one cell: identifiers, references between files, contradictions."""
from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from neurohlh.errors import Problem
from neurohlh.io.suggest import suggestion


def row_number(frame: pd.DataFrame, idx: Hashable) -> int:
    """The file row of row ``idx`` of a loaded table (its ``_row`` column)."""
    value = frame.at[idx, "_row"]
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"_row of row {idx!r} is {value!r}, not a row number")
    return int(value)


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Each date (``datetime.date``) as its day number (proleptic Gregorian ordinal), NaN where it is missing: a
    difference of two is the days between them, and comparisons follow the dates'."""
    codes, distinct = pd.factorize(dates.to_numpy(dtype=object))  # missing: -1, the NaN at the end
    return np.array([d.toordinal() for d in distinct] + [np.nan], dtype=float)[codes]


def _duplicates(frame: pd.DataFrame, keys: list[str], label: str, problems: list[Problem]) -> None:
    present = frame[keys].notna().all(axis=1)
    dup = frame.loc[present, keys].duplicated(keep="first")
    for idx in dup[dup].index:
        first = frame[present & (frame[keys] == frame.loc[idx, keys]).all(axis=1)]["_row"].iloc[0]
        problems.append(Problem(
            label, f"duplicate {' + '.join(keys)}, first used on row {first}", row_number(frame, idx),
            keys[-1] if len(keys) > 1 else keys[0], " / ".join(str(frame.at[idx, k]) for k in keys),
        ))


def _unknown_patient(frame: pd.DataFrame, patient_ids: pd.Series, label: str, problems: list[Problem]) -> None:
    orphan = frame["patient_id"].notna() & ~frame["patient_id"].isin(patient_ids)
    if not orphan.any():
        return
    ids = sorted(set(patient_ids))
    for idx in orphan[orphan].index:
        value = str(frame.at[idx, "patient_id"])
        problems.append(Problem(
            label, "patient_id does not exist in patients", row_number(frame, idx), "patient_id", value,
            suggestion(value, ids),
        ))


def _row_rule(frame: pd.DataFrame, mask: pd.Series, label: str, column: str, message: str,
              problems: list[Problem], suggestion: str | None = None) -> None:
    mask = mask.fillna(False).astype(bool)
    for idx in mask[mask].index:
        problems.append(Problem(label, message, row_number(frame, idx), column,
                                _as_written(frame.at[idx, column]), suggestion))


def _as_written(value: object) -> str | None:
    """A typed cell back in the file's words (yes/no for booleans, ISO dates), for messages."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Study fields that hold an enhancement finding: not evaluable without a post-contrast T1.
ENHANCEMENT_FIELDS = ("supra_enhancement", "supra_enhancement_pattern", "infra_enhancement",
                      "infra_enhancement_pattern", "pontine_enhancing_lesion_count", "largest_enhancing_nodule_mm")


def _enhancement_without_contrast(studies: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    """An enhancement value recorded for a study whose sequences are known and include no post-contrast T1."""
    codes, distinct = pd.factorize(studies["sequences"].to_numpy(dtype=object))  # missing: -1, not "no"
    without = np.array(["t1_postcontrast" not in s for s in distinct] + [False], dtype=bool)
    no_contrast = pd.Series(without[codes], index=studies.index, dtype=bool)
    if not no_contrast.any():
        return
    for column in ENHANCEMENT_FIELDS:
        _row_rule(studies, no_contrast & studies[column].notna(), label, column,
                  "is recorded but sequences has no t1_postcontrast: enhancement is not evaluable without contrast",
                  problems, "leave it empty, or add t1_postcontrast to sequences if contrast was given")


def cross_checks(
    patients: pd.DataFrame | None, studies: pd.DataFrame | None, variants: pd.DataFrame | None,
    labels: dict[str, str],
) -> list[Problem]:
    """Checks that need more than one cell: ids, references between files, and contradictions."""
    problems: list[Problem] = []
    if patients is not None:
        lp = labels["patients"]
        if len(patients) == 0:
            problems.append(Problem(lp, "has no patient rows"))
        _duplicates(patients, ["patient_id"], lp, problems)
        _row_rule(patients, (patients["csf_done"] == False) & (  # noqa: E712
            patients["csf_wbc_per_ul"].notna() | patients["csf_protein_mg_dl"].notna()), lp, "csf_done",
            "says CSF was not analysed but CSF values are given", problems)
        _row_rule(patients, (patients["died"] == False) & patients["death_weeks_after_diagnosis"].notna(),  # noqa
                  lp, "died", "says the patient did not die but a time of death is given", problems)
        _row_rule(patients, (patients["died"] == True) & (patients["deficit_free"] == True), lp,  # noqa: E712
                  "deficit_free", "is yes but the patient died (deficit-free means alive without deficit)", problems)
        _row_rule(patients, (patients["hlh_type"] == "primary") & patients["secondary_etiology"].notna(), lp,
                  "secondary_etiology", "is given for a patient with primary HLH", problems)
    if studies is not None:
        ls = labels["studies"]
        _duplicates(studies, ["study_id", "reader"], ls, problems)
        owners = studies[["study_id", "patient_id"]].dropna().groupby("study_id")["patient_id"].nunique()
        for study_id in owners[owners > 1].index:
            rows = studies[studies["study_id"] == study_id]
            problems.append(Problem(ls, "the reads of this study name different patients", int(rows["_row"].iloc[1]),
                                    "patient_id", str(rows["patient_id"].iloc[1])))
        # A study without a consensus row is checked in neurohlh.io.consensus (derived from two reads or reported).
        _row_rule(studies, (studies["ventriculomegaly"] == False) & (  # noqa: E712
            studies["ventriculomegaly_obstructive"] == True), ls, "ventriculomegaly_obstructive",  # noqa: E712
            "is yes but ventriculomegaly is no", problems)
        _enhancement_without_contrast(studies, ls, problems)
        if patients is not None:
            _unknown_patient(studies, patients["patient_id"].dropna(), ls, problems)
            births = patients[["patient_id", "birth_date"]].dropna(subset=["patient_id"]) \
                .drop_duplicates("patient_id").set_index("patient_id")["birth_date"]
            before = day_numbers(studies["study_date"]) < day_numbers(studies["patient_id"].map(births))
            _row_rule(studies, pd.Series(before, index=studies.index), ls, "study_date",
                      "is before the patient's birth date", problems)
    if variants is not None and patients is not None:
        _unknown_patient(variants, patients["patient_id"].dropna(), labels["variants"], problems)
    return problems
