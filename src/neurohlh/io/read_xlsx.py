"""Reading the three sheets of an .xlsx workbook into raw string tables.

Each sheet is streamed with openpyxl's worksheet parser, cell by cell as stored, so that

- the workbook's declared ``<dimension>`` is never used (rows and columns beyond it are read);
- rows that are only formatted, with no value, cost almost nothing and are not listed;
- a formula cell is read from its stored result only when that result can be trusted: a workbook last
  saved by a program that does not calculate (it marks the workbook for recalculation on opening) or a
  formula without a stored result is a located problem;
- a cell formatted as a percentage is read as the number shown (``30%``), not the stored fraction (0.3);
- merged cells, values to the right of the header and damaged XML are located problems.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io as _io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np

from neurohlh.errors import InputError, Problem
from neurohlh.io.limits import MAX_COLUMNS, MAX_ROWS, MAX_UNCOMPRESSED_BYTES
from neurohlh.io.read import (
    MAX_ROW_PROBLEMS,
    TABLES,
    RawTable,
    read_regular_file,
    string_frame,
    table_label,
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FIX_FORMULAS = ("open the workbook in Excel or LibreOffice and save it (this calculates the formulas), or "
                 "replace the formulas by their values (copy, then paste values only)")


def _open_problem(name: str, data: bytes) -> str | None:
    """Why these bytes are not an .xlsx workbook we can open, in the user's terms, or None."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            return (f"{name}: the workbook is password-protected (encrypted), so it cannot be read; remove the "
                    "password (File > Info > Protect Workbook in Excel) and save it again as .xlsx")
        return (f"{name}: this is an old-format Excel file (.xls) or another non-.xlsx document; open it in "
                "Excel or LibreOffice and save it as an Excel Workbook (.xlsx)")
    if not zipfile.is_zipfile(_io.BytesIO(data)):
        return (f"{name}: cannot be opened as an .xlsx workbook (an .xlsx file is a zip archive and this one is "
                "not); save the workbook from Excel or LibreOffice as .xlsx")
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"{name}: cannot be opened as an .xlsx workbook ({exc})"
    if total > MAX_UNCOMPRESSED_BYTES:
        return (f"{name}: the workbook unpacks to {total / 2**30:,.1f} GiB, more than the limit of "
                f"{MAX_UNCOMPRESSED_BYTES / 2**30:,.0f} GiB; check that this is the right file")
    return None


def _recalculates_on_load(data: bytes) -> bool:
    """Whether the workbook asks to be recalculated when opened (``<calcPr fullCalcOnLoad="1">``): programs that
    write workbooks without calculating them (openpyxl, XlsxWriter) set it, and their stored results are
    placeholders."""
    from xml.etree.ElementTree import fromstring

    with zipfile.ZipFile(_io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"(?:.*/)?workbook\d*\.xml", n)]
        for name in names:
            try:
                root = fromstring(archive.read(name))
            except (ParseError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
                continue  # a damaged workbook part: the sheets' own reading reports the damage
            for element in root.iter():
                if element.tag.endswith("}calcPr") or element.tag == "calcPr":
                    return element.get("fullCalcOnLoad", "0").lower() in ("1", "true")
    return False


def read_xlsx_tables(path: Any) -> dict[str, RawTable]:
    import openpyxl

    data, problem = read_regular_file(path, path.name)
    if data is None:
        raise InputError(f"{path.name}: {problem.message}" if problem else f"{path.name}: cannot be read",
                         [problem] if problem else [])
    checksum = hashlib.sha256(data).hexdigest()
    reason = _open_problem(path.name, data)
    if reason is not None:
        raise InputError(reason)
    try:
        book = openpyxl.load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(f"{path.name}: cannot be opened as an .xlsx workbook ({type(exc).__name__}: {exc}); "
                         "save the workbook from Excel or LibreOffice again") from exc
    try:
        trust_cache = not _recalculates_on_load(data)
        out: dict[str, RawTable] = {}
        lowered = {name.lower().strip(): name for name in book.sheetnames}
        for table in TABLES:
            label = table_label(path, table)
            if table not in lowered:
                close = difflib.get_close_matches(table, list(lowered), n=1)
                out[table] = RawTable(label, None, np.array([], dtype=int), [Problem(
                    label, "sheet is missing", suggestion=f"did you mean sheet '{lowered[close[0]]}'?" if close else
                    f"the workbook needs sheets {', '.join(TABLES)}",
                )], checksum)
                continue
            out[table] = _SheetReader(book, book[lowered[table]], label, trust_cache).read()
            out[table].checksum = checksum
    finally:
        book.close()
    return out


def _parser_class() -> type:
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):  # type: ignore[misc, unused-ignore]
        """openpyxl's parser, also saying which cells hold a formula (it reads their stored result)."""

        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            if len(row):
                return super().parse_row(row)
            # a row without cells (formatting only): skip openpyxl's row-dimension bookkeeping
            number = row.get("r")
            self.row_counter = int(number) if number and number.isdigit() else self.row_counter + 1
            self.col_counter = 0
            return self.row_counter, []

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            cell["formula"] = element.find(FORMULA_TAG) is not None
            return cell

    return _Parser


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index) if 1 <= index <= 18278 else f"#{index}"


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


class _SheetReader:
    def __init__(self, book: Any, sheet: Any, label: str, trust_cache: bool):
        self.book, self.sheet, self.label, self.trust_cache = book, sheet, label, trust_cache
        self.problems: list[Problem] = []
        self.cell_problems = 0
        self.pending: list[tuple[str, int, int, str | None, str]] = []
        self._percent: dict[int, bool] = {}

    def _is_percent(self, style_id: int) -> bool:
        if style_id not in self._percent:
            from openpyxl.styles.numbers import (
                BUILTIN_FORMATS,
                BUILTIN_FORMATS_MAX_SIZE,
            )

            try:
                fmt_id = self.book._cell_styles[style_id].numFmtId
                code = BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < BUILTIN_FORMATS_MAX_SIZE else \
                    self.book._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
            except (IndexError, AttributeError, TypeError):
                code = "General"
            # a % outside quotes and escapes scales the shown number by 100
            plain = "".join(part for i, part in enumerate(str(code).split('"')) if i % 2 == 0).replace("\\%", "")
            self._percent[style_id] = "%" in plain
        return self._percent[style_id]

    def _cell_problem(self, message: str, row: int, column: int, value: str | None, suggestion: str) -> None:
        self.cell_problems += 1
        if self.cell_problems <= MAX_ROW_PROBLEMS:
            self.pending.append((message, row, column, value, suggestion))

    def _column_name(self, header: list[str], column: int, row: int) -> str:
        """The header of a column, or the cell reference when the column has no header."""
        if 0 < column <= len(header) and header[column - 1]:
            return header[column - 1]
        return f"cell {_column_letter(column)}{row}"

    def _text(self, cell: dict[str, Any]) -> str:
        value = cell["value"]
        if cell.get("formula"):
            row, column = cell["row"], cell["column"]
            if value is None:
                self._cell_problem("formula cell without a stored result", row, column, None, _FIX_FORMULAS)
                return ""
            if not self.trust_cache:
                self._cell_problem(
                    "formula cell whose stored result cannot be trusted (the workbook was saved by a program that "
                    "does not calculate formulas)", row, column, str(value), _FIX_FORMULAS)
                return ""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dt.datetime):
            return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
        if isinstance(value, (int, float)):
            if cell.get("style_id") and self._is_percent(int(cell["style_id"])):
                return _number_text(round(value * 100, 10)) + "%"
            return _number_text(value)
        return str(value)

    def read(self) -> RawTable:
        stored: list[tuple[int, dict[int, str]]] = []
        parser = _parser_class()(self.sheet._get_source(), self.sheet._shared_strings, data_only=True,
                                 epoch=self.book.epoch, date_formats=self.book._date_formats,
                                 timedelta_formats=self.book._timedelta_formats)
        try:
            with warnings.catch_warnings():  # a date cell out of range becomes '#VALUE!' and is reported as a cell
                warnings.simplefilter("ignore")
                parsed = list(self._rows(parser, stored))
            if parsed:
                return self._failed()
        except (ParseError, ValueError, KeyError, IndexError, TypeError, OSError, EOFError,
                zipfile.BadZipFile, zlib.error) as exc:
            self.problems.append(Problem(self.label, f"the sheet cannot be read: its stored XML is damaged "
                                         f"({type(exc).__name__}: {exc})",
                                         suggestion="open the workbook in Excel or LibreOffice, let it repair the "
                                         "file and save it again"))
            return self._failed()
        finally:
            parser.source.close()
        return self._table(stored, parser.merged_cells)

    def _rows(self, parser: Any, stored: list[tuple[int, dict[int, str]]]) -> Iterator[bool]:
        """Fill ``stored`` with the non-empty rows; yield once (and stop) when the sheet has too many."""
        for row, cells in parser.parse():
            values = {c["column"]: self._text(c) for c in cells if c["value"] is not None or c.get("formula")}
            values = {k: v for k, v in values.items() if v != ""}
            if values:
                stored.append((row, values))
                if len(stored) > MAX_ROWS + 1000:
                    self.problems.append(Problem(self.label, f"has more than {MAX_ROWS:,} rows, the limit", row=row))
                    yield True
                    return

    def _failed(self) -> RawTable:
        return RawTable(self.label, None, np.array([], dtype=int), self.problems)

    def _table(self, stored: list[tuple[int, dict[int, str]]], merged: Any) -> RawTable:
        stored.sort(key=lambda item: item[0])
        start = 0
        while start < len(stored) and stored[start][1].get(1, "").lstrip().startswith("#"):
            start += 1
        if start >= len(stored):
            self.problems.append(Problem(self.label, "sheet is empty" if not stored else
                                         "sheet has only comment rows and no header row"))
            return self._failed()
        header_row, header_cells = stored[start]
        width = max(header_cells)
        if width > MAX_COLUMNS:
            self.problems.append(Problem(self.label, f"header has {width:,} columns, more than the limit of "
                                         f"{MAX_COLUMNS:,}", row=header_row))
            return self._failed()
        header = [header_cells.get(c, "").strip() for c in range(1, width + 1)]
        if len(stored) - start - 1 > MAX_ROWS:
            self.problems.append(Problem(self.label, f"has more than {MAX_ROWS:,} data rows, the limit"))
            return self._failed()
        body, rows, notes = [], [], []
        previous = header_row
        for row, cells in stored[start + 1:]:
            if cells.get(1, "").lstrip().startswith("#"):
                self.problems.append(Problem(
                    self.label, "a comment line after the header", row, value=cells[1][:60],
                    suggestion="comment lines (starting with #) are accepted only before the header: move it "
                    "above the header or delete it"))
                previous = row
                continue
            if row > previous + 1:
                gap = (previous + 1, row - 1)
                notes.append(f"{self.label}, row {gap[0]}: empty row, not loaded" if gap[0] == gap[1] else
                             f"{self.label}, rows {gap[0]}-{gap[1]}: {gap[1] - gap[0] + 1} empty rows, not loaded")
            previous = row
            outside = [c for c in cells if c > width]
            for c in outside[:3]:
                self._cell_problem("a cell to the right of the last header column holds a value", row, c,
                                   cells[c][:60], "give the column a header or clear the cell")
            body.append([cells.get(c, "") for c in range(1, width + 1)])
            rows.append(row)
        self._merged(merged, header_row, header)
        for message, row, column, value, suggestion in self.pending:
            if row > header_row:
                self.problems.append(Problem(self.label, message, row, self._column_name(header, column, row),
                                             value, suggestion))
        if self.cell_problems > MAX_ROW_PROBLEMS:
            self.problems.append(Problem(self.label, f"{self.cell_problems - MAX_ROW_PROBLEMS:,} more cells with "
                                         "the same kinds of problem"))
        return RawTable(self.label, string_frame(body, header), np.asarray(rows, dtype=int), self.problems, notes=notes)

    def _merged(self, merged: Any, header_row: int, header: list[str]) -> None:
        from openpyxl.utils.cell import range_boundaries

        for item in getattr(merged, "mergeCell", None) or []:
            try:
                min_col, min_row, _, max_row = range_boundaries(item.ref)
            except (ValueError, TypeError):
                continue
            if min_col is None or min_row is None or max_row is None:
                continue
            if max_row < header_row:
                continue  # titles above the header may be merged
            column = self._column_name(header, min_col, min_row)
            self.problems.append(Problem(
                self.label, f"cells {item.ref} are merged: only the first cell holds the value and the others "
                "would be read as unknown", min_row, column,
                suggestion="unmerge the cells and write the value in each one"))
