"""Effect sizes with confidence intervals, placed next to the tests that report them.

SciPy is imported inside the functions, so importing the statistics engine stays light.
"""
from __future__ import annotations

import math

import numpy as np

from neurohlh.stats._results import ConfidenceInterval, EffectSize


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927), by SciPy's
    ``binomtest(k, n).proportion_ci(method="wilson")``."""
    from scipy import stats

    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def risk_difference(table: np.ndarray, level: float = 0.95) -> EffectSize:
    """p1 - p2 for a 2x2 table (rows = groups, first column = event), Newcombe hybrid score CI.

    Newcombe's method 10 (Newcombe 1998, Stat Med 17:873), built from the two Wilson intervals.
    """
    (a, b), (c, d) = table
    n1, n2 = a + b, c + d
    p1, p2 = a / n1, c / n2
    l1, u1 = wilson_interval(a, n1, level)
    l2, u2 = wilson_interval(c, n2, level)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return EffectSize("difference in proportions", diff, ConfidenceInterval(low, high, level),
                      "Newcombe hybrid score (Wilson) interval")


class _NoncentralHypergeometric:
    """Fisher's noncentral hypergeometric law of cell [0, 0] given the margins (R fisher.test)."""

    def __init__(self, table: np.ndarray):
        from scipy import stats

        (a, b), (c, d) = table
        self.x, m, n, k = int(a), int(a + c), int(b + d), int(a + b)
        self.lo, self.hi = max(0, k - n), min(k, m)
        self.support = np.arange(self.lo, self.hi + 1)
        self.logdc = stats.hypergeom.logpmf(self.support, m + n, m, k)

    def density(self, ncp: float) -> np.ndarray:
        d = self.logdc + math.log(ncp) * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if math.isinf(ncp):
            return float(self.hi)
        return float(np.sum(self.support * self.density(ncp)))

    def cdf(self, ncp: float, upper: bool) -> float:
        if ncp == 0:
            return float(self.x <= self.lo) if upper else float(self.x >= self.lo)
        if math.isinf(ncp):
            return float(self.x <= self.hi) if upper else float(self.x >= self.hi)
        mask = self.support >= self.x if upper else self.support <= self.x
        return float(np.sum(self.density(ncp)[mask]))


def _uniroot(f, lower: float, upper: float) -> float:
    """R ``uniroot(f, c(lower, upper))`` with its default tolerance (double.eps^0.25)."""
    return r_zeroin(f, lower, upper, f(lower), f(upper), tol=np.finfo(float).eps ** 0.25)


def _solve_ncp(g, target: float, at_one: float, rising: bool) -> float:
    """R's pattern: solve g(t) = target on (0, 1) or, through 1/t, on (1, inf)."""
    eps = np.finfo(float).eps
    below = at_one > target if rising else at_one < target
    if at_one == target:
        return 1.0
    if below:
        return _uniroot(lambda t: g(t) - target, 0.0, 1.0)
    return 1.0 / _uniroot(lambda t: g(1.0 / t) - target, eps, 1.0)


#: Above this table total the conditional law's support is too large to hold; the sample odds
#: ratio (which the conditional MLE approaches as n grows) is used instead.
CONDITIONAL_OR_MAX_N = 10_000_000


def _woolf_odds_ratio(table: np.ndarray, level: float) -> EffectSize:
    from scipy import stats

    (a, b), (c, d) = (float(v) for v in table[0]), (float(v) for v in table[1])
    method = "sample odds ratio ad/bc with Woolf's logit CI (n too large for the conditional MLE)"
    if min(a, b, c, d) == 0:
        return EffectSize("odds ratio", math.nan, None, method)
    z = stats.norm.ppf(0.5 + level / 2)
    log_or = math.log(a) + math.log(d) - math.log(b) - math.log(c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return EffectSize("odds ratio", math.exp(log_or),
                      ConfidenceInterval(math.exp(log_or - z * se), math.exp(log_or + z * se), level), method)


def odds_ratio(table: np.ndarray, level: float = 0.95) -> EffectSize:
    """Conditional MLE odds ratio and exact conditional CI, ported from R ``fisher.test``."""
    if float(np.sum(table)) > CONDITIONAL_OR_MAX_N:
        return _woolf_odds_ratio(table, level)
    law = _NoncentralHypergeometric(table)
    x, alpha = law.x, (1 - level) / 2
    if x == law.lo:
        estimate = 0.0
    elif x == law.hi:
        estimate = math.inf
    else:
        estimate = _solve_ncp(law.mean, x, law.mean(1.0), rising=True)
    if x == law.lo:
        low = 0.0
    else:
        upper_tail = lambda t: law.cdf(t, upper=True)
        low = _solve_ncp(upper_tail, alpha, upper_tail(1.0), rising=True)
    if x == law.hi:
        high = math.inf
    else:
        lower_tail = lambda t: law.cdf(t, upper=False)
        high = _solve_ncp(lower_tail, alpha, lower_tail(1.0), rising=False)
    return EffectSize("odds ratio", estimate, ConfidenceInterval(low, high, level),
                      "conditional MLE, exact conditional CI (R fisher.test)")


def expected_frequencies(table: np.ndarray) -> np.ndarray:
    """Expected counts under independence, row total x column total / n (the float operations of
    SciPy's ``expected_freq``, without importing scipy.stats: a one-off exact test stays light)."""
    observed = np.asarray(table, dtype=float)
    return np.multiply(observed.sum(axis=1, keepdims=True), observed.sum(axis=0, keepdims=True)) / observed.sum()


def pearson_chi_square(table: np.ndarray) -> float:
    """Uncorrected Pearson chi-square, sum (O - E)^2 / E (as ``scipy.stats.chi2_contingency``)."""
    observed = np.asarray(table, dtype=float)
    expected = expected_frequencies(observed)
    return float(np.sum((observed - expected) ** 2 / expected))


def cramers_v(table: np.ndarray, chi2: float | None = None) -> EffectSize:
    """Cramer's V = sqrt(chi2 / (n (min(R, C) - 1))) on the uncorrected Pearson chi-square (the formula
    of SciPy's ``association(method="cramer", correction=False)``); no CI (none is standard). ``chi2``: the
    table's Pearson chi-square when the caller has it (computed here otherwise)."""
    t = np.asarray(table)
    v = math.sqrt((pearson_chi_square(t) if chi2 is None else chi2) / float(t.sum()) / (min(t.shape) - 1))
    return EffectSize("Cramer's V", v, None, "from uncorrected Pearson chi-square")


def rank_biserial(u1: float, n1: int, n2: int) -> EffectSize:
    """Rank-biserial correlation 2 U1 / (n1 n2) - 1 (Kerby 2014); positive when x tends to exceed y."""
    return EffectSize("rank-biserial correlation", 2 * u1 / (n1 * n2) - 1, None, "2U/(n1 n2) - 1")


def mean_difference(x: np.ndarray, y: np.ndarray, ttest_result, level: float = 0.95,
                    scale: float = 1.0) -> EffectSize:
    """Mean of ``x`` minus mean of ``y`` with its t CI; ``x``, ``y`` (and the t test) in units of ``scale``."""
    ci = ttest_result.confidence_interval(confidence_level=level)
    with np.errstate(over="ignore"):
        return EffectSize("mean difference", float(np.mean(x) - np.mean(y)) * scale,
                          ConfidenceInterval(float(ci.low) * scale, float(ci.high) * scale, level), "t distribution")


def _hl_exact(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float, float]:
    """R wilcox.test(conf.int=TRUE) exact branch: order statistics of the pairwise differences.

    Returns ``(estimate, low, high, achieved level)``.  As R does, when the discrete null
    distribution cannot reach ``level`` (achieved alpha more than 1.5 times the requested one),
    the level is ``1 - achieved alpha`` instead of the requested one.
    """
    n1, n2 = len(x), len(y)
    diffs = np.sort(np.subtract.outer(x, y).ravel())
    alpha = 1 - level
    qu = max(1, _qwilcox(alpha / 2, n1, n2))
    ql = n1 * n2 - qu
    counts = wilcox_null_counts(n1, n2)
    achieved_alpha = 2 * float(counts[:qu].sum() / counts.sum())  # 2 P(U <= qu - 1)
    if achieved_alpha - alpha > alpha / 2:
        level = 1 - achieved_alpha
    return float(np.median(diffs)), float(diffs[qu - 1]), float(diffs[ql]), level


def wilcox_null_counts(m: int, n: int) -> np.ndarray:
    """Number of arrangements giving each U = 0..m*n (generating function of Mann & Whitney)."""
    size = m * n + 1
    c = np.zeros(size)
    c[0] = 1.0
    for i in range(1, m + 1):  # multiply by (1 - q^(n+i)) / (1 - q^i)
        shifted = np.zeros(size)
        shifted[n + i:] = c[: size - n - i]
        c = c - shifted
        for u in range(i, size):
            c[u] += c[u - i]
    return c


def _qwilcox(p: float, m: int, n: int) -> int:
    """Smallest q with P(U <= q) >= p under the null, with R's 10-epsilon fuzz (R qwilcox)."""
    counts = wilcox_null_counts(m, n)
    cdf = np.cumsum(counts) / counts.sum()
    return int(np.searchsorted(cdf, p - 10 * np.finfo(float).eps))


def r_zeroin(f, a: float, b: float, fa: float, fb: float, tol: float = 1e-4, maxit: int = 1000) -> float:
    """Brent's zeroin exactly as R's ``uniroot`` runs it (R_zeroin2 in src/library/stats/src/zeroin.c).

    Ported so that roots of step functions (where any point of a flat zero stretch is a root)
    land where R's land; ``tol`` = 1e-4 as ``wilcox.test`` passes it.
    """
    eps = np.finfo(float).eps
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p, q = cb * t1, 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values of a sorted array."""
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, len(values)))


def _shifted_rank_sum(xs: np.ndarray, ys: np.ndarray, d: float) -> tuple[np.float64, np.int64]:
    """The rank sum of ``x - d`` in the pooled sample ``x - d, y`` (mid-ranks for ties, as
    ``scipy.stats.rankdata``) and the tie term sum(t**3 - t) over its tie groups, from ``x`` and ``y`` sorted once.

    ``xs - d`` stays sorted (rounding is monotonic), so each run of equal values of ``x - d`` is one tie group
    with the equal values of ``y``, found by binary search, instead of a sort of the pooled sample. Ranks are
    halves of integers and tie sizes integers, so the sums are exact in any order.
    """
    xd = xs - d
    starts, sizes = _runs(xd)
    values = xd[starts]
    y_below = np.searchsorted(ys, values, "left")
    y_equal = np.searchsorted(ys, values, "right") - y_below
    mid_rank = starts + y_below + (sizes + y_equal + 1) / 2  # of every value of the run
    rank_sum = (sizes * mid_rank).sum()  # a numpy float: a zero sigma then divides without raising, as in R
    _, y_sizes = _runs(ys)
    pooled = sizes + y_equal  # a run of x and the equal values of y; every other value of y ties only in y
    ties = np.sum(pooled**3 - pooled) + np.sum(y_sizes**3 - y_sizes) - np.sum(y_equal**3 - y_equal)
    return rank_sum, ties


def _hl_asymptotic(x: np.ndarray, y: np.ndarray, level: float, correct: bool):
    """R wilcox.test(conf.int=TRUE, exact=FALSE) branch: invert the normal approximation."""
    from scipy import stats

    n1, n2 = len(x), len(y)
    alpha = 1 - level
    # the extreme pairwise differences, without building all n1 * n2 of them (R: range(outer(x, y, "-")))
    lo_d, hi_d = float(x.min() - y.max()), float(x.max() - y.min())

    xs, ys = np.sort(x), np.sort(y)

    def wdiff(d: float, zq: float, correct: bool = correct) -> float:
        dz, ties = _shifted_rank_sum(xs, ys, d)
        dz = dz - n1 * (n1 + 1) / 2 - n1 * n2 / 2
        corr = np.sign(dz) * 0.5 if correct else 0.0
        sigma = math.sqrt(n1 * n2 / 12 * ((n1 + n2 + 1) - ties / ((n1 + n2) * (n1 + n2 - 1))))
        with np.errstate(divide="ignore", invalid="ignore"):  # all values tied at this shift: sigma 0, as in R
            return float((dz - corr) / sigma - zq)

    def root(zq: float, clamp: bool = True, correct: bool = correct) -> float:
        f_lo, f_hi = wdiff(lo_d, zq, correct), wdiff(hi_d, zq, correct)
        if clamp and f_lo <= 0:
            return lo_d
        if clamp and f_hi >= 0:
            return hi_d
        return r_zeroin(lambda d: wdiff(d, zq, correct), lo_d, hi_d, f_lo, f_hi)

    z = stats.norm.ppf(1 - alpha / 2)
    # R sets `correct <- FALSE` before solving for the estimate (only the CI is corrected).
    return root(0.0, clamp=False, correct=False), root(z), root(-z)


def hodges_lehmann(x: np.ndarray, y: np.ndarray, exact: bool, correct: bool = True,
                   level: float = 0.95) -> EffectSize:
    """Hodges-Lehmann location shift x - y with the CI of R ``wilcox.test(conf.int = TRUE)``.

    With small samples the exact CI may not reach ``level``; the interval then carries the
    level it achieves (R: "Requested conf.level not achievable"), and ``method`` says so.
    """
    if exact:
        est, low, high, achieved = _hl_exact(x, y, level)
        method = "median of pairwise differences; exact CI (R wilcox.test)"
        if achieved != level:
            method += (f"; the requested {level:.0%} level is not achievable with n = {len(x)} and "
                       f"{len(y)}, so the interval is the {achieved:.0%} one")
        level = achieved
    else:
        est, low, high = _hl_asymptotic(x, y, level, correct)
        method = "normal-approximation inversion (R wilcox.test, exact = FALSE)"
    return EffectSize("Hodges-Lehmann difference", est, ConfidenceInterval(low, high, level), method)
