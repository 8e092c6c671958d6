"""Table 1 by site and the site-stratified sensitivity table."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from neurohlh.reports.build import build_tables
from neurohlh.reports.tables import table1
from neurohlh.reports.tables_site import site_sensitivity_table, table1_by_site


def test_table1_by_site_has_a_column_per_site_and_the_total(demo_result):
    t = table1_by_site(demo_result)
    n = demo_result.patients["site"].value_counts()
    assert t.columns == (f"A (n = {n['A']})", f"B (n = {n['B']})", f"Total (n = {n.sum()})")
    whole = table1(demo_result)
    assert [r.label for r in t.rows] == [r.label for r in whole.rows]
    for row, total_row in zip(t.rows, whole.rows):
        if row.section:
            continue
        assert row.cells[-1].text == total_row.cells[0].text, row.label
        a, b, total = row.cells
        if total.kind == "count":
            assert a.numerator + b.numerator == total.numerator, row.label
            assert a.denominator + b.denominator == total.denominator, row.label


def test_patients_without_site_get_their_own_column(demo_result):
    patients = demo_result.patients.copy()
    patients.loc[patients.index[:3], "site"] = None
    t = table1_by_site(replace(demo_result, patients=patients))
    assert t.columns[2] == "Site unknown (n = 3)"


def test_sensitivity_table_rows_and_an_infinite_odds_ratio(demo_result):
    t = site_sensitivity_table(demo_result)
    from neurohlh.analysis import TABLE2_VARIABLES

    labels = [r.label for r in t.rows if not r.section]
    assert labels == [v.label for v in TABLE2_VARIABLES if v.kind == "binary"] + \
        [s.label for s in demo_result.sites.survival]
    gait = demo_result.sites.comparison("gait_ataxia")
    assert all(t2[1][0] == 0 for t2 in gait.tables)  # no pattern-2 patient has gait ataxia at either site
    cell = t.cell("Gait ataxia", "Common odds ratio (exact 95% CI)").text
    assert re.fullmatch(r"\u221e \(\d+\.\d+\u2013\u221e\)", cell), cell
    seizures = t.row("Seizures")
    assert seizures.cells[0].text == t.cell("Seizures", "Crude P").text
    assert [ref.test for ref in seizures.tests] == [
        demo_result.comparison("seizures", "patterns").result.test, "exact conditional test (2 x 2 x K)",
        "Cochran-Mantel-Haenszel (continuity corrected)"]


def test_site_tables_only_with_more_than_one_site(demo_result):
    keys = [t.key for t in build_tables(demo_result)]
    assert [k for k in keys if k != "completeness"][-2:] == ["table1_by_site", "site_sensitivity"]
    patients = demo_result.patients.assign(site="A")
    single = replace(demo_result, patients=patients, sites=None)
    assert "table1_by_site" not in [t.key for t in build_tables(single)]
    assert "site_sensitivity" not in [t.key for t in build_tables(single)]


@pytest.fixture(scope="module")
def demo_result():
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    return analyze(load_demo_cohort())
