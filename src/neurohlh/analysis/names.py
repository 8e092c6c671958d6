"""Names of the built-in analysis plans, importable without loading the statistics (the command line's choices)."""
from __future__ import annotations

from enum import StrEnum


class PlanName(StrEnum):
    """The built-in plans, as the command line names them (``--policy``)."""

    PAPER = "paper"
    EXACT = "exact"


__all__ = ["PlanName"]
