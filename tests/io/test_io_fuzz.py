"""Fuzzing the loader with random edits and random bytes of a valid CSV cohort and a valid workbook: it raises
only InputError, or returns a cohort that keeps every non-empty row of the damaged file."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from _io_inputs import EXAMPLE, TABLES, workbook
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from neurohlh import InputError, load_cohort

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORKBOOK_FUZZ = settings(FUZZ, max_examples=12)
ORIGINAL = {t: (EXAMPLE / f"{t}.csv").read_bytes() for t in TABLES}

byte_edit = st.tuples(st.sampled_from(["insert", "delete", "replace", "duplicate"]), st.floats(0, 1),
                      st.binary(min_size=1, max_size=6) | st.sampled_from(
                          [b"\x00", b"\r", b"\n", b",", b'"', b";", b"#", b"\xef\xbb\xbf", b"\xff\xfe", b"\n# x\n",
                           b"=1+1", b"\xe2\x80\x8b", b"\n\n", b",,,,\n"]))


def _apply(data: bytes, edits) -> bytes:
    for kind, where, piece in edits:
        pos = int(where * len(data))
        if kind == "insert":
            data = data[:pos] + piece + data[pos:]
        elif kind == "delete":
            data = data[:pos] + data[pos + len(piece):]
        elif kind == "replace":
            data = data[:pos] + piece + data[pos + len(piece):]
        else:
            end = data.find(b"\n", pos)
            line = data[data.rfind(b"\n", 0, pos) + 1: len(data) if end < 0 else end + 1]
            data = data[:pos] + line + data[pos:]
    return data


def _non_empty_rows(data: bytes) -> int:
    """Data rows with a non-blank cell, read independently with pandas' C parser after the comment lines."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    skip = 0
    while skip < len(lines) and (lines[skip].strip(" \t,;") == "" or lines[skip].lstrip().startswith("#")):
        skip += 1
    header = lines[skip] if skip < len(lines) else ""
    sep = "," if "," in header or not (";" in header or "\t" in header) else (";" if ";" in header else "\t")
    frame = pd.read_csv(io.StringIO("\n".join(lines[skip:])), sep=sep, dtype=str, keep_default_na=False,
                        skip_blank_lines=True, index_col=False)
    return int((frame.apply(lambda col: col.str.strip() != "").any(axis=1)).sum())


def _loaded_rows(frame: pd.DataFrame) -> int:
    return int((~frame["_derived"].fillna(False).astype(bool)).sum()) if "_derived" in frame else len(frame)


@FUZZ
@given(table=st.sampled_from(TABLES), edits=st.lists(byte_edit, min_size=1, max_size=4))
def test_random_bytes_in_a_csv_cohort(table, edits):
    data = _apply(ORIGINAL[table], edits)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cohort"
        shutil.copytree(EXAMPLE, folder)
        (folder / f"{table}.csv").write_bytes(data)
        try:
            cohort = load_cohort(folder)
        except InputError:
            return
    assert _loaded_rows(getattr(cohort, table)) == _non_empty_rows(data)


cell_value = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["=1+1", "#note", "yes", "no", "", " ", "NA", "\u200bEX01", "EX01", "30%", "1_2"]))
cell_edit = st.tuples(st.sampled_from(TABLES), st.integers(1, 14), st.integers(1, 62), cell_value,
                      st.sampled_from(["General", "0%", "0.00", "yyyy-mm-dd", "@"]))


def _sheet_rows(path: Path, table: str) -> int:
    """Rows after the header (and after leading '#' rows) with a non-blank value, read with openpyxl."""
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True)[table]
    sheet.reset_dimensions()
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None and str(v).strip() for v in r)]
    start = 0
    while start < len(rows) and isinstance(rows[start][0], str) and rows[start][0].lstrip().startswith("#"):
        start += 1
    return max(len(rows) - start - 1, 0)


@WORKBOOK_FUZZ
@given(edits=st.lists(cell_edit, min_size=1, max_size=5))
def test_random_cells_in_a_workbook(edits):
    def edit(book):
        for table, row, col, value, number_format in edits:
            cell = book[table].cell(row=row, column=col)
            cell.value, cell.number_format = value, number_format
    with tempfile.TemporaryDirectory() as tmp:
        path = workbook(Path(tmp) / "c.xlsx", edit)
        try:
            cohort = load_cohort(path)
        except InputError:
            return
        for table in TABLES:
            assert _loaded_rows(getattr(cohort, table)) == _sheet_rows(path, table), table


WORKBOOK = workbook(Path(tempfile.mkdtemp()) / "fuzz.xlsx").read_bytes()


@WORKBOOK_FUZZ
@given(edits=st.lists(byte_edit, min_size=1, max_size=3))
@example(edits=[("replace", 0.625, b"\x00")])  # a broken deflate stream inside a sheet (zlib.error)
def test_random_bytes_in_a_workbook(edits):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.xlsx"
        path.write_bytes(_apply(WORKBOOK, edits))
        try:
            load_cohort(path)
        except InputError as exc:
            # a refusal always says where: the workbook by name, and each located problem its file or sheet
            if exc.problems:
                assert all(problem.file for problem in exc.problems)
            else:
                assert str(exc).startswith("c.xlsx")
