"""Tests for contingency tables: exact Fisher / Fisher-Freeman-Halton, Pearson, Yates, G.

Convention: rows are groups, columns are outcome categories; in a 2x2 table the first column
is the event, so the difference in proportions is ``t[0,0]/row0 - t[1,0]/row1``.
"""
from __future__ import annotations

import functools
import warnings as _warnings
from dataclasses import dataclass

import numpy as np

from neurohlh.errors import Caveat, InputError, StatisticalWarning
from neurohlh.stats import _effects
from neurohlh.stats._exact import MAX_EXACT_N, ffh_exact, ffh_monte_carlo
from neurohlh.stats._limits import DEFAULT_MEMORY_LIMIT, ExactTimeout
from neurohlh.stats._results import CategoricalPanel, EffectSize, TestResult
from neurohlh.stats._validation import _iv_table

__all__ = ["ContingencyTable", "categorical_panel", "chi_square", "expected_counts", "fisher_exact", "likelihood_ratio"]

#: Default seed of the Monte Carlo fallback, so reruns reproduce the same estimate.
DEFAULT_SEED = 20210301
#: Default number of Monte Carlo tables (SE <= 0.0016 at any p).
DEFAULT_RESAMPLES = 100_000


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class ContingencyTable:
    """A groups x categories table of counts, checked once, with the numbers its tests read.

    The expected counts under independence (row total x column total / n, as SciPy's
    ``expected_freq``) are computed once, here; the test choice (:func:`compare_categorical`),
    the sparsity caveat of the asymptotic tests and the panel read them from this object. Every
    function of this module accepts a ContingencyTable wherever it accepts a table, without
    checking or computing it again.

    Examples
    --------
    >>> t = ContingencyTable.of([[8, 24], [1, 24]])   # limb weakness, pattern 1 vs 2
    >>> round(t.min_expected, 2), t.cells_below_5      # 9 x 25 / 57 = 3.95
    (3.95, 1)
    """

    #: Checked counts (int64, read-only); rows are groups, columns are outcome categories.
    counts: np.ndarray
    #: Expected counts under independence (read-only).
    expected: np.ndarray

    @classmethod
    def of(cls, table: object, name: str = "table") -> ContingencyTable:
        """The checked table (an :class:`InputError` names what is wrong with ``table``)."""
        if isinstance(table, ContingencyTable):
            return table
        counts = _iv_table(table, name)
        counts.setflags(write=False)
        expected = _effects.expected_frequencies(counts)
        expected.setflags(write=False)
        return cls(counts, expected)

    @property
    def shape(self) -> tuple[int, int]:
        rows, columns = self.counts.shape
        return int(rows), int(columns)

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def n_per_group(self) -> tuple[int, ...]:
        """Row totals: the size of each group."""
        return tuple(int(v) for v in self.counts.sum(axis=1))

    @property
    def min_expected(self) -> float:
        return float(self.expected.min())

    @property
    def cells_below_5(self) -> int:
        return int(np.sum(self.expected < 5))

    @property
    def share_below_5(self) -> float:
        """Share of cells with an expected count below 5 (Cochran's 20% rule)."""
        return self.cells_below_5 / self.expected.size

    def sparsity_caveats(self) -> tuple[Caveat, ...]:
        """The caveat an asymptotic test of this table carries when any expected count is below 5."""
        below, size = self.cells_below_5, self.expected.size
        if not below:
            return ()
        return (Caveat("low_expected_count", f"{below} of {size} cells ({below / size:.0%}) have expected count "
                       f"< 5; the minimum expected count is {self.min_expected:.2f}", self.min_expected),)

    def effect_sizes(self) -> tuple[EffectSize, ...]:
        """Difference in proportions and odds ratio (2x2 only), then Cramer's V (from this table's expected
        counts)."""
        return _effects_cached(tuple(map(tuple, self.counts.tolist())), self.pearson)

    @property
    def pearson(self) -> float:
        """Uncorrected Pearson chi-square, sum (O - E)^2 / E over this table's expected counts."""
        return float(np.sum((self.counts - self.expected) ** 2 / self.expected))

    def __repr__(self) -> str:
        return f"ContingencyTable({self.counts.tolist()})"


def expected_counts(table: object) -> np.ndarray:
    """Expected counts under independence: row total x column total / n."""
    return ContingencyTable.of(table).expected


@functools.lru_cache(maxsize=256)
def _effects_cached(key: tuple[tuple[int, ...], ...], chi2: float) -> tuple[EffectSize, ...]:
    t = np.array(key)
    out: list[EffectSize] = []
    if t.shape == (2, 2):
        out += [_effects.risk_difference(t), _effects.odds_ratio(t)]
    out.append(_effects.cramers_v(t, chi2))
    return tuple(out)


def fisher_exact(
    table: object,
    *,
    time_budget: float | None = 60.0,
    memory_limit: float = DEFAULT_MEMORY_LIMIT,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    reason: str | None = None,
) -> TestResult:
    """Exact two-sided Fisher (2x2) / Fisher-Freeman-Halton (R x C) test.

    The p-value sums the probabilities of all tables with the observed margins whose
    probability is at most ``P_obs`` with R's slack: ``(1 + 1e-7)`` relative for 2x2
    (``fisher.test``), ``3.45254e-7`` in log for larger tables (FEXACT's ``TOL``).  It is computed by a
    pruned network algorithm within ``time_budget`` seconds (``None``: no limit) and
    ``memory_limit`` bytes.  The work is counted stage by stage before it is done, so a table that
    cannot finish in time is recognised early, not after the whole budget.  When the exact
    method stops (time budget, memory cap or cost estimate), a seeded Monte Carlo estimate over
    ``n_resamples`` random tables is returned instead, with ``method="monte-carlo"``, a reason
    that names the cause (and, for the estimate, the budget that would let it run), and its
    ``standard_error``; its p-value is ``(b + 1) / (B + 1)``, never 0.  Tables with n above
    10,000,000 are refused (use :func:`chi_square`, which is accurate at that size).

    ``statistic`` is the probability of the observed table.  For 2x2 tables the effect sizes
    are the difference in proportions (Newcombe CI) and the conditional MLE odds ratio with the
    exact conditional CI, as R ``fisher.test`` reports.

    References
    ----------
    Freeman GH, Halton JH. Biometrika 1951;38:141-149.
    Mehta CR, Patel NR. J Am Stat Assoc 1983;78:427-434.

    Examples
    --------
    >>> r = fisher_exact([[19, 11], [6, 14]])   # Table 2, pleocytosis, pattern 1 vs 2
    >>> round(r.pvalue, 4)
    0.0421
    """
    ct = ContingencyTable.of(table)
    t = ct.counts
    if ct.n > MAX_EXACT_N:
        raise InputError(f"`table` has n = {ct.n}, beyond the exact test's limit of {MAX_EXACT_N:,}; "
                         "at this size the Pearson chi-square approximation is accurate: use chi_square.")
    if time_budget is not None and not time_budget >= 0:
        raise InputError(f"`time_budget` must be a nonnegative number of seconds or None; got {time_budget!r}.")
    # small expected counts are why an exact test runs, not a caveat on it
    notes: tuple[str, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    name = "Fisher exact" if t.shape == (2, 2) else "Fisher-Freeman-Halton exact"
    why = reason or f"exact conditional test requested for a {t.shape[0]}x{t.shape[1]} table"
    extra: tuple[tuple[str, float], ...] = ()
    try:
        outcome = ffh_exact(t, time_budget=time_budget, memory_limit=memory_limit)
        pvalue, method, se, stat = outcome.pvalue, "exact", None, float(np.exp(outcome.log_p_observed))
        for note in outcome.notes:
            notes = notes + (note,)
            caveats = caveats + (Caveat("test_warning", note),)
            _warnings.warn(note, StatisticalWarning, stacklevel=2)
    except ExactTimeout as stop:
        pvalue, se, b = ffh_monte_carlo(t, n_resamples, seed)
        method, stat = "monte-carlo", None
        name += " (Monte Carlo)"
        why += (f"; the exact network algorithm {stop.detail}, so the p-value is a Monte Carlo "
                f"estimate from {b} random tables (seed {seed}), (b + 1) / (B + 1)")
        caveats = (Caveat("monte_carlo", f"Monte Carlo p-value, standard error {se:.2g} (exact method "
                          f"stopped: {_CAUSES[stop.cause]})", se),)
        notes = (caveats[0].message,)
        extra = (("exact_seconds", stop.seconds),)
        if stop.needed_budget is not None:
            extra += (("exact_budget_needed", stop.needed_budget),)
        _warnings.warn(notes[-1], StatisticalWarning, stacklevel=2)
    return TestResult(
        test=name, statistic=stat, pvalue=pvalue, df=None, n=ct.n, reason=why,
        method=method, warnings=notes, caveats=caveats, effect_sizes=ct.effect_sizes(),
        n_per_group=ct.n_per_group, standard_error=se,
        details=(("min_expected", ct.min_expected),) + extra,
    )


_CAUSES = {"time": "time budget", "memory": "memory cap", "estimate": "cost estimate over the time budget"}


def chi_square(table: object, correction: bool = False, *, reason: str | None = None) -> TestResult:
    """Pearson chi-square test of independence (asymptotic), optionally Yates-corrected.

    ``correction=True`` applies Yates' continuity correction to 2x2 tables only (as R
    ``chisq.test`` and SciPy do); the uncorrected statistic is SPSS's "Pearson Chi-Square" row.
    A warning is attached when any expected count is below 5.

    Examples
    --------
    >>> round(chi_square([[19, 13], [9, 16]]).pvalue, 3)   # Table 2, seizures: P = .08
    0.08
    """
    from scipy import stats

    ct = ContingencyTable.of(table)
    caveats = ct.sparsity_caveats()
    stat, p, dof, _ = stats.chi2_contingency(ct.counts, correction=correction)
    yates = correction and ct.shape == (2, 2)
    name = "Yates-corrected chi-square" if yates else "Pearson chi-square"
    return TestResult(
        test=name, statistic=float(stat), pvalue=float(p), df=float(dof), n=ct.n,
        reason=reason or f"{name} requested", warnings=tuple(c.message for c in caveats), caveats=caveats,
        effect_sizes=ct.effect_sizes(), n_per_group=ct.n_per_group, details=(("min_expected", ct.min_expected),),
    )


def likelihood_ratio(table: object, *, reason: str | None = None) -> TestResult:
    """Likelihood-ratio (G) test of independence, SPSS's "Likelihood Ratio" row."""
    from scipy import stats

    ct = ContingencyTable.of(table)
    caveats = ct.sparsity_caveats()
    stat, p, dof, _ = stats.chi2_contingency(ct.counts, correction=False, lambda_="log-likelihood")
    return TestResult(
        test="likelihood-ratio chi-square", statistic=float(stat), pvalue=float(p), df=float(dof),
        n=ct.n, reason=reason or "likelihood-ratio (G) test requested",
        warnings=tuple(c.message for c in caveats), caveats=caveats,
        effect_sizes=ct.effect_sizes(), n_per_group=ct.n_per_group, details=(("min_expected", ct.min_expected),),
    )


def categorical_panel(table: object, *, time_budget: float = 60.0) -> CategoricalPanel:
    """Pearson, Yates (2x2 only), likelihood-ratio and exact tests of one table side by side.

    Meant for replication (SPSS Crosstabs prints the same rows); only 2x2, R x 2 and 2 x C
    tables are accepted.
    """
    t = ContingencyTable.of(table)
    if 2 not in t.shape:
        raise InputError(f"`table` must be 2x2, Rx2 or 2xC for a panel; got shape {t.counts.shape}.")
    why = "computed side by side for replication"
    results = [chi_square(t, reason=why)]
    if t.shape == (2, 2):
        results.append(chi_square(t, correction=True, reason=why))
    results += [likelihood_ratio(t, reason=why), fisher_exact(t, time_budget=time_budget, reason=why)]
    return CategoricalPanel(tuple(tuple(int(v) for v in row) for row in t.counts), tuple(results),
                            t.min_expected, t.cells_below_5)

