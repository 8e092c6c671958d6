"""Loading and validating cohorts: every validation branch, with the exact location each problem names.

Row numbers are spreadsheet rows: in the damaged copies the header is row 1, so data row index i is row i + 2.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE, read_cells, write_cells

import neurohlh
from neurohlh import InputError, load_cohort
from neurohlh.io import validate


def only_problem(folder: Path):
    report = validate(folder)
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    return report.problems[0]


# ------------------------------------------------------------------ the valid example


def test_example_cohort_loads_with_every_row():
    cohort = load_cohort(EXAMPLE)
    # counted by hand in examples/make_example_cohort.py: 8 patients, 12 studies, 8 variants
    assert (len(cohort.patients), len(cohort.studies), len(cohort.variants)) == (8, 12, 8)
    assert list(cohort.patients["patient_id"]) == [f"EX0{i}" for i in range(1, 9)]  # order kept
    # the two comment lines push the header to row 3, so the first patient is row 4
    assert cohort.patients["_row"].iloc[0] == 4


def test_example_cohort_types_and_unknowns():
    cohort = load_cohort(EXAMPLE)
    p = {r.patient_id: r for r in cohort.patient_records()}
    assert p["EX01"].fever is True
    assert p["EX01"].age_at_onset_months == 3.0
    assert p["EX01"].birth_date == dt.date(2015, 3, 1)
    assert p["EX04"].csf_done is False
    # EX01 has no meningismus entry: unknown, not 'no'
    assert p["EX01"].meningismus is None
    s = {r.study_id: r for r in cohort.study_records()}
    assert s["EX06-1"].pontine_enhancing_lesion_count == 8
    assert s["EX06-1"].infra_enhancement_pattern == frozenset({"nodular", "perivascular"})
    assert s["EX01-1"].supra_lesion_number == "none"
    assert s["EX01-1"].t2_beyond_enhancement is None


def test_top_level_load_cohort_is_the_io_one():
    assert neurohlh.load_cohort(EXAMPLE).patients.shape == load_cohort(EXAMPLE).patients.shape


def test_checksums_cover_every_file():
    cohort = load_cohort(EXAMPLE)
    assert set(cohort.checksums) == {"patients.csv", "studies.csv", "variants.csv"}
    assert all(len(v) == 64 for v in cohort.checksums.values())


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)


# ------------------------------------------------------------------ one bad cell


@pytest.mark.parametrize(
    ("table", "index", "column", "value", "message", "suggestion"),
    [
        ("patients", 0, "fever", "maybe", "is not yes/no", "write yes or no"),
        ("patients", 1, "csf_protein_mg_dl", "72,5", "is not a number", "decimal separator"),
        ("patients", 1, "csf_protein_mg_dl", "72 mg/dL", "is not a number", "mg/dL without the unit"),
        ("patients", 2, "age_at_onset_months", "-3", "below the possible minimum 0", None),
        ("patients", 2, "age_at_onset_months", "400", "above the possible maximum 227", "check the unit"),
        ("patients", 0, "csf_wbc_per_ul", "inf", "is not a finite number", None),
        ("patients", 0, "sex", "femal", "is not an allowed value", "did you mean 'female'?"),
        ("patients", 0, "hlh_protocol", "HLH-2007", "is not an allowed value", "allowed: hlh_94"),
        ("patients", 0, "birth_date", "01/03/2015", "is not a date", "YYYY-MM-DD"),
        ("studies", 5, "pontine_enhancing_lesion_count", "3.5", "is not a whole number", None),
        ("studies", 5, "largest_enhancing_nodule_mm", "250", "above the possible maximum 100 mm", None),
        ("studies", 5, "supra_enhancement_pattern", "nodular;ringed", "item 'ringed' is not an allowed value", "did you mean 'ring'?"),
        ("studies", 5, "reader", "reader 3", "is not an allowed value", None),
        ("variants", 0, "zygosity", "homo", "is not an allowed value", "did you mean 'homozygous'?"),
    ],
)
def test_bad_cell_is_named_precisely(set_cell, table, index, column, value, message, suggestion):
    folder = set_cell(table, index, column, value)
    problem = only_problem(folder)
    assert problem.file == f"{table}.csv"
    assert problem.row == index + 2
    assert problem.column == column
    assert problem.value == value
    assert message in problem.message
    if suggestion:
        assert suggestion in (problem.suggestion or "")


def test_reader_3_error_lists_allowed_readers(set_cell):
    problem = only_problem(set_cell("studies", 0, "reader", "reader 3"))
    assert "consensus" in problem.suggestion and "reader_1" in problem.suggestion


def test_lenient_spellings_are_read_not_rejected(set_cell):
    set_cell("patients", 0, "sex", "  Female ")
    set_cell("patients", 0, "hlh_protocol", "HLH-2004")
    set_cell("patients", 0, "fever", "Y")
    set_cell("patients", 0, "meningismus", "N/A")
    folder = set_cell("studies", 0, "sequences", "T1, T2 ; FLAIR; T1 postcontrast")
    cohort = load_cohort(folder)
    p = cohort.patient_records()[0]
    assert (p.sex, p.hlh_protocol, p.fever, p.meningismus) == ("female", "hlh_2004", True, None)
    assert cohort.study_records()[0].sequences == frozenset({"t1", "t2", "flair", "t1_postcontrast"})


def test_required_id_empty(set_cell):
    problem = only_problem(set_cell("variants", 1, "hgvs", "  "))
    assert (problem.row, problem.column, problem.message) == (3, "hgvs", "is required and empty")


# ------------------------------------------------------------------ whole-cohort rules


def test_duplicate_patient_id(set_cell):
    folder = set_cell("patients", 1, "patient_id", "EX01")
    report = validate(folder)
    dup = [p for p in report.problems if "duplicate" in p.message]
    assert len(dup) == 1
    assert (dup[0].row, dup[0].column, dup[0].value) == (3, "patient_id", "EX01")
    assert "first used on row 2" in dup[0].message
    # the studies of EX02 now point to a patient that no longer exists: reported too, not dropped
    assert any(p.file == "studies.csv" and p.value == "EX02" for p in report.problems)


def test_duplicate_study_read(set_cell):
    problem = only_problem(set_cell("studies", 1, "study_id", "EX01-1"))
    assert problem.row == 3 and "duplicate study_id + reader" in problem.message


def test_second_reader_beside_consensus_is_fine(cohort_dir):
    frame = read_cells(cohort_dir, "studies")
    extra = frame.iloc[[0]].assign(reader="reader_1")
    write_cells(cohort_dir, "studies", pd.concat([frame, extra], ignore_index=True))
    cohort = load_cohort(cohort_dir)
    assert len(cohort.studies) == 13
    assert len(cohort.consensus_studies) == 12
    assert len(cohort.study_records(reader="reader_1")) == 1


def test_study_without_consensus_read(set_cell):
    problem = only_problem(set_cell("studies", 0, "reader", "reader_1"))
    assert problem.column == "reader" and "no consensus read" in problem.message and problem.value == "EX01-1"


def test_reads_of_one_study_naming_two_patients(cohort_dir):
    frame = read_cells(cohort_dir, "studies")
    extra = frame.iloc[[0]].assign(reader="reader_2", patient_id="EX07")  # EX07 born 2010: no date clash
    write_cells(cohort_dir, "studies", pd.concat([frame, extra], ignore_index=True))
    problem = only_problem(cohort_dir)
    assert "different patients" in problem.message and problem.row == 14


def test_study_of_unknown_patient_suggests_closest(set_cell):
    problem = only_problem(set_cell("studies", 2, "patient_id", "EX2"))
    assert problem.row == 4 and "does not exist in patients" in problem.message
    assert problem.suggestion == "did you mean 'EX02'?"


def test_variant_of_unknown_patient(set_cell):
    problem = only_problem(set_cell("variants", 0, "patient_id", "ZZ99"))
    assert (problem.file, problem.row, problem.value) == ("variants.csv", 2, "ZZ99")


def test_study_before_birth(set_cell):
    problem = only_problem(set_cell("studies", 0, "study_date", "2014-12-31"))  # EX01 born 2015-03-01
    assert (problem.row, problem.column) == (2, "study_date") and "before the patient's birth" in problem.message


@pytest.mark.parametrize(
    ("table", "index", "column", "value", "named", "shown", "message"),
    [
        # (cell edited, value written) -> (column the problem names, value it shows as the user wrote it)
        ("patients", 3, "csf_wbc_per_ul", "12", "csf_done", "no", "CSF was not analysed but CSF values are given"),
        ("patients", 0, "death_weeks_after_diagnosis", "4", "died", "no",
         "did not die but a time of death is given"),
        ("patients", 0, "secondary_etiology", "infection", "secondary_etiology", "infection",
         "is given for a patient with primary HLH"),
        ("patients", 3, "deficit_free", "yes", "deficit_free", "yes", "is yes but the patient died"),
        ("studies", 6, "ventriculomegaly_obstructive", "yes", "ventriculomegaly_obstructive", "yes",
         "is yes but ventriculomegaly is no"),
    ],
)
def test_contradictions_between_cells(set_cell, table, index, column, value, named, shown, message):
    problem = only_problem(set_cell(table, index, column, value))
    assert problem.row == index + 2 and message in problem.message
    assert (problem.column, problem.value) == (named, shown)


# ------------------------------------------------------------------ columns and files


def test_unknown_column_suggests_closest(cohort_dir):
    frame = read_cells(cohort_dir, "patients").rename(columns={"csf_protein_mg_dl": "csf_protein_mg_dL"})
    write_cells(cohort_dir, "patients", frame)
    problems = validate(cohort_dir).problems
    unknown = [p for p in problems if p.message == "unknown column"]
    missing = [p for p in problems if p.message == "column is missing"]
    assert unknown[0].column == "csf_protein_mg_dL" and unknown[0].suggestion == "did you mean 'csf_protein_mg_dl'?"
    assert missing[0].column == "csf_protein_mg_dl"


def test_missing_required_column(cohort_dir):
    write_cells(cohort_dir, "variants", read_cells(cohort_dir, "variants").drop(columns=["gene"]))
    problem = only_problem(cohort_dir)
    assert problem.message == "required column is missing" and problem.column == "gene"


def test_duplicate_column(cohort_dir):
    text = (cohort_dir / "variants.csv").read_text().splitlines()
    text = [line + ",x" for line in text]
    text[0] = text[0].rsplit(",", 1)[0] + ",gene"
    (cohort_dir / "variants.csv").write_text("\n".join(text) + "\n")
    problem = only_problem(cohort_dir)
    assert problem.column == "gene" and "appears twice" in problem.message


def test_values_under_an_empty_header(cohort_dir):
    lines = (cohort_dir / "variants.csv").read_text().splitlines()
    lines = [lines[0] + ","] + [line + ",stray" for line in lines[1:]]
    (cohort_dir / "variants.csv").write_text("\n".join(lines) + "\n")
    problem = only_problem(cohort_dir)
    assert "without a header" in problem.message and problem.column == "column 7"


def test_row_longer_than_header(cohort_dir):
    lines = (cohort_dir / "variants.csv").read_text().splitlines()
    lines[3] += ",extra"
    (cohort_dir / "variants.csv").write_text("\n".join(lines) + "\n")
    problem = only_problem(cohort_dir)
    assert problem.row == 4 and "7 cells but the header has 6" in problem.message


def test_first_data_row_longer_than_header(cohort_dir):
    lines = (cohort_dir / "variants.csv").read_text().splitlines()
    lines[1] += ",extra"
    (cohort_dir / "variants.csv").write_text("\n".join(lines) + "\n")
    problem = only_problem(cohort_dir)
    assert (problem.file, problem.row) == ("variants.csv", 2) and "7 cells but the header has 6" in problem.message


def test_not_utf8(cohort_dir):
    data = (cohort_dir / "patients.csv").read_bytes().replace(b"EX03,EX", "EX03,É".encode("latin-1"), 1)
    data = data.replace(b"EX03", "Ä03".encode("latin-1"), 1)
    (cohort_dir / "patients.csv").write_bytes(data)
    problem = only_problem(cohort_dir)
    assert problem.message == "file is not UTF-8 text" and problem.row == 4  # EX03 is data row 3 = line 4
    assert "UTF-8" in problem.suggestion


@pytest.mark.parametrize(("content", "message"), [(b"", "file is empty"), (b"\n\n", "file is empty"),
                                                  (b"# only a comment\n", "file has no header row")])
def test_empty_files(cohort_dir, content, message):
    (cohort_dir / "studies.csv").write_bytes(content)
    report = validate(cohort_dir)
    assert any(p.file == "studies.csv" and p.message == message for p in report.problems)


def test_missing_file(cohort_dir):
    (cohort_dir / "variants.csv").unlink()
    assert only_problem(cohort_dir).message == "file is missing"


def test_header_only_patients(cohort_dir):
    write_cells(cohort_dir, "patients", read_cells(cohort_dir, "patients").iloc[0:0])
    report = validate(cohort_dir)
    assert any(p.message == "has no patient rows" for p in report.problems)


def test_empty_rows_are_noted_not_silently_dropped(cohort_dir):
    lines = (cohort_dir / "variants.csv").read_text().splitlines()
    lines.insert(2, ",,,,,")
    (cohort_dir / "variants.csv").write_text("\n".join(lines) + "\n")
    cohort = load_cohort(cohort_dir)
    assert len(cohort.variants) == 8
    assert cohort.notes == ("variants.csv, row 3: empty row, not loaded",)
    assert list(cohort.variants["_row"][:3]) == [2, 4, 5]


def test_every_problem_in_one_pass(set_cell):
    set_cell("patients", 0, "fever", "maybe")
    set_cell("studies", 3, "loc_pons", "perhaps")
    folder = set_cell("variants", 2, "zygosity", "het")
    with pytest.raises(InputError, match=r"3 problem\(s\) found; nothing was loaded") as info:
        load_cohort(folder)
    located = {(p.file, p.row, p.column) for p in info.value.problems}
    assert located == {("patients.csv", 2, "fever"), ("studies.csv", 5, "loc_pons"),
                       ("variants.csv", 4, "zygosity")}
    assert "patients.csv, row 2, column 'fever': is not yes/no (value: 'maybe')" in str(info.value)


def test_path_errors(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        load_cohort(tmp_path / "nothing")
    (tmp_path / "cohort.txt").write_text("x")
    with pytest.raises(InputError, match="or one .xlsx workbook"):
        load_cohort(tmp_path / "cohort.txt")


# ------------------------------------------------------------------ xlsx


def _workbook_from(folder: Path, path: Path, sheets=("patients", "studies", "variants")) -> Path:
    with pd.ExcelWriter(path) as writer:
        for table in sheets:
            read_cells(folder, table).to_excel(writer, sheet_name=table, index=False)
    return path


def test_xlsx_loads_like_csv(tmp_path):
    book = _workbook_from(EXAMPLE, tmp_path / "cohort.xlsx")
    from_xlsx, from_csv = load_cohort(book), load_cohort(EXAMPLE)
    assert from_xlsx.patient_records() == from_csv.patient_records()
    assert from_xlsx.study_records() == from_csv.study_records()
    assert from_xlsx.variant_records() == from_csv.variant_records()


def test_xlsx_bad_cell_names_sheet_and_row(tmp_path, cohort_dir, set_cell):
    set_cell("studies", 4, "loc_cord", "sometimes")
    book = _workbook_from(cohort_dir, tmp_path / "bad.xlsx")
    problem = only_problem(book)
    assert (problem.file, problem.row, problem.column) == ("bad.xlsx [sheet studies]", 6, "loc_cord")


def test_xlsx_missing_sheet_suggests_name(tmp_path):
    book = tmp_path / "c.xlsx"
    with pd.ExcelWriter(book) as writer:
        for table, name in (("patients", "patients"), ("studies", "study"), ("variants", "variants")):
            read_cells(EXAMPLE, table).to_excel(writer, sheet_name=name, index=False)
    problem = only_problem(book)
    assert problem.message == "sheet is missing" and problem.suggestion == "did you mean sheet 'study'?"


def test_broken_xlsx(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(InputError, match="cannot be opened as an .xlsx workbook"):
        load_cohort(tmp_path / "broken.xlsx")


def test_a_file_with_the_former_centre_column_is_told_the_new_name(tmp_path):
    import shutil

    from neurohlh.io import validate

    demo = Path(__file__).resolve().parents[2] / "src" / "neurohlh" / "data" / "demo"
    shutil.copytree(demo, tmp_path / "c")
    patients = tmp_path / "c" / "patients.csv"
    patients.write_text(patients.read_text().replace("patient_id,site,", "patient_id,centre,"))
    problems = {(p.column, p.message, p.suggestion) for p in validate(tmp_path / "c").problems}
    assert ("centre", "unknown column", "this column is now called 'site'") in problems
