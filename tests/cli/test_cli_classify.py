"""``neurohlh classify``: table, --json, --csv, --explain, --summary and error exits."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neurohlh.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"

#: What the hand-written example cohort illustrates (examples/make_example_cohort.py, patient notes).
EXPECTED = {
    "EX01": ("2", None), "EX02": ("2", None), "EX03": ("2", None), "EX04": ("2", None),
    "EX05": ("1", "1.1"), "EX06": ("1", "1.2"), "EX07": ("1", "1.3"), "EX08": ("1", "1.1"),
}


def _run(*args: str, **kw):
    return runner.invoke(app, ["classify", *args], env={"COLUMNS": "200"}, **kw)


def test_json_holds_one_object_per_patient_with_pattern_onset_and_studies():
    result = _run(str(EXAMPLE), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {d["patient_id"]: (d["pattern"], d["onset_subpattern"]) for d in data} == EXPECTED
    ex08 = next(d for d in data if d["patient_id"] == "EX08")
    assert ex08["transitions"] == ["1.1->1.2"]
    assert [s["subpattern"] for s in ex08["studies"]] == ["1.1", "1.2"]
    assert "trace" not in ex08 and "trace" not in ex08["studies"][0]
    with_trace = json.loads(_run(str(EXAMPLE), "--json", "--trace").stdout)
    assert with_trace[0]["trace"][0]["rule"] == "study_order"
    assert with_trace[0]["studies"][0]["trace"][0]["rule"] == "parenchymal_lesions"


def test_table_lists_every_patient_and_the_totals():
    result = _run(str(EXAMPLE))
    assert result.exit_code == 0, result.output
    for pid in EXPECTED:
        assert pid in result.output
    assert "pattern 1: 4, pattern 2: 4, indeterminate: 0; onset 1.1: 2, 1.2: 1, 1.3: 1" in result.output


def test_csv_has_one_row_per_patient(tmp_path):
    out = tmp_path / "patterns.csv"
    result = _run(str(EXAMPLE), "--csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["patient_id"]: (r["pattern"], r["onset_subpattern"] or None) for r in rows} == EXPECTED
    ex07 = next(r for r in rows if r["patient_id"] == "EX07")
    assert ex07["evolution"] == "1.3 > 1.1" and ex07["red_flag"] == "raised"


def test_explain_prints_patient_and_study_rules():
    result = _run(str(EXAMPLE), "--explain", "EX06")
    assert result.exit_code == 0, result.output
    text = result.output
    for needle in ("Patient EX06: pattern 1, onset subpattern 1.2", "patient_pattern", "subpattern_1_2",
                   "Results, Subgroup 1.2", "CLIPPERS radiologic check", "Red flag", "perforin"):
        assert needle in text, needle
    data = json.loads(_run(str(EXAMPLE), "--explain", "EX06", "--json").stdout)
    assert len(data) == 1 and data[0]["trace"]


def test_summary_table_and_json():
    result = _run(str(EXAMPLE), "--summary")
    assert result.exit_code == 0, result.output
    assert "Cerebral involvement" in result.output
    data = json.loads(_run(str(EXAMPLE), "--summary", "--json").stdout)
    counts = {c["key"]: c for c in data["counts"]}
    assert counts["pattern_2_studies"]["denominator"] == data["n_studies"]
    rows = list(csv.DictReader(io.StringIO(_run(str(EXAMPLE), "--summary", "--csv").stdout)))
    assert [r["key"] for r in rows] == [c["key"] for c in data["counts"]]
    assert rows[0]["numerator"] == str(data["counts"][0]["numerator"])


@pytest.mark.parametrize("args, code, message", [
    (["--explain", "EX6"], 1, "did you mean 'EX06'"),
    (["--json", "--csv"], 2, "choose one of --json and --csv"),
])
def test_bad_options_exit_non_zero(args, code, message):
    result = _run(str(EXAMPLE), *args)
    assert result.exit_code == code
    assert message in result.output


def test_missing_cohort_exits_1(tmp_path):
    result = _run(str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def _example_with_impossible_date(tmp_path):
    """The example cohort with its first study date made impossible (month 13)."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("patients", "studies", "variants"):
        text = (EXAMPLE / f"{name}.csv").read_text()
        if name == "studies":
            text = text.replace("consensus,2015-07-01", "consensus,2015-13-01", 1)
        (folder / f"{name}.csv").write_text(text)
    return folder


def test_invalid_cohort_lists_problems_and_exits_1(tmp_path):
    folder = _example_with_impossible_date(tmp_path)
    result = _run(str(folder))
    assert result.exit_code == 1
    assert "is not a date" in result.output and "2015-13-01" in result.output


def test_invalid_cohort_with_json_prints_json_problems(tmp_path):
    # the example's first study date, made impossible (month 13): the loader names file, row and column
    folder = _example_with_impossible_date(tmp_path)
    result = _run(str(folder), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(p["file"], p["column"], p["value"]) for p in data["problems"]] == [
        ("studies.csv", "study_date", "2015-13-01")]
