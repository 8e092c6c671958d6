"""Kaplan-Meier curves and the log-rank test, matching R ``survival::survfit``/``survdiff``.

The Kaplan-Meier estimator is written out here (a few lines) so that its CI (``conf.type =
"log"``, Greenwood variance) and median rule are exactly R's; the log-rank test calls
statsmodels' ``survdiff`` (checked against R ``survdiff`` and lifelines in the tests).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from neurohlh.errors import InputError
from neurohlh.stats._results import ConfidenceInterval, TestResult, _clean

__all__ = ["KaplanMeierResult", "SurvivalCurve", "kaplan_meier", "logrank"]

_TOL = math.sqrt(np.finfo(float).eps)


def _iv_survival(time: object, event: object, group: object | None):
    t = np.asarray(time, dtype=float)
    if t.ndim != 1 or len(t) == 0:
        raise InputError("`time` must be a non-empty 1-D sequence of follow-up times.")
    if np.any(~np.isfinite(t)):
        raise InputError("`time` contains NaN or infinite values; drop missing follow-up first.")
    if np.any(t < 0):
        raise InputError("`time` must be nonnegative.")
    e = np.asarray(event, dtype=float)
    if e.shape != t.shape:
        raise InputError(f"`event` must have the same length as `time` ({len(t)}); got {e.shape}.")
    if np.any(~np.isin(e, (0.0, 1.0))):
        raise InputError("`event` must be 0 (censored) or 1 (event) / False or True.")
    g = None
    if group is not None:
        g = np.asarray(group, dtype=object)
        if g.shape != t.shape:
            raise InputError(f"`group` must have the same length as `time` ({len(t)}); got {g.shape}.")
        missing = [i for i, v in enumerate(g) if _is_missing(v)] if pd.isna(g).any() else []  # checked whole first
        if missing:
            raise InputError(f"`group` contains {len(missing)} missing value(s) (first at position "
                             f"{missing[0]}); drop them first.")
        by_text: dict[str, set] = {}
        for v in set(g.tolist()):
            by_text.setdefault(str(v), set()).add(v)
        clash = sorted((k, vs) for k, vs in by_text.items() if len(vs) > 1)
        if clash:
            shown = " and ".join(repr(v) for v in sorted(clash[0][1], key=repr))
            raise InputError(f"`group` mixes labels that print the same but differ in type ({shown}); "
                             "use one type for the group labels.")
    return t, e.astype(bool), g


def _is_missing(value: object) -> bool:
    """None, NaN, pd.NA, pd.NaT and numpy NaT/NaN count as missing group labels."""
    if value is None:
        return True
    try:
        missing = pd.isna(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
    return bool(missing) if np.ndim(missing) == 0 else False


def _quantile(x: np.ndarray, y: np.ndarray, p: float = 0.5) -> float:
    """R survfit quantile rule: first time with S <= p; midpoint rule when S equals p exactly."""
    ok = ~np.isnan(y)
    x, y = x[ok], y[ok]
    hit = np.flatnonzero(y <= p + _TOL)
    if len(hit) == 0:
        return math.nan
    i = hit[0]
    if abs(y[i] - p) < _TOL:
        below = np.flatnonzero(y < p - _TOL)
        return float((x[i] + x[below[0]]) / 2) if len(below) else float(x[i])
    return float(x[i])


@dataclass(frozen=True, slots=True)
class SurvivalCurve:
    """One Kaplan-Meier curve at every distinct observed time (events and censorings)."""

    group: object
    time: tuple[float, ...]
    n_risk: tuple[int, ...]
    n_event: tuple[int, ...]
    n_censor: tuple[int, ...]
    survival: tuple[float, ...]
    std_err: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    median: float
    median_ci: ConfidenceInterval

    def survival_at(self, t: float) -> tuple[float, float, ConfidenceInterval]:
        """(S(t), SE, CI) of the step function at time ``t`` (R ``summary(fit, times = t)``)."""
        i = int(np.searchsorted(self.time, t, side="right")) - 1
        if i < 0:
            return 1.0, 0.0, ConfidenceInterval(1.0, 1.0)
        return self.survival[i], self.std_err[i], ConfidenceInterval(self.ci_low[i], self.ci_high[i])

    def to_dict(self) -> dict[str, object]:
        out = {name: _clean(getattr(self, name)) for name in (
            "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "ci_low", "ci_high", "median")}
        return {"group": str(self.group), **out, "median_ci": self.median_ci.to_dict()}


@dataclass(frozen=True, slots=True)
class KaplanMeierResult:
    """Kaplan-Meier curves, one per group (a single curve named ``"all"`` without groups)."""

    curves: tuple[SurvivalCurve, ...]
    conf_type: str = "log"

    def __getitem__(self, group: object) -> SurvivalCurve:
        for curve in self.curves:
            if curve.group == group:
                return curve
        raise KeyError(group)

    def to_dict(self) -> dict[str, object]:
        return {"conf_type": self.conf_type, "curves": [c.to_dict() for c in self.curves]}

    def __str__(self) -> str:
        lines = []
        for c in self.curves:
            med = "not reached" if math.isnan(c.median) else f"{c.median:g}"
            lines.append(f"{c.group}: n = {c.n_risk[0]}, events = {sum(c.n_event)}, median = {med}")
        return "\n".join(lines)


def _risk_table(t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct times and, at each, the events, the censorings and the number at risk (time >= it)."""
    times, at, size = np.unique(t, return_inverse=True, return_counts=True)
    d = np.bincount(at, weights=e, minlength=len(times)).astype(np.int64)
    n = len(t) - np.concatenate([[0], np.cumsum(size)[:-1]])
    return times, d, size - d, n


def _curve(group: object, t: np.ndarray, e: np.ndarray, level: float) -> SurvivalCurve:
    times, d, c, n = _risk_table(t, e)
    surv = np.cumprod(1 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
    se_log = np.sqrt(greenwood)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", over="ignore"):
        low = np.where(surv > 0, surv * np.exp(-z * se_log), np.nan)
        high = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * se_log)), np.nan)
        std_err = surv * se_log
    median = _quantile(times, surv)
    median_ci = ConfidenceInterval(_quantile(times, low), _quantile(times, high), level)
    return SurvivalCurve(
        group, tuple(map(float, times)), tuple(map(int, n)), tuple(map(int, d)), tuple(map(int, c)),
        tuple(map(float, surv)), tuple(map(float, np.nan_to_num(std_err, nan=np.nan))),
        tuple(map(float, low)), tuple(map(float, high)), median, median_ci,
    )


def kaplan_meier(time: object, event: object, group: object | None = None, *, level: float = 0.95) -> KaplanMeierResult:
    """Kaplan-Meier estimates with Greenwood SE and log-scale CIs, per group.

    Matches R ``survfit(Surv(time, event) ~ group)`` with its defaults (``conf.type =
    "log"``): ``std_err`` is the SE of S(t) (as ``summary.survfit`` prints), the median is the
    first time with S(t) <= 0.5 (midpoint of the flat stretch when S(t) equals 0.5 exactly),
    and its CI comes from the CI curves.  A median that is not reached is NaN.

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 3, 4, 5], [1, 1, 0, 1, 0])
    >>> [round(s, 3) for s in km.curves[0].survival]
    [0.8, 0.6, 0.6, 0.3, 0.3]
    """
    t, e, g = _iv_survival(time, event, group)
    if g is None:
        return KaplanMeierResult((_curve("all", t, e, level),))
    labels = sorted(set(g.tolist()), key=str)
    return KaplanMeierResult(tuple(_curve(lab, t[g == lab], e[g == lab], level) for lab in labels))


def logrank(time: object, event: object, group: object, *, reason: str | None = None) -> TestResult:
    """Log-rank test for two or more groups (chi-square with k - 1 df, R ``survdiff``, rho = 0).

    ``details`` carries observed and expected events per group (``observed[<group>]``,
    ``expected[<group>]``).
    """
    from statsmodels.duration.survfunc import survdiff

    t, e, g = _iv_survival(time, event, group)
    labels = sorted(set(g.tolist()), key=str)
    if len(labels) < 2:
        raise InputError("`group` must contain at least two groups for a log-rank test.")
    if not e.any():
        raise InputError("there are no events; the log-rank test is undefined.")
    index = {lab: i for i, lab in enumerate(labels)}  # equal labels (1 and 1.0) are one group
    chisq, pvalue = survdiff(t, e.astype(float), np.array([index[v] for v in g.tolist()]))
    details = []
    times, d, _, n = _risk_table(t, e)
    events = d > 0  # the distinct event times
    for lab in labels:
        mask = g == lab
        observed = float(e[mask].sum())
        # at risk in the group at each event time: the group's times >= it
        at_risk = len(t[mask]) - np.searchsorted(np.sort(t[mask]), times[events], "left")
        terms = d[events] * at_risk / n[events]
        expected = 0.0
        for term in terms.tolist():  # added in time order, as the sum over event times is defined
            expected += term
        details += [(f"observed[{lab}]", observed), (f"expected[{lab}]", float(expected))]
    return TestResult(
        test="log-rank", statistic=float(chisq), pvalue=float(pvalue),
        df=float(len(labels) - 1), n=len(t), reason=reason or "log-rank test requested",
        n_per_group=tuple(int(np.sum(g == lab)) for lab in labels), details=tuple(details),
    )
