"""Tests stratified by a third variable (for a multi-centre cohort: the site).

* :func:`cmh_test`: the Cochran-Mantel-Haenszel test of conditional independence in 2 x 2 x K tables, the
  asymptotic version (statsmodels ``StratifiedTable``, with or without continuity correction) or the exact
  conditional test, with the Mantel-Haenszel common odds ratio or the conditional maximum-likelihood one.
  Both follow R ``mantelhaen.test`` (``exact = FALSE`` / ``TRUE``).
* :func:`stratified_logrank`: the log-rank test summed over strata (statsmodels ``survdiff``, as R
  ``survdiff(Surv(time, event) ~ group + strata(site))``).

The exact test conditions on every stratum's margins: the sum S of the top-left cells over the strata has
the distribution of a sum of independent hypergeometric counts (their convolution), proportional to
``d(s) * psi**s`` for a common odds ratio ``psi``. The two-sided P sums the probabilities (under ``psi = 1``)
of every s no more probable than the observed one; the estimate solves E(S) = s; the confidence limits
invert the one-sided tails (R's rule, the conditional "exact" interval).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from neurohlh.errors import InputError
from neurohlh.stats._results import ConfidenceInterval, EffectSize, TestResult

__all__ = ["cmh_test", "stratified_logrank"]

_REL_ERR = 1 + 1e-7  # R's fuzz when comparing probabilities of the observed and other tables


def _iv_tables(tables: object) -> tuple[np.ndarray, list[str]]:
    try:
        arr = np.asarray(tables, dtype=float)
    except (TypeError, ValueError):
        raise InputError("`tables` must be K tables of 2 x 2 counts.") from None
    if arr.ndim != 3 or arr.shape[1:] != (2, 2):
        raise InputError(f"`tables` must have shape (K, 2, 2); got {arr.shape}.")
    if np.any(~np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise InputError("`tables` must hold nonnegative whole counts.")
    notes = []
    keep = arr.sum(axis=(1, 2)) >= 2
    if not keep.all():
        notes.append(f"{int((~keep).sum())} stratum/strata with fewer than 2 subjects left out (they carry no "
                     "information on the association)")
    arr = arr[keep]
    if len(arr) == 0:
        raise InputError("no stratum has at least 2 subjects; the stratified test is undefined.")
    return arr.astype(np.int64), notes


def _product_hypergeometric(tables: np.ndarray) -> tuple[int, int, np.ndarray]:
    """Support [lo, hi] and the null density of S = sum of the [0, 0] cells, given every stratum's margins."""
    lo = hi = 0
    density = np.ones(1)
    for t in tables:
        m, n, k = int(t[0].sum()), int(t[1].sum()), int(t[:, 0].sum())  # row 1, row 2, column 1 totals
        a, b = max(0, k - n), min(m, k)
        pmf = stats.hypergeom.pmf(np.arange(a, b + 1), m + n, m, k)
        density = np.convolve(density, pmf)
        lo, hi = lo + a, hi + b
    return lo, hi, density / density.sum()


def _exact(tables: np.ndarray, level: float) -> tuple[float, float, float, ConfidenceInterval]:
    """(S, two-sided P, conditional MLE of the common odds ratio, exact CI), as R ``mantelhaen.test(exact=TRUE)``."""
    lo, hi, dc = _product_hypergeometric(tables)
    support = np.arange(lo, hi + 1)
    s = int(tables[:, 0, 0].sum())
    logdc = np.log(dc, where=dc > 0, out=np.full_like(dc, -np.inf))

    def density(psi: float) -> np.ndarray:
        if psi == 1:
            return dc
        d = logdc + math.log(psi) * support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(psi: float) -> float:
        return float(np.sum(support * density(psi)))

    def tail(q: int, psi: float, upper: bool) -> float:
        d = density(psi)
        return float(d[support >= q].sum() if upper else d[support <= q].sum())

    pvalue = float(min(1.0, dc[dc <= dc[s - lo] * _REL_ERR].sum()))

    def solve(fn, target: float) -> float:
        """psi with fn(psi) = target for fn increasing in psi, searched on (0, 1] or, via 1/psi, on [1, inf)."""
        at_one = fn(1.0)
        if at_one > target:
            return optimize.brentq(lambda x: fn(x) - target, 1e-300, 1.0, xtol=1e-12)
        if at_one < target:
            return 1 / optimize.brentq(lambda x: fn(1 / x) - target, np.finfo(float).eps, 1.0, xtol=1e-12)
        return 1.0

    if s == lo:
        estimate = 0.0
    elif s == hi:
        estimate = math.inf
    else:
        estimate = solve(mean, s)
    alpha = (1 - level) / 2
    # upper limit: P(S <= s; psi) = alpha (decreasing in psi); lower limit: P(S >= s; psi) = alpha (increasing)
    upper = math.inf if s == hi else solve(lambda x: -tail(s, x, upper=False), -alpha)
    lower = 0.0 if s == lo else solve(lambda x: tail(s, x, upper=True), alpha)
    return float(s), pvalue, estimate, ConfidenceInterval(lower, upper, level)


def cmh_test(tables: object, *, exact: bool = False, correction: bool = True, level: float = 0.95,
             reason: str | None = None) -> TestResult:
    """Cochran-Mantel-Haenszel test of independence of rows and columns given the strata (2 x 2 x K).

    Parameters
    ----------
    tables
        K tables of counts, shape (K, 2, 2): one per stratum, rows = the compared groups (e.g. pattern 1,
        pattern 2), columns = yes / no. Strata with fewer than 2 subjects are left out (said in ``warnings``).
    exact
        ``False``: the Mantel-Haenszel chi-square (df 1) with the Mantel-Haenszel common odds ratio and its
        Robins-Breslow-Greenland CI. ``True``: the exact conditional test, the conditional maximum-likelihood
        odds ratio and its exact CI.
    correction
        Continuity correction of the asymptotic statistic (R's ``correct = TRUE``, the default there too).

    ``details`` carry ``breslow_day_p`` (homogeneity of the odds ratios over the strata, statsmodels'
    Breslow-Day test) and ``strata``.

    Examples
    --------
    Two strata; R 4.2 ``mantelhaen.test(x, exact = TRUE)`` gives P = 0.4592 and odds ratio 1.869:

    >>> r = cmh_test([[[2, 5], [3, 6]], [[3, 4], [1, 8]]], exact=True)
    >>> round(r.pvalue, 4), round(r.effect_size.estimate, 3)
    (0.4592, 1.869)
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    arr, notes = _iv_tables(tables)
    k = len(arr)
    n = int(arr.sum())
    warnings = tuple(notes)
    # Breslow-Day is undefined when a stratum has a zero margin; statsmodels then returns NaN or warns.
    with np.errstate(all="ignore"):
        st = StratifiedTable([t.astype(float) for t in arr])
        try:
            bd = float(st.test_equal_odds().pvalue) if k > 1 else math.nan
        except (ZeroDivisionError, ValueError, np.linalg.LinAlgError):
            bd = math.nan
    details: tuple[tuple[str, float], ...] = (("breslow_day_p", bd), ("strata", float(k)))
    n_per_group = (int(arr[:, 0].sum()), int(arr[:, 1].sum()))
    if exact:
        s, pvalue, estimate, ci = _exact(arr, level)
        return TestResult(
            test="exact conditional test (2 x 2 x K)", statistic=s, pvalue=pvalue, df=None, n=n,
            reason=reason or "exact conditional test of independence given the strata requested",
            method="exact", warnings=warnings, n_per_group=n_per_group, details=details,
            effect_sizes=(EffectSize("common odds ratio", estimate, ci, "conditional maximum likelihood, exact CI"),),
        )
    with np.errstate(all="ignore"):
        null = st.test_null_odds(correction=correction)
        estimate = float(st.oddsratio_pooled)
        try:
            low, high = (float(x) for x in st.oddsratio_pooled_confint(alpha=1 - level))
        except (ZeroDivisionError, ValueError):
            low, high = math.nan, math.nan
    variance = sum(
        t[0].sum() * t[1].sum() * t[:, 0].sum() * t[:, 1].sum() / (t.sum() ** 2 * (t.sum() - 1)) for t in arr)
    if variance == 0:
        raise InputError("every stratum has a zero row or column total; the Mantel-Haenszel test is undefined.")
    return TestResult(
        test="Cochran-Mantel-Haenszel" + (" (continuity corrected)" if correction else ""),
        statistic=float(null.statistic), pvalue=float(null.pvalue), df=1.0, n=n,
        reason=reason or "Mantel-Haenszel chi-square given the strata requested", warnings=warnings,
        n_per_group=n_per_group, details=details,
        effect_sizes=(EffectSize("common odds ratio", estimate, ConfidenceInterval(low, high, level),
                                 "Mantel-Haenszel, Robins-Breslow-Greenland CI"),),
    )


def stratified_logrank(time: object, event: object, group: object, strata: object, *,
                       reason: str | None = None) -> TestResult:
    """Log-rank test of two or more groups, stratified (R ``survdiff(Surv(time, event) ~ group + strata(s))``).

    Observed and expected events are summed over the strata, each stratum with its own risk sets. ``details``
    carry ``observed[<group>]`` and ``expected[<group>]`` (summed over strata) and ``strata``.
    """
    from statsmodels.duration.survfunc import survdiff

    from neurohlh.stats.survival import _iv_survival

    t, e, g = _iv_survival(time, event, group)
    s = np.asarray(strata, dtype=object)
    if s.shape != t.shape:
        raise InputError(f"`strata` must have the same length as `time` ({len(t)}); got {s.shape}.")
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in s):
        raise InputError("`strata` contains missing values; drop them first.")
    labels = sorted(set(g.tolist()), key=str)
    if len(labels) < 2:
        raise InputError("`group` must contain at least two groups for a log-rank test.")
    if not e.any():
        raise InputError("there are no events; the log-rank test is undefined.")
    levels = sorted(set(s.tolist()), key=str)
    codes = np.array([levels.index(v) for v in s])
    group_codes = np.array([labels.index(v) for v in g])
    chisq, pvalue = survdiff(t, e.astype(float), group_codes, strata=codes)
    details: list[tuple[str, float]] = []
    for i, lab in enumerate(labels):
        observed = expected = 0.0
        for j in range(len(levels)):
            in_s = codes == j
            ts, es, gs = t[in_s], e[in_s], group_codes[in_s]
            observed += float(es[gs == i].sum())
            for u in np.unique(ts[es]):
                at_risk = ts >= u
                expected += np.sum(es[ts == u]) * np.sum(at_risk & (gs == i)) / np.sum(at_risk)
        details += [(f"observed[{lab}]", observed), (f"expected[{lab}]", float(expected))]
    details.append(("strata", float(len(levels))))
    return TestResult(
        test="stratified log-rank", statistic=float(chisq), pvalue=float(pvalue), df=float(len(labels) - 1),
        n=len(t), reason=reason or "log-rank test stratified by the given strata requested",
        n_per_group=tuple(int(np.sum(g == lab)) for lab in labels), details=tuple(details),
    )
