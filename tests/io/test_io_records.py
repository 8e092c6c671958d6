"""Records are what their annotations say: choice fields hold enum members (sets of them for set-of fields),
converted once where a loaded frame becomes records, and the members equal and print as the file's strings."""
from __future__ import annotations

import dataclasses
import json
import types
import typing

from neurohlh.io import load_cohort
from neurohlh.schema import LesionType, Patient, Reader, Sex, Study, Variant, Zygosity, record_column
from conftest import EXAMPLE


def _allowed(annotation: object) -> tuple[type, ...]:
    """The runtime classes a value of ``annotation`` may have (``X | None`` and ``frozenset[X]`` unpacked)."""
    if isinstance(annotation, types.UnionType):
        return tuple(c for a in typing.get_args(annotation) for c in _allowed(a))
    if typing.get_origin(annotation) is frozenset:
        return (frozenset,)
    return (annotation,)  # type: ignore[return-value]


def _check(record: object) -> None:
    hints = typing.get_type_hints(type(record))
    for f in dataclasses.fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        allowed = _allowed(hints[f.name])
        if float in allowed:
            allowed += (int,)  # a whole number read from a number column
        assert isinstance(value, allowed), (type(record).__name__, f.name, value, hints[f.name])
        if isinstance(value, frozenset):
            (member_type,) = typing.get_args(next(a for a in typing.get_args(hints[f.name]) if a is not type(None)))
            assert all(isinstance(v, member_type) for v in value), (f.name, value)


def test_every_field_of_every_record_holds_its_annotated_type():
    cohort = load_cohort(EXAMPLE)
    records = cohort.patient_records() + cohort.study_records(reader=None) + cohort.variant_records()
    assert records
    for record in records:
        _check(record)
    patient = cohort.patient_records()[0]
    assert isinstance(patient.sex, Sex) and patient.sex == cohort.patients["sex"].iloc[0]
    assert all(isinstance(s.reader, Reader) for s in cohort.study_records(reader=None))
    assert any(isinstance(v.zygosity, Zygosity) for v in cohort.variant_records())


def test_members_equal_and_print_as_the_file_strings():
    (male,) = record_column(Patient, "sex", ["male"])
    assert male is Sex.MALE and male == "male" and f"{male}" == "male" and json.dumps(male) == '"male"'
    (types_,) = record_column(Study, "supra_lesion_type", [frozenset({"focal", "diffuse"})])
    assert types_ == frozenset({LesionType.FOCAL, LesionType.DIFFUSE}) == frozenset({"focal", "diffuse"})
    assert all(isinstance(t, LesionType) for t in types_)
    assert record_column(Variant, "hgvs", ["c.50del"]) == ["c.50del"]  # not a choice: unchanged
    assert record_column(Patient, "sex", [None, "not a choice"]) == [None, "not a choice"]  # kept, never changed
