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
