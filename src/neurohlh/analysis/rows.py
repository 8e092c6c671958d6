"""The patients table read as records on demand: one light row object per patient, its values converted per column.

The analysis decides the criteria column-wise from the table; each result keeps its patient to explain itself
when read (``HLH2004Result.items``, ``CNSResult.reasons``), and genotypes read a few fields of the patients
with variant data. A :class:`PatientRow` answers every :class:`~neurohlh.schema.Patient` attribute with the value
the record would hold (the column's values as :func:`neurohlh.schema.record_column` gives them), converting a
column only when one of its values is first read, so 100k patients are not turned into 100k records up front.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from neurohlh.schema import Patient, field_specs, record_column

_FIELDS = frozenset(field_specs(Patient))


class PatientColumns:
    """The columns of a patients table, each converted to record values the first time it is read."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._columns: dict[str, list[Any]] = {}

    def column(self, name: str) -> list[Any]:
        values = self._columns.get(name)
        if values is None:
            col = self._frame[name]
            values = self._columns[name] = record_column(
                Patient, name, col.astype(object).where(col.notna(), None).tolist())
        return values

    def rows(self) -> list[PatientRow]:
        """One row object per patient, in the table's order."""
        return [PatientRow(self, i) for i in range(len(self._frame))]

    def records(self, names: Sequence[str], at: Sequence[int]) -> list[Any]:
        """The patients at the positions ``at`` (in that order), each a named tuple of the fields ``names`` only,
        valued as the records are: for a step that reads a few fields of many patients."""
        unknown = sorted(set(names) - _FIELDS)
        if unknown:
            raise AttributeError(f"a patient has no field {unknown[0]!r}")
        make = _record_type(tuple(names))._make
        columns = [self._values_at(n, at) for n in names]
        return [make(values) for values in zip(*columns)] if columns else [make(()) for _ in at]

    def _values_at(self, name: str, at: Sequence[int]) -> list[Any]:
        """The record values of one column at the positions ``at`` (the whole column is converted only if it
        already was)."""
        values = self._columns.get(name)
        if values is not None:
            return [values[i] for i in at]
        col = self._frame[name].iloc[list(at)]
        return record_column(Patient, name, col.astype(object).where(col.notna(), None).tolist())


@lru_cache(maxsize=32)
def _record_type(names: tuple[str, ...]) -> Any:
    return namedtuple("PatientFields", names)


class PatientRow:
    """One patient of a :class:`PatientColumns`: its attributes are the :class:`~neurohlh.schema.Patient` fields."""

    __slots__ = ("_columns", "_index")

    def __init__(self, columns: PatientColumns, index: int) -> None:
        self._columns = columns
        self._index = index

    def __getattr__(self, name: str) -> Any:  # only reached for a name that is not a field
        raise AttributeError(f"a patient has no field {name!r}")

    def __repr__(self) -> str:
        return f"PatientRow({self.patient_id!r})"


def _field_reader(name: str) -> property:
    def read(row: PatientRow) -> Any:
        columns = row._columns
        values = columns._columns.get(name)
        return (columns.column(name) if values is None else values)[row._index]
    return property(read, doc=f"The patient's ``{name}``, as the record holds it.")


for _name in sorted(_FIELDS):  # one property per Patient field: a field is read without a failed lookup first
    setattr(PatientRow, _name, _field_reader(_name))
del _name


__all__ = ["PatientColumns", "PatientRow"]
