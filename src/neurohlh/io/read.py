"""Reading cohort files into raw string tables, remembering the spreadsheet row of every record.

CSV files are read after the text is decoded and its line endings made uniform: text without quote characters
by pandas' C parser, one categorical column of distinct texts per header cell (each line is one record and
each delimiter ends a cell, as the standard :mod:`csv` module reads such text); any other text by the
:mod:`csv` module. Workbooks are read with openpyxl's streaming sheet parser (:mod:`neurohlh.io.read_xlsx`).
Nothing in a file is trusted to describe itself: not a workbook's declared dimension, not a size, not a file
type.
"""
from __future__ import annotations

import codecs
import csv
import io as _io
import hashlib
import itertools
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from neurohlh.errors import InputError, Problem
from neurohlh.io.limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS

TABLES = ("patients", "studies", "variants")
#: Row-level problems (cell count, comment lines) listed per file before one summary line.
MAX_ROW_PROBLEMS = 1000

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass
class RawTable:
    """A table exactly as read: all cells as strings, plus the spreadsheet row of each."""

    label: str
    frame: pd.DataFrame | None
    rows: np.ndarray
    problems: list[Problem]
    checksum: str | None = None
    notes: list[str] = field(default_factory=list)


def _failed(label: str, problem: Problem, checksum: str | None = None) -> RawTable:
    return RawTable(label, None, np.array([], dtype=int), [problem], checksum)


def regular_file_problem(path: Path, label: str) -> Problem | None:
    """Why ``path`` cannot be read as a cohort file (missing, a folder, a device or pipe, too large), or None.

    The type is checked on the file the path finally points to, before it is opened: opening a pipe would wait
    forever and a device such as the zero device never ends.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Problem(label, "file is missing")
    except OSError as exc:
        return Problem(label, f"file cannot be read ({exc.strerror or exc})")
    if stat.S_ISDIR(info.st_mode):
        return Problem(label, "is a folder, not a file", suggestion=f"the cohort needs a file named {path.name}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(label, "is not a regular file (it is a device, a pipe or a socket)",
                       suggestion="copy the data into an ordinary file and read that")
    if info.st_size > MAX_FILE_BYTES:
        return Problem(label, f"file is {info.st_size / 2**20:,.0f} MiB, more than the limit of "
                       f"{MAX_FILE_BYTES / 2**20:,.0f} MiB", suggestion="check that this is the right file")
    return None


def _whole(handle: BinaryIO) -> bytes:
    """Every byte of an open file, or more than :data:`MAX_FILE_BYTES` of them: as many as its size says at once
    (one buffer, not copied), then in chunks while it grows (a size argument of the limit would allocate it)."""
    first = handle.read(min(os.fstat(handle.fileno()).st_size, MAX_FILE_BYTES) + 1)
    more: list[bytes] = []
    size = len(first)
    while size <= MAX_FILE_BYTES:
        chunk = handle.read(1 << 20)
        if not chunk:
            break
        more.append(chunk)
        size += len(chunk)
    return b"".join([first, *more]) if more else first


def read_regular_file(path: Path, label: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, or the problem that prevents reading it."""
    problem = regular_file_problem(path, label)
    if problem is not None:
        return None, problem
    try:
        with open(path, "rb") as handle:
            data = _whole(handle)
    except OSError as exc:
        return None, Problem(label, f"file cannot be read ({exc.strerror or exc})")
    if len(data) > MAX_FILE_BYTES:  # grew after it was checked
        return None, Problem(label, f"file is larger than the limit of {MAX_FILE_BYTES / 2**20:,.0f} MiB")
    return data, None


def _looks_like_utf16(data: bytes) -> bool:
    sample = data[:4096]
    half = len(sample) // 2
    return half > 0 and max(sample[0::2].count(0), sample[1::2].count(0)) > half // 2


def utf8_bytes(data: bytes, label: str) -> tuple[bytes | None, Problem | None, list[str]]:
    """The bytes of a text file as UTF-8 without a byte-order mark, or the problem with the file's encoding.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read; UTF-16 is re-encoded. UTF-8 is checked, not
    converted: CSV cells are cut from these bytes (every delimiter, quote and line break is one byte in UTF-8).
    """
    notes: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None, Problem(label, "file starts like UTF-16 text but is not valid UTF-16",
                                 suggestion="save it as 'CSV UTF-8 (comma delimited)'"), notes
        notes.append(f"{label}: read as UTF-16 text")
        return text.encode("utf-8"), None, notes
    if _looks_like_utf16(data):
        return None, Problem(label, "file looks like UTF-16 text without a byte-order mark (every other byte is "
                             "zero)", suggestion="save it as 'CSV UTF-8 (comma delimited)'"), notes
    if not data.isascii():  # ASCII is UTF-8 as it stands
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
            return None, Problem(
                label, "file is not UTF-8 text", row=line, value=data[exc.start: exc.start + 8].decode("latin-1"),
                suggestion="save it as 'CSV UTF-8 (comma delimited)'",
            ), notes
    return data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data, None, notes


def decode_text(data: bytes, label: str) -> tuple[str | None, Problem | None, list[str]]:
    """Text of a file (UTF-8, with or without BOM, or UTF-16 with a BOM), or the problem with it."""
    utf8, problem, notes = utf8_bytes(data, label)
    return None if utf8 is None else utf8.decode("utf-8"), problem, notes


def _unix_line_ends(data: bytes) -> bytes:
    """Classic Mac (CR) and Windows (CR LF) line endings made Unix ones (LF)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data


def _is_blank(line: str) -> bool:
    return line.strip(" \t,;") == ""


def _line_at(data: bytes, start: int) -> str:
    """The line of ``data`` that starts at byte ``start``, without its line break."""
    end = data.find(b"\n", start)
    return (data[start:] if end < 0 else data[start:end]).decode("utf-8")


def _preamble(data: bytes) -> tuple[int, int]:
    """Number of lines before the header (blank lines and ``#`` comment lines) and the byte where the header
    starts (``len(data)`` if there is none)."""
    skipped = pos = 0
    while pos < len(data):
        line = _line_at(data, pos)
        if not (_is_blank(line) or line.lstrip().startswith("#")):
            break
        skipped += 1
        end = data.find(b"\n", pos)
        pos = len(data) if end < 0 else end + 1
    return skipped, pos


def _delimiter(header_line: str) -> str:
    """Comma, unless the header has no comma but semicolons (European Excel) or tabs (Excel 'Unicode text')."""
    if "," in header_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def read_csv_table(path: Path, label: str | None = None) -> RawTable:
    label = label or path.name
    data, problem = read_regular_file(path, label)
    if data is None:
        return _failed(label, problem)  # type: ignore[arg-type]
    checksum = hashlib.sha256(data).hexdigest()
    if not data or data.isspace():
        return _failed(label, Problem(label, "file is empty"), checksum)
    utf8, problem, notes = utf8_bytes(data, label)
    if utf8 is None:
        return _failed(label, problem, checksum)  # type: ignore[arg-type]
    data = _unix_line_ends(utf8)
    del utf8
    skipped, start = _preamble(data)
    header_line = _line_at(data, start)
    if not header_line.strip() and not data[start:].decode("utf-8").strip():
        return _failed(label, Problem(label, "file has no header row", suggestion=(
            "comment lines (starting with #) and blank lines come before the header") if skipped else None),
            checksum)
    delimiter = _delimiter(header_line)
    if delimiter != ",":
        notes.append(f"{label}: read as a {_DELIMITER_NAMES[delimiter]}-delimited file (the header has no comma)")
    table = _unquoted_records(data, delimiter, label, skipped + 1, start)
    if table is None:
        body = data[start:].decode("utf-8")
        del data
        table = _records(_lines(body), delimiter, label, skipped + 1, body.count("\n") + 1)
    table.checksum = checksum
    table.notes = notes + table.notes
    return table


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its ``\\n``, split at ``\\n`` only (as a file opened with ``newline=""``),
    without copying the whole text into a stream buffer first."""
    start, find, end_of_text = 0, text.find, len(text)
    while start < end_of_text:
        end = find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


#: Records typed into the cell array at a time (bounds the memory of the cells not yet shared).
_CHUNK_ROWS = 8192


def _records(lines: Iterable[str], delimiter: str, label: str, header_row: int, max_records: int) -> RawTable:
    """The records of ``lines`` (header first) as one frame of string cells, with their spreadsheet rows.

    Equal texts become one object (as ``pandas.read_csv`` does), so typing them column by column hashes each
    distinct text once, and records are stored a chunk at a time: the memory is that of the frame, not of a
    list of every record. ``max_records`` is an upper bound of the records (the number of lines).
    """
    reader = csv.reader(lines, delimiter=delimiter)
    shared: dict[str, str] = {}
    same = shared.setdefault
    odd: list[tuple[int, list[str]]] = []  # records that are not simply as wide as the header (or a comment)
    try:
        header = [h.strip() for h in next(reader)]
        width = len(header)
        if width > MAX_COLUMNS:
            return _failed(label, Problem(label, f"header has {width:,} columns, more than the limit of "
                                          f"{MAX_COLUMNS:,}", row=header_row))
        cells = np.empty((max(min(max_records, MAX_ROWS + 1), 0), width), dtype=object)
        n = 0
        chunk: list[list[str]] = []
        for record in itertools.islice(reader, MAX_ROWS + 1):
            if len(record) != width or record[0].lstrip(" \t").startswith("#"):
                odd.append((n + len(chunk), record))
                record = [""] * width  # replaced or dropped below
            chunk.append([same(c, c) for c in record])
            if len(chunk) == _CHUNK_ROWS:
                cells[n:n + len(chunk)] = chunk
                n += len(chunk)
                chunk = []
        if chunk:
            cells[n:n + len(chunk)] = chunk
            n += len(chunk)
    except csv.Error as exc:
        return _failed(label, Problem(label, f"cannot be read as CSV ({exc})", row=header_row + reader.line_num))
    cells = cells[:n]
    problems: list[Problem] = []
    if n > MAX_ROWS:
        problems.append(Problem(label, f"has more than {MAX_ROWS:,} data rows, the limit",
                                row=header_row + 1 + MAX_ROWS))
        cells = cells[:MAX_ROWS]
        odd = [(i, r) for i, r in odd if i < MAX_ROWS]
    rows = np.arange(len(cells), dtype=int) + header_row + 1
    # the common case (as many cells as the header, no '#') is left as it is; only the other records are looked at
    dropped: list[int] = []
    row_problems = 0
    for i, record in odd:
        kept, message = _odd_record(record, width, label, int(rows[i]))
        if kept is not None:
            cells[i] = [same(c, c) for c in kept]
        if message is not None:
            dropped.append(i)
            row_problems += 1
            if row_problems <= MAX_ROW_PROBLEMS:
                problems.append(message)
    if dropped:
        keep = np.ones(len(cells), dtype=bool)
        keep[dropped] = False
        cells = cells[keep]
        rows = rows[keep]
    if row_problems > MAX_ROW_PROBLEMS:
        problems.append(_more_row_problems(label, row_problems))
    return RawTable(label, _cell_frame(cells, header), rows, problems)


def _odd_record(record: list[str], width: int, label: str, row: int) -> tuple[list[str] | None, Problem | None]:
    """A record that is not as wide as the header or starts with ``#``: (the cells it is loaded as, or the problem
    why it is not loaded)."""
    if not record or not any(c.strip() for c in record):
        return [""] * width, None
    if record[0].lstrip().startswith("#"):
        return None, Problem(label, "a comment line after the header", row=row, value=record[0][:60],
                             suggestion="comment lines (starting with #) are accepted only before the "
                             "header: move it above the header or delete it")
    if len(record) > width and not any(c.strip() for c in record[width:]):
        return record[:width], None  # trailing empty cells: nothing is lost
    if len(record) != width:
        return None, Problem(
            label, f"row has {len(record)} cells but the header has {width}", row=row,
            suggestion="check for an unquoted comma inside a cell" if len(record) > width else
            "a cell is missing, or a line break splits the row")
    return record, None


def _more_row_problems(label: str, count: int) -> Problem:
    return Problem(label, f"{count - MAX_ROW_PROBLEMS:,} more rows with the same kinds of problem")


#: Bytes of text scanned at a time for line breaks and delimiters (bounds the memory of the scan).
_SCAN_BYTES = 1 << 20
#: Data lines looked at to choose how each column is held (see :func:`_column_dtypes`).
_SAMPLE_LINES = 1000


def _line_layout(data: bytes, first: int, delimiter: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, number of delimiters) of every line of ``data`` from byte ``first`` on, as ``split("\\n")``
    cuts them (a final line break ends the last line; it does not begin an empty one)."""
    text = np.frombuffer(data, dtype=np.uint8)
    sep = ord(delimiter)
    ends: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    carried = 0  # delimiters after the last line break so far
    for lo in range(first, len(data), _SCAN_BYTES):
        block = text[lo:lo + _SCAN_BYTES]
        breaks = np.flatnonzero(block == 10)
        seen = np.cumsum(block == sep, dtype=np.int32)
        if not len(breaks):
            carried += int(seen[-1])
            continue
        at_breaks = seen[breaks]
        per_line = np.diff(at_breaks, prepend=0)
        per_line[0] += carried
        carried = int(seen[-1] - at_breaks[-1])
        ends.append(breaks + lo)
        counts.append(per_line)
    if len(data) > first and data[-1:] != b"\n":  # the last line has no line break
        ends.append(np.array([len(data)]))
        counts.append(np.array([carried]))
    end = np.concatenate(ends) if ends else np.array([], dtype=np.int64)
    start = np.empty_like(end)
    start[:1] = first
    start[1:] = end[:-1] + 1
    return start, end, np.concatenate(counts) if counts else np.array([], dtype=np.int64)


def _column_dtypes(lines: list[bytes], delimiter: str, width: int) -> dict[int, Any]:
    """How pandas holds each column: a categorical (codes and distinct texts), or, for a column with more
    distinct texts than half of its cells in ``lines`` (the first well-formed lines: ids, dates, measurements),
    text objects: building a categorical of nearly unique texts chunk by chunk costs more than it saves. Either
    way the texts are the same."""
    rows = [line.split(delimiter.encode()) for line in lines]
    columns = list(zip(*rows)) if rows else [()] * width
    return {i: object if len(set(cells)) * 2 > len(cells) else "category" for i, cells in enumerate(columns)}


def _unquoted_records(data: bytes, delimiter: str, label: str, header_row: int, start: int = 0) -> RawTable | None:
    """The records of ``data`` from byte ``start`` on (UTF-8, header first) read by pandas' C parser, when that
    text holds no quote character: then every line is one record and every delimiter ends a cell, exactly as the
    :mod:`csv` module reads it.

    Each column is a categorical of its distinct texts (one string object per distinct text, codes per row), so
    typing a column works on its distinct texts, or (mostly distinct columns) a column of text objects. ``None``
    when the text needs the :mod:`csv` module: quotes, NUL characters, a byte-order mark after the header, lines
    longer than the csv field limit, a one-column header, or more lines than the row limit (so its messages are
    those of the csv reader).
    """
    if data.find(b'"', start) >= 0 or data.find(b"\x00", start) >= 0:
        return None
    header_line = _line_at(data, start)
    header = [h.strip() for h in header_line.split(delimiter)]
    width = len(header)
    header_end = data.find(b"\n", start)
    first = len(data) if header_end < 0 else header_end + 1  # the first byte of the first data line
    n_lines = data.count(b"\n", first) + (len(data) > first and data[-1:] != b"\n")
    limit = csv.field_size_limit()
    if width < 2 or width > MAX_COLUMNS or n_lines > MAX_ROWS or len(header_line) > limit:
        return None
    starts, ends, delimiters = _line_layout(data, first, delimiter)
    if any(len(_line_at(data, s)) > limit for s in starts[ends - starts > limit].tolist()):
        return None  # counted in characters, as the csv module counts
    rows = np.arange(n_lines, dtype=int) + header_row + 1
    problems: list[Problem] = []
    odd = _odd_lines(data, starts, ends, delimiters != width - 1, delimiter)
    if odd:
        lines = [data[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
        dropped: list[int] = []
        for i in odd:
            text = lines[i].decode("utf-8")
            kept, message = _odd_record(text.split(delimiter) if text else [], width, label, int(rows[i]))
            if kept is not None:
                lines[i] = delimiter.join(kept).encode("utf-8")  # no cell holds the delimiter: read back as these
            if message is not None:
                dropped.append(i)
                if len(dropped) <= MAX_ROW_PROBLEMS:
                    problems.append(message)
        if len(dropped) > MAX_ROW_PROBLEMS:
            problems.append(_more_row_problems(label, len(dropped)))
        if dropped:
            keep = np.ones(len(lines), dtype=bool)
            keep[dropped] = False
            rows = rows[keep]
            lines = [line for line, k in zip(lines, keep) if k]
        data, first = b"\n".join(lines), 0
        sample = lines[:_SAMPLE_LINES]
        del lines
    else:
        sample = [data[s:e] for s, e in zip(starts[:_SAMPLE_LINES].tolist(), ends[:_SAMPLE_LINES].tolist())]
    if data.startswith(codecs.BOM_UTF8, first):  # pandas would take it for a byte-order mark
        return None
    if not len(rows):
        return RawTable(label, string_frame([], header), rows, problems)
    source = _io.BytesIO(data)
    source.seek(first)  # pandas reads from here: the data lines
    frame = pd.read_csv(
        source, sep=delimiter, header=None, names=list(range(width)), dtype=_column_dtypes(sample, delimiter, width),
        na_filter=False, quoting=csv.QUOTE_NONE, skip_blank_lines=False, engine="c", low_memory=True,
        encoding="utf-8",
    )
    frame.columns = header
    return RawTable(label, frame, rows, problems)


def _odd_lines(data: bytes, starts: np.ndarray, ends: np.ndarray, wrong_width: np.ndarray,
               delimiter: str) -> list[int]:
    """The lines that are not simply records as wide as the header: another number of delimiters, or a first
    cell starting with ``#`` after spaces and tabs (a comment line after the header)."""
    text = np.frombuffer(data, dtype=np.uint8)
    may_be_comment = np.isin(text[starts], np.frombuffer(b" \t#", dtype=np.uint8)) & ~wrong_width
    comments = [i for i in np.flatnonzero(may_be_comment).tolist()
                if _is_comment(data[starts[i]:ends[i]], delimiter)]
    return sorted(np.flatnonzero(wrong_width).tolist() + comments)


def _is_comment(line: bytes, delimiter: str) -> bool:
    """Whether a line's first cell starts with ``#`` after spaces and tabs (a comment line after the header)."""
    return line.split(delimiter.encode(), 1)[0].lstrip(b" \t").startswith(b"#")


def _cell_frame(cells: np.ndarray, header: list[str]) -> pd.DataFrame:
    if not len(cells):
        return string_frame([], header)
    frame = pd.DataFrame(cells, copy=False)
    frame.columns = header
    return frame


def string_frame(records: list[list[str]], header: list[str]) -> pd.DataFrame:
    """A frame of string cells. Equal texts become one object (as ``pandas.read_csv`` does), so typing them
    column by column hashes each distinct text once."""
    if not records:
        frame = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(len(header))})
    else:
        shared: dict[str, str] = {}
        same = shared.setdefault
        cells = np.empty((len(records), len(header)), dtype=object)
        cells[:] = [[same(c, c) for c in r] for r in records]
        frame = pd.DataFrame(cells, copy=False)
    frame.columns = header
    return frame


#: Workbook file types read sheet by sheet.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def table_label(source: Path, table: str) -> str:
    """How problems name one table of a cohort: ``variants.csv`` in a folder, ``book.xlsx [sheet variants]`` in a
    workbook, the file's name for a single-file export."""
    source = Path(source)
    if source.is_dir():
        return f"{table}.csv"
    if source.suffix.lower() in WORKBOOK_SUFFIXES:
        return f"{source.name} [sheet {table}]"
    return source.name


def read_all(path: Path) -> dict[str, RawTable]:
    """The three raw tables of a cohort folder or workbook."""
    from neurohlh.io.read_xlsx import read_xlsx_tables

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return {t: read_csv_table(path / f"{t}.csv", table_label(path, t)) for t in TABLES}
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_xlsx_tables(path)
    raise InputError(
        f"{path}: a cohort is a folder with patients.csv, studies.csv and variants.csv, or one .xlsx workbook"
    )
