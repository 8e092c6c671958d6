"""Number formatting for reports: journal P values and fixed decimals, in one place.

Journal style (AJNR, as printed in Malik et al. 2021 Table 2)
-------------------------------------------------------------
* no leading zero (".04", not "0.04");
* one significant figure: ``.3`` for P >= .1, ``.04`` for .01 <= P < .1, ``.004`` for
  .001 <= P < .01, so 0.0412 -> ".04", 0.287 -> ".3", 0.0043 -> ".004";
* P < .001 prints as ``"<.001"``;
* values that one significant figure would round up to 1 keep two decimals (0.962 -> ".96"),
  and P > .99 prints as ``">.99"``;
* a P below .05 that this rounding would carry to .05 or above gets more digits, as AMA style
  allows, until it stays below .05: 0.0454 -> ".045", 0.0496 -> ".0496" (never ".05" for a
  P that is significant at the .05 level);
* ``truncate=True`` cuts digits instead of rounding (0.0454 -> ".04"), the forensic option
  that explains some of the paper's values read off SPSS's 3-decimal display.

Fixed style: ``decimals`` decimals, no leading zero by default, ``"<.001"`` floor
(``format_p(0.0412, style="fixed") -> ".041"``), exactly as SPSS displays P.

Estimates and confidence bounds (``format_estimate``): ``decimals`` decimals with trailing
zeros dropped, but a nonzero value that would round to zero keeps two significant figures
(-0.0032 -> "-0.0032", never "0" or "-0.00").

Any real number is accepted, including numpy scalars (``np.float64``, ``np.float32``);
``True``/``False`` and non-numbers raise :class:`~neurohlh.errors.InputError`.
"""
from __future__ import annotations

import math
import numbers
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal
from typing import Literal

import numpy as np

from neurohlh.errors import InputError

__all__ = ["format_estimate", "format_fixed", "format_p"]

#: The significance level that journal-style rounding must never cross.
SIGNIFICANCE_LEVEL = Decimal("0.05")


def _real(value: object, name: str) -> float:
    """``value`` as a Python float: any real number incl. numpy scalars; bool and non-numbers raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputError(f"`{name}` must be a number; got {value!r} ({type(value).__name__}).")
    if isinstance(value, np.floating) and value.dtype.itemsize < 8:
        return float(str(value))  # np.float32(0.04) means 0.04, not 0.039999999105930328
    return float(value)


def _quantize(value: float, decimals: int, truncate: bool) -> Decimal:
    mode = ROUND_DOWN if truncate else ROUND_HALF_UP
    exact = Decimal(repr(value))
    digits = max(28, exact.adjusted() + decimals + 2)  # 1e308 at 3 decimals needs 312 digits
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=mode, context=Context(prec=digits))


def _strip_zero(text: str, leading_zero: bool) -> str:
    if not leading_zero and text.startswith("0."):
        return text[1:]
    return text


def format_fixed(value: float | None, decimals: int = 2, *, leading_zero: bool = True) -> str:
    """Format ``value`` with exactly ``decimals`` decimals (half-up rounding); ``None``/NaN -> "NA".

    >>> format_fixed(0.0412, 3)
    '0.041'
    >>> format_fixed(2.5, 0)
    '3'
    """
    if value is None:
        return "NA"
    value = _real(value, "value")
    if math.isnan(value):
        return "NA"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return _strip_zero(format(_quantize(value, decimals, False), "f"), leading_zero)


def format_estimate(value: float | None, decimals: int = 2) -> str:
    """An estimate or CI bound: ``decimals`` decimals, trailing zeros dropped, never a false zero.

    A nonzero value that ``decimals`` decimals would show as zero keeps two significant figures.

    >>> format_estimate(3.104), format_estimate(2.0), format_estimate(-0.0032), format_estimate(0.0)
    ('3.1', '2', '-0.0032', '0')
    """
    if value is None:
        return "n/a"
    x = _real(value, "value")
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    q = _quantize(x, decimals, False)
    if q == 0 and x != 0:
        q = _quantize(x, 1 - math.floor(math.log10(abs(x))), False)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_p(
    p: float,
    *,
    style: Literal["journal", "fixed"] = "journal",
    decimals: int = 3,
    truncate: bool = False,
    leading_zero: bool = False,
) -> str:
    """Format a P value for a table (see the module docstring for the rules).

    >>> format_p(0.0412), format_p(0.0004), format_p(0.287), format_p(0.0043)
    ('.04', '<.001', '.3', '.004')
    >>> format_p(0.0454, truncate=True), format_p(0.0412, style="fixed")
    ('.04', '.041')
    """
    if p is None:
        raise InputError("`p` must be a number in [0, 1]; got None.")
    p = _real(p, "p")
    if math.isnan(p):
        raise InputError(f"`p` must be a number in [0, 1]; got {p!r}.")
    if not 0.0 <= p <= 1.0:
        raise InputError(f"`p` must lie in [0, 1]; got {p!r}.")
    if style not in ("journal", "fixed"):
        raise InputError(f"`style` must be one of {{'journal', 'fixed'}}; got {style!r}.")
    floor = 10.0 ** -decimals if style == "fixed" else 0.001
    if p < floor:
        return "<" + _strip_zero(format(Decimal(repr(floor)), "f"), leading_zero)
    if style == "fixed":
        return _strip_zero(format(_quantize(p, decimals, truncate), "f"), leading_zero)
    if p > 0.99:
        return ">" + _strip_zero("0.99", leading_zero)
    places = max(1, -math.floor(math.log10(p)))
    q = _quantize(p, places, truncate)
    if q >= 1:
        q = _quantize(p, 2, truncate)
    elif q == Decimal(1).scaleb(-(places - 1)) and places > 1:
        places -= 1  # 0.0096 -> 0.01: one significant figure at the coarser place
        q = _quantize(p, places, truncate)
    while Decimal(repr(p)) < SIGNIFICANCE_LEVEL <= q:
        places += 1  # 0.0454 -> .045, not .05: rounding must not carry P across .05
        q = _quantize(p, places, truncate)
    return _strip_zero(format(q, "f"), leading_zero)
