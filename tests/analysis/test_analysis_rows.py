"""Patients read as rows of the patients table: every attribute is the value the Patient record holds."""
from __future__ import annotations

import dataclasses

import pytest

from neurohlh.analysis.rows import PatientColumns


def test_rows_answer_every_field_as_the_records_do(demo_cohort):
    rows = PatientColumns(demo_cohort.patients).rows()
    records = demo_cohort.patient_records()
    assert len(rows) == len(records)
    for row, record in zip(rows, records):
        for f in dataclasses.fields(record):
            value, expected = getattr(row, f.name), getattr(record, f.name)
            assert value == expected or (value != value and expected != expected), (record.patient_id, f.name)
            assert type(value) is type(expected), (record.patient_id, f.name)


def test_a_row_has_no_other_attribute(demo_cohort):
    row = PatientColumns(demo_cohort.patients).rows()[0]
    with pytest.raises(AttributeError, match="no field 'not_a_field'"):
        row.not_a_field  # noqa: B018
    assert repr(row) == f"PatientRow({demo_cohort.patient_records()[0].patient_id!r})"


def test_records_hold_the_asked_fields_of_the_asked_patients_in_that_order(demo_cohort):
    columns = PatientColumns(demo_cohort.patients)
    records = demo_cohort.patient_records()
    picked = columns.records(("patient_id", "sex", "protein_expression_pct"), [4, 0, 4])
    assert [tuple(r) for r in picked] == [(records[i].patient_id, records[i].sex, records[i].protein_expression_pct)
                                         for i in (4, 0, 4)]
    assert picked[0].sex == records[4].sex and type(picked[0].sex) is type(records[4].sex)
    assert columns.records(("patient_id",), []) == []


def test_records_refuse_a_field_a_patient_does_not_have(demo_cohort):
    with pytest.raises(AttributeError, match="no field 'not_a_field'"):
        PatientColumns(demo_cohort.patients).records(("patient_id", "not_a_field"), [0])


def test_records_are_the_same_whether_or_not_a_whole_column_was_converted_before(demo_cohort):
    names, at = ("patient_id", "sex", "genetic_result", "protein_expression_pct"), [9, 3, 3, 0]
    fresh = PatientColumns(demo_cohort.patients).records(names, at)
    warmed = PatientColumns(demo_cohort.patients)
    for name in names[1:3]:
        warmed.column(name)
    again = warmed.records(names, at)
    assert fresh == again
    assert [type(v) for r in fresh for v in r] == [type(v) for r in again for v in r]
