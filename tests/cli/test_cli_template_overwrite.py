"""`neurohlh template` never overwrites a cohort unless told to, and creates the folders it needs."""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.io import validate


def _text(result) -> str:
    return " ".join(result.output.split())


def test_template_refuses_to_overwrite_a_filled_workbook(tmp_path: Path):
    book = tmp_path / "my-cohort.xlsx"
    assert CliRunner().invoke(app, ["template", str(book)]).exit_code == 0
    book.write_bytes(b"the cohort typed in by hand")  # stands for a filled workbook
    again = CliRunner().invoke(app, ["template", str(book)])
    assert again.exit_code == 1 and "already exists" in _text(again) and "--force" in _text(again)
    assert book.read_bytes() == b"the cohort typed in by hand"
    forced = CliRunner().invoke(app, ["template", str(book), "--force"])
    assert forced.exit_code == 0 and book.read_bytes()[:2] == b"PK"


def test_template_refuses_to_overwrite_a_cohort_folder(tmp_path: Path):
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "patients.csv").write_text("patient_id\nP01\n")
    result = CliRunner().invoke(app, ["template", str(folder)])
    assert result.exit_code == 1 and "patients.csvalreadyexists" in "".join(result.output.split())
    assert (folder / "patients.csv").read_text() == "patient_id\nP01\n"
    assert not (folder / "studies.csv").exists()  # nothing written at all


def test_template_into_a_missing_folder_creates_it(tmp_path: Path):
    book = tmp_path / "new" / "deeper" / "c.xlsx"
    assert CliRunner().invoke(app, ["template", str(book)]).exit_code == 0
    assert CliRunner().invoke(app, ["template", str(tmp_path / "a" / "b" / "csv")]).exit_code == 0
    for table in ("patients", "studies", "variants"):
        assert (tmp_path / "a" / "b" / "csv" / f"{table}.csv").exists()
    problems = validate(book).problems  # a readable workbook: the only problem is that no patient is in it yet
    assert [p.message for p in problems] == ["has no patient rows"]
