"""Frozen result objects shared by every test in :mod:`neurohlh.stats`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from neurohlh.errors import Caveat
from neurohlh.stats.formatting import format_fixed, format_p


def _clean(value: object) -> object:
    """JSON-friendly value: NaN and infinities become ``None``; tuples become lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A two-sided confidence interval."""

    low: float
    high: float
    level: float = 0.95

    def to_dict(self) -> dict[str, object]:
        return {"low": _clean(self.low), "high": _clean(self.high), "level": self.level}

    def __str__(self) -> str:
        return f"{self.level:.0%} CI {format_fixed(self.low, 3)} to {format_fixed(self.high, 3)}"


@dataclass(frozen=True, slots=True)
class EffectSize:
    """An effect size, its confidence interval (``None`` where no standard one exists) and method."""

    name: str
    estimate: float
    ci: ConfidenceInterval | None = None
    method: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "estimate": _clean(self.estimate),
            "ci": None if self.ci is None else self.ci.to_dict(),
            "method": self.method,
        }

    def __str__(self) -> str:
        text = f"{self.name} = {format_fixed(self.estimate, 3)}"
        return text + (f" ({self.ci})" if self.ci is not None else "")


@dataclass(frozen=True, slots=True)
class TestResult:
    """Outcome of one hypothesis test, with the provenance needed to report it.

    ``test`` names the test that ran, ``reason`` says why it was chosen, ``method`` says how
    the p-value was obtained (``"exact"``, ``"asymptotic"``, ``"monte-carlo"``).
    ``standard_error`` is set only for Monte Carlo p-values. ``caveats`` holds the caveats a caller acts on
    in structured form (``warnings`` keeps every caveat's text).
    """

    test: str
    statistic: float | None
    pvalue: float
    df: float | None
    n: int
    reason: str
    method: str = "asymptotic"
    warnings: tuple[str, ...] = ()
    effect_sizes: tuple[EffectSize, ...] = ()
    n_per_group: tuple[int, ...] = ()
    standard_error: float | None = None
    details: tuple[tuple[str, float], ...] = field(default=())
    caveats: tuple[Caveat, ...] = ()

    __test__ = False  # not a pytest test class

    @property
    def effect_size(self) -> EffectSize | None:
        """The primary effect size (the first one), or ``None``."""
        return self.effect_sizes[0] if self.effect_sizes else None

    def detail(self, name: str) -> float:
        """A named extra number (e.g. ``"min_expected"``); raises KeyError if absent."""
        return dict(self.details)[name]

    def to_dict(self) -> dict[str, object]:
        return {
            "test": self.test,
            "statistic": _clean(self.statistic),
            "pvalue": _clean(self.pvalue),
            "df": _clean(self.df),
            "n": self.n,
            "n_per_group": list(self.n_per_group),
            "method": self.method,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "standard_error": _clean(self.standard_error),
            "effect_sizes": [e.to_dict() for e in self.effect_sizes],
            "details": {k: _clean(v) for k, v in self.details},
            "caveats": [c.to_dict() for c in self.caveats],
        }

    def __str__(self) -> str:
        parts = [self.test]
        if self.statistic is not None:
            parts.append(f"statistic = {format_fixed(self.statistic, 3)}")
        if self.df is not None:
            parts.append(f"df = {self.df:g}")
        parts.append(f"P = {format_p(self.pvalue, style='fixed')}")
        if self.standard_error is not None:
            parts.append(f"SE = {self.standard_error:.2g}")
        parts.append(f"n = {self.n}")
        lines = [", ".join(parts), f"  why: {self.reason}"]
        lines += [f"  {e}" for e in self.effect_sizes]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CategoricalPanel:
    """Several tests of the same table side by side (SPSS Crosstabs style), for replication."""

    table: tuple[tuple[int, ...], ...]
    results: tuple[TestResult, ...]
    min_expected: float
    cells_below_5: int

    def __getitem__(self, test: str) -> TestResult:
        for result in self.results:
            if result.test == test:
                return result
        raise KeyError(f"no test named {test!r}; have {[r.test for r in self.results]}")

    def to_dict(self) -> dict[str, object]:
        return {
            "table": [list(r) for r in self.table],
            "min_expected": self.min_expected,
            "cells_below_5": self.cells_below_5,
            "results": [r.to_dict() for r in self.results],
        }

    def __str__(self) -> str:
        width = max(len(r.test) for r in self.results)
        lines = [f"{r.test:<{width}}  P = {format_p(r.pvalue, style='fixed')}" for r in self.results]
        n_cells = len(self.table) * len(self.table[0])
        lines.append(f"{self.cells_below_5} of {n_cells} cells have expected count < 5; "
                     f"minimum expected count {self.min_expected:.2f}")
        return "\n".join(lines)
