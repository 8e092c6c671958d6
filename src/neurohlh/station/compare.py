"""Field-by-field comparison of two reads, with per-field tolerance rules kept as data.

Rules: ``exact`` (the cells must be equal; sets are compared as sets, unknown equals only unknown),
``absolute`` (numbers within ``tolerance`` of each other agree; the consensus takes their mean), ``ignore``
(free text: never sent to the adjudicator; the consensus keeps both texts).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from neurohlh.io.cells import format_cell
from neurohlh.schema import Kind
from neurohlh.station.sheet import SHEET

EXACT, ABSOLUTE, IGNORE = "exact", "absolute", "ignore"
RULES = (EXACT, ABSOLUTE, IGNORE)


def default_rules() -> dict[str, tuple[str, float]]:
    """Field -> (rule, tolerance): free text ignored, the largest nodule within 1 mm, everything else exact.

    The pontine lesion count stays exact because subpattern 1.2 turns on "more than 3".
    """
    rules: dict[str, tuple[str, float]] = {}
    for name, spec in SHEET.items():
        if spec.kind is Kind.TEXT:
            rules[name] = (IGNORE, 0.0)
        elif name == "largest_enhancing_nodule_mm":
            rules[name] = (ABSOLUTE, 1.0)
        else:
            rules[name] = (EXACT, 0.0)
    return rules


@dataclass(frozen=True)
class FieldComparison:
    field: str
    first: str
    second: str
    agree: bool
    how: str        # agreed | within_tolerance | ignored | discordant
    merged: str     # consensus cell when they agree


def compare(first: Mapping[str, str], second: Mapping[str, str],
            rules: Mapping[str, tuple[str, float]]) -> list[FieldComparison]:
    out: list[FieldComparison] = []
    for name, spec in SHEET.items():
        a, b = first.get(name, ""), second.get(name, "")
        rule, tolerance = rules.get(name, (EXACT, 0.0))
        if rule == IGNORE:
            merged = " | ".join(dict.fromkeys(t for t in (a, b) if t))
            out.append(FieldComparison(name, a, b, True, "ignored", merged))
        elif a == b:
            out.append(FieldComparison(name, a, b, True, "agreed", a))
        elif rule == ABSOLUTE and a and b and abs(float(a) - float(b)) <= tolerance + 1e-9:
            out.append(FieldComparison(name, a, b, True, "within_tolerance",
                                       format_cell((float(a) + float(b)) / 2, spec)))
        else:
            out.append(FieldComparison(name, a, b, False, "discordant", ""))
    return out
