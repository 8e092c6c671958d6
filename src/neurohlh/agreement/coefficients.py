"""Chance-corrected agreement between readers: Cohen's kappa (unweighted, linear, quadratic), Scott's pi,
Gwet's AC1 and Krippendorff's alpha (nominal, ordinal, interval; any number of readers, missing reads allowed).

Each function returns a frozen :class:`AgreementResult` with the coefficient, its confidence interval and how it
was obtained, percent agreement, the prevalence and bias indices and PABAK (Byrt, Bishop & Carlin 1993), the
confusion table of two readers, and warnings where the coefficient misleads (a category never used, a prevalence
so extreme that kappa is low despite high agreement).

Confidence intervals: the asymptotic interval where the literature gives one (kappa and weighted kappa: the
large-sample variance of Fleiss, Cohen & Everitt 1969; AC1: Gwet 2008), always with a seeded case-level
percentile bootstrap beside it (``bootstrap_ci``), which is the interval for Scott's pi and Krippendorff's alpha.
A case is one MR study; cases are resampled with replacement (:mod:`neurohlh.agreement.bootstrap`).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.agreement import _kernels as K
from neurohlh.agreement.bootstrap import (
    N_BOOT,
    SEED,
    percentile_interval,
    resample_counts,
    resampled_sums,
)
from neurohlh.errors import InputError

#: A category holding at least this share of all reads makes kappa unreliable (the kappa paradox).
EXTREME_PREVALENCE = 0.90

REFERENCES = {
    "kappa": "Cohen J. Educ Psychol Meas 1960;20:37-46",
    "weighted kappa": "Cohen J. Psychol Bull 1968;70:213-20",
    "kappa variance": "Fleiss JL, Cohen J, Everitt BS. Psychol Bull 1969;72:323-7",
    "scott": "Scott WA. Public Opin Q 1955;19:321-5",
    "ac1": "Gwet KL. Br J Math Stat Psychol 2008;61:29-48",
    "alpha": "Krippendorff K. Computing Krippendorff's alpha-reliability (2011); Hayes AF, Krippendorff K. "
             "Commun Methods Meas 2007;1:77-89",
    "pabak": "Byrt T, Bishop J, Carlin JB. J Clin Epidemiol 1993;46:423-9",
}


@dataclass(frozen=True, slots=True)
class AgreementResult:
    """One agreement coefficient with its interval, provenance and the descriptive indices beside it.

    Attributes
    ----------
    statistic : float
        The coefficient; NaN when it is undefined (e.g. both readers used one category only; see ``warnings``).
    ci : (float, float)
        The confidence interval at ``confidence``: asymptotic where ``ci_method`` says so, else the bootstrap one.
    n : int
        Cases used: pairs with both reads (kappa, pi, AC1) or cases with at least two reads (alpha).
    method, reference : str
        What was computed and where it is defined.
    se : float or None
        Asymptotic standard error (None where the literature gives none).
    ci_method : str
        How ``ci`` was obtained.
    bootstrap_ci : (float, float) or None
        Percentile interval of the seeded case-level bootstrap (None when ``n_boot`` is 0).
    percent_agreement : float
        Share of cases on which the readers agree exactly (alpha: share of agreeing pairable value pairs).
    prevalence_index, bias_index, pabak : float or None
        Byrt et al. (1993) for two readers: prevalence index ``|a - d| / n`` and bias index ``|b - c| / n`` of a
        2x2 table (None for more than two categories); PABAK ``(q po - 1) / (q - 1)``.
    categories : tuple
        The categories in the order used (ordinal weights and the table follow it).
    table : tuple of tuples or None
        Confusion table, rows reader 1 and columns reader 2, in ``categories`` order (two-reader coefficients).
    warnings : tuple of str
    """

    statistic: float
    ci: tuple[float, float]
    n: int
    method: str
    reference: str
    se: float | None = None
    ci_method: str = ""
    bootstrap_ci: tuple[float, float] | None = None
    confidence: float = 0.95
    percent_agreement: float = float("nan")
    prevalence_index: float | None = None
    bias_index: float | None = None
    pabak: float | None = None
    categories: tuple[Any, ...] = ()
    table: tuple[tuple[int, ...], ...] | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": _clean(self.statistic), "ci": [_clean(v) for v in self.ci], "n": self.n,
            "method": self.method, "reference": self.reference, "se": _clean(self.se),
            "ci_method": self.ci_method,
            "bootstrap_ci": None if self.bootstrap_ci is None else [_clean(v) for v in self.bootstrap_ci],
            "confidence": self.confidence, "percent_agreement": _clean(self.percent_agreement),
            "prevalence_index": _clean(self.prevalence_index), "bias_index": _clean(self.bias_index),
            "pabak": _clean(self.pabak), "categories": [_json_value(c) for c in self.categories],
            "table": None if self.table is None else [list(r) for r in self.table],
            "warnings": list(self.warnings),
        }

    def __str__(self) -> str:
        low, high = self.ci
        return (f"{self.method} = {_fmt(self.statistic)} ({self.confidence:.0%} CI {_fmt(low)} to {_fmt(high)}, "
                f"n = {self.n}, agreement {_fmt(100 * self.percent_agreement, 1)}%)")


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _clean(x: Any) -> Any:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _json_value(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


# ---------------------------------------------------------------- input


def is_missing(value: Any) -> bool:
    """A missing read: None, NaN or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA (raises for NA in a bool context)
    except TypeError:
        return True


def _categories(observed: Iterable[Any], categories: Sequence[Any] | None, *, ordered: bool) -> tuple[Any, ...]:
    seen = {v for v in observed}
    if categories is not None:
        cats = tuple(categories)
        if len(set(cats)) != len(cats):
            raise InputError(f"categories are given twice: {list(cats)}")
        unknown = seen - set(cats)
        if unknown:
            raise InputError(f"reads outside the categories {list(cats)}: {sorted(map(str, unknown))}")
        return cats
    if ordered and not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in seen):
        raise InputError("weights and ordinal or interval levels need the order of the categories: pass "
                         "categories=[lowest, ..., highest]")
    try:
        return tuple(sorted(seen))
    except TypeError:
        return tuple(sorted(seen, key=str))


def _as_objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def missing_mask(values: Sequence[Any]) -> np.ndarray:
    """Boolean array: which reads are missing (None, NaN, pandas NA), vectorised."""
    return np.asarray(pd.isna(_as_objects(values)), dtype=bool)


def encode_reads(rows: Sequence[Sequence[Any]], categories: Sequence[Any] | None, *, ordered: bool,
                 only_complete: bool = False) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Integer codes ``(readers, cases)`` of reads in the order of the categories, -1 for a missing read.

    ``categories`` default to the observed values, sorted (of the complete cases when ``only_complete``).
    """
    arrays = [_as_objects(r) for r in rows]
    missing = np.array([np.asarray(pd.isna(a), dtype=bool) for a in arrays]).reshape(len(arrays), -1)
    use = ~missing.any(axis=0) if only_complete else np.ones(missing.shape[1], dtype=bool)
    observed: Any = pd.unique(np.concatenate([a[use & ~m] for a, m in zip(arrays, missing)])) if arrays else []
    cats = _categories(list(observed), categories, ordered=ordered)
    codes = np.full(missing.shape, -1, dtype=np.int64)
    if cats:
        lookup = pd.Index(list(cats)) if len(set(map(type, cats))) <= 1 else None
        for i, (a, m) in enumerate(zip(arrays, missing)):
            if lookup is not None:
                codes[i, ~m] = lookup.get_indexer(a[~m])
            else:
                index = {c: j for j, c in enumerate(cats)}
                codes[i, ~m] = [index.get(v, -1) for v in a[~m]]
    if ((codes < 0) & ~missing).any():
        bad = sorted({str(v) for a, c, m in zip(arrays, codes, missing) for v in a[(c < 0) & ~m]})
        raise InputError(f"reads outside the categories {list(cats)}: {bad}")
    return codes, cats


def _pairs(r1: Sequence[Any], r2: Sequence[Any], categories: Sequence[Any] | None, ordered: bool
           ) -> tuple[np.ndarray, tuple[Any, ...], int]:
    if len(r1) != len(r2):
        raise InputError(f"the two readers have different numbers of reads ({len(r1)} and {len(r2)}); give one "
                         "read per case for each, None where a read is missing")
    codes, cats = encode_reads([r1, r2], categories, ordered=ordered, only_complete=True)
    keep = (codes >= 0).all(axis=0)
    return codes[:, keep].T.copy(), cats, int((~keep).sum())


def pair_table(codes: np.ndarray, q: int) -> np.ndarray:
    """``q x q`` confusion table of integer-coded pairs (rows reader 1)."""
    return np.bincount(codes[:, 0] * q + codes[:, 1], minlength=q * q).reshape(q, q).astype(float)


def pair_contributions(codes: np.ndarray, q: int) -> np.ndarray:
    """Per-case one-hot ``(n, q, q)`` tables: the case's cell of the confusion table."""
    out = np.zeros((len(codes), q * q))
    out[np.arange(len(codes)), codes[:, 0] * q + codes[:, 1]] = 1.0
    return out.reshape(len(codes), q, q)


# ---------------------------------------------------------------- descriptive indices and warnings


def descriptive_indices(table: np.ndarray) -> dict[str, Any]:
    """Percent agreement, PABAK, and (2x2 tables) the prevalence and bias indices of Byrt et al. (1993)."""
    q = table.shape[0]
    n = table.sum()
    po = float(np.trace(table) / n) if n else float("nan")
    out: dict[str, Any] = {"percent_agreement": po, "prevalence_index": None, "bias_index": None,
                                    "pabak": (q * po - 1) / (q - 1) if q >= 2 and n else None}
    if q == 2 and n:
        out["prevalence_index"] = float(abs(table[0, 0] - table[1, 1]) / n)
        out["bias_index"] = float(abs(table[0, 1] - table[1, 0]) / n)
    return out


def usage_warnings(marginal_counts: np.ndarray, cats: tuple[Any, ...], statistic: str) -> list[str]:
    """Warnings about categories: never used, only one used, or one so prevalent that kappa misleads."""
    out: list[str] = []
    total = marginal_counts.sum()
    unused = [str(c) for c, m in zip(cats, marginal_counts) if m == 0]
    if unused and total:
        out.append(f"category never used by any reader: {', '.join(unused)}")
    used = int((marginal_counts > 0).sum())
    if total and used <= 1:
        out.append(f"every read is in one category, so chance agreement is 1 and {statistic} is undefined")
    elif total and marginal_counts.max() / total >= EXTREME_PREVALENCE:
        top = cats[int(marginal_counts.argmax())]
        out.append(f"extreme prevalence: {marginal_counts.max() / total:.0%} of reads are {top!s}; kappa-type "
                   "coefficients are then low even when the readers almost always agree (the kappa paradox): "
                   "read percent agreement, AC1 and PABAK beside it")
    return out


def _missing_warning(dropped: int) -> list[str]:
    return [f"{dropped} case(s) with a missing read left out"] if dropped else []


def _se(variance: float) -> float:
    """Standard error from a variance; rounding noise around an exact 0 (perfect agreement) becomes 0."""
    if not math.isfinite(variance):
        return float("nan")
    if abs(variance) < 1e-14:
        return 0.0
    return math.sqrt(variance) if variance > 0 else float("nan")


@functools.lru_cache(maxsize=16)
def _z(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` interval (computed once per level: SciPy's
    distribution machinery costs a fraction of a millisecond per call, paid for every coefficient)."""
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1, not {confidence!r}")
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def _clip(ci: tuple[float, float], low: float = -1.0, high: float = 1.0) -> tuple[float, float]:
    if not all(map(math.isfinite, ci)):
        return ci
    return (min(max(low, ci[0]), high), max(min(high, ci[1]), low))


def _bootstrap(stat_of_sums: Any, contributions: np.ndarray, n_boot: int, seed: int, confidence: float
               ) -> tuple[float, float] | None:
    if n_boot <= 0:
        return None
    counts = resample_counts(contributions.shape[0], n_boot, seed)
    return percentile_interval(stat_of_sums(resampled_sums(counts, contributions)), confidence)


# ---------------------------------------------------------------- two readers


@dataclass(frozen=True)
class _TwoReads:
    """The reads of two readers as coded pairs, with the weight matrix and the reader-1 x reader-2 table."""

    codes: np.ndarray  #: one row per case with both reads: (reader 1, reader 2) category codes
    cats: tuple[Any, ...]
    dropped: int  #: cases left out for a missing read
    w: np.ndarray
    table: np.ndarray


def _two_reads(r1: Sequence[Any], r2: Sequence[Any], categories: Sequence[Any] | None, weights: str | None,
               confidence: float) -> _TwoReads:
    """Checked ``weights`` and ``confidence``, and the coded pairs: the start kappa and AC1 share."""
    if weights not in (None, "linear", "quadratic"):
        raise InputError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    _z(confidence)
    codes, cats, dropped = _pairs(r1, r2, categories, ordered=weights is not None)
    q = len(cats)
    return _TwoReads(codes, cats, dropped, K.weight_matrix(q, weights), pair_table(codes, q))


def _asymptotic(reads: _TwoReads, of_tables: Callable[[np.ndarray, np.ndarray], Any],
                variance: Callable[[float], float], name: str, ref: str, ci_method: str,
                warnings: list[str], confidence: float, n_boot: int, seed: int) -> AgreementResult:
    """A two-reader coefficient with its normal-approximation interval from ``variance(statistic)`` and its
    bootstrap interval; ``of_tables(tables, w)`` computes the coefficient of one or many pair tables."""
    z = _z(confidence)
    statistic = float(of_tables(reads.table, reads.w))
    se = _se(variance(statistic) if math.isfinite(statistic) else float("nan"))
    boot = _bootstrap(lambda t: of_tables(t, reads.w), pair_contributions(reads.codes, len(reads.cats)), n_boot,
                      seed, confidence)
    return AgreementResult(
        statistic, _clip((statistic - z * se, statistic + z * se)), len(reads.codes), name, ref, se, ci_method,
        boot, confidence, categories=reads.cats, table=_as_table(reads.table), warnings=tuple(warnings),
        **descriptive_indices(reads.table))


#: Relative size below which the difference of two nearly equal terms of a variance is rounding noise.
CANCELLATION = 1e-12


def kappa_variance(table: np.ndarray, w: np.ndarray) -> float:
    """Large-sample variance of (weighted) kappa, Fleiss, Cohen & Everitt (1969), eq. 13 (non-null)."""
    n = table.sum()
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po, pe = float((w * p).sum()), float(row @ w @ col)
    if pe >= 1:
        return float("nan")
    kappa = (po - pe) / (1 - pe)
    w_row = w @ col          # wbar_i. = sum_j p_.j w_ij
    w_col = row @ w          # wbar_.j = sum_i p_i. w_ij
    inner = float((p * (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2).sum())
    square = (kappa - pe * (1 - kappa)) ** 2
    difference = inner - square
    if abs(difference) <= CANCELLATION * max(inner, square):
        difference = 0.0  # the two terms are equal but for rounding: the variance is 0, not noise
    return float(difference / (n * (1 - pe) ** 2))


def cohen_kappa(r1: Sequence[Any], r2: Sequence[Any], *, categories: Sequence[Any] | None = None,
                weights: str | None = None, confidence: float = 0.95, n_boot: int = N_BOOT,
                seed: int = SEED) -> AgreementResult:
    """Cohen's kappa of two readers; ``weights="linear"`` or ``"quadratic"`` for weighted kappa (ordinal scales).

    Parameters
    ----------
    r1, r2 : sequences of the same length
        One read per case; ``None`` (or NaN) is a missing read and leaves that case out.
    categories : sequence, optional
        All categories of the scale, lowest first: fixes the order for the weights and the confusion table, and
        lists categories nobody used. Default: the observed values, sorted.
    weights : None, "linear" or "quadratic"
    confidence, n_boot, seed
        Interval level; bootstrap resamples (0 to skip) and their seed.

    Examples
    --------
    >>> r = cohen_kappa(["yes", "yes", "no", "no"], ["yes", "no", "no", "no"], n_boot=0)
    >>> round(r.statistic, 3), r.percent_agreement
    (0.5, 0.75)
    """
    reads = _two_reads(r1, r2, categories, weights, confidence)
    name = "Cohen's kappa" if weights is None else f"Cohen's weighted kappa ({weights} weights)"
    ref = REFERENCES["kappa" if weights is None else "weighted kappa"] + "; variance " + REFERENCES["kappa variance"]
    table = reads.table
    warnings = _missing_warning(reads.dropped) + usage_warnings(table.sum(0) + table.sum(1), reads.cats, "kappa")
    if len(reads.codes) == 0:
        return _empty(name, ref, reads.cats, warnings, confidence)
    return _asymptotic(reads, K.kappa_from_tables, lambda _: kappa_variance(table, reads.w), name, ref,
                       "asymptotic, normal approximation with the Fleiss-Cohen-Everitt standard error", warnings,
                       confidence, n_boot, seed)


def ac1_variance(codes: np.ndarray, q: int, w: np.ndarray, ac1: float) -> float:
    """Variance of AC1 (AC2) from the case-level reads, Gwet (2008) as in irrCAC's ``gwet.ac1.raw``."""
    n = len(codes)
    counts = np.zeros((n, q))
    np.add.at(counts, (np.arange(n), codes[:, 0]), 1)
    np.add.at(counts, (np.arange(n), codes[:, 1]), 1)
    weighted = counts @ w.T
    pa_i = (counts * (weighted - 1)).sum(axis=1) / 2
    pi = counts.mean(axis=0) / 2
    factor = w.sum() / (q * (q - 1))
    pe = factor * float((pi * (1 - pi)).sum())
    pe_i = factor * (counts @ (1 - pi)) / 2
    ac1_i = (pa_i - pe) / (1 - pe) - 2 * (1 - ac1) * (pe_i - pe) / (1 - pe)
    return float(((ac1_i - ac1) ** 2).sum() / (n * (n - 1))) if n > 1 else float("nan")


def gwet_ac1(r1: Sequence[Any], r2: Sequence[Any], *, categories: Sequence[Any] | None = None,
             weights: str | None = None, confidence: float = 0.95, n_boot: int = N_BOOT,
             seed: int = SEED) -> AgreementResult:
    """Gwet's AC1 of two readers (AC2 with ``weights``), robust to the prevalence that depresses kappa.

    Chance agreement depends on the number of categories ``q``: pass the scale's ``categories`` so that
    categories nobody used still count (Gwet 2008). Arguments as :func:`cohen_kappa`.

    Examples
    --------
    >>> r = gwet_ac1(["no"] * 18 + ["yes", "no"], ["no"] * 18 + ["no", "yes"], n_boot=0)
    >>> round(r.statistic, 3), round(cohen_kappa(["no"] * 18 + ["yes", "no"], ["no"] * 18 + ["no", "yes"],
    ...                                              n_boot=0).statistic, 3)
    (0.89, -0.053)
    """
    reads = _two_reads(r1, r2, categories, weights, confidence)
    q = len(reads.cats)
    name = "Gwet's AC1" if weights is None else f"Gwet's AC2 ({weights} weights)"
    warnings = _missing_warning(reads.dropped) + [
        m for m in usage_warnings(reads.table.sum(0) + reads.table.sum(1), reads.cats, "AC1") if "paradox" not in m]
    if q < 2:
        warnings.append("AC1 needs at least two categories on the scale: pass categories=")
    if len(reads.codes) == 0 or q < 2:
        return _empty(name, REFERENCES["ac1"], reads.cats, warnings, confidence)
    return _asymptotic(reads, K.ac1_from_tables, lambda ac1: ac1_variance(reads.codes, q, reads.w, ac1), name,
                       REFERENCES["ac1"], "asymptotic, normal approximation with Gwet's standard error (case-level "
                       "reads)", warnings, confidence, n_boot, seed)


def scott_pi(r1: Sequence[Any], r2: Sequence[Any], *, categories: Sequence[Any] | None = None,
             confidence: float = 0.95, n_boot: int = N_BOOT, seed: int = SEED) -> AgreementResult:
    """Scott's pi of two readers (Fleiss' kappa for two readers); bootstrap interval."""
    codes, cats, dropped = _pairs(r1, r2, categories, ordered=False)
    q = len(cats)
    table = pair_table(codes, q)
    warnings = _missing_warning(dropped) + usage_warnings(table.sum(0) + table.sum(1), cats, "pi")
    if len(codes) == 0:
        return _empty("Scott's pi", REFERENCES["scott"], cats, warnings, confidence)
    pi = float(K.scott_from_tables(table))
    boot = _bootstrap(K.scott_from_tables, pair_contributions(codes, q), n_boot, seed, confidence)
    return AgreementResult(
        pi, boot or (float("nan"), float("nan")), len(codes), "Scott's pi", REFERENCES["scott"], None,
        _boot_method(n_boot, seed), boot, confidence, categories=cats, table=_as_table(table), warnings=tuple(warnings),
        **descriptive_indices(table))


# ---------------------------------------------------------------- any number of readers


def _boot_method(n_boot: int, seed: int) -> str:
    return (f"case-level percentile bootstrap ({n_boot} resamples, seed {seed})" if n_boot > 0
            else "no interval (bootstrap switched off)")


def krippendorff_alpha(ratings: Sequence[Sequence[Any]], *, level: str = "nominal",
                       categories: Sequence[Any] | None = None, confidence: float = 0.95, n_boot: int = N_BOOT,
                       seed: int = SEED) -> AgreementResult:
    """Krippendorff's alpha for any number of readers with missing reads.

    Parameters
    ----------
    ratings : readers x cases
        One row per reader, one column per case; ``None`` (or NaN) where a reader did not read a case. Cases
        with fewer than two reads are not pairable and do not count.
    level : "nominal", "ordinal" or "interval"
        Level of measurement. Ordinal uses the order of ``categories``; interval uses numeric values.
    categories : sequence, optional
        All categories, lowest first (ordinal); default the observed values, sorted.

    Examples
    --------
    Krippendorff's (2011) worked example with missing reads (4 readers, 12 cases), nominal alpha = 0.743:

    >>> nan = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, n_boot=0).statistic, 3)
    0.743
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise InputError(f"level must be 'nominal', 'ordinal' or 'interval', not {level!r}")
    rows = [list(r) for r in ratings]
    if not rows:
        raise InputError("ratings must have one row per reader (readers x cases)")
    n_cases = len(rows[0])
    if any(len(r) != n_cases for r in rows):
        raise InputError(f"every reader needs one entry per case (None where missing); row lengths "
                         f"{[len(r) for r in rows]}")
    if level == "interval":
        return _alpha_interval(rows, confidence, n_boot, seed)
    codes, cats = encode_reads(rows, categories, ordered=level != "nominal")
    q = len(cats)
    counts = np.zeros((n_cases, q))
    for r in codes:
        ok = r >= 0
        np.add.at(counts, (np.nonzero(ok)[0], r[ok]), 1)
    pairable = counts.sum(axis=1) >= 2
    contributions = K.unit_coincidences(counts[pairable])
    name = f"Krippendorff's alpha ({level})"
    coinc = contributions.sum(axis=0) if len(contributions) else np.zeros((q, q))
    warnings = [f"{int((~pairable).sum())} case(s) with fewer than two reads left out"] if (~pairable).any() else []
    warnings += [m for m in usage_warnings(coinc.sum(axis=1), cats, "alpha") if "paradox" not in m]
    if len(contributions) == 0:
        return _empty(name, REFERENCES["alpha"], cats, warnings, confidence)

    def stat(c: np.ndarray) -> np.ndarray:
        return K.alpha_from_coincidences(c, level)

    alpha = float(stat(coinc))
    boot = _bootstrap(stat, contributions, n_boot, seed, confidence)
    po = float(np.trace(coinc) / coinc.sum())
    table = None
    if len(rows) == 2:
        both = (codes >= 0).all(axis=0)
        table = _as_table(pair_table(codes[:, both].T, q))
    return AgreementResult(
        alpha, _clip(boot, -math.inf, 1.0) if boot else (float("nan"), float("nan")), int(pairable.sum()), name,
        REFERENCES["alpha"], None, _boot_method(n_boot, seed), boot, confidence, percent_agreement=po,
        pabak=(q * po - 1) / (q - 1) if q >= 2 else None, categories=cats, table=table, warnings=tuple(warnings))


def _alpha_interval(rows: list[list[Any]], confidence: float, n_boot: int, seed: int) -> AgreementResult:
    present = ~np.array([missing_mask(r) for r in rows]).T
    objects = np.array([_as_objects(r) for r in rows]).T
    given = objects[present]
    if not all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in set(given)):
        raise InputError("interval alpha needs numeric reads")
    x = np.zeros(present.shape)
    x[present] = given.astype(float)
    parts = K.interval_parts(x, present)
    pairable = present.sum(axis=1) >= 2
    name = "Krippendorff's alpha (interval)"
    warnings = [f"{int((~pairable).sum())} case(s) with fewer than two reads left out"] if (~pairable).any() else []
    if not pairable.any():
        return _empty(name, REFERENCES["alpha"], (), warnings, confidence)
    total = parts.sum(axis=0)
    alpha = float(K.alpha_interval_from_parts(total))
    if not math.isfinite(alpha):
        warnings.append("every read has the same value, so alpha is undefined")
    boot = _bootstrap(K.alpha_interval_from_parts, parts[pairable], n_boot, seed, confidence)
    # ordered pairs of equal reads, each case weighted 1 / (m - 1) as in the coincidence matrix
    m = present.sum(axis=1)
    equal = np.zeros(len(x))
    readers = len(rows)
    for i in range(readers):
        for j in range(readers):
            if i != j:
                equal += present[:, i] & present[:, j] & (x[:, i] == x[:, j])
    agreeing = float((equal[pairable] / (m[pairable] - 1)).sum())
    return AgreementResult(
        alpha, _clip(boot, -math.inf, 1.0) if boot else (float("nan"), float("nan")), int(pairable.sum()), name,
        REFERENCES["alpha"], None, _boot_method(n_boot, seed), boot, confidence,
        percent_agreement=agreeing / float(total[3]), warnings=tuple(warnings))


# ---------------------------------------------------------------- helpers


def _as_table(table: np.ndarray) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(round(v)) for v in row) for row in table)


def _empty(name: str, ref: str, cats: tuple[Any, ...], warnings: list[str], confidence: float) -> AgreementResult:
    warnings = warnings + ["no case has the reads this coefficient needs"]
    nan = float("nan")
    return AgreementResult(nan, (nan, nan), 0, name, ref, None, "not computed", None, confidence,
                           categories=cats, warnings=tuple(warnings))
