"""The one output object of the command line: every line the commands print goes through :data:`OUTPUT`.

Text from the user's files (ids, values, column and sheet names, file paths) is never read as rich markup:
messages are assembled from plain strings into :class:`rich.text.Text` objects, so ``[sheet patients]`` or
``[/x]`` print exactly as written. Machine output (``--json``) goes to stdout as JSON, with one shape for
failures: ``{"ok": false, "source": ..., "error": ..., "problems": [...]}``.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from neurohlh.errors import InputError, Problem, group_problems

#: A piece of a printed line: plain text, or (plain text, rich style).
Part = str | tuple[str, str]

#: Rows of one grouped problem listed by row number before "and N more".
ROWS_SHOWN = 5


def text(*parts: Part) -> Text:
    """Plain strings (and ``(string, style)`` pairs) as one Text; nothing in them is parsed as markup."""
    return Text.assemble(*parts)


class Output:
    """Terminal and JSON output of the commands (stdout for results, stderr for messages)."""

    @property
    def out(self) -> Console:
        """A console on the current stdout (made per use, so it follows redirection and the terminal width)."""
        return Console(highlight=False)

    @property
    def err(self) -> Console:
        return Console(stderr=True, highlight=False)

    # -- lines ---------------------------------------------------------------------------------------------
    def line(self, *parts: Part, err: bool = False, soft_wrap: bool = False) -> None:
        """One line; ``soft_wrap`` leaves it unbroken (for paths and commands to copy)."""
        (self.err if err else self.out).print(text(*parts), soft_wrap=soft_wrap)

    def error(self, message: str, soft_wrap: bool = False) -> None:
        self.line(("error", "red"), " ", message, err=True, soft_wrap=soft_wrap)

    def stop(self, message: str, code: int = 1, soft_wrap: bool = False) -> NoReturn:
        """Print ``message`` as an error on stderr and exit with ``code``."""
        self.error(message, soft_wrap=soft_wrap)
        raise typer.Exit(code)

    def warning(self, message: str, err: bool = False) -> None:
        self.line(("warning", "yellow"), " ", message, err=err)

    def note(self, message: str, err: bool = False) -> None:
        self.line(("note", "yellow"), " ", message, err=err)

    def done(self, label: str, message: str, err: bool = False) -> None:
        self.line((label, "green"), " ", message, err=err)

    def plain(self, message: str) -> None:
        """Text for pipes and files (paths, CSV, JSON): no styling, no wrapping."""
        print(message)

    def json(self, obj: Any) -> None:
        print(json.dumps(obj, indent=2, default=str))

    # -- tables --------------------------------------------------------------------------------------------
    def table(self, title: str, columns: Sequence[str], rows: Iterable[Sequence[str | Text]], err: bool = False,
              show_header: bool = True, ratios: Sequence[int | None] | None = None) -> None:
        """A table of plain texts; cells wrap (never cut), ``ratios`` share the width between columns."""
        grid = Table(title=Text(title), show_header=show_header, expand=ratios is not None)
        for i, col in enumerate(columns):
            grid.add_column(Text(col), overflow="fold", ratio=None if ratios is None else ratios[i])
        for row in rows:
            grid.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in row))
        (self.err if err else self.out).print(grid)

    def problems(self, title: str, problems: Sequence[Problem], err: bool = False) -> None:
        """Problems as one table, the same problem in the same column grouped with its count and first rows.

        Problems of a REDCap export are located by record and instrument (and the variable) instead of the file.
        """
        rows: list[tuple[str, ...]] = []
        groups = group_problems(problems)
        redcap = any(p.record is not None or p.instrument is not None for p in problems)
        if len(groups) < len(problems):
            title += " (a problem repeated in one column is listed once, with its count)"
        for g in groups:
            where = g.rows_text(ROWS_SHOWN)
            values = ", ".join(repr(v) for v in g.values[:3]) + (" ..." if len(g.values) > 3 else "")
            message = g.message + (f"; {g.suggestion}" if g.suggestion else "")
            if g.count > 1:
                message = f"{g.count} cells: {message}"
            if redcap:
                rows.append((g.records_text(ROWS_SHOWN), g.instrument or "", where, g.column or "", values, message))
            else:
                rows.append((g.file, where, g.column or "", values, message))
        if redcap:
            self.table(title, ("record", "instrument", "row", "variable", "value", "problem"), rows, err=err,
                       ratios=(1, None, 1, None, 2, 5))
        else:
            self.table(title, ("file", "row", "column", "value", "problem"), rows, err=err,
                       ratios=(None, 1, None, 2, 5))

    # -- failures ------------------------------------------------------------------------------------------
    def fail(self, exc: InputError, source: object, as_json: bool, consequence: str = "",
             code: int = 1) -> NoReturn:
        """Report an :class:`InputError` (JSON or a problem table) and exit with ``code``."""
        first = str(exc).splitlines()[0]
        if as_json:
            self.json({"ok": False, "source": None if source is None else str(source), "error": first,
                       "problems": [p.to_dict() for p in exc.problems]})
        elif exc.problems:
            self.problems(f"{len(exc.problems)} problem(s) in {source}" + (f": {consequence}" if consequence else ""),
                          exc.problems, err=True)
        else:
            self.error(str(exc) + (f"; {consequence}" if consequence else ""))
        raise typer.Exit(code)


#: The output object every command uses.
OUTPUT = Output()
