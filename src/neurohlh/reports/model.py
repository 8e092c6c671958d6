"""The table model every renderer (HTML, DOCX, XLSX, CSV, JSON) draws from.

A :class:`Table` is pure data: a title, column headers (optionally grouped under spanning headers),
rows of :class:`Cell` objects, the test behind each P value of a row, and footnotes. Builders make
tables from analysis results; renderers never compute anything, they only lay cells out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from neurohlh.errors import Caveat


@dataclass(frozen=True, slots=True)
class Cell:
    """One printed cell plus the machine values behind it.

    ``text`` is what the reader sees (``"11/21 (52%)"``, ``"45.4 (20.1-70.3)"``, ``".004"``);
    ``value`` is the number behind it (a proportion, a median, a P value) for spreadsheets and JSON;
    ``numerator``/``denominator`` are set for count cells so a reviewer can recompute the percentage.
    """

    text: str
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    kind: str = "text"  #: one of text, count, median, mean, p, ratio, number
    paper: str = ""  #: the value Malik et al. printed, set on demo cells whose value differs from it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "kind": self.kind}
        if self.paper:
            out["paper"] = self.paper
        if self.value is not None:
            out["value"] = self.value
        if self.numerator is not None:
            out["numerator"] = self.numerator
            out["denominator"] = self.denominator
        return out


EMPTY = Cell("")


@dataclass(frozen=True, slots=True)
class TestRef:
    """The test behind one P value of a row: which columns it compared, its name and its reason."""

    __test__ = False  # not a pytest test class despite the name

    label: str  #: which comparison, e.g. "subpatterns" or "pattern 1 vs 2"
    test: str
    pvalue: float | None
    statistic: float | None = None
    df: float | None = None
    reason: str = ""
    warnings: tuple[str, ...] = ()
    effect: str = ""  #: printed effect size with CI, for the extended table
    caveats: tuple[Caveat, ...] = ()  #: the same warnings, structured (code, message, value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "test": self.test, "pvalue": self.pvalue, "statistic": self.statistic,
            "df": self.df, "reason": self.reason, "warnings": list(self.warnings), "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class Row:
    """One table row. A ``section`` row is a heading that spans the table (its cells are empty)."""

    label: str
    cells: tuple[Cell, ...] = ()
    level: int = 0
    section: bool = False
    tests: tuple[TestRef, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "level": self.level, "section": self.section,
            "cells": [c.to_dict() for c in self.cells], "tests": [t.to_dict() for t in self.tests],
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Table:
    """A manuscript table.

    Parameters
    ----------
    key
        Short file-safe name (``"table2"``), used for the CSV file name and the XLSX sheet.
    title
        Caption as printed above the table.
    columns
        Headers of the cell columns (the label column is headed by ``label_header``).
    rows
        The rows; every non-section row has exactly ``len(columns)`` cells.
    footnotes
        Printed under the table: tests used, denominators, warnings.
    column_groups
        Optional spanning headers over the cell columns as ``(text, span)`` pairs covering all columns.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    footnotes: tuple[str, ...] = ()
    label_header: str = ""
    column_groups: tuple[tuple[str, int], ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if not row.section and len(row.cells) != width:
                raise ValueError(f"table {self.key!r}: row {row.label!r} has {len(row.cells)} cells, expected {width}")
        if self.column_groups and sum(span for _, span in self.column_groups) != width:
            raise ValueError(f"table {self.key!r}: column groups must span exactly {width} columns")

    def row(self, label: str) -> Row:
        """The first row whose label is ``label`` (KeyError if none)."""
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(f"table {self.key!r} has no row {label!r}")

    def cell(self, label: str, column: str | int) -> Cell:
        """Cell at row ``label`` and column header ``column`` (or column index)."""
        index = column if isinstance(column, int) else self.columns.index(column)
        return self.row(label).cells[index]

    def to_frame(self) -> pd.DataFrame:
        """Printed texts as a frame: the label column first, then one column per header (section rows blank)."""
        records = []
        for r in self.rows:
            texts = [""] * len(self.columns) if r.section else [c.text for c in r.cells]
            records.append(["  " * r.level + r.label, *texts])
        headers = [self.label_header or "Characteristic", *self._unique_headers()]
        return pd.DataFrame(records, columns=headers)

    def _unique_headers(self) -> list[str]:
        """Column headers made unique for flat formats (CSV) by prefixing the spanning group."""
        groups: list[str] = []
        for text, span in self.column_groups:
            groups += [text] * span
        seen: dict[str, int] = {}
        out = []
        for i, h in enumerate(self.columns):
            name = h
            if self.columns.count(h) > 1 and groups:
                name = f"{groups[i]}: {h}" if groups[i] else h
            seen[name] = seen.get(name, 0) + 1
            out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "label_header": self.label_header,
            "columns": list(self.columns), "column_groups": [list(g) for g in self.column_groups],
            "rows": [r.to_dict() for r in self.rows], "footnotes": list(self.footnotes), "meta": self.meta,
        }


@dataclass(frozen=True, slots=True)
class Figure:
    """A rendered figure: SVG text and PNG bytes of the same matplotlib figure, plus its caption."""

    key: str
    title: str
    caption: str
    svg: str
    png: bytes

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "caption": self.caption}


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report file shows; the renderers lay it out, nothing else is computed there."""

    title: str
    tables: tuple[Table, ...]
    figures: tuple[Figure, ...] = ()
    methods: str = ""
    policy: str = ""
    summary: tuple[tuple[str, str], ...] = ()  #: (label, value) pairs shown at the top
    warnings: tuple[str, ...] = ()
    versions: tuple[tuple[str, str], ...] = ()
    checksums: tuple[tuple[str, str], ...] = ()
    generated: str = ""
    notice: str = ""  #: e.g. "synthetic demo data"
    paper: str = "a4"  #: paper size of the printed formats: "a4" or "letter"

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"report has no table {key!r}")
