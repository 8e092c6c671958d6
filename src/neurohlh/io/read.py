"""Reading cohort files into raw string tables, remembering the spreadsheet row of every record."""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io as _io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.errors import InputError, Problem

TABLES = ("patients", "studies", "variants")


@dataclass
class RawTable:
    """A table exactly as read: all cells as stripped strings, plus the spreadsheet row of each."""

    label: str
    frame: pd.DataFrame | None
    rows: np.ndarray
    problems: list[Problem]
    checksum: str | None = None


def _split_comments(text: str) -> tuple[int, str]:
    """Number of leading comment lines and the rest of the text."""
    skipped = 0
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if line.lstrip().startswith("#"):
            skipped += 1
            pos = len(text) if end < 0 else end + 1
        else:
            break
    return skipped, text[pos:]


def read_csv_table(path: Path, label: str | None = None) -> RawTable:
    label = label or path.name
    if not path.exists():
        return RawTable(label, None, np.array([], dtype=int), [Problem(label, "file is missing")])
    data = path.read_bytes()
    checksum = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return RawTable(label, None, np.array([], dtype=int), [Problem(label, "file is empty")], checksum)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RawTable(label, None, np.array([], dtype=int), [Problem(
            label, "file is not UTF-8 text", row=line,
            value=data[exc.start: exc.start + 8].decode("latin-1"),
            suggestion="save it as 'CSV UTF-8 (comma delimited)'",
        )], checksum)
    skipped, body = _split_comments(text)
    if not body.strip():
        return RawTable(label, None, np.array([], dtype=int), [Problem(label, "file has no header row")], checksum)
    header = next(csv.reader(_io.StringIO(body)))
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                _io.StringIO(body), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False,
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, line, saw = (int(g) for g in found.groups())
            problem = Problem(label, f"row has {saw} cells but the header has {expected}", row=line + skipped,
                              suggestion="check for an unquoted comma inside a cell")
        else:
            problem = Problem(label, f"cannot be read as CSV: {exc}",
                              suggestion="every row must have as many cells as the header (the first data row "
                              "has more)" if isinstance(exc, pd.errors.ParserWarning) else None)
        return RawTable(label, None, np.array([], dtype=int), [problem], checksum)
    frame.columns = [h.strip() for h in header] if len(header) == frame.shape[1] else frame.columns
    header_row = skipped + 1
    rows = np.arange(len(frame), dtype=int) + header_row + 1
    return RawTable(label, frame, rows, problems, checksum)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_tables(path: Path) -> dict[str, RawTable]:
    import openpyxl

    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(f"{path.name}: cannot be opened as an .xlsx workbook ({exc})") from exc
    out: dict[str, RawTable] = {}
    lowered = {name.lower().strip(): name for name in book.sheetnames}
    for table in TABLES:
        label = f"{path.name} [sheet {table}]"
        if table not in lowered:
            close = difflib.get_close_matches(table, list(lowered), n=1)
            out[table] = RawTable(label, None, np.array([], dtype=int), [Problem(
                label, "sheet is missing", suggestion=f"did you mean sheet '{lowered[close[0]]}'?" if close else
                f"the workbook needs sheets {', '.join(TABLES)}",
            )], checksum)
            continue
        sheet = book[lowered[table]]
        values = list(sheet.iter_rows(values_only=True))
        row_no = 0
        while row_no < len(values) and values[row_no] and isinstance(values[row_no][0], str) \
                and values[row_no][0].lstrip().startswith("#"):
            row_no += 1
        if row_no >= len(values) or not any(v is not None for v in values[row_no]):
            out[table] = RawTable(label, None, np.array([], dtype=int), [Problem(label, "sheet is empty")], checksum)
            continue
        header = [_cell_text(v).strip() for v in values[row_no]]
        while header and header[-1] == "":
            header.pop()
        body = [[_cell_text(v) for v in r[: len(header)]] for r in values[row_no + 1:]]
        body = [r + [""] * (len(header) - len(r)) for r in body]
        frame = pd.DataFrame(body, columns=header, dtype=object).astype(str) if body else \
            pd.DataFrame({h: pd.Series([], dtype=str) for h in header})
        rows = np.arange(len(frame), dtype=int) + row_no + 2
        out[table] = RawTable(label, frame, rows, [], checksum)
    book.close()
    return out


def read_all(path: Path) -> dict[str, RawTable]:
    """The three raw tables of a cohort folder or workbook."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return {t: read_csv_table(path / f"{t}.csv", f"{t}.csv") for t in TABLES}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_tables(path)
    raise InputError(
        f"{path}: a cohort is a folder with patients.csv, studies.csv and variants.csv, or one .xlsx workbook"
    )

