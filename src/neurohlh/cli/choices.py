"""The choices of the command-line options, as enums: ``--help`` lists them and any letter case is accepted.

The analysis plans (``--policy`` of ``analyze`` and ``demo``) are :class:`neurohlh.analysis.names.PlanName`.
"""
from __future__ import annotations

from enum import StrEnum


class DisruptivePolicy(StrEnum):
    """``--policy`` of ``criteria`` and ``variant``: which variants count as disruptive."""

    PAPER = "paper"  #: nonsense, frameshift or deletion (the paper's definition)
    LOF = "lof"  #: also splice donor/acceptor and start-lost variants


class CnsRule(StrEnum):
    """``--rule`` of ``criteria``: the definition of CNS involvement."""

    COMPREHENSIVE = "comprehensive"  #: abnormal CSF, neurologic symptoms or imaging findings
    CSF = "csf"  #: CSF pleocytosis and/or proteinosis only


class Paper(StrEnum):
    """``--paper`` of ``analyze`` and ``demo``: page size of tables.docx and of report.html when printed."""

    A4 = "a4"
    LETTER = "letter"
