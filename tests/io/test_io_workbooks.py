"""Careless and hostile .xlsx workbooks: located problems or an exact read, never a traceback or a silent loss."""
from __future__ import annotations

import re

import pytest
from _io_inputs import EXAMPLE, column, rewrite_parts, rows_of, sheet_part, workbook

from neurohlh import InputError, load_cohort
from neurohlh.io import validate

PATIENT_ROWS = len(rows_of("patients")) - 1


def _problems(path, sheet=None):
    return [p for p in validate(path).problems if sheet is None or p.file.endswith(f"[sheet {sheet}]")]


def _letter(table: str, name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column(table, name) + 1)


def test_example_workbook_loads_like_the_csv_folder(tmp_path):
    book = load_cohort(workbook(tmp_path / "c.xlsx"))
    assert book.patient_records() == load_cohort(EXAMPLE).patient_records()


def _formula_age(book):
    book["patients"][f"{_letter('patients', 'age_at_onset_months')}2"] = "=12*2"


def test_formula_written_by_a_script_without_a_stored_result(tmp_path):
    path = workbook(tmp_path / "c.xlsx", _formula_age)  # openpyxl stores no result
    problems = _problems(path)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "age_at_onset_months", "formula cell without a stored result")]
    assert "paste values" in problems[0].suggestion


def test_formula_with_a_stored_zero_from_a_program_that_does_not_calculate(tmp_path):
    path = workbook(tmp_path / "c.xlsx", _formula_age)
    rewrite_parts(path, **{sheet_part(1): lambda xml: xml.replace("<f>12*2</f>", "<f>12*2</f><v>0</v>")})
    problems = _problems(path)  # the workbook asks for recalculation on opening (fullCalcOnLoad)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "age_at_onset_months", "0")]
    assert "cannot be trusted" in problems[0].message


def test_formula_result_saved_by_a_calculating_program_is_read(tmp_path):
    path = workbook(tmp_path / "c.xlsx", _formula_age)
    rewrite_parts(path, **{
        sheet_part(1): lambda xml: xml.replace("<f>12*2</f>", "<f>12*2</f><v>24</v>"),
        "xl__workbook_dot_xml": lambda xml: xml.replace(' fullCalcOnLoad="1"', ""),
    })
    cohort = load_cohort(path)
    assert cohort.patients["age_at_onset_months"].iloc[0] == 24


def test_rows_and_columns_beyond_the_declared_dimension_are_read(tmp_path):
    path = workbook(tmp_path / "c.xlsx")
    rewrite_parts(path, **{sheet_part(1): lambda xml: re.sub(r'<dimension ref="[^"]+"/>',
                                                             '<dimension ref="A1:C3"/>', xml)})
    cohort = load_cohort(path)
    assert cohort.patient_records() == load_cohort(EXAMPLE).patient_records()


def test_merged_cells_are_a_located_problem(tmp_path):
    letter = _letter("patients", "hlh_type")
    path = workbook(tmp_path / "c.xlsx", lambda book: book["patients"].merge_cells(f"{letter}3:{letter}5"))
    problems = _problems(path)
    assert [(p.row, p.column) for p in problems] == [(3, "hlh_type")]
    assert problems[0].message.startswith(f"cells {letter}3:{letter}5 are merged")


def test_a_merged_title_above_the_header_is_fine(tmp_path):
    def edit(book):
        sheet = book["patients"]
        sheet.insert_rows(1)
        sheet["A1"] = "# synthetic cohort"
        sheet.merge_cells("A1:F1")
    assert len(load_cohort(workbook(tmp_path / "c.xlsx", edit)).patients) == PATIENT_ROWS


def test_percent_formatted_cell_is_read_as_shown(tmp_path):
    def edit(book):
        cell = book["patients"][f"{_letter('patients', 'protein_expression_pct')}2"]
        cell.value, cell.number_format = 0.3, "0%"
    cohort = load_cohort(workbook(tmp_path / "c.xlsx", edit))
    assert cohort.patients["protein_expression_pct"].iloc[0] == 30.0


def test_percent_formatted_cell_in_another_column_is_a_problem(tmp_path):
    def edit(book):
        cell = book["patients"][f"{_letter('patients', 'age_at_onset_months')}2"]
        cell.value, cell.number_format = 0.3, "0.0%"
    problems = _problems(workbook(tmp_path / "c.xlsx", edit))
    assert [(p.row, p.column, p.value, p.message) for p in problems] == [
        (2, "age_at_onset_months", "30%", "is a percentage")]


def test_blank_rows_above_the_header(tmp_path):
    def edit(book):
        book["studies"].insert_rows(1, amount=3)
    path = workbook(tmp_path / "c.xlsx", edit)
    cohort = load_cohort(path)
    assert cohort.studies["_row"].iloc[0] == 5


def test_a_comment_row_after_the_header_is_a_problem(tmp_path):
    def edit(book):
        book["patients"].insert_rows(4)
        book["patients"]["A4"] = "# EX03 to be checked"
    problems = _problems(workbook(tmp_path / "c.xlsx", edit), "patients")
    assert [(p.row, p.message) for p in problems] == [(4, "a comment line after the header")]


def test_damaged_sheet_xml_is_located(tmp_path):
    path = workbook(tmp_path / "c.xlsx")
    rewrite_parts(path, **{sheet_part(2): lambda xml: xml.replace("</sheetData>", "<row></sheetData>")})
    problems = _problems(path)
    assert [p.file for p in problems] == ["c.xlsx [sheet studies]"]
    assert "damaged" in problems[0].message


def test_password_protected_workbook_is_named(tmp_path):
    # an encrypted workbook is an OLE2 compound file holding an EncryptionInfo stream (synthetic bytes here)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + "EncryptionInfo".encode("utf-16-le"))
    with pytest.raises(InputError, match="password-protected"):
        load_cohort(path)


def test_not_a_zip(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(InputError, match="is not"):
        load_cohort(tmp_path / "broken.xlsx")


def test_unpacked_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("neurohlh.io.read_xlsx.MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(InputError, match="unpacks to .* more than the limit"):
        load_cohort(workbook(tmp_path / "c.xlsx"))


def test_one_far_away_cell_is_fast_and_located(tmp_path):
    path = workbook(tmp_path / "c.xlsx")
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    rewrite_parts(path, **{sheet_part(3): lambda xml: xml.replace("</sheetData>", far)})
    report = validate(path)
    assert [(p.row, p.column) for p in report.problems] == [(1048576, "cell XFD1048576")]
    assert len(report.notes) <= 2  # the empty gap is one note, not a million


def test_many_formatted_empty_rows_are_cheap(tmp_path):
    path = workbook(tmp_path / "c.xlsx")
    empty = "".join(f'<row r="{r}" s="1" customFormat="1" ht="15"/>' for r in range(20, 100_020))
    rewrite_parts(path, **{sheet_part(1): lambda xml: xml.replace("</sheetData>", empty + "</sheetData>")})
    cohort = load_cohort(path)  # benchmarks/bench_hostile.py times this
    assert len(cohort.patients) == PATIENT_ROWS and cohort.notes == ()
