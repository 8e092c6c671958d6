"""``neurohlh analyze``: refuses invalid cohorts with the validation report, writes every output file,
machine output with --json, policy validation, and results.json content."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neurohlh.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("example")
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_analyze_writes_every_output(example_run):
    out, summary = example_run
    assert summary["ok"] is True and summary["report"] == str(out / "report.html")
    for name in ("report.html", "tables.docx", "tables.xlsx", "results.json"):
        assert (out / name).stat().st_size > 0, name
    keys = {"table1", "table2", "table2_extended", "lesions", "pattern2_categories", "clippers", "evolution",
            "genotype", "recurrent_variants", "completeness"}
    assert {p.stem for p in (out / "tables").glob("*.csv")} == keys
    figures = {p.name for p in (out / "figures").iterdir()}
    for key in ("age_by_pattern", "overall_survival", "deficit_free_survival", "lesion_distribution"):
        assert {f"{key}.svg", f"{key}.png"} <= figures
        assert (out / "figures" / f"{key}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_results_json_holds_every_patient_and_every_test(example_run):
    out, _ = example_run
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    patients = (EXAMPLE / "patients.csv").read_text(encoding="utf-8").splitlines()
    n_patients = sum(1 for line in patients if line and not line.startswith("#")) - 1  # minus the header
    tables = data["per_patient"]
    for name in ("allocations", "hlh2004", "cns_involvement"):
        assert tables[name]["rows"] == n_patients and tables[name]["file"] == f"results/{name}.csv"
        with (out / tables[name]["file"]).open(encoding="utf-8") as fh:
            assert sum(1 for _ in csv.reader(fh)) == n_patients + 1  # the header, then one row per patient
    assert data["detail"] == "full" and tables["details"]["file"] == "results/details.jsonl"
    details = [json.loads(line) for line in (out / "results" / "details.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(details) == n_patients and "trace" in details[0]["allocation"]
    assert data["policy"] == "exact" and set(data["checksums"])  # analyze's default plan on a user's cohort == {"patients.csv", "studies.csv", "variants.csv"}
    assert {c["comparison"] for c in data["comparisons"]} == {"subpatterns", "patterns", "purely disruptive",
                                                             "pooled vs residual"}
    tested = [c for c in data["comparisons"] if c["result"]]
    assert tested and all(0.0 <= c["result"]["pvalue"] <= 1.0 and c["result"]["test"] for c in tested)
    assert [t["key"] for t in data["tables"]][0:2] == ["table1", "table2"]


def test_analyze_refuses_an_invalid_cohort_with_the_validation_report(tmp_path: Path):
    bad = tmp_path / "bad"
    shutil.copytree(EXAMPLE, bad)
    text = (bad / "patients.csv").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    column = header.split(",").index("sex")
    lines = text.splitlines()
    first_data = lines.index(header) + 1
    cells = lines[first_data].split(",")
    cells[column] = "robot"
    lines[first_data] = ",".join(cells)
    (bad / "patients.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(bad), "--out", str(out), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert any(p["column"] == "sex" and p["value"] == "robot" for p in report["problems"])
    assert not out.exists()  # nothing analysed, nothing written
    human = CliRunner().invoke(app, ["analyze", str(bad), "--out", str(out)])
    text = " ".join(human.output.split())  # rich wraps long lines
    assert human.exit_code == 1 and "robot" in text and "nothing was analysed" in text


def test_analyze_rejects_an_unknown_policy(tmp_path: Path):
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--out", str(tmp_path), "--policy", "spss"])
    assert result.exit_code == 2 and "--policy" in result.output


def test_analyze_missing_path_is_an_error_not_a_traceback(tmp_path: Path):
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    text = " ".join(result.output.split())  # rich wraps long lines
    assert result.exit_code == 1 and "no such file or folder" in text
    assert "Traceback" not in text


def test_policy_exact_uses_exact_tests_for_sparse_tables(tmp_path: Path):
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort

    result = analyze(load_cohort(EXAMPLE), policy="exact")
    names = {c.result.test for c in result.comparisons if c.result is not None and c.variable.kind == "binary"}
    assert any(n.startswith("Fisher") for n in names)  # the example cohort's tables are all sparse


def test_analyze_function_rejects_an_unknown_policy():
    from neurohlh.analysis import analyze
    from neurohlh.errors import InputError
    from neurohlh.io import load_cohort

    with pytest.raises(InputError, match="`policy` must be one of"):
        analyze(load_cohort(EXAMPLE), policy="spss")


def test_a_cohort_without_variants_or_follow_up_still_gives_a_full_report(tmp_path: Path):
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort
    from neurohlh.reports import build_report, write_report

    cohort_dir = tmp_path / "cohort"
    shutil.copytree(EXAMPLE, cohort_dir)
    variants = (cohort_dir / "variants.csv").read_text(encoding="utf-8").splitlines()
    header = next(line for line in variants if not line.startswith("#"))
    (cohort_dir / "variants.csv").write_text(header + "\n", encoding="utf-8")
    patients = (cohort_dir / "patients.csv").read_text(encoding="utf-8").splitlines()
    head = next(line for line in patients if not line.startswith("#"))
    col = head.split(",").index("follow_up_months")
    body = [line for line in patients if not line.startswith("#") and line != head]
    blanked = []
    for line in body:
        cells = line.split(",")
        cells[col] = ""
        blanked.append(",".join(cells))
    (cohort_dir / "patients.csv").write_text("\n".join([head, *blanked]) + "\n", encoding="utf-8")
    result = analyze(load_cohort(cohort_dir))
    report = build_report(result)
    genotype = report.table("genotype")
    assert genotype.cell("Patients", "Pooled group").text == "0"
    assert genotype.cell("Median age at onset (mo)", 2).text == "n/a"  # no test without genotype groups
    assert {f.key for f in report.figures}.isdisjoint({"overall_survival", "deficit_free_survival"})
    assert any("without follow-up time" in w for w in result.warnings)
    files = write_report(result, tmp_path / "out", report)
    assert files.html.exists() and files.docx.exists() and files.xlsx.exists()


def test_results_json_compact_detail_keeps_every_allocation_without_traces(tmp_path: Path):
    from neurohlh.analysis import analyze
    from neurohlh.errors import InputError
    from neurohlh.io import load_cohort
    from neurohlh.reports import build_report
    from neurohlh.reports.build import write_results_json

    result = analyze(load_cohort(EXAMPLE))
    report = build_report(result)
    path = write_results_json(result, report, tmp_path / "r.json", detail="compact")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["detail"] == "compact" and "details" not in data["per_patient"]
    assert not (tmp_path / "results" / "details.jsonl").exists()
    with (tmp_path / "results" / "allocations.csv").open(encoding="utf-8") as fh:
        allocations = list(csv.DictReader(fh))
    assert len(allocations) == len(result.patients) and "trace" not in allocations[0]
    assert [a["pattern"] for a in allocations] == list(result.patients["pattern"])
    with (tmp_path / "results" / "hlh2004.csv").open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    assert first["status"] in {"met", "not_met", "could_be_met"}
    assert len([k for k in first if k.startswith("item_")]) == 8
    with pytest.raises(InputError, match="`detail` must be one of"):
        write_results_json(result, report, tmp_path / "x.json", detail="everything")


def test_analyze_reports_an_unreadable_variant_instead_of_a_traceback(tmp_path: Path):
    bad = tmp_path / "bad"
    shutil.copytree(EXAMPLE, bad)
    text = (bad / "variants.csv").read_text(encoding="utf-8")
    (bad / "variants.csv").write_text(text.replace("c.272C>T (p.Ala91Val)", "banana", 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(bad), "--out", str(tmp_path / "out")])
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "banana" in text and "Traceback" not in text
    assert not (tmp_path / "out" / "report.html").exists()
