"""Choose a test by a named policy, run it, and record why (the "Table 1" decision rules).

Categorical policies (``compare_categorical``)
  ``"exact"`` (default, recommended): Fisher / Fisher-Freeman-Halton when any expected count
      is < 5, else uncorrected Pearson chi-square (gtsummary's rule).
  ``"paper"``: uncorrected Pearson chi-square always: SPSS Crosstabs' first row, the rule that
      best reproduces Malik et al. 2021 Table 2 (see docs/statistics.md).
  ``"cochran"``: exact when any expected count is < 1 or more than 20% are < 5, else Pearson.
  ``"fisher"``: exact always.

Continuous policies (``compare_continuous``); the normality check is :func:`check_normality`
  ``"paper"``: Shapiro-Wilk on the variable (all compared values pooled, the paper's Methods:
      "data from the collected variables were assessed for normality using the Shapiro-Wilk
      test"); P > alpha -> Student t (2 groups) or one-way ANOVA; otherwise Mann-Whitney U with
      SPSS's asymptotic p (tie-corrected, no continuity correction) or Kruskal-Wallis.  Fewer than
      3 distinct values cannot be checked, so the rank test is used.
  ``"exact"`` (default): Shapiro-Wilk in every group (a group with n < 3 cannot be checked, so the
      rank test is used); Welch t / ANOVA if normal, else Mann-Whitney with R's rule (exact when
      possible, else continuity-corrected normal approximation) / Kruskal-Wallis.
  ``"nonparametric"`` / ``"parametric"``: rank test / t or ANOVA regardless of normality.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from neurohlh.stats import continuous as _c
from neurohlh.stats.contingency import ContingencyTable, chi_square, fisher_exact
from neurohlh.stats._results import TestResult
from neurohlh.stats._validation import _iv_choice, _iv_samples
from neurohlh.stats.formatting import format_p

__all__ = ["compare_categorical", "compare_continuous", "check_normality", "Normality", "CATEGORICAL_POLICIES",
           "CONTINUOUS_POLICIES"]

CATEGORICAL_POLICIES = {
    "exact": "Fisher/Fisher-Freeman-Halton if any expected count < 5, else Pearson chi-square",
    "paper": "uncorrected Pearson chi-square always (SPSS Crosstabs first row; reproduces the paper)",
    "cochran": "exact if any expected count < 1 or > 20% of cells < 5, else Pearson chi-square",
    "fisher": "Fisher/Fisher-Freeman-Halton exact always",
}
CONTINUOUS_POLICIES = {
    "exact": "Shapiro-Wilk per group; Welch t/ANOVA if normal, else Mann-Whitney (R rule)/Kruskal-Wallis",
    "paper": "Shapiro-Wilk on the variable (groups pooled); Student t/ANOVA if normal, else Mann-Whitney "
             "(SPSS asymptotic)/Kruskal-Wallis",
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
    t = ContingencyTable.of(table)
    min_e, share = t.min_expected, t.share_below_5
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


@dataclass(frozen=True, slots=True)
class Normality:
    """The outcome of the normality check that decides between a mean test and a rank test."""

    normal: bool
    reason: str
    details: tuple[tuple[str, float], ...] = ()


def check_normality(samples: Sequence[object], policy: str = "exact", alpha: float = 0.05,
                    names: Sequence[str] | None = None) -> Normality:
    """The normality check of a continuous ``policy``: the one place that decides "normal or not".

    ``"paper"`` tests the variable once: Shapiro-Wilk on all values of ``samples`` pooled (the paper's Methods
    assess "the collected variables"). ``"exact"`` tests every sample. Fewer than 3 distinct values cannot be
    checked and count as not normal, so a rank test is used. ``"parametric"`` / ``"nonparametric"`` skip the
    check. ``names`` name the samples in the reason (default: group 1, 2, ...).

    Examples
    --------
    >>> check_normality([[1.0, 2.0, 3.5, 4.0], [2.0, 3.0, 4.5, 5.0]], policy="paper").reason  # doctest: +ELLIPSIS
    'Shapiro-Wilk on the variable (n = 8) P = ... > 0.05'
    """
    _iv_choice(policy, "policy", tuple(CONTINUOUS_POLICIES))
    if policy == "parametric":
        return Normality(True, "parametric test requested")
    if policy == "nonparametric":
        return Normality(False, "rank test requested")
    groups = [np.asarray(s, dtype=float) for s in samples]
    if policy == "paper":
        pooled = np.concatenate(groups) if groups else np.empty(0)
        if pooled.size < 3 or np.ptp(pooled) == 0:
            return Normality(False, "too few distinct values to check normality")
        p = _c.shapiro(pooled).pvalue
        normal = p > alpha
        return Normality(normal, f"Shapiro-Wilk on the variable (n = {pooled.size}) P = "
                         f"{format_p(p, style='fixed', decimals=3)} {'>' if normal else '<='} {alpha:g}",
                         (("shapiro_p", p),))
    if not groups:
        return Normality(False, "no values to check normality")
    label = list(names) if names is not None else [f"group {i + 1}" for i in range(len(groups))]
    small = [i for i, g in enumerate(groups) if len(g) < 3 or np.ptp(g) == 0]
    if small:
        return Normality(False, f"{label[small[0]]} has fewer than 3 distinct-valued observations, so normality "
                         "cannot be checked")
    pvals = [_c.shapiro(g).pvalue for g in groups]
    details = tuple((f"shapiro_p[{i + 1}]", p) for i, p in enumerate(pvals))
    worst = int(np.argmin(pvals))
    if pvals[worst] <= alpha:
        return Normality(False, f"Shapiro-Wilk P = {format_p(pvals[worst])} <= {alpha:g} in {label[worst]}",
                         details)
    return Normality(True, f"Shapiro-Wilk P > {alpha:g} in every group (smallest {format_p(pvals[worst])})",
                     details)


def compare_continuous(*samples: object, policy: str = "exact", alpha: float = 0.05,
                       normality: Normality | None = None) -> TestResult:
    """Compare two or more independent samples with the test ``policy`` prescribes.

    ``normality`` is the decision of :func:`check_normality` when it was made over more values than these
    samples (a table row comparing several groupings decides once); by default it is made here on ``samples``.
    The Shapiro-Wilk P values used for the decision are kept in ``details``.

    Examples
    --------
    >>> compare_continuous([1.0, 2.0, 3.5, 4.0], [2.0, 3.0, 4.5, 5.0], policy="paper").test
    'Student t'
    """
    _iv_choice(policy, "policy", tuple(CONTINUOUS_POLICIES))
    groups = _iv_samples(samples, 2)
    two = len(groups) == 2
    tag = f' (policy "{policy}")'
    decision = normality or check_normality(groups, policy, alpha)
    normal, why, details = decision.normal, decision.reason, decision.details
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
