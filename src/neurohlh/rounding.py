"""Rounding as a reader expects it, shared by every layer that prints a number (patterns, reports, the CLI)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(x: float, digits: int = 0) -> float:
    """Round like a person does (0.5 goes up), not like Python's banker's rounding.

    >>> round_half_up(2.5), round(2.5)
    (3.0, 2)
    """
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def percent_text(numerator: int, denominator: int) -> str:
    """``52%`` from 11/21; ``n/a`` for a zero denominator.

    >>> percent_text(11, 21), percent_text(1, 8), percent_text(0, 0)
    ('52%', '13%', 'n/a')
    """
    if denominator == 0:
        return "n/a"
    return f"{int(round_half_up(100.0 * numerator / denominator))}%"


__all__ = ["percent_text", "round_half_up"]
