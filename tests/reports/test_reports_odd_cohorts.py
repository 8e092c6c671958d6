"""Odd but valid cohorts: every command produces output or a clear message, never a traceback or an abort.

Each cohort is derived from the hand-written example cohort (examples/example-cohort) by editing one column,
so the expected behaviour follows from the edit alone.
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neurohlh.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"


def _edit_patients(folder: Path, column: str, value: str) -> None:
    """Set ``column`` to ``value`` in every row of patients.csv (comment lines kept)."""
    path = folder / "patients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    for row in rows:
        row[column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("".join(c + "\n" for c in comments))
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_identical_onset_ages_give_no_test_instead_of_aborting_the_analysis(tmp_path: Path):
    # Every patient 12 months at onset: a rank test is undefined (all values tied), so the comparison carries
    # a reason and no P value; the rest of the report is still written.
    cohort = tmp_path / "same-age"
    shutil.copytree(EXAMPLE, cohort)
    _edit_patients(cohort, "age_at_onset_months", "12")
    result = CliRunner().invoke(app, ["analyze", str(cohort), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    ages = [c for c in data["comparisons"] if c["variable"] == "age_at_onset_months"]
    assert ages and all(c["result"] is None for c in ages)
    assert any("no variation" in c["reason"] for c in ages)


@pytest.mark.parametrize("policy", ["paper", "exact"])
def test_zero_variance_groups_give_a_reason_not_an_error(policy: str):
    # Two groups, each constant (1, 1 vs 2, 2): tests that need within-group variance are undefined; whatever
    # the policy picks, the comparison must come back, either with a P value or with the reason why not.
    import numpy as np
    import pandas as pd

    from neurohlh.analysis import Variable, compare_variable

    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, 1.0, 2.0, 2.0]})
    c = compare_variable(frame, Variable("x", "x", "continuous"), "g", ("a", "b"), "ab", policy)
    assert [s.tolist() for s in c.samples] == [[1.0, 1.0], [2.0, 2.0]]
    assert (c.result is not None and 0 <= c.result.pvalue <= 1) or c.reason.startswith("no test")
    same = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [3.0] * 4})
    c = compare_variable(same, Variable("x", "x", "continuous"), "g", ("a", "b"), "ab", policy)
    assert c.result is None and "no variation" in c.reason and np.isnan(c.pvalue or np.nan)


def test_table1_hlh2004_row_leaves_undecided_patients_out_of_the_denominator():
    # Example cohort, read by hand from examples/example-cohort/patients.csv: EX01, EX02, EX05, EX06, EX07 have a
    # pathogenic genetic result (HLH-2004 molecular path: met); EX03, EX04, EX08 have no genetic result and at
    # most 1 of the 8 clinical items known, so their status is 'could be met' (not evaluable), never 'not met'.
    # Hence 5 met of 5 decided, and the footnote names the 3 left out.
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort
    from neurohlh.reports.tables import table1

    t = table1(analyze(load_cohort(EXAMPLE)))
    assert t.cell("HLH-2004 diagnostic criteria met", 0).text == "5/5 (100%)"
    assert any("3 patient(s) whose status 'could be met'" in n for n in t.footnotes)


def test_recurrent_variant_pooled_column_leaves_unknown_groups_out(tmp_path: Path):
    # Two carriers of the same PRF1 missense variant, homozygous. R1: protein expression absent -> pooled group
    # (paper: missense with absent expression). R2: expression never measured -> group unknown, not "not pooled".
    # By hand: pooled 1 of the 1 carrier whose group is known.
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort, write_cohort_csv
    from neurohlh.reports.tables_imaging import recurrent_table

    import pandas as pd

    patients = pd.DataFrame({
        "patient_id": ["R1", "R2"], "genetic_result": ["pathogenic", "pathogenic"],
        "protein_expression_verdict": ["absent", None]})
    studies = pd.DataFrame({"study_id": ["R1-1", "R2-1"], "patient_id": ["R1", "R2"],
                            "reader": ["consensus", "consensus"]})
    variants = pd.DataFrame({"patient_id": ["R1", "R2"], "gene": ["PRF1", "PRF1"],
                             "hgvs": ["c.272C>T (p.Ala91Val)"] * 2, "zygosity": ["homozygous"] * 2})
    write_cohort_csv({"patients": patients, "studies": studies, "variants": variants}, tmp_path / "c",
                     "SYNTHETIC test cohort")
    result = analyze(load_cohort(tmp_path / "c"))
    assert result.patients.set_index("patient_id")["pooled_group"].tolist()[0] is True
    assert pd.isna(result.patients.set_index("patient_id").at["R2", "pooled_group"])
    t = recurrent_table(result)
    assert len(t.rows) == 1
    assert t.rows[0].cells[2].text == "1/1 (100%)"


@pytest.mark.parametrize("as_json", [False, True])
def test_analyze_into_an_existing_file_is_a_clear_error(tmp_path: Path, as_json: bool):
    target = tmp_path / "a-file"
    target.write_text("not a folder", encoding="utf-8")
    args = ["analyze", str(EXAMPLE), "--out", str(target)] + (["--json"] if as_json else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "is an existing file, not a folder" in text and "Traceback" not in text
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_analyze_reports_a_write_failure_without_a_traceback(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(out / "figures"))
    monkeypatch.setattr("neurohlh.reports.build._write_files", refused)
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "cannot write the report into" in " ".join(result.output.split())


def test_classify_output_into_a_missing_folder_is_a_clear_error(tmp_path: Path):
    target = tmp_path / "missing" / "x.json"
    result = CliRunner().invoke(app, ["classify", str(EXAMPLE), "--json", "-o", str(target)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "cannot write" in " ".join(result.output.split()) and not target.exists()


@pytest.mark.parametrize("command", ["analyze", "criteria"])
def test_an_unreadable_variant_is_reported_with_file_and_row(tmp_path: Path, command: str):
    # One line appended to the example's variants.csv: 2 comment lines + header + 8 variant rows = line 11,
    # so the new variant is on line 12 of the file (the row number a spreadsheet shows).
    cohort = tmp_path / "bad-variant"
    shutil.copytree(EXAMPLE, cohort)
    path = cohort / "variants.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 11
    path.write_text("\n".join(lines + ["EX08,PRF1,c.hello,,heterozygous,"]) + "\n", encoding="utf-8")
    args = [command, str(cohort), "--json"] + (["--out", str(tmp_path / "out")] if command == "analyze" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(p["file"], p["row"], p["column"], p["value"]) for p in data["problems"]] == [
        ("variants.csv", 12, "hgvs", "c.hello")]


def _small_cohort(tmp_path: Path, studies: list[dict]) -> object:
    import pandas as pd

    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort, write_cohort_csv

    ids = sorted({s["patient_id"] for s in studies})
    write_cohort_csv({"patients": pd.DataFrame({"patient_id": ids}), "studies": pd.DataFrame(studies),
                      "variants": pd.DataFrame(columns=["patient_id", "gene", "hgvs"])},
                     tmp_path / "c", "SYNTHETIC test cohort")
    return analyze(load_cohort(tmp_path / "c"))


CLEAN_NONLESIONAL = {"reader": "consensus", "supra_lesion_number": "none", "infra_lesion_number": "none",
                     "atrophy_cerebral": False, "atrophy_cerebellar": False, "ctt_t2_hyperintensity": False,
                     "nonspecific_findings": False}
WM_LESIONS = {"reader": "consensus", "supra_lesion_number": "multiple", "infra_lesion_number": "none",
              "loc_cerebral_wm": True}


def test_pattern2_categories_leave_undeterminable_studies_out_of_the_percentages(tmp_path: Path):
    # Patient A (pattern 2): A-1 normal (every finding known no); A-2 no lesions but atrophy unknown, so its
    # category cannot be decided (atrophy would outrank normal). By hand: normal 1 of 1 decided study,
    # 1 study not determinable.
    from neurohlh.reports.tables_more import pattern2_table

    result = _small_cohort(tmp_path, [
        {"study_id": "A-1", "patient_id": "A", "age_at_study_months": 10, **CLEAN_NONLESIONAL},
        {"study_id": "A-2", "patient_id": "A", "age_at_study_months": 20, **CLEAN_NONLESIONAL,
         "atrophy_cerebral": None}])
    t = pattern2_table(result)
    assert t.cell("Normal findings", 0).text == "1/1 (100%)"
    assert t.cell("Cerebral atrophy with or without cerebellar atrophy", 0).text == "0/1 (0%)"
    assert t.cell("Category not determinable (unknown findings)", 0).text == "1"


def test_a_study_with_only_a_cord_lesion_is_its_own_pattern2_category_never_normal(tmp_path: Path):
    # Patient A (pattern 2): A-1 normal; A-2 a short-segment cord lesion and nothing else. By hand: normal 1 of 2
    # decided studies, extra-parenchymal findings only 1 of 2 (never counted as normal).
    from neurohlh.reports.tables_more import pattern2_table

    result = _small_cohort(tmp_path, [
        {"study_id": "A-1", "patient_id": "A", "age_at_study_months": 10, **CLEAN_NONLESIONAL},
        {"study_id": "A-2", "patient_id": "A", "age_at_study_months": 20, **CLEAN_NONLESIONAL, "loc_cord": True}])
    t = pattern2_table(result)
    assert t.cell("Normal findings", 0).text == "1/2 (50%)"
    extra = next(r.label for r in t.rows if r.label.startswith("Extra-parenchymal findings only"))
    assert t.cell(extra, 0).text == "1/2 (50%)"
    assert result.study_summary["pattern_2_extraparenchymal_only"].numerator == 1
    assert result.study_summary["pattern_2_normal"].numerator == 1


def test_ever_showing_a_subpattern_is_over_patients_in_whom_it_is_known(tmp_path: Path):
    # B: a 1.1 study (cerebral WM lesions, infratentorial none -> no pons lesions, no cerebellar swelling), then a
    # study whose lesion status is unknown (could have been 1.2 or 1.3). C: a single 1.1 study.
    # By hand: ever 1.1 = B, C -> 2/2; ever 1.2 and 1.3: known never only for C -> 0/1.
    from neurohlh.reports.tables_more import evolution_table

    result = _small_cohort(tmp_path, [
        {"study_id": "B-1", "patient_id": "B", "age_at_study_months": 10, **WM_LESIONS},
        {"study_id": "B-2", "patient_id": "B", "age_at_study_months": 20, "reader": "consensus"},
        {"study_id": "C-1", "patient_id": "C", "age_at_study_months": 10, **WM_LESIONS}])
    assert list(result.patients["pattern"]) == ["1", "1"]
    row = evolution_table(result).row("Any study")
    assert [c.text for c in row.cells[:3]] == ["2/2 (100%)", "0/1 (0%)", "0/1 (0%)"]


def test_deficit_free_of_patients_who_died(tmp_path: Path):
    # Schema: deficit_free = "alive and free of neurologic deficit at last follow-up". D1 died with deficit_free
    # blank -> known not deficit-free (kept in the denominator as a no, not dropped); D2 alive with a deficit;
    # D3 alive and deficit-free. By hand: deficit-free 1 of 3.
    import pandas as pd

    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort, write_cohort_csv

    patients = pd.DataFrame({"patient_id": ["D1", "D2", "D3"], "died": [True, False, False],
                             "deficit_free": [None, False, True], "follow_up_months": [3.0, 5.0, 20.0]})
    studies = pd.DataFrame([{"study_id": f"{p}-1", "patient_id": p, "age_at_study_months": 10, **WM_LESIONS}
                            for p in ("D1", "D2", "D3")])
    write_cohort_csv({"patients": patients, "studies": studies,
                      "variants": pd.DataFrame(columns=["patient_id", "gene", "hgvs"])}, tmp_path / "c",
                     "SYNTHETIC test cohort")
    result = analyze(load_cohort(tmp_path / "c"))
    assert result.comparison("deficit_free", "patterns").counts[0] == (1, 3)
    assert any("1 patient(s) who died have deficit_free blank" in w for w in result.warnings)
    survival = next(s for s in result.survival if s.endpoint == "deficit_free_survival")
    # D2's deficit has no time (deficit_months_after_diagnosis blank): out of the curve, counted; D1 and D3 in it
    assert survival.n_excluded == 1 and survival.n_deficit_without_time == 1
    assert survival.curves["Pattern 1"][2] == 2


def test_genotype_table_says_how_many_genotyped_patients_fit_neither_column():
    # Example cohort (examples/example-cohort/variants.csv, read by hand), paper policy:
    #   EX01 PRF1 c.50del hom, EX02 UNC13D c.2346_2349del hom: frameshift only -> purely disruptive, pooled;
    #   EX05 two PRF1 missense, expression residual -> not purely, residual-expression comparator;
    #   EX06 UNC13D c.754-1G>C (splice: disruptive undecided by the paper) + missense -> not purely (a missense
    #        allele), pooled undecided (no disruptive allele, one undecided);
    #   EX07 PRF1 c.50del + missense -> not purely, pooled.
    # So 5 patients with variant data; purely unknown 0; pooled unknown 1 (EX06).
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort
    from neurohlh.reports.tables_more import genotype_table

    t = genotype_table(analyze(load_cohort(EXAMPLE)))
    assert t.cell("Patients", "Purely disruptive").text == "2"
    assert t.cell("Patients", "Not purely disruptive").text == "3"
    assert t.cell("Patients", "Pooled group").text == "3"
    assert t.cell("Patients", "Residual-expression missense").text == "1"
    assert t.footnotes[-1].startswith("5 patients with variant data; group not classifiable")
    assert "purely disruptive or not 0, pooled or residual expression 1" in t.footnotes[-1]


def test_xlsx_keeps_a_patient_id_that_looks_like_a_formula_as_text(tmp_path: Path):
    # A patient id typed as "=1+1" must come back as the text "=1+1", not as a formula (computed 2 by Excel).
    from openpyxl import load_workbook

    from neurohlh.reports.model import Cell, Report, Row, Table
    from neurohlh.reports.render import write_xlsx

    table = Table("t", "Title", ("=1+1",), (Row("=SUM(A1:A2)", (Cell("=HYPERLINK(\"x\")"),)),), ("note",))
    path = write_xlsx(Report("title", (table,), ()), tmp_path / "t.xlsx")
    cells = {c.coordinate: c for row in load_workbook(path)["t"].iter_rows() for c in row if c.value}
    texts = {c.value: c.data_type for c in cells.values()}
    assert texts["=1+1"] == "s" and texts["=SUM(A1:A2)"] == "s" and texts['=HYPERLINK("x")'] == "s"


def test_an_undefined_categorical_test_gives_a_reason(monkeypatch):
    # No real 2 x 2 table with both margins non-zero makes neurohlh.stats refuse; simulate a refusal to check
    # that the comparison comes back with the reason instead of aborting the whole analysis.
    import pandas as pd

    import neurohlh.analysis.compare
    from neurohlh.analysis import Variable, compare_variable
    from neurohlh.errors import InputError

    def refuse(table, policy):
        raise InputError("table refused")

    monkeypatch.setattr(neurohlh.analysis.compare, "compare_categorical", refuse)
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": pd.array([True, False, False, False], dtype="boolean")})
    c = compare_variable(frame, Variable("x", "x", "binary"), "g", ("a", "b"), "ab", "paper")
    assert c.counts == ((1, 2), (0, 2)) and c.result is None and c.reason == "no test: table refused"
