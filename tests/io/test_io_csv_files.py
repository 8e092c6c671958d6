"""Careless and hostile CSV cohorts: each gets located problems or is read exactly, never a traceback."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from _io_inputs import EXAMPLE, cohort_folder, column, csv_text, rows_of

from neurohlh import InputError, load_cohort
from neurohlh.io import limits, validate


def _problems(folder, file=None):
    """The problems validate finds (only those of one file when ``file`` is given)."""
    return [p for p in validate(folder).problems if file is None or p.file == file]


def _patients(edit) -> str:
    rows = rows_of("patients")
    edit(rows)
    return csv_text(rows)


def test_comment_lines_and_blank_lines_before_the_header_are_skipped_and_counted(tmp_path):
    text = "# synthetic cohort\n\n   \n,,,\n# second note\n" + csv_text(rows_of("patients"))
    cohort = load_cohort(cohort_folder(tmp_path, patients=text))
    assert len(cohort.patients) == len(rows_of("patients")) - 1
    assert cohort.patients["_row"].iloc[0] == 7  # five lines before the header (row 6)


def test_a_comment_line_after_the_header_is_a_located_problem_not_a_patient(tmp_path):
    def edit(rows):
        rows.insert(4, ["# note: EX04 came from centre B"])
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)))
    assert [(p.row, p.message) for p in problems] == [(5, "a comment line after the header")]
    assert "only before the header" in problems[0].suggestion


def test_nul_byte_is_a_located_problem_not_a_cut_cell(tmp_path):
    def edit(rows):
        rows[6][column("patients", "patient_id")] = "EX06\x00-centreB"
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)), "patients.csv")
    assert [(p.row, p.column) for p in problems] == [(7, "patient_id")]
    assert "NUL byte" in problems[0].message and problems[0].value == "EX06\x00-centreB"


def test_control_character_in_an_id_is_found_by_validate(tmp_path):
    def edit(rows):
        rows[2][column("patients", "patient_id")] = "EX02\x07"
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)))
    assert any(p.row == 3 and p.column == "patient_id" and "control character" in p.message for p in problems)


def test_short_row_is_a_problem_like_a_long_one(tmp_path):
    def edit(rows):
        rows[3] = rows[3][:10]
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)), "patients.csv")
    width = len(rows_of("patients")[0])
    assert [(p.row, p.message) for p in problems] == [(4, f"row has 10 cells but the header has {width}")]


def test_trailing_empty_cells_lose_nothing_and_are_accepted(tmp_path):
    def edit(rows):
        rows[3] = rows[3] + ["", "  "]
    assert len(load_cohort(cohort_folder(tmp_path, patients=_patients(edit))).patients) == len(rows_of("patients")) - 1


@pytest.mark.parametrize("text,hint", [("1_2", "'_'"), ("١٢", None), ("12 months", "months")])
def test_numbers_are_plain_ascii_decimals(tmp_path, text, hint):
    def edit(rows):
        rows[1][column("patients", "age_at_onset_months")] = text
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)))
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "age_at_onset_months", "is not a number")]
    if hint:
        assert hint in problems[0].suggestion


def test_percent_sign_is_read_in_a_percent_column_and_refused_elsewhere(tmp_path):
    def edit(rows):
        rows[1][column("patients", "protein_expression_pct")] = "30%"
        rows[2][column("patients", "age_at_onset_months")] = "30%"
    report = validate(cohort_folder(tmp_path, patients=_patients(edit)))
    assert [(p.row, p.column, p.message) for p in report.problems] == [(3, "age_at_onset_months", "is a percentage")]


def test_percent_value_in_percent_column(tmp_path):
    def edit(rows):
        rows[1][column("patients", "protein_expression_pct")] = "30%"
    cohort = load_cohort(cohort_folder(tmp_path, patients=_patients(edit)))
    assert cohort.patients["protein_expression_pct"].iloc[0] == 30.0


@pytest.mark.parametrize("first,second,words", [
    ("EX01", "ex01", "upper/lower case"),
    ("EX01", "EX01\u200b", None),  # zero-width space: an invisible character, located on its own
    ("EX01", "\u0415X01", "CYRILLIC CAPITAL LETTER IE"),
])
def test_look_alike_patient_ids(tmp_path, first, second, words):
    def edit(rows):
        rows[1][0], rows[2][0] = first, second
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)), "patients.csv")
    mine = [p for p in problems if p.row == 3 and p.column == "patient_id"]
    assert len(mine) == 1, problems
    if words:
        assert "looks like 'EX01' on row 2" in mine[0].message and words in mine[0].message
    else:
        assert "invisible character (U+200B ZERO WIDTH SPACE)" in mine[0].message


def test_mixed_script_id_without_a_twin_is_a_warning(tmp_path):
    def edit(rows):
        rows[1][0] = "\u0420X77"  # Cyrillic ER
    report = validate(cohort_folder(tmp_path, patients=_patients(edit)))
    assert any(n.startswith("warning:") and "CYRILLIC CAPITAL LETTER ER" in n for n in report.notes)


def test_classic_mac_line_endings_read_like_unix_ones(tmp_path):
    text = {t: csv_text(rows_of(t), newline="\r") for t in ("patients", "studies", "variants")}
    mac = load_cohort(cohort_folder(tmp_path, **text))
    unix = load_cohort(EXAMPLE)
    assert mac.patient_records() == unix.patient_records() and mac.study_records() == unix.study_records()


def test_semicolon_and_tab_delimited_files_are_read_with_a_note(tmp_path):
    patients = csv_text(rows_of("patients"), delimiter=";")
    studies = csv_text(rows_of("studies"), delimiter="\t")
    cohort = load_cohort(cohort_folder(tmp_path, patients=patients, studies=studies))
    assert cohort.patient_records() == load_cohort(EXAMPLE).patient_records()
    assert "patients.csv: read as a semicolon-delimited file (the header has no comma)" in cohort.notes
    assert any("tab-delimited" in n for n in cohort.notes)


def test_utf16_without_bom_is_named(tmp_path):
    folder = cohort_folder(tmp_path)
    (folder / "variants.csv").write_bytes(csv_text(rows_of("variants")).encode("utf-16-le"))
    problems = _problems(folder)
    assert [(p.file, p.message.split(" (")[0]) for p in problems] == [
        ("variants.csv", "file looks like UTF-16 text without a byte-order mark")]


def test_utf16_with_bom_tab_delimited_is_read(tmp_path):
    folder = cohort_folder(tmp_path)
    (folder / "variants.csv").write_bytes(csv_text(rows_of("variants"), delimiter="\t").encode("utf-16"))
    assert load_cohort(folder).variant_records() == load_cohort(EXAMPLE).variant_records()


def test_upper_case_header_suggests_the_column(tmp_path):
    def edit(rows):
        rows[0][column("patients", "sex")] = "SEX"
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)))
    assert any(p.column == "SEX" and p.suggestion == "did you mean 'sex'?" for p in problems)


def test_a_folder_named_patients_csv(tmp_path):
    folder = cohort_folder(tmp_path)
    (folder / "patients.csv").unlink()
    (folder / "patients.csv").mkdir()
    problems = _problems(folder)
    assert any(p.file == "patients.csv" and p.message == "is a folder, not a file" for p in problems)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_without_waiting(tmp_path):
    folder = cohort_folder(tmp_path)
    (folder / "studies.csv").unlink()
    os.mkfifo(folder / "studies.csv")
    with ThreadPoolExecutor(1) as pool:  # a reader that opened the pipe would wait forever
        problems = pool.submit(_problems, folder).result(timeout=60)
    assert any(p.file == "studies.csv" and "not a regular file" in p.message for p in problems)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs the zero device")
def test_a_symlink_to_the_zero_device_is_refused(tmp_path):
    folder = cohort_folder(tmp_path)
    (folder / "variants.csv").unlink()
    (folder / "variants.csv").symlink_to("/dev/zero")
    problems = _problems(folder)
    assert any(p.file == "variants.csv" and "not a regular file" in p.message for p in problems)


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr("neurohlh.io.read.MAX_FILE_BYTES", 1000)
    problems = _problems(cohort_folder(tmp_path))
    assert any(p.file == "studies.csv" and "more than the limit" in p.message for p in problems)


def test_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("neurohlh.io.read.MAX_ROWS", 5)
    problems = _problems(cohort_folder(tmp_path))
    assert any(p.file == "patients.csv" and "more than 5 data rows" in p.message for p in problems)


def test_column_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("neurohlh.io.read.MAX_COLUMNS", 20)
    problems = _problems(cohort_folder(tmp_path))
    assert any(p.file == "patients.csv" and "more than the limit of 20" in p.message for p in problems)


def test_a_huge_id_is_refused_and_shown_short(tmp_path):
    def edit(rows):
        rows[1][0] = "X" * 100_000
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)))
    message = "; ".join(str(p) for p in problems)
    assert "more than the limit of 10,000 per cell" in message and len(message) < 5000


def test_a_long_id_under_the_cell_limit(tmp_path):
    def edit(rows):
        rows[1][0] = "X" * 500
    problems = _problems(cohort_folder(tmp_path, patients=_patients(edit)))
    assert any(p.row == 2 and "identifier of 500 characters" in p.message for p in problems)


def test_huge_variant_position_is_a_located_problem(tmp_path):
    def edit(rows):
        rows[1][column("variants", "hgvs")] = "c." + "9" * 5000 + "del"
    rows = rows_of("variants")
    edit(rows)
    with pytest.raises(InputError) as info:  # neurohlh.load_cohort runs the variant check (service.DOMAIN_CHECKS)
        load_cohort(cohort_folder(tmp_path, variants=csv_text(rows)))
    assert info.value.problems and info.value.problems[0].row == 2
    assert "more than 9 digits" in info.value.problems[0].message
