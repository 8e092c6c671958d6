"""What the commands print: user text is shown exactly as written (never read as rich markup), repeated
problems are grouped, failures have one JSON shape, and --version / --help say what a user needs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neurohlh.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"
runner = CliRunner(env={"COLUMNS": "250"})  # wide enough that no table cell wraps


def _frames() -> dict[str, pd.DataFrame]:
    return {t: pd.read_csv(EXAMPLE / f"{t}.csv", dtype=str, keep_default_na=False, comment="#")
            for t in ("patients", "studies", "variants")}


def _write_folder(folder: Path, frames: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir()
    for t, f in frames.items():
        f.to_csv(folder / f"{t}.csv", index=False, lineterminator="\n")
    return folder


def _write_workbook(path: Path, frames: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for t, f in frames.items():
            f.to_excel(xl, sheet_name=t, index=False)
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_sheet_name_and_bracketed_values_are_shown_as_written(tmp_path):
    frames = _frames()
    frames["patients"].loc[0, "sex"] = "[m]"
    frames["patients"].loc[1, "hlh_type"] = "primary [confirmed]"
    book = _write_workbook(tmp_path / "cohort.xlsx", frames)
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 1
    out = _flat(result.output)
    assert "[sheet patients]" in out  # the file label of a workbook names its sheet
    assert "'[m]'" in out and "'primary [confirmed]'" in out


@pytest.mark.parametrize("payload", ["[/x]", "[unknown]", "[link=http://evil]male[/link]", "[bold red]x"])
def test_markup_in_a_value_never_crashes_or_vanishes(tmp_path, payload):
    frames = _frames()
    frames["patients"].loc[0, "sex"] = payload
    folder = _write_folder(tmp_path / "c", frames)
    for command in (["validate", str(folder)], ["analyze", str(folder), "--out", str(tmp_path / "o")],
                    ["criteria", str(folder)], ["classify", str(folder)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert repr(payload) in _flat(result.output), (command, result.output)


def test_markup_in_ids_and_headers_is_printed_literally(tmp_path):
    frames = _frames()
    old = frames["patients"].loc[0, "patient_id"]
    for t in frames.values():
        t.loc[t["patient_id"] == old, "patient_id"] = "[/x]EX01"
    folder = _write_folder(tmp_path / "c", frames)
    classify = runner.invoke(app, ["classify", str(folder)])
    assert classify.exit_code == 0, classify.output
    assert "[/x]EX01" in classify.output
    explain = runner.invoke(app, ["classify", str(folder), "--explain", "[/x]EX01"])
    assert explain.exit_code == 0 and "Patient [/x]EX01" in explain.output
    criteria = runner.invoke(app, ["criteria", str(folder)])
    assert criteria.exit_code == 0 and "[/x]EX01" in criteria.output
    analyze = runner.invoke(app, ["analyze", str(folder), "--out", str(tmp_path / "o")])
    assert analyze.exit_code == 0, analyze.output

    frames["patients"] = frames["patients"].rename(columns={frames["patients"].columns[1]: "[/centre]"})
    bad_header = _write_folder(tmp_path / "h", frames)
    result = runner.invoke(app, ["validate", str(bad_header)])
    assert result.exit_code == 1 and "[/centre]" in result.output and "unknown column" in result.output


def test_repeated_problem_is_one_entry_with_count_and_first_rows(tmp_path):
    frames = _frames()
    studies = pd.concat([frames["studies"]] * 1, ignore_index=True)
    studies["sequences"] = "T1, T2, FLAIR, T1+C"  # one habit in every row
    frames["studies"] = studies
    frames["patients"].loc[0, "sex"] = "femal"  # one other problem must stay visible
    folder = _write_folder(tmp_path / "c", frames)
    result = runner.invoke(app, ["validate", str(folder)])
    out = _flat(result.output)
    n = len(studies)
    assert result.exit_code == 1
    assert f"{n + 1} problem(s)" in out  # every cell is still counted
    assert out.count("item 'T1+C' is not an allowed value") == 1
    assert f"{n} cells: item 'T1+C'" in out
    assert f"2, 3, 4, 5, 6 and {n - 5} more" in out  # first rows (header is row 1)
    assert "separated by ';' or ','" in out  # the message says what is accepted
    assert "did you mean 'female'?" in out
    data = json.loads(runner.invoke(app, ["validate", str(folder), "--json"]).output)
    assert len(data["problems"]) == n + 1  # machine output keeps one entry per cell


def test_failure_json_has_one_shape_for_every_command(tmp_path):
    frames = _frames()
    frames["patients"].loc[0, "sex"] = "maybe"
    folder = _write_folder(tmp_path / "c", frames)
    shapes = []
    for command in (["validate", str(folder), "--json"], ["analyze", str(folder), "--out", str(tmp_path / "o"),
                    "--json"], ["criteria", str(folder), "--json"], ["classify", str(folder), "--json"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        data = json.loads(result.stdout)
        assert data["ok"] is False and data["source"] == str(folder)
        assert data["problems"][0]["value"] == "maybe" and data["problems"][0]["row"] == 2
        shapes.append(set(data) - {"counts", "notes"})
    assert all(s == {"ok", "source", "error", "problems"} for s in shapes[1:]), shapes
    missing = json.loads(runner.invoke(app, ["validate", str(tmp_path / "nowhere"), "--json"]).stdout)
    assert set(missing) == {"ok", "source", "error", "problems"} and "no such file" in missing["error"]


def test_version():
    from neurohlh import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"neurohlh {__version__}"


@pytest.mark.parametrize("command, choices", [
    (["analyze"], "<paper|exact>"), (["demo"], "<paper|exact>"),
    (["criteria"], "<comprehensive|csf>"), (["criteria"], "<paper|lof>"), (["variant"], "<paper|lof>"),
])
def test_help_lists_the_choices_and_no_type_labels(command, choices):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and choices in result.output
    assert "<bool>" not in result.output


def test_top_level_help_has_no_type_labels():
    result = runner.invoke(app, ["--help"])
    assert "<bool>" not in result.output and "--version" in result.output


def test_choices_are_accepted_in_any_case(tmp_path):
    folder = shutil.copytree(EXAMPLE, tmp_path / "c")
    result = runner.invoke(app, ["criteria", str(folder), "--rule", "CSF", "--policy", "LoF", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rule"] == "csf" and data["policy"] == "lof"
    result = runner.invoke(app, ["analyze", str(folder), "--out", str(tmp_path / "o"), "--policy", "EXACT", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["ok"] is True
    assert json.loads((tmp_path / "o" / "results.json").read_text())["policy"] == "exact"
