"""The acceptance test of issue 7: ``neurohlh demo`` writes the report, and Table 2 as read back from
report.html (stdlib HTML parser), tables.docx (python-docx) and tables.xlsx (openpyxl) carries the values
Malik et al. published (AJNR 2021, Table 2, "Pattern characteristics and analysis").

The demo cohort (neurohlh.datasets, issue 6) is synthetic and reconstructed from the published counts.
Published cells are typed in below from the paper; where the paper's own cells are inconsistent or its
P value cannot be reproduced from its counts by any standard test, the reason is stated next to the value
(see /work/shared/reference/stats.md section 6 for the recomputation).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from report_readers import docx_tables, html_tables, rows_by_label, xlsx_sheet

# Paper, Table 2: (1.1, 1.2, 1.3) counts, subpattern P, (pattern 1, pattern 2) counts, pattern P.
# Counts are n/N; the paper prints some cells without N ("13 (65%)": N is the CSF denominator 20/5/5 and
# 30/20 of the Abnormal CSF row) or as "0" (0/25).
PUBLISHED = {
    "Seizures": (("11/21", "4/5", "4/6"), ".5", ("19/32", "9/25"), ".08"),
    "Encephalopathy": (("11/21", "1/5", "4/6"), ".3", ("16/32", "6/25"), ".04"),
    "Gait ataxia": (("5/21", "3/5", "3/6"), ".08", ("12/32", "0/25"), ".001"),
    "Limb weakness": (("6/21", "1/5", "1/6"), ".8", ("8/32", "1/25"), ".03"),
    "Dysarthria": (("0/21", "2/5", "1/6"), ".01", ("3/32", "1/25"), ".4"),
    "Diplopia": (("1/21", "2/5", "2/6"), ".06", ("5/32", "0/25"), ".03"),
    "Abnormal CSF": (("18/20", "4/5", "5/5"), ".6", ("27/30", "15/20"), ".2"),
    "Proteinosis": (("13/20", "4/5", "4/5"), ".5", ("21/30", "11/20"), ".3"),
    "Pleocytosis": (("10/20", "4/5", "5/5"), ".08", ("19/30", "6/20"), ".04"),
    "Pooled mutation group": (("4/6", "2/3", "3/3"), ".32", ("9/12", "13/13"), ".09"),
    "Mortality": (("9/20", "3/5", "2/6"), ".3", ("14/31", "5/24"), ".06"),
    "Deficit-free at follow-up": (("8/20", "1/5", "1/6"), ".1", ("10/31", "13/25"), ".06"),
}
PUBLISHED_AGE = (("45.4", "66", "80.5"), ".5", ("55.5", "16"), ".004")

# The paper contradicts itself in two rows; the demo cohort (issue 6, tests/datasets/published_counts.tsv)
# follows the text-consistent value, so the report shows it instead of the printed cell:
DEPARTURES = {
    ("Gait ataxia", 2): ("4/6", "printed 5+3+3 = 11 subpattern cells, but the overall row and Table 1 say 12"),
    ("Pooled mutation group", 0): ("3/6", "text: all 3 residual-expression missense patients are subpattern 1.1"),
    ("Pooled mutation group", 1): ("3/3", "text: all 3 residual-expression missense patients are subpattern 1.1"),
}

# Printed P values that no test of the "paper" policy (uncorrected Pearson chi-square; variable-level
# Shapiro-Wilk then Mann-Whitney / Kruskal-Wallis) reproduces from the counts (stats.md section 6). For these
# the P is still checked, against an independent scipy computation from the same counts.
UNREPRODUCIBLE_P = {
    ("Proteinosis", "subpatterns"): "Pearson .70, FFH 1.0 from the printed counts (printed .5)",
    ("Pooled mutation group", "subpatterns"): "printed counts give Pearson .51, the demo's text-consistent counts .135",
    ("Mortality", "subpatterns"): "Pearson .68, FFH .77 (printed .3)",
    ("Deficit-free at follow-up", "subpatterns"): "Pearson .46 (printed .1): likely a time-to-event test",
    ("Deficit-free at follow-up", "patterns"): "Pearson .135, Fisher .18 (printed .06)",
    ("Pleocytosis", "patterns"): "Pearson .021; the printed .04 is Fisher .042 (the paper switched test here)",
    ("Pooled mutation group", "patterns"): "Pearson .055; the printed .09 is Fisher .096 truncated",
}

SUB_P, PAT_P = 3, 6  # positions of the two P cells among the 7 cells after the label


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from neurohlh.cli import app

    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Report: {out / 'report.html'}" in result.output
    return out


def _n_over_n(text: str) -> str:
    m = re.match(r"^(\d+/\d+)", text)
    return m.group(1) if m else text


def _table2_grids(folder: Path) -> dict[str, dict[str, list[str]]]:
    html = html_tables(folder / "report.html").tables["table2"]
    docx = next(t for t in docx_tables(folder / "tables.docx")
                if any(cell.startswith("1.1 (n =") for cell in t[1]))  # the (non-extended) Table 2
    xlsx = xlsx_sheet(folder / "tables.xlsx", "table2")
    return {"report.html": rows_by_label(html), "tables.docx": rows_by_label(docx), "tables.xlsx": rows_by_label(xlsx)}


def _pvalues(folder: Path) -> dict[tuple[str, str], float]:
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return {(c["label"], c["comparison"]): c["result"]["pvalue"] for c in data["comparisons"] if c["result"]}


def p_matches(p: float, printed: str) -> bool:
    """Rounding or truncating ``p`` to the printed decimals gives the printed value (".04", ".001").

    The paper evidently truncated some of SPSS's 3-decimal values (.045 -> .04; stats.md section 6).
    """
    decimals = len(printed.split(".")[1])
    target = float("0" + printed)
    rounded = round(p, decimals)
    truncated = math.floor(p * 10 ** decimals + 1e-9) / 10 ** decimals
    return math.isclose(rounded, target) or math.isclose(truncated, target)


def test_p_matching_rule_by_hand():
    assert p_matches(0.0454, ".04") and p_matches(0.0454, ".05")
    assert p_matches(0.00057, ".001") and not p_matches(0.021, ".04")


@pytest.mark.parametrize("fmt", ["report.html", "tables.docx", "tables.xlsx"])
def test_table2_counts_match_the_paper(demo_report: Path, fmt: str):
    rows = _table2_grids(demo_report)[fmt]
    for label, (sub, _, pat, _) in PUBLISHED.items():
        cells = rows[label]
        expected = [DEPARTURES.get((label, i), (printed, ""))[0] for i, printed in enumerate(sub)]
        assert [_n_over_n(c) for c in cells[0:3]] == expected, (fmt, label)
        assert [_n_over_n(cells[4]), _n_over_n(cells[5])] == list(pat), (fmt, label)


@pytest.mark.parametrize("fmt", ["report.html", "tables.docx", "tables.xlsx"])
def test_table2_median_age_matches_the_paper(demo_report: Path, fmt: str):
    cells = _table2_grids(demo_report)[fmt]["Median age at onset (mo)"]
    medians = [c.split(" ")[0] for c in cells]
    assert medians[0:3] == list(PUBLISHED_AGE[0])
    assert medians[4:6] == list(PUBLISHED_AGE[2])


@pytest.mark.parametrize("fmt", ["report.html", "tables.docx", "tables.xlsx"])
def test_table2_p_values_match_the_paper_where_reproducible(demo_report: Path, fmt: str):
    from neurohlh.stats import format_p

    rows = _table2_grids(demo_report)[fmt]
    pvalues = _pvalues(demo_report)
    mismatches = []
    for label, (_, p_sub, _, p_pat) in {**PUBLISHED, "Median age at onset (mo)": PUBLISHED_AGE}.items():
        for comparison, index, printed in (("subpatterns", SUB_P, p_sub), ("patterns", PAT_P, p_pat)):
            p = pvalues[(label, comparison)]
            assert rows[label][index] == format_p(p), (fmt, label, comparison)  # the cell shows the computed P
            if (label, comparison) not in UNREPRODUCIBLE_P and not p_matches(p, printed):
                mismatches.append((label, comparison, p, printed))
    assert not mismatches, mismatches


def test_table2_categorical_p_equal_an_independent_pearson_chi_square(demo_report: Path):
    from scipy.stats import chi2_contingency

    rows = _table2_grids(demo_report)["report.html"]
    pvalues = _pvalues(demo_report)
    for label in PUBLISHED:
        cells = rows[label]
        for comparison, idx in (("subpatterns", (0, 1, 2)), ("patterns", (4, 5))):
            counts = [tuple(int(x) for x in _n_over_n(cells[i]).split("/")) for i in idx]
            table = [[a, n - a] for a, n in counts]
            expected = chi2_contingency(table, correction=False).pvalue
            assert pvalues[(label, comparison)] == pytest.approx(expected, rel=1e-9), (label, comparison)


def test_age_p_values_use_rank_tests_as_the_paper(demo_report: Path, demo_result):
    from scipy.stats import kruskal, mannwhitneyu

    data = json.loads((demo_report / "results.json").read_text(encoding="utf-8"))
    tests = {(c["label"], c["comparison"]): c["result"] for c in data["comparisons"] if c["result"]}
    assert tests[("Median age at onset (mo)", "subpatterns")]["test"].startswith("Kruskal-Wallis")
    assert tests[("Median age at onset (mo)", "patterns")]["test"].startswith("Mann-Whitney")
    # independent recomputation (scipy) from the demo cohort's ages
    frame = demo_result.patients
    age = frame["age_at_onset_months"].astype(float)
    subs = [age[frame["onset_subpattern"] == s].to_numpy() for s in ("1.1", "1.2", "1.3")]
    assert tests[("Median age at onset (mo)", "subpatterns")]["pvalue"] == pytest.approx(kruskal(*subs).pvalue)
    p1, p2 = age[frame["pattern"] == "1"].to_numpy(), age[frame["pattern"] == "2"].to_numpy()
    mw = mannwhitneyu(p1, p2, use_continuity=False, method="asymptotic").pvalue
    assert tests[("Median age at onset (mo)", "patterns")]["pvalue"] == pytest.approx(mw)
