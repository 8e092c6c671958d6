"""The one error hierarchy of neurohlh.

Every error raised because of what a user gave us (a file, a cell, a variant string, a table of counts)
is an :class:`InputError`, a subclass of :class:`ValueError`, so callers can catch either.
"""
from __future__ import annotations

from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class ProblemGroup:
    """The same problem in the same column of one file: how often, on which rows, with which values."""

    file: str
    column: str | None
    message: str
    suggestion: str | None
    rows: tuple[int, ...]
    values: tuple[str, ...]  #: distinct values, in order of first appearance
    count: int
    #: REDCap records of the problem (``"SYN05"``, ``"SYN05 #2"`` for an instance), distinct, in order.
    records: tuple[str, ...] = ()
    #: REDCap instrument of the column (one column belongs to one instrument).
    instrument: str | None = None

    def rows_text(self, shown: int = 5) -> str:
        """``"4, 7, 9"`` or ``"4, 7, 9, 12, 15 and 30 more"``; empty when the problem has no row."""
        return _first(self.rows, shown)

    def records_text(self, shown: int = 5) -> str:
        """The records as :meth:`rows_text` lists rows."""
        return _first(self.records, shown)


def _first(items: tuple[object, ...], shown: int) -> str:
    text = ", ".join(str(i) for i in items[:shown])
    more = len(items) - shown
    return text + (f" and {more} more" if more > 0 else "")


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """Group problems that repeat (same file, column and message) in order of first appearance.

    A habit such as one wrong spelling in a whole column then reads as one entry with its count and
    first rows instead of burying every other problem. When the suggestion depends on the value, the
    first one is shown with the value it is for.
    """
    groups: dict[tuple[str, str | None, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.column, p.message), []).append(p)
    out = []
    for (file, column, message), members in groups.items():
        rows = tuple(p.row for p in members if p.row is not None)
        values = tuple(dict.fromkeys(p.value for p in members if p.value is not None))
        suggestions = list(dict.fromkeys(p.suggestion for p in members if p.suggestion))
        suggestion = suggestions[0] if suggestions else None
        if len(suggestions) > 1:  # value-specific suggestions: say which value the first one is for
            first = next(p for p in members if p.suggestion == suggestion)
            suggestion = f"for {first.value!r}: {suggestion}"
        records = tuple(dict.fromkeys(p.record + ("" if p.instance is None else f" #{p.instance}")
                                      for p in members if p.record is not None))
        instrument = next((p.instrument for p in members if p.instrument is not None), None)
        out.append(ProblemGroup(file, column, message, suggestion, rows, values, len(members), records, instrument))
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
    (``value`` patients left out of a comparison), ``implied_value`` (a blank read as a known value),
    ``validation_warning`` (a plausibility warning of the loader, repeated with the results).
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
