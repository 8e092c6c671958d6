"""The one error hierarchy of neurohlh.

Every error raised because of what a user gave us (a file, a cell, a variant string, a table of counts)
is an :class:`InputError`, a subclass of :class:`ValueError`, so callers can catch either.
"""
from __future__ import annotations

from dataclasses import dataclass


class NeurohlhError(Exception):
    """Root of every error neurohlh raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in user input, located precisely enough for a clinician to fix it.

    ``row`` is the spreadsheet row number as the user sees it (the header is row 1 of a file
    without comment lines), ``None`` when the problem concerns the whole file or column. Problems in a
    REDCap export also name the ``record`` (record id), the ``instrument`` and its repeat ``instance``.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    suggestion: str | None = None
    record: str | None = None
    instrument: str | None = None
    instance: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.record is not None:
            where += f", record {self.record!r}"
        if self.instrument is not None:
            where += f", instrument {self.instrument}" + (f" #{self.instance}" if self.instance is not None else "")
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "suggestion": self.suggestion,
        }
        if self.record is not None or self.instrument is not None:
            out.update(record=self.record, instrument=self.instrument, instance=self.instance)
        return out


class InputError(NeurohlhError, ValueError):
    """Bad user input. ``problems`` lists every problem found in one pass (may be empty for simple cases)."""

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()):
        self.problems: tuple[Problem, ...] = tuple(problems)
        if self.problems:
            shown = "\n".join(f"  - {p}" for p in self.problems[:50])
            more = len(self.problems) - 50
            if more > 0:
                shown += f"\n  ... and {more} more"
            message = f"{message}\n{shown}"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Caveat:
    """A structured caveat on a result: a stable ``code`` to act on, the ``message`` a reader sees, and the
    number it concerns (``value``, e.g. the minimum expected count) and where (``subject``, e.g. a table row).

    Codes in use: ``low_expected_count`` (an asymptotic test with an expected count < 5; ``value`` is the
    minimum expected count), ``test_warning`` (any other caveat a test attached), ``excluded_patients``
    (``value`` patients left out of a comparison), ``implied_value`` (a blank read as a known value).
    """

    code: str
    message: str
    value: float | None = None
    subject: str = ""

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "value": self.value, "subject": self.subject}


class StatisticalWarning(UserWarning):
    """A test ran but its result deserves a caveat (small expected counts, ties, fallbacks)."""
