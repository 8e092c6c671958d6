"""Statistics engine of neurohlh: the paper's test selection, exact tests, effect sizes, survival.

Every test returns a frozen :class:`TestResult` (``test``, ``statistic``, ``pvalue``, ``df``,
``n``, ``reason``, ``warnings``, ``effect_sizes`` ...) with ``to_dict()`` and a readable
``str()``.  See ``docs/statistics.md`` for the policies and the Table 2 replication.

Names are loaded from their module on first use, so ``from neurohlh.stats import fisher_exact``
does not import the continuous tests, survival analysis or pandas.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neurohlh.stats._results import (
        CategoricalPanel,
        ConfidenceInterval,
        EffectSize,
        TestResult,
    )
    from neurohlh.stats.compare import (
        CATEGORICAL_POLICIES,
        CONTINUOUS_POLICIES,
        Normality,
        check_normality,
        compare_categorical,
        compare_continuous,
    )
    from neurohlh.stats.contingency import (
        categorical_panel,
        chi_square,
        expected_counts,
        fisher_exact,
        likelihood_ratio,
    )
    from neurohlh.stats.continuous import anova, kruskal, mann_whitney, shapiro, t_test
    from neurohlh.stats.formatting import format_estimate, format_fixed, format_p
    from neurohlh.stats.multiple import adjust_pvalues
    from neurohlh.stats.survival import (
        KaplanMeierResult,
        SurvivalCurve,
        kaplan_meier,
        logrank,
    )

#: Where each public name lives.
_HOME = {
    "CategoricalPanel": "_results", "ConfidenceInterval": "_results", "EffectSize": "_results",
    "TestResult": "_results",
    "CATEGORICAL_POLICIES": "compare", "CONTINUOUS_POLICIES": "compare", "Normality": "compare",
    "check_normality": "compare", "compare_categorical": "compare", "compare_continuous": "compare",
    "categorical_panel": "contingency", "chi_square": "contingency", "expected_counts": "contingency",
    "fisher_exact": "contingency", "likelihood_ratio": "contingency",
    "anova": "continuous", "kruskal": "continuous", "mann_whitney": "continuous", "shapiro": "continuous",
    "t_test": "continuous",
    "format_estimate": "formatting", "format_fixed": "formatting", "format_p": "formatting",
    "adjust_pvalues": "multiple",
    "KaplanMeierResult": "survival", "SurvivalCurve": "survival", "kaplan_meier": "survival",
    "logrank": "survival",
}

__all__ = [
    "CATEGORICAL_POLICIES",
    "CONTINUOUS_POLICIES",
    "CategoricalPanel",
    "ConfidenceInterval",
    "EffectSize",
    "KaplanMeierResult",
    "Normality",
    "SurvivalCurve",
    "TestResult",
    "adjust_pvalues",
    "anova",
    "categorical_panel",
    "check_normality",
    "chi_square",
    "compare_categorical",
    "compare_continuous",
    "expected_counts",
    "fisher_exact",
    "format_estimate",
    "format_fixed",
    "format_p",
    "kaplan_meier",
    "kruskal",
    "likelihood_ratio",
    "logrank",
    "mann_whitney",
    "shapiro",
    "t_test",
]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
