"""Statistics engine of neurohlh: the paper's test selection, exact tests, effect sizes, survival.

Every test returns a frozen :class:`TestResult` (``test``, ``statistic``, ``pvalue``, ``df``,
``n``, ``reason``, ``warnings``, ``effect_sizes`` ...) with ``to_dict()`` and a readable
``str()``.  See ``docs/statistics.md`` for the policies and the Table 2 replication.
"""
from __future__ import annotations

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
