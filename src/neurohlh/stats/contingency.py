"""Tests for contingency tables: exact Fisher / Fisher-Freeman-Halton, Pearson, Yates, G.

Convention: rows are groups, columns are outcome categories; in a 2x2 table the first column
is the event, so the difference in proportions is ``t[0,0]/row0 - t[1,0]/row1``.
"""
from __future__ import annotations

import functools
import warnings as _warnings

import numpy as np
from scipy import stats

from neurohlh.errors import Caveat, InputError, StatisticalWarning
from neurohlh.stats import _effects
from neurohlh.stats._exact import MAX_EXACT_N, ffh_exact, ffh_monte_carlo
from neurohlh.stats._limits import DEFAULT_MEMORY_LIMIT, ExactTimeout
from neurohlh.stats._results import CategoricalPanel, EffectSize, TestResult
from neurohlh.stats._validation import _iv_table

__all__ = ["categorical_panel", "chi_square", "expected_counts", "fisher_exact", "likelihood_ratio"]

#: Default seed of the Monte Carlo fallback, so reruns reproduce the same estimate.
DEFAULT_SEED = 20210301
#: Default number of Monte Carlo tables (SE <= 0.0016 at any p).
DEFAULT_RESAMPLES = 100_000


def expected_counts(table: object) -> np.ndarray:
    """Expected counts under independence: row total x column total / n."""
    t = _iv_table(table)
    return np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()


def _sparsity(t: np.ndarray) -> tuple[float, int, tuple[Caveat, ...]]:
    """Minimum expected count, cells below 5, and the caveat an asymptotic test carries when any is below 5."""
    e = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    below = int(np.sum(e < 5))
    caveats: tuple[Caveat, ...] = ()
    if below:
        caveats = (Caveat("low_expected_count", f"{below} of {e.size} cells ({below / e.size:.0%}) have expected "
                          f"count < 5; the minimum expected count is {e.min():.2f}", float(e.min())),)
    return float(e.min()), below, caveats


def _effects_for(t: np.ndarray, chi2: float) -> tuple[EffectSize, ...]:
    return _effects_cached(tuple(map(tuple, t.tolist())), chi2)


@functools.lru_cache(maxsize=256)
def _effects_cached(key: tuple[tuple[int, ...], ...], chi2: float) -> tuple[EffectSize, ...]:
    t = np.array(key)
    out: list[EffectSize] = []
    if t.shape == (2, 2):
        out += [_effects.risk_difference(t), _effects.odds_ratio(t)]
    out.append(_effects.cramers_v(t))
    return tuple(out)


def _pearson(t: np.ndarray) -> float:
    return float(stats.chi2_contingency(t, correction=False)[0])


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
    t = _iv_table(table)
    if int(t.sum()) > MAX_EXACT_N:
        raise InputError(f"`table` has n = {int(t.sum())}, beyond the exact test's limit of {MAX_EXACT_N:,}; "
                         "at this size the Pearson chi-square approximation is accurate: use chi_square.")
    if time_budget is not None and not time_budget >= 0:
        raise InputError(f"`time_budget` must be a nonnegative number of seconds or None; got {time_budget!r}.")
    min_e, _, _ = _sparsity(t)  # small expected counts are why an exact test runs, not a caveat on it
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
        test=name, statistic=stat, pvalue=pvalue, df=None, n=int(t.sum()), reason=why,
        method=method, warnings=notes, caveats=caveats, effect_sizes=_effects_for(t, _pearson(t)),
        n_per_group=tuple(int(v) for v in t.sum(axis=1)), standard_error=se,
        details=(("min_expected", min_e),) + extra,
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
    t = _iv_table(table)
    min_e, _, caveats = _sparsity(t)
    stat, p, dof, _ = stats.chi2_contingency(t, correction=correction)
    yates = correction and t.shape == (2, 2)
    name = "Yates-corrected chi-square" if yates else "Pearson chi-square"
    return TestResult(
        test=name, statistic=float(stat), pvalue=float(p), df=float(dof), n=int(t.sum()),
        reason=reason or f"{name} requested", warnings=tuple(c.message for c in caveats), caveats=caveats,
        effect_sizes=_effects_for(t, _pearson(t)), n_per_group=tuple(int(v) for v in t.sum(axis=1)),
        details=(("min_expected", min_e),),
    )


def likelihood_ratio(table: object, *, reason: str | None = None) -> TestResult:
    """Likelihood-ratio (G) test of independence, SPSS's "Likelihood Ratio" row."""
    t = _iv_table(table)
    min_e, _, caveats = _sparsity(t)
    stat, p, dof, _ = stats.chi2_contingency(t, correction=False, lambda_="log-likelihood")
    return TestResult(
        test="likelihood-ratio chi-square", statistic=float(stat), pvalue=float(p), df=float(dof),
        n=int(t.sum()), reason=reason or "likelihood-ratio (G) test requested",
        warnings=tuple(c.message for c in caveats), caveats=caveats,
        effect_sizes=_effects_for(t, _pearson(t)), n_per_group=tuple(int(v) for v in t.sum(axis=1)),
        details=(("min_expected", min_e),),
    )


def categorical_panel(table: object, *, time_budget: float = 60.0) -> CategoricalPanel:
    """Pearson, Yates (2x2 only), likelihood-ratio and exact tests of one table side by side.

    Meant for replication (SPSS Crosstabs prints the same rows); only 2x2, R x 2 and 2 x C
    tables are accepted.
    """
    t = _iv_table(table)
    if 2 not in t.shape:
        raise InputError(f"`table` must be 2x2, Rx2 or 2xC for a panel; got shape {t.shape}.")
    why = "computed side by side for replication"
    results = [chi_square(t, reason=why)]
    if t.shape == (2, 2):
        results.append(chi_square(t, correction=True, reason=why))
    results += [likelihood_ratio(t, reason=why), fisher_exact(t, time_budget=time_budget, reason=why)]
    min_e, below, _ = _sparsity(t)
    return CategoricalPanel(tuple(tuple(int(v) for v in row) for row in t), tuple(results), min_e, below)

