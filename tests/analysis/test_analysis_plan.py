"""The analysis plan: one "paper" rule, the summary that goes with the test, the default plans, the CLI choice."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from neurohlh.analysis import (
    EXACT_PLAN, PAPER_PLAN, AnalysisPlan, ContinuousRule, PlanName, Shown, Variable, VariableRule, compare_row,
    plan_named,
)
from neurohlh.errors import InputError

AGE = Variable("age", "Age at onset (mo)", "continuous")
GROUPINGS = (("subpatterns", "sub", ("1.1", "1.2")), ("patterns", "pattern", ("1", "2")))
# Symmetric, evenly spread values (Shapiro-Wilk P > .9 on any of the groups or on all of them pooled).
NORMAL_1 = [40.0, 44.0, 46.0, 48.0, 50.0, 52.0, 54.0, 56.0, 60.0]
NORMAL_2 = [42.0, 47.0, 49.0, 51.0, 53.0, 55.0, 58.0]


def _frame(pattern1: list[float], pattern2: list[float]) -> pd.DataFrame:
    half = len(pattern1) // 2
    return pd.DataFrame({
        "age": pattern1 + pattern2,
        "pattern": ["1"] * len(pattern1) + ["2"] * len(pattern2),
        "sub": ["1.1"] * half + ["1.2"] * (len(pattern1) - half) + [None] * len(pattern2),
    })


@pytest.fixture(scope="module")
def demo_paper_result():
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    return analyze(load_demo_cohort(), "paper")


@pytest.fixture(scope="module")
def demo_exact_result():
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    return analyze(load_demo_cohort(), "exact")


def test_plan_is_frozen_typed_data_that_describes_itself():
    assert isinstance(PAPER_PLAN, AnalysisPlan)
    assert PAPER_PLAN.categorical == "paper" and PAPER_PLAN.continuous is ContinuousRule.PAPER
    with pytest.raises(dataclasses.FrozenInstanceError):
        PAPER_PLAN.alpha = 0.1  # type: ignore[misc]
    text = EXACT_PLAN.describe()
    assert "'exact' plan" in text and "Fisher" in text and "median (IQR)" in text and "comprehensive" in text
    assert PAPER_PLAN.to_dict()["continuous"] == "paper"


def test_plan_names_and_errors():
    assert plan_named("paper") is PAPER_PLAN and plan_named(PlanName.EXACT) is EXACT_PLAN
    with pytest.raises(InputError, match=r"`policy` must be one of \['paper', 'exact'\]; got 'spss'"):
        plan_named("spss")
    with pytest.raises(InputError, match="`alpha` must be between 0 and 1"):
        dataclasses.replace(PAPER_PLAN, alpha=5)
    with pytest.raises(ValueError):
        dataclasses.replace(PAPER_PLAN, continuous="spss")


def test_per_variable_override_changes_one_variable_only():
    plan = PAPER_PLAN.with_overrides(age=VariableRule(continuous=ContinuousRule.NONPARAMETRIC))
    assert plan.continuous_for("age") is ContinuousRule.NONPARAMETRIC and plan.continuous_for("x") == "paper"
    assert "per-variable rules: age: continuous nonparametric" in plan.describe()
    rows = compare_row(_frame(NORMAL_1, NORMAL_2), AGE, GROUPINGS, plan)
    assert [c.result.test for c in rows] == ["Mann-Whitney U", "Mann-Whitney U"]
    assert all(c.shown is Shown.MEDIAN_IQR for c in rows)


def test_a_normal_row_is_shown_as_mean_sd_with_a_mean_test():
    rows = compare_row(_frame(NORMAL_1, NORMAL_2), AGE, GROUPINGS, PAPER_PLAN)
    assert [c.result.test for c in rows] == ["Student t", "Student t"]
    assert {c.shown for c in rows} == {Shown.MEAN_SD} and rows[0].label == "Mean age at onset (mo)"
    from neurohlh.reports.format import summary_cell

    # NORMAL_2: mean 355 / 7 = 50.714..., SD sqrt(sum((x - mean)^2) / 6) = sqrt(169.43 / 6) = 5.314...
    assert summary_cell(np.array(NORMAL_2), str(rows[1].shown)).text == "50.7 (5.3)"


def test_a_median_is_never_tested_with_a_t_test():
    # Small groups pass a per-group normality check (n = 3 and 4), but the row's values pooled are skewed, so the
    # row is a median row and both comparisons take a rank test (issue: median shown with a Student t P).
    skewed = [1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 60.0, 90.0, 120.0]
    for plan in (PAPER_PLAN, EXACT_PLAN):
        rows = compare_row(_frame(skewed, [2.0, 3.0, 4.0, 100.0]), AGE, GROUPINGS, plan)
        for c in rows:
            mean_test = c.result.test in ("Student t", "Welch t", "one-way ANOVA")
            assert (c.shown is Shown.MEAN_SD) == mean_test, (plan.name, c.comparison, c.result.test)
        assert len({c.shown for c in rows}) == 1  # one summary per row


def test_paper_rule_is_the_same_in_stats_and_in_the_pipeline(demo_paper_result):
    # The demo's subpattern ages: compare_continuous(policy="paper") and the pipeline both check the variable's
    # normality (Shapiro-Wilk P <= .05) and take Kruskal-Wallis.
    from neurohlh.stats import compare_continuous

    c = demo_paper_result.comparison("age_at_onset_months", "subpatterns")
    direct = compare_continuous(*c.samples, policy="paper")
    assert direct.test == c.result.test == "Kruskal-Wallis"
    assert direct.pvalue == pytest.approx(c.result.pvalue)
    assert "Shapiro-Wilk on the variable" in direct.reason and "Shapiro-Wilk on the variable" in c.result.reason


def test_exact_plan_footnotes_never_claim_the_chi_square_approximation(demo_exact_result):
    from neurohlh.reports import build_tables

    notes = [n for t in build_tables(demo_exact_result) for n in t.footnotes]
    assert not [n for n in notes if "approximation" in n]
    assert not [w for w in demo_exact_result.warnings if "chi-square" in w]
    sparse = [c for c in demo_exact_result.comparisons
              if c.result is not None and c.result.details and dict(c.result.details).get("min_expected", 9) < 5]
    assert sparse and all("exact" in c.result.test for c in sparse)


def test_cli_default_plans(tmp_path):
    from neurohlh.cli import app

    analyze = next(c for c in app.registered_commands if c.name == "analyze").callback
    demo = next(c for c in app.registered_commands if c.name == "demo").callback
    import inspect

    assert inspect.signature(analyze).parameters["policy"].default.default is PlanName.EXACT
    assert inspect.signature(demo).parameters["policy"].default.default is PlanName.PAPER
    result = CliRunner().invoke(app, ["analyze", "x", "--out", str(tmp_path), "--policy", "spss"])
    assert result.exit_code == 2 and "'spss'" in result.output and "'paper'" in result.output
