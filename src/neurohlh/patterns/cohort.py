"""Whole-cohort allocation: one :class:`PatientAllocation` per patient, in the order of ``cohort.patients``.

The cohort path reads the needed columns once and applies exactly the same rule functions as
:func:`classify_study` / :func:`classify_patient` (identical evidence tuples, shared decisions), so 250k
studies classify in a few seconds.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from neurohlh.errors import InputError
from neurohlh.patterns.clippers import CLIPPERS_FIELDS
from neurohlh.patterns.patient import PatientAllocation, allocate_patient
from neurohlh.patterns.evidence import CONTRAST_FIELD, NUMBER_FIELDS
from neurohlh.patterns.study import EVIDENCE_FIELDS, StudyAllocation, allocate_rows, value_problem


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while creating many small acyclic objects (halves the run time).

    Allocations hold no reference cycles, so reference counting frees them; the collector is restored after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lists(frame: pd.DataFrame, names: tuple[str, ...]) -> list[list[Any]]:
    """The values of each column as a list, ``None`` for missing."""
    out = []
    for name in names:
        if name not in frame.columns:
            raise InputError(f"the studies table has no column `{name}`; load the cohort with neurohlh.io.load_cohort")
        col = frame[name]
        out.append(_yes_no_list(col.array) if isinstance(col.dtype, pd.BooleanDtype)
                   else col.astype(object).where(col.notna(), None).tolist())
    return out


_YES_NO_UNKNOWN = np.array([False, True, None], dtype=object)


def _yes_no_list(values: pd.arrays.BooleanArray) -> list[bool | None]:
    """A nullable boolean column as True / False / None, by code (twice as fast as through pandas' objects)."""
    codes = np.where(values.isna(), 2, values.to_numpy(dtype=bool, na_value=False).view(np.int8))
    return _YES_NO_UNKNOWN[codes].tolist()


def _consensus(cohort: Any) -> pd.DataFrame:
    studies = getattr(cohort, "consensus_studies", None)
    if studies is None or getattr(cohort, "patients", None) is None:
        raise InputError("`cohort` must be a neurohlh.io.Cohort (see neurohlh.io.load_cohort)")
    return studies


def classify_studies_frame(studies: pd.DataFrame) -> list[StudyAllocation]:
    """Allocate every row of a typed studies frame (columns as in the schema), in row order."""
    ids, pids, dates, ages = _lists(studies, ("study_id", "patient_id", "study_date", "age_at_study_months"))
    evidence_columns = _lists(studies, EVIDENCE_FIELDS)
    _iv_columns(evidence_columns, ids, pids, _typed_yes_no(studies))

    def clippers_values(rows: list[int]) -> list[tuple[Any, ...]]:
        return list(zip(*_lists(studies.iloc[rows], CLIPPERS_FIELDS)))

    return allocate_rows(ids, pids, dates, ages, zip(*evidence_columns), clippers_values)


#: Evidence fields whose values are yes/no (True, False or None).
_YES_NO_FIELDS = frozenset(EVIDENCE_FIELDS) - {*NUMBER_FIELDS, "pontine_enhancing_lesion_count", CONTRAST_FIELD}


def _typed_yes_no(studies: pd.DataFrame) -> frozenset[str]:
    """The yes/no evidence columns held in pandas' nullable boolean type: every value is True, False or missing,
    so there is nothing to check."""
    return frozenset(n for n in _YES_NO_FIELDS if isinstance(studies[n].dtype, pd.BooleanDtype))


def _iv_columns(columns: list[list[Any]], ids: list[Any], pids: list[Any], checked: frozenset[str] = frozenset()
                ) -> None:
    """Check every evidence value once per distinct (type, value) of each column (but the ``checked`` ones);
    name the first bad study."""
    for name, values in zip(EVIDENCE_FIELDS, columns):
        if name in checked:
            continue
        for kind, value in {(type(v), v) for v in values}:
            problem = value_problem(name, value)
            if problem:
                row = next(i for i, v in enumerate(values) if type(v) is kind and v == value)
                raise InputError(f"study {ids[row]!r} (patient {pids[row]!r}): {problem}")


def classify_cohort(cohort: Any, *, studies: pd.DataFrame | None = None) -> list[PatientAllocation]:
    """Allocate every patient of a cohort on their consensus reads.

    Returns one :class:`PatientAllocation` per row of ``cohort.patients``, in that order; a patient without a
    consensus study is ``indeterminate`` with the note "no consensus MR study for this patient".
    ``studies`` is ``cohort.consensus_studies`` when the caller already holds it.

    Raises
    ------
    InputError
        If a study names a patient that is not in ``cohort.patients`` (nothing is dropped silently).
    """
    if studies is None:
        studies = _consensus(cohort)
    with _bulk_allocation():
        return allocate_patients(cohort.patients, classify_studies_frame(studies))


def allocate_patients(patients: pd.DataFrame, studies: Sequence[StudyAllocation]) -> list[PatientAllocation]:
    """One :class:`PatientAllocation` per row of the ``patients`` table, in its order, from the allocations of
    the consensus ``studies`` (:func:`classify_studies_frame`); see :func:`classify_cohort`.

    Raises
    ------
    InputError
        If a study names a patient that is not in ``patients``.
    """
    pids, births, workups = _lists(patients, ("patient_id", "birth_date", "etiologic_workup"))
    grouped: dict[str, list[StudyAllocation]] = {pid: [] for pid in pids}
    orphans = []
    with _bulk_allocation():
        for a in studies:
            bucket = grouped.get(a.patient_id)
            if bucket is None:
                orphans.append(f"{a.study_id} (patient_id {a.patient_id!r})")
            else:
                bucket.append(a)
        if orphans:
            raise InputError("studies name patients that are not in the patients table: " + ", ".join(orphans[:20])
                             + (f" and {len(orphans) - 20} more" if len(orphans) > 20 else ""))
        return [allocate_patient(pid, grouped[pid], birth, workup)
                for pid, birth, workup in zip(pids, births, workups)]


__all__ = ["allocate_patients", "classify_cohort", "classify_studies_frame"]
