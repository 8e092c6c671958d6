"""Rule trace: one :class:`RuleStep` per rule tried, with the values it used and the paper section it implements.

Every rule of :mod:`neurohlh.patterns` speaks one vocabulary, :class:`Status`. Traces are built on demand by the
same rules that decided (see ``StudyAllocation.trace``), so classifying a large cohort does not pay for text
nobody reads, yet every allocation can explain itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping


class Status(StrEnum):
    """Outcome of a rule. A rule never collapses "could not be evaluated" into "no"."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_EVALUABLE = "not_evaluable"
    #: Only for trace steps that record a decision rather than test a criterion (ordering, final allocation).
    APPLIED = "applied"


MET, NOT_MET, NOT_EVALUABLE, APPLIED = Status.MET, Status.NOT_MET, Status.NOT_EVALUABLE, Status.APPLIED

#: Paper sections (Malik et al., AJNR 2021) cited by the rules.
SEC_PATTERNS = "Results, Imaging Pattern Definitions"
SEC_SUBPATTERNS = "Results, Subpatterns in Pattern 1"
SEC_FINDINGS_1 = "Results, Imaging Findings in Pattern 1 (cranial nerves, optic nerve, cord, cauda equina)"
SEC_1_1 = "Results, Subgroup 1.1: Multifocal Cerebral/Cerebellar White Matter Lesions"
SEC_1_2 = "Results, Subgroup 1.2: Brainstem Predominant Lesions"
SEC_1_3 = "Results, Subgroup 1.3: Diffuse Cerebellar Involvement/Cerebellitis"
SEC_CONCLUSIONS = "Conclusions (and Discussion: brainstem pattern with a negative etiologic work-up)"
SEC_CLIPPERS = "Results, Subgroup 1.2 (radiologic criteria for CLIPPERS, Tobin et al. 2017)"
SEC_OURS = "neurohlh convention (docs/patterns.md), not stated in the paper"


def show(value: Any) -> str:
    """A value as a reader of the data sheet writes it: yes/no, unknown, sets joined by ';'."""
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, frozenset):
        return ";".join(sorted(value)) if value else "(empty)"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class RuleStep:
    """One rule tried during an allocation.

    Attributes
    ----------
    rule : str
        Stable rule identifier, e.g. ``"parenchymal_lesions"``.
    values : tuple of (field, value)
        The input values the rule looked at (``None`` = unknown).
    status : Status
        ``met``, ``not_met``, ``not_evaluable`` or ``applied`` (a string enum: compares equal to those strings).
    outcome : str
        One sentence saying what the rule concluded and why.
    section : str
        Paper section (or our documented convention) the rule implements.
    """

    rule: str
    values: tuple[tuple[str, Any], ...]
    status: Status
    outcome: str
    section: str

    @classmethod
    def make(cls, rule: str, values: Mapping[str, Any], status: Status, outcome: str, section: str) -> RuleStep:
        return cls(rule, tuple(values.items()), status, outcome, section)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "values": {k: _json_value(v) for k, v in self.values},
            "status": self.status.value,
            "outcome": self.outcome,
            "section": self.section,
        }

    def __str__(self) -> str:
        values = ", ".join(f"{k}={show(v)}" for k, v in self.values)
        used = f" ({values})" if values else ""
        return f"[{self.status.value}] {self.rule}: {self.outcome}{used} -- {self.section}"


__all__ = ["RuleStep", "Status", "MET", "NOT_MET", "NOT_EVALUABLE", "APPLIED", "show"]
