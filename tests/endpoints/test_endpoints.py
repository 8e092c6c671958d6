"""Deficit-free survival dated by the time of the first persistent deficit, and the number-at-risk table.

Expected values are Kaplan-Meier estimates worked out by hand in each test (S(t) = product of (1 - d/n) over the
event times up to t).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neurohlh.endpoints import deficit_free_survival, number_at_risk, overall_survival

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"

#: Five patients (months from HLH diagnosis):
#:   A alive, deficit from 2, follow-up 30       -> event at 2 (not at 30: the deficit is dated)
#:   B died at 4 (follow-up = time to death)      -> event at 4
#:   C deficit-free, follow-up 6                  -> censored at 6
#:   D deficit-free, follow-up 10                 -> censored at 10
#:   E alive with a deficit, no time of deficit   -> left out of the curve, counted
FRAME = pd.DataFrame({
    "patient_id": ["A", "B", "C", "D", "E"],
    "died": pd.array([False, True, False, False, False], dtype="boolean"),
    "deficit_free": pd.array([False, False, True, True, False], dtype="boolean"),
    "deficit_months_after_diagnosis": [2.0, None, None, None, None],
    "follow_up_months": [30.0, 4.0, 6.0, 10.0, 20.0],
})


def test_the_deficit_is_dated_by_its_own_time_and_a_deficit_without_time_is_left_out():
    ep = deficit_free_survival(FRAME)
    assert ep.included.tolist() == [True, True, True, True, False]
    assert ep.time[ep.included].tolist() == [2.0, 4.0, 6.0, 10.0]
    assert ep.event[ep.included].tolist() == [True, True, False, False]
    assert ep.n_deficit_without_time == 1 and ep.n_excluded == 1


def test_kaplan_meier_of_the_hand_example():
    # at t = 2: 4 at risk, 1 event -> S = 3/4 = 0.75; at t = 4: 3 at risk, 1 event -> S = 0.75 * 2/3 = 0.5;
    # 6 and 10 are censorings. (Dating A's deficit at its last follow-up, 30, would instead give S(2) = 1.)
    from neurohlh.stats import kaplan_meier

    ep = deficit_free_survival(FRAME)
    curve = kaplan_meier(ep.time[ep.included].to_numpy(), ep.event[ep.included].to_numpy()).curves[0]
    got = dict(zip(np.asarray(curve.time, float), np.asarray(curve.survival, float)))
    assert got[2.0] == pytest.approx(0.75) and got[4.0] == pytest.approx(0.5) and got[10.0] == pytest.approx(0.5)


def test_a_death_after_a_dated_deficit_counts_at_the_deficit():
    frame = FRAME.iloc[[1]].assign(deficit_months_after_diagnosis=[1.5])
    assert deficit_free_survival(frame).time.tolist() == [1.5]   # min(deficit 1.5, death 4)


def test_overall_survival_is_unchanged_by_deficit_times():
    ep = overall_survival(FRAME)
    assert ep.time.tolist() == [30.0, 4.0, 6.0, 10.0, 20.0] and ep.event.tolist() == [False, True, False, False, False]


def test_number_at_risk_by_hand():
    # times 1, 5, 10, 20: at risk at t = patients with time >= t (R: summary(survfit(...), times)$n.risk)
    assert number_at_risk([10, 1, 20, 5], [0, 5, 10, 15, 20, 25]) == [4, 3, 2, 1, 1, 0]


def test_the_analysis_leaves_deficits_without_time_out_of_the_curve_and_keeps_them_in_the_proportion():
    # Example cohort: EX02, EX05, EX07 alive with a dated deficit, EX08 alive with a deficit and no time.
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort

    result = analyze(load_cohort(EXAMPLE), "paper")
    dfs = next(s for s in result.survival if s.endpoint == "deficit_free_survival")
    assert dfs.n_deficit_without_time == 1
    in_curve = sum(n for _, _, n in dfs.curves.values())
    patterned = int(result.patients["pattern"].isin(["1", "2"]).sum())
    assert in_curve == patterned - dfs.n_excluded
    assert any("no deficit_months_after_diagnosis" in w for w in result.warnings)
    row = result.comparison("deficit_free", "patterns")
    assert sum(n for _, n in row.counts) == int(result.patients["deficit_free"].notna().sum())  # EX08 counted


def test_every_kaplan_meier_figure_has_a_number_at_risk_table_and_the_caption_counts_the_left_out():
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort
    from neurohlh.reports.build import build_figures

    figures = {f.key: f for f in build_figures(analyze(load_cohort(EXAMPLE), "paper"))}
    for key in ("overall_survival", "deficit_free_survival"):
        assert "Number at risk" in figures[key].svg and "number at risk" in figures[key].caption
    assert "1 patient(s) with a neurologic deficit but no time of deficit are left out" in \
        figures["deficit_free_survival"].caption


def test_the_figure_prints_the_counts_at_its_ticks():
    import re

    from neurohlh.reports.figures import survival_figure

    t = [0.0, 2.0, 4.0, 10.0]
    f = survival_figure("k", "t", {"Pattern 1": (t, [1.0, 0.75, 0.5, 0.5], 4)}, "", "S",
                        at_risk={"Pattern 1": [2.0, 4.0, 6.0, 10.0]})
    texts = re.findall(r"<!-- (.*?) -->", f.svg)  # every text of the SVG, in drawing order
    # the axis runs 0-10 with ticks 0, 2, 4, 6, 8, 10; patients with time >= tick: 4, 4, 3, 2, 1, 1
    assert texts[texts.index("0"):texts.index("0") + 6] == ["0", "2", "4", "6", "8", "10"]
    row = texts.index("Pattern 1")
    assert texts[row + 1:row + 7] == ["4", "4", "3", "2", "1", "1"] and texts[row + 7] == "Number at risk"
