"""The validate / schema / template commands: exit codes and what they print."""
from __future__ import annotations

import json

from conftest import EXAMPLE
from typer.testing import CliRunner

from neurohlh.cli import app

runner = CliRunner()


def test_validate_ok_exits_0():
    result = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "8 patients, 12 studies, 8 variants; no problems found" in " ".join(result.output.split())


def test_validate_problems_exit_1_and_are_listed(set_cell):
    folder = set_cell("patients", 0, "fever", "maybe")
    result = runner.invoke(app, ["validate", str(folder)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "1 problem(s)" in result.output and "is not yes/no" in result.output and "'maybe'" in result.output


def test_validate_json(set_cell):
    folder = set_cell("studies", 2, "loc_pons", "perhaps")
    result = runner.invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["problems"] == [{"file": "studies.csv", "row": 4, "column": "loc_pons", "value": "perhaps",
                                   "message": "is not yes/no",
                                   "suggestion": "write yes or no (or leave empty for unknown)"}]


def test_validate_missing_path_exits_1(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no such file or folder" in " ".join(result.output.split())


def test_schema_and_template(tmp_path):
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and json.loads(result.output)["required"] == ["patients", "studies", "variants"]
    assert "# neurohlh data dictionary" in runner.invoke(app, ["schema", "--markdown"]).output
    assert runner.invoke(app, ["template", str(tmp_path / "t.xlsx")]).exit_code == 0
    assert (tmp_path / "t.xlsx").exists()
    assert runner.invoke(app, ["template", str(tmp_path / "csv")]).exit_code == 0
    assert (tmp_path / "csv" / "patients.csv").exists()
    bad = runner.invoke(app, ["template", str(tmp_path / "t.docx")])
    assert bad.exit_code == 1 and ".xlsx" in bad.output
