"""Completeness per field: known and blank values counted by hand from the file, the "only positives ticked"
warning in validate, its JSON and the report, and template instructions that say a blank is unknown."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.io import validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"
runner = CliRunner(env={"COLUMNS": "250"})


def _only_positives(tmp_path: Path) -> Path:
    """The example cohort where seizures were ticked for 3 patients and left blank for the 5 others."""
    folder = shutil.copytree(EXAMPLE, tmp_path / "c")
    lines = (folder / "patients.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame = pd.read_csv(folder / "patients.csv", dtype=str, keep_default_na=False, comment="#")
    frame["seizures"] = ["yes", "", "yes", "", "", "yes", "", ""]
    (folder / "patients.csv").write_text("".join(comments) + frame.to_csv(index=False, lineterminator="\n"),
                                         encoding="utf-8")
    return folder


def _hand_count(folder: Path, column: str) -> tuple[int, int]:
    with (folder / "patients.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    known = sum(1 for r in rows if r[column].strip() not in ("", "na", "unknown"))
    return known, len(rows) - known


def test_known_and_blank_are_counted_per_field(tmp_path):
    folder = _only_positives(tmp_path)
    report = validate(folder)
    by_field = {(c.table, c.field): c for c in report.completeness}
    for column in ("seizures", "fever", "age_at_onset_months"):
        known, blank = _hand_count(folder, column)
        item = by_field[("patients", column)]
        assert (item.n_known, item.n_blank, item.n_rows) == (known, blank, 8)
    assert by_field[("patients", "seizures")].n_yes == 3 and by_field[("patients", "seizures")].n_no == 0
    assert all(c.n_known > 0 for c in report.completeness)  # only fields in use are listed
    assert not any(c.field == "patient_id" for c in report.completeness)


def test_validate_warns_when_only_positives_were_ticked(tmp_path):
    folder = _only_positives(tmp_path)
    result = runner.invoke(app, ["validate", str(folder)])
    text = " ".join(result.output.split())
    assert result.exit_code == 0  # a warning, not an error: the file is valid
    assert "column 'seizures': only 'yes' and blanks (3 yes, 5 blank)" in text
    assert "'seizures' is 3/3 (100%) among the known values; write 'no'" in text
    listed = runner.invoke(app, ["validate", str(folder), "--completeness"])
    row = next(line for line in listed.output.splitlines() if " seizures " in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == ["patients", "seizures", "3/8 (38%)", "5", "3 / 0"]
    data = json.loads(runner.invoke(app, ["validate", str(folder), "--json"]).output)
    seizures = next(c for c in data["completeness"] if c["field"] == "seizures")
    assert seizures == {"table": "patients", "field": "seizures", "n_rows": 8, "n_known": 3, "n_blank": 5,
                        "n_yes": 3, "n_no": 0}
    assert any("'seizures'" in w for w in data["completeness_warnings"])


def test_complete_column_gives_no_warning(tmp_path):
    folder = shutil.copytree(EXAMPLE, tmp_path / "c")
    warnings = validate(folder).completeness_warnings
    assert not any("'sex'" in w for w in warnings)


def test_report_shows_completeness_and_the_warning(tmp_path):
    folder = _only_positives(tmp_path)
    result = runner.invoke(app, ["analyze", str(folder), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r" / "results.json").read_text())
    table = next(t for t in data["tables"] if t["key"] == "completeness")
    row = next(r for r in table["rows"] if r["label"] == "seizures")
    assert row["cells"][0]["numerator"] == 3 and row["cells"][0]["denominator"] == 8
    assert row["cells"][1]["text"] == "5" and row["cells"][3]["text"] == "only yes recorded"
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "only &#39;yes&#39; and blanks (3 yes, 5 blank)" in html


def test_templates_say_blank_is_unknown_and_no_must_be_written(tmp_path):
    from openpyxl import load_workbook

    runner.invoke(app, ["template", str(tmp_path / "t.xlsx")])
    sheet = load_workbook(tmp_path / "t.xlsx")["instructions"]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "An empty cell means unknown" in text and "needs an explicit 'no'" in text
    runner.invoke(app, ["template", str(tmp_path / "csv")])
    readme = (tmp_path / "csv" / "README.txt").read_text(encoding="utf-8")
    assert "An empty cell means unknown" in readme and "needs an explicit 'no'" in readme


def test_a_loaded_cohort_counts_its_completeness_once(monkeypatch):
    import dataclasses

    import neurohlh.io as nio
    from neurohlh.io import load_cohort

    cohort = load_cohort(EXAMPLE)
    counted = nio.cohort_completeness({"patients": cohort.patients, "studies": cohort.studies,
                                       "variants": cohort.variants})

    def not_again(frames):
        raise AssertionError("counted again")
    monkeypatch.setattr(nio, "cohort_completeness", not_again)
    assert cohort.completeness == counted  # what validation counted on these tables
    monkeypatch.undo()
    fewer = dataclasses.replace(cohort, studies=cohort.studies.iloc[:0])
    assert [c.table for c in fewer.completeness] == [c.table for c in counted if c.table != "studies"]
