"""The site-stratified sensitivity analysis against R, on patient frames built to hold R's reference tables.

Each case of tests/stats/data/r_stratified_reference.json (written by tests/stats/r/make_stratified_reference.R)
gives per-site 2 x 2 tables (pattern 1 / pattern 2 x yes / no) and R's mantelhaen.test results; the frame below
has exactly those patients, so :func:`site_analysis` must find the same tables and R's P values and odds ratios.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from neurohlh.analysis import TABLE2_VARIABLES
from neurohlh.analysis.results import Variable
from neurohlh.analysis.sites import site_analysis

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "stats" / "data" / "r_stratified_reference.json")
                       .read_text())
CMH = [c for c in REFERENCE["cmh"] if c["name"].startswith("demo ")]
ITEM = Variable("item", "Item", "binary")


def _frame(tables: list) -> pd.DataFrame:
    """One row per patient: site s1, s2, ...; pattern 1 / 2; item yes / no, as many as the tables say."""
    rows = []
    for k, table in enumerate(tables):
        for pattern, (yes, no) in zip(("1", "2"), table):
            rows += [{"site": f"s{k + 1}", "pattern": pattern, "item": True}] * yes
            rows += [{"site": f"s{k + 1}", "pattern": pattern, "item": False}] * no
    frame = pd.DataFrame(rows)
    frame["item"] = frame["item"].astype("boolean")
    return frame


@pytest.mark.parametrize("case", CMH, ids=[c["name"] for c in CMH])
def test_stratified_rows_give_rs_results(case):
    analysis = site_analysis(_frame(case["tables"]), [ITEM])
    (c,) = analysis.comparisons
    assert [list(map(list, t)) for t in c.tables] == case["tables"]
    assert c.exact.pvalue == pytest.approx(case["exact"]["p"], rel=1e-9)
    assert c.mantel_haenszel.pvalue == pytest.approx(case["corrected"]["p"], rel=1e-9)
    r_or = case["exact"]["estimate"]
    assert (math.isinf(c.exact.effect_size.estimate) and math.isinf(r_or)) or \
        c.exact.effect_size.estimate == pytest.approx(r_or, rel=2e-3, abs=1e-9)


def test_overall_survival_stratified_by_site_gives_rs_survdiff():
    case = next(c for c in REFERENCE["logrank"] if c["name"] == "demo overall survival")
    time = pd.Series([math.nan if t is None else t for t in case["time"]], dtype=float)
    event = pd.Series(case["event"], dtype="boolean")
    frame = pd.DataFrame({"site": case["stratum"], "pattern": case["group"]})
    endpoint = SimpleNamespace(key="overall_survival", label="Overall survival", time=time,
                               event=event.fillna(False).astype(bool), included=time.notna() & event.notna())
    (overall,) = site_analysis(frame, [], [endpoint]).survival
    assert overall.result.statistic == pytest.approx(case["chisq"], rel=1e-9)
    assert overall.result.pvalue == pytest.approx(case["p"], rel=1e-9)


def test_one_site_means_no_stratified_analysis():
    frame = _frame([[[3, 2], [1, 4]]])
    assert site_analysis(frame, [ITEM]) is None
    frame["site"] = None
    assert site_analysis(frame, [ITEM]) is None


def test_patients_without_site_or_pattern_are_left_out_and_counted():
    frame = _frame([[[3, 2], [1, 4]], [[2, 2], [0, 3]]])
    extra = pd.DataFrame({"site": [None, "s1"], "pattern": ["1", "indeterminate"],
                          "item": pd.array([True, True], dtype="boolean")})
    analysis = site_analysis(pd.concat([frame, extra], ignore_index=True), [ITEM])
    assert analysis.n_without_site == 1
    assert analysis.n_per_site == (10, 7)
    assert [list(map(list, t)) for t in analysis.comparison("item").tables] == [[[3, 2], [1, 4]], [[2, 2], [0, 3]]]


def test_demo_strata_add_up_to_the_crude_table(demo_result):
    """Summed over the sites, each row's tables are Table 2's pattern 1 vs 2 counts."""
    assert demo_result.sites is not None and demo_result.sites.sites == ("A", "B")
    for v in TABLE2_VARIABLES:
        if v.kind != "binary":
            continue
        c = demo_result.sites.comparison(v.key)
        crude = demo_result.comparison(v.key, "patterns").counts  # ((yes, known) pattern 1, (yes, known) pattern 2)
        summed = [(sum(t[p][0] for t in c.tables), sum(t[p][0] + t[p][1] for t in c.tables)) for p in (0, 1)]
        assert tuple(summed) == tuple(crude), v.key


@pytest.fixture(scope="module")
def demo_result():
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    return analyze(load_demo_cohort())


def test_blank_site_codes_are_unknown_and_the_others_kept_as_written():
    from neurohlh.analysis.sites import patient_sites, site_names

    frame = pd.DataFrame({"site": ["A", " ", None, float("nan"), "", "B", "A ", 3, "  x "], "pattern": ["1"] * 9})
    assert patient_sites(frame).tolist() == ["A", None, None, None, None, "B", "A ", 3, "  x "]
    assert site_names(frame) == ("  x ", "3", "A", "A ", "B")
    assert patient_sites(frame.drop(columns="site")).tolist() == [None] * 9


def test_a_frame_without_a_site_column_has_no_stratified_analysis():
    frame = _frame([[[3, 2], [1, 4]], [[2, 2], [0, 3]]]).drop(columns="site")
    assert site_analysis(frame, [ITEM]) is None
