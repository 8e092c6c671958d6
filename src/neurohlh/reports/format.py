"""Number formatting for manuscript tables, in one place.

* counts: ``n/N (p%)`` with the percentage rounded half up (11/21 -> 52%, 1/8 -> 13%), so a reviewer
  can recompute every cell; the denominator is always printed because it varies with missing data;
* medians: ``median (Q1-Q3)`` with quartiles by SPSS's default *weighted average* definition
  (``x[(n + 1) p]``, numpy's ``"weibull"`` method), the paper's software;
* P values: :func:`neurohlh.stats.format_p` (journal style, ``.004``, ``<.001``).
"""
from __future__ import annotations

import math
from typing import Final, Sequence

import numpy as np

from neurohlh.reports.model import Cell
from neurohlh.rounding import percent_text, round_half_up

#: Quartile definition of SPSS "Weighted Average" (definition 1): x[(n+1)p], linear interpolation.
QUARTILE_METHOD: Final = "weibull"
DASH = "\u2013"  # en dash for ranges, as in the paper's "5.5-80.8"


def count_cell(numerator: int, denominator: int) -> Cell:
    """``11/21 (52%)``; ``0/0`` when nobody has a known value."""
    numerator, denominator = int(numerator), int(denominator)
    if denominator == 0:
        return Cell("0/0", None, 0, 0, "count")
    text = f"{numerator}/{denominator} ({percent_text(numerator, denominator)})"
    return Cell(text, numerator / denominator, numerator, denominator, "count")


def number_text(x: float | None, decimals: int = 1) -> str:
    """``45.4``, ``66`` (a trailing ``.0`` dropped), ``n/a`` for None/NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    text = f"{round_half_up(x, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def quartiles(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """(Q1, median, Q3) by the SPSS weighted-average definition; NaNs for an empty sample."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    q1, med, q3 = np.percentile(x, [25.0, 50.0, 75.0], method=QUARTILE_METHOD)
    return float(q1), float(med), float(q3)


def median_cell(values: Sequence[float] | np.ndarray, with_iqr: bool = True, with_n: bool = False) -> Cell:
    """``45.4 (20.1-70.3)``: median and interquartile range; ``n/a`` for no values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Cell("n/a", None, kind="median")
    q1, med, q3 = quartiles(x)
    text = number_text(med)
    if with_iqr:
        text += f" ({number_text(q1)}{DASH}{number_text(q3)})"
    if with_n:
        text += f"; n = {x.size}"
    return Cell(text, med, kind="median", denominator=int(x.size))


def mean_cell(values: Sequence[float] | np.ndarray) -> Cell:
    """``45.4 (12.1)``: mean and standard deviation (n - 1 denominator); ``n/a`` for no values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Cell("n/a", None, kind="mean")
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if x.size > 1 else math.nan
    return Cell(f"{number_text(mean)} ({number_text(sd)})", mean, kind="mean", denominator=int(x.size))


def summary_cell(values: Sequence[float] | np.ndarray, shown: str) -> Cell:
    """The cell a continuous row shows: :func:`mean_cell` for ``"mean (SD)"``, else :func:`median_cell`."""
    return mean_cell(values) if shown == "mean (SD)" else median_cell(values)


def p_cell(pvalue: float | None) -> Cell:
    """A P value in journal style via :func:`neurohlh.stats.format_p`; ``n/a`` when no test could run."""
    if pvalue is None or (isinstance(pvalue, float) and math.isnan(pvalue)):
        return Cell("n/a", None, kind="p")
    from neurohlh.stats import format_p

    return Cell(format_p(pvalue), float(pvalue), kind="p")


def ratio_text(a: int, b: int) -> str:
    """``34:23 (1.5:1)`` for a male/female split."""
    if b == 0:
        return f"{a}:{b}"
    return f"{a}:{b} ({number_text(a / b)}:1)"
