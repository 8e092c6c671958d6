"""Choose a test by a named policy, run it, and record why (the "Table 1" decision rules).

Categorical policies (``compare_categorical``)
  ``"exact"`` (default, recommended): Fisher / Fisher-Freeman-Halton when any expected count
      is < 5, else uncorrected Pearson chi-square (gtsummary's rule).
  ``"paper"``: uncorrected Pearson chi-square always: SPSS Crosstabs' first row, the rule that
      best reproduces Malik et al. 2021 Table 2 (see docs/statistics.md).
  ``"cochran"``: exact when any expected count is < 1 or more than 20% are < 5, else Pearson.
  ``"fisher"``: exact always.

Continuous policies (``compare_continuous``)
  ``"paper"``: Shapiro-Wilk in every group; all P > alpha -> Student t (2 groups) or one-way
      ANOVA; otherwise Mann-Whitney U with SPSS's asymptotic p (tie-corrected, no continuity
      correction) or Kruskal-Wallis.  A group with n < 3 cannot be checked, so the
      rank test is used.
  ``"exact"`` (default): as ``"paper"`` but Welch t, and Mann-Whitney with R's rule (exact when
      possible, else continuity-corrected normal approximation).
  ``"nonparametric"`` / ``"parametric"``: rank test / t or ANOVA regardless of normality.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from neurohlh.stats import continuous as _c
from neurohlh.stats.contingency import chi_square, fisher_exact
from neurohlh.stats._results import TestResult
from neurohlh.stats._validation import _iv_choice, _iv_samples, _iv_table
from neurohlh.stats.formatting import format_p

__all__ = ["compare_categorical", "compare_continuous", "CATEGORICAL_POLICIES", "CONTINUOUS_POLICIES"]

CATEGORICAL_POLICIES = {
    "exact": "Fisher/Fisher-Freeman-Halton if any expected count < 5, else Pearson chi-square",
    "paper": "uncorrected Pearson chi-square always (SPSS Crosstabs first row; reproduces the paper)",
    "cochran": "exact if any expected count < 1 or > 20% of cells < 5, else Pearson chi-square",
    "fisher": "Fisher/Fisher-Freeman-Halton exact always",
}
CONTINUOUS_POLICIES = {
    "exact": "Shapiro-Wilk per group; Welch t/ANOVA if normal, else Mann-Whitney (R rule)/Kruskal-Wallis",
    "paper": "Shapiro-Wilk per group; Student t/ANOVA if normal, else Mann-Whitney (SPSS asymptotic)/Kruskal-Wallis",
    "nonparametric": "Mann-Whitney (R rule)/Kruskal-Wallis always",
    "parametric": "Student t/one-way ANOVA always",
}


def compare_categorical(table: object, policy: str = "exact", *, time_budget: float = 60.0) -> TestResult:
    """Test a groups x categories table with the test ``policy`` prescribes; ``reason`` says why.

    Examples
    --------
    >>> r = compare_categorical([[8, 24], [1, 24]])     # limb weakness, pattern 1 vs 2
    >>> r.test, r.reason
    ('Fisher exact', 'expected count 3.95 < 5, so Fisher exact (policy "exact")')
    >>> compare_categorical([[8, 24], [1, 24]], policy="paper").test
    'Pearson chi-square'
    """
    _iv_choice(policy, "policy", tuple(CATEGORICAL_POLICIES))
    t = _iv_table(table)
    e = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    min_e, share = float(e.min()), float(np.mean(e < 5))
    exact_name = "Fisher exact" if t.shape == (2, 2) else "Fisher-Freeman-Halton exact"
    tag = f' (policy "{policy}")'
    if policy == "paper":
        note = f"; expected count {min_e:.2f} < 5 ignored, as in the paper" if min_e < 5 else ""
        return chi_square(t, reason="uncorrected Pearson chi-square, SPSS Crosstabs' first row, "
                          f"which reproduces Malik et al. 2021 Table 2{note}{tag}")
    if policy == "fisher":
        return fisher_exact(t, time_budget=time_budget, reason=f"exact test always{tag}")
    if policy == "exact":
        if min_e < 5:
            return fisher_exact(t, time_budget=time_budget,
                                reason=f"expected count {min_e:.2f} < 5, so {exact_name}{tag}")
        return chi_square(t, reason=f"all expected counts >= 5 (minimum {min_e:.2f}), so Pearson chi-square{tag}")
    if min_e < 1 or share > 0.2:
        why = f"expected count {min_e:.2f} < 1" if min_e < 1 else f"{share:.0%} of cells have expected count < 5 (> 20%)"
        return fisher_exact(t, time_budget=time_budget, reason=f"{why}, so {exact_name}{tag}")
    return chi_square(t, reason=f"Cochran's conditions hold (minimum expected {min_e:.2f}, "
                      f"{share:.0%} of cells < 5), so Pearson chi-square{tag}")


def _normality(groups: list[np.ndarray], alpha: float) -> tuple[bool, str, tuple[tuple[str, float], ...]]:
    """Shapiro-Wilk in each group: (all normal?, explanation, per-group P values)."""
    small = [i + 1 for i, g in enumerate(groups) if len(g) < 3 or np.ptp(g) == 0]
    if small:
        return False, f"group {small[0]} has fewer than 3 distinct-valued observations, so normality cannot be checked", ()
    pvals = [_c.shapiro(g).pvalue for g in groups]
    details = tuple((f"shapiro_p[{i + 1}]", p) for i, p in enumerate(pvals))
    worst = int(np.argmin(pvals))
    if pvals[worst] <= alpha:
        return False, f"Shapiro-Wilk P = {format_p(pvals[worst])} <= {alpha:g} in group {worst + 1}", details
    return True, f"Shapiro-Wilk P > {alpha:g} in every group (smallest {format_p(pvals[worst])})", details


def compare_continuous(*samples: object, policy: str = "exact", alpha: float = 0.05) -> TestResult:
    """Compare two or more independent samples with the test ``policy`` prescribes.

    The Shapiro-Wilk P values used for the decision are kept in ``details``.
    """
    _iv_choice(policy, "policy", tuple(CONTINUOUS_POLICIES))
    groups = _iv_samples(samples, 2)
    two = len(groups) == 2
    tag = f' (policy "{policy}")'
    details: tuple[tuple[str, float], ...] = ()
    if policy == "parametric":
        normal, why = True, "parametric test requested"
    elif policy == "nonparametric":
        normal, why = False, "rank test requested"
    else:
        normal, why, details = _normality(groups, alpha)
    if normal:
        if two:
            result = _c.t_test(*groups, equal_var=policy != "exact")
        else:
            result = _c.anova(*groups)
    elif two:
        spss = policy == "paper"
        result = _c.mann_whitney(*groups, method="asymptotic" if spss else "auto", correction=not spss)
    else:
        result = _c.kruskal(*groups)
    reason = f"{why}, so {result.test}{tag}"
    if result.test == "Mann-Whitney U":
        reason += ("; SPSS asymptotic p: tie-corrected normal approximation without continuity "
                   "correction" if policy == "paper" else f"; {result.reason}")
    return replace(result, reason=reason, details=result.details + details)
