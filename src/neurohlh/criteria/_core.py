"""Building blocks shared by the criteria: a tri-state item status and an item result with evidence.

Each item's status comes from a small function of the values alone (:func:`tri_status`,
:func:`threshold_status`); the item result with its rule and explanation is built from the same status only when
it is read, so a cohort-wide assessment does not format text for every item of every patient.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one criterion item. Missing data is NOT_EVALUABLE, never NOT_MET."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_EVALUABLE = "not_evaluable"


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One criterion item: its outcome, the values used, the rule and where the rule comes from."""

    item_id: str
    name: str
    status: Status
    values: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    explanation: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "name": self.name,
            "status": self.status.value,
            "values": dict(self.values),
            "rule": self.rule,
            "explanation": self.explanation,
            "source": self.source,
        }


def tri_status(value: bool | None) -> Status:
    """A yes/no value as an item status: yes = met, no = not met, unknown = not evaluable."""
    if value is None:
        return Status.NOT_EVALUABLE
    return Status.MET if value else Status.NOT_MET


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, "<": operator.lt, ">": operator.gt}


def threshold_status(value: float | None, op: str, limit: float) -> Status:
    """``value op limit`` as an item status (``op`` one of ``>=``, ``<=``, ``<``, ``>``); unknown = not evaluable."""
    if value is None:
        return Status.NOT_EVALUABLE
    return Status.MET if _COMPARE[op](value, limit) else Status.NOT_MET


def threshold_item(
    item_id: str, name: str, value: float | None, *, at_least: float | None = None,
    at_most: float | None = None, below: float | None = None, above: float | None = None,
    field_name: str, unit: str, source: str,
) -> ItemResult:
    """A single-value threshold item; exactly one of the comparison arguments is given."""
    comparisons = {">=": at_least, "<=": at_most, "<": below, ">": above}
    (op, limit), = [(k, v) for k, v in comparisons.items() if v is not None]
    rule = f"{field_name} {op} {limit:g} {unit}"
    values = {field_name: value}
    status = threshold_status(value, op, limit)
    if value is None:
        return ItemResult(item_id, name, status, values, rule, f"{field_name} is unknown", source)
    verb = "meets" if status is Status.MET else "does not meet"
    return ItemResult(item_id, name, status, values, rule, f"{value:g} {unit} {verb} {op} {limit:g}", source)


def boolean_item(item_id: str, name: str, value: bool | None, *, field_name: str, source: str) -> ItemResult:
    """A yes/no item: yes = met, no = not met, unknown = not evaluable."""
    values = {field_name: value}
    status = tri_status(value)
    if value is None:
        return ItemResult(item_id, name, status, values, f"{field_name} is yes", f"{field_name} is unknown", source)
    return ItemResult(item_id, name, status, values, f"{field_name} is yes",
                      f"{field_name} is {'yes' if value else 'no'}", source)
