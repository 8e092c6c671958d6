"""The end-to-end analysis of a cohort under an :class:`AnalysisPlan`.

* :mod:`neurohlh.analysis.plan`: the typed plan (test rules, normality level, CNS rule, disruptive policy);
* :mod:`neurohlh.analysis.results`: the frozen result types;
* :mod:`neurohlh.analysis.table2`: the compared variables in the paper's order;
* :mod:`neurohlh.analysis.compare`: one variable compared across groups, the test chosen by the plan;
* :mod:`neurohlh.analysis.pipeline`: :func:`analyze`, the steps from a validated cohort to the result.

Loading a cohort and writing the report around :func:`analyze` is :func:`neurohlh.service.run_analysis`.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "compare_row": "compare", "compare_variable": "compare", "row_normality": "compare",
    "analyze": "pipeline",
    "EXACT_PLAN": "plan", "PAPER_PLAN": "plan", "PLANS": "plan", "AnalysisPlan": "plan", "CategoricalRule": "plan",
    "ContinuousRule": "plan", "VariableRule": "plan", "plan_named": "plan",
    "PlanName": "names",
    "PATTERNS": "results", "SUBPATTERNS": "results", "AnalysisResult": "results", "GroupComparison": "results",
    "Shown": "results", "SurvivalComparison": "results", "Variable": "results",
    "GENOTYPE_AGE": "table2", "TABLE2_GROUPINGS": "table2", "TABLE2_VARIABLES": "table2",
}

#: Names of the built-in plans.
POLICIES: tuple[str, ...] = ("paper", "exact")

__all__ = sorted([*_WHERE, "POLICIES"])


def __getattr__(name: str) -> Any:
    """Names are imported on first use, so the command line can name the plans without loading the statistics."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
