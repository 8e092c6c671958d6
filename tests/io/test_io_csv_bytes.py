"""CSV files are read from their bytes: the encoding is checked, not converted, line breaks and delimiters are
found on the bytes, and pandas' C parser reads the data lines in place. Every cell, row number, problem and note
must be those of the plain reading: decode the text, make the line endings uniform, skip the lines before the
header and give the rest to the csv module."""
from __future__ import annotations

import codecs
import hashlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurohlh.errors import Problem
from neurohlh.io import read
from neurohlh.io.read import (
    _column_dtypes, _delimiter, _is_blank, _line_layout, _lines, _records, read_csv_table,
)

LABEL = "t.csv"


def _plain_reading(data: bytes):
    """(cells, rows, problems, notes) of ``data`` read the plain way, written out step by step."""
    if not data.strip():
        return None, [], [Problem(LABEL, "file is empty")], []
    if read._looks_like_utf16(data):  # every other byte zero
        return None, [], [Problem(LABEL, "file looks like UTF-16 text without a byte-order mark (every other byte "
                                  "is zero)", suggestion="save it as 'CSV UTF-8 (comma delimited)'")], []
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)  # each with its line break
    skipped = 0
    while skipped < len(lines) and (_is_blank(lines[skipped].rstrip("\n"))
                                    or lines[skipped].lstrip().startswith("#")):
        skipped += 1
    body = "".join(lines[skipped:])
    if not body.strip():
        suggestion = "comment lines (starting with #) and blank lines come before the header" if skipped else None
        return None, [], [Problem(LABEL, "file has no header row", suggestion=suggestion)], []
    delimiter = _delimiter(body.split("\n", 1)[0])
    table = _records(_lines(body), delimiter, LABEL, skipped + 1, body.count("\n") + 1)
    notes = [] if delimiter == "," else [f"{LABEL}: read as a {read._DELIMITER_NAMES[delimiter]}-delimited file "
                                         "(the header has no comma)"]
    return _cells(table), list(table.rows), table.problems, notes


def _cells(table):
    if table.frame is None:
        return None
    return [list(table.frame.columns)] + [list(map(str, row)) for row in
                                          table.frame.astype(object).itertuples(index=False)]


def _read(tmp_path, data: bytes):
    path = tmp_path / LABEL
    path.write_bytes(data)
    return read_csv_table(path, LABEL)


def _same_as_plain(tmp_path, data: bytes):
    table = _read(tmp_path, data)
    assert table.checksum == hashlib.sha256(data).hexdigest()
    assert (_cells(table), list(table.rows), table.problems, table.notes) == _plain_reading(data)
    return table


def _read_noting_path(tmp_path, data: bytes):
    """The table read from ``data``, and whether the csv module's path (``_records``) read it."""
    used = []
    original = read._records

    def noted(*args, **kwargs):
        used.append(True)
        return original(*args, **kwargs)

    read._records = noted
    try:
        return _read(tmp_path, data), bool(used)
    finally:
        read._records = original


def _by_pandas(monkeypatch):
    """Make the csv module's path fail, so that a test shows the text was read by pandas' C parser."""
    def refuse(*args, **kwargs):
        raise AssertionError("read by the csv module")
    monkeypatch.setattr(read, "_records", refuse)


def test_windows_line_endings_a_byte_order_mark_and_comment_lines_are_read_in_place(tmp_path, monkeypatch):
    data = codecs.BOM_UTF8 + "# synthetic\r\n\r\nid,sex,age\r\nA1,male,3\r\nÉ2,female,\r\n".encode()
    _by_pandas(monkeypatch)
    table = _read(tmp_path, data)
    assert _cells(table) == [["id", "sex", "age"], ["A1", "male", "3"], ["É2", "female", ""]]
    assert list(table.rows) == [4, 5] and table.problems == [] and table.notes == []


def test_classic_mac_line_endings_and_no_final_line_break(tmp_path, monkeypatch):
    _by_pandas(monkeypatch)
    table = _read(tmp_path, b"id,sex\rA1,male\rA2,female")
    assert _cells(table) == [["id", "sex"], ["A1", "male"], ["A2", "female"]] and list(table.rows) == [2, 3]


def test_ragged_rows_trailing_delimiters_and_comments_after_the_header_are_located(tmp_path, monkeypatch):
    data = b"# note\nid,sex,age\nA1,male,3,\nA2,female\n\n # late comment\nA3,male,4,5\nA4,,1\n"
    _by_pandas(monkeypatch)
    table = _read(tmp_path, data)
    # row 3 has a trailing empty cell (kept: nothing is lost); row 6 is blank (empty cells: the loader notes it)
    assert _cells(table) == [["id", "sex", "age"], ["A1", "male", "3"], ["", "", ""], ["A4", "", "1"]]
    assert list(table.rows) == [3, 5, 8]
    assert [(p.row, p.message) for p in table.problems] == [
        (4, "row has 2 cells but the header has 3"), (6, "a comment line after the header"),
        (7, "row has 4 cells but the header has 3")]


@pytest.mark.parametrize("data, message", [
    (b"", "file is empty"), (b" \r\n\t\n", "file is empty"),
    (b"# only a comment\n\n", "file has no header row"),
    ("\u3000\n\x1c\n".encode(), "file has no header row"),  # whitespace to Python's str, not to bytes
])
def test_files_without_a_header_say_so(tmp_path, data, message):
    table = _same_as_plain(tmp_path, data)
    assert table.frame is None and [p.message for p in table.problems] == [message]


def test_a_header_without_data_lines_gives_an_empty_table(tmp_path):
    for data in (b"id,sex", b"id,sex\n"):
        table = _same_as_plain(tmp_path, data)
        assert list(table.frame.columns) == ["id", "sex"] and len(table.frame) == 0


def test_text_that_is_not_utf8_is_located_on_its_line(tmp_path):
    table = _read(tmp_path, b"id,sex\r\nA1,male\r\nA2,f\xe9male\n")
    # the first byte that is not UTF-8 is on the third line; the value shows 8 bytes from it (read as Latin-1)
    assert [(p.message, p.row, p.value) for p in table.problems] == [("file is not UTF-8 text", 3, "\xe9male\n")]
    table = _read(tmp_path, codecs.BOM_UTF8 + b"id,sex\nA1,male\nA2,f\xe9male\n")
    assert [(p.message, p.row) for p in table.problems] == [("file is not UTF-8 text", 3)]


def test_utf16_text_is_read_after_reencoding(tmp_path, monkeypatch):
    _by_pandas(monkeypatch)
    table = _read(tmp_path, "id\tsex\r\nA1\tmäle\r\n".encode("utf-16"))
    assert _cells(table) == [["id", "sex"], ["A1", "mäle"]]
    assert table.notes == ["t.csv: read as UTF-16 text", "t.csv: read as a tab-delimited file (the header has "
                                                          "no comma)"]


def test_line_layout_is_the_same_whatever_the_scan_block(monkeypatch):
    data = b"head\na,b,c\n\n,,\nlast,line"
    # hand-worked: lines 'a,b,c' (bytes 5-10), '' (11), ',,' (12-14), 'last,line' (15-24, no line break)
    expected = ([5, 11, 12, 15], [10, 11, 14, 24], [2, 0, 2, 1])
    for block in (1, 2, 3, 7, 1 << 20):
        monkeypatch.setattr(read, "_SCAN_BYTES", block)
        starts, ends, delimiters = _line_layout(data, 5, ",")
        assert (starts.tolist(), ends.tolist(), delimiters.tolist()) == expected
    assert [a.tolist() for a in _line_layout(b"head\n", 5, ",")] == [[], [], []]


def test_mostly_distinct_columns_are_held_as_text_objects():
    days = ["01", "02", "03", "04", "05", "05", "05", "05"]
    sizes = ["1", "2", "3", "4", "1", "2", "3", "4"]
    lines = [f"P{i},{'female' if i % 4 == 0 else 'male'},2020-01-{day},{size}".encode()
             for i, (day, size) in enumerate(zip(days, sizes))]
    # in 8 cells: 8 distinct ids and 5 distinct dates (more than half): text objects; 2 sexes and 4 sizes (half,
    # not more): categoricals
    assert _column_dtypes(lines, ",", 4) == {0: object, 1: "category", 2: object, 3: "category"}
    assert _column_dtypes([], ",", 2) == {0: "category", 1: "category"}


_piece = st.sampled_from(["a", "1", "é", ",", ";", "\t", " ", "#", "\n", "\r", "\r\n", "\u3000", "\x1c", "\ufeff",
                          "\u2028", "x" * 9, "\"", "\x00"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_piece, max_size=40), st.booleans(), st.integers(1, 8))
def test_any_utf8_text_reads_as_the_plain_reading_reads_it(tmp_path_factory, pieces, bom, block):
    text = "".join(pieces)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    tmp = tmp_path_factory.mktemp("csv")
    saved = read._SCAN_BYTES
    read._SCAN_BYTES = block  # line layout across scan blocks
    try:
        table, by_csv_module = _read_noting_path(tmp, data)
    finally:
        read._SCAN_BYTES = saved
    cells, rows, problems, notes = _plain_reading(data)
    assert table.checksum == hashlib.sha256(data).hexdigest()
    assert (_cells(table), list(table.rows), table.problems, table.notes) == (cells, rows, problems, notes)
    if cells is not None and len(cells[0]) >= 2 and not any(c in text for c in '"\x00\ufeff'):
        # quote-free text with a header of two or more columns: read by pandas, not handed to the csv module
        assert not by_csv_module


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", "a", "b1", " #", "é", "1.5"]), min_size=1, max_size=5),
                max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_table_of_plain_cells_is_read_by_pandas_as_the_plain_reading_reads_it(tmp_path_factory, records,
                                                                                  newline):
    data = newline.join(["id,a,b", *(",".join(r) for r in records)]).encode("utf-8")
    table, by_csv_module = _read_noting_path(tmp_path_factory.mktemp("csv"), data)
    assert not by_csv_module
    cells, rows, problems, notes = _plain_reading(data)
    assert (_cells(table), list(table.rows), table.problems, table.notes) == (cells, rows, problems, notes)
    assert table.frame is not None and len(table.frame) == len(table.rows)


def test_the_frame_keeps_one_string_per_distinct_text(tmp_path):
    table = _read(tmp_path, b"id,sex\n" + b"".join(b"P%d,male\n" % i for i in range(20)))
    ids = table.frame["id"].to_numpy()
    assert ids.dtype == object and ids.tolist() == [f"P{i}" for i in range(20)]
    assert table.frame["sex"].cat.categories.tolist() == ["male"]
    assert np.array_equal(table.rows, np.arange(2, 22))


def test_a_file_is_read_whole_as_its_size_says_and_while_it_grows(tmp_path, monkeypatch):
    import io

    from neurohlh.io.read import _whole

    path = tmp_path / "f.csv"
    path.write_bytes(b"id,sex\nA1,male\n")
    with open(path, "rb") as handle:
        assert _whole(handle) == b"id,sex\nA1,male\n"

    class Growing(io.BytesIO):  # a file whose size was taken before it grew
        def fileno(self):
            return handle_of_small.fileno()
    path.write_bytes(b"x")
    with open(path, "rb") as handle_of_small:
        assert _whole(Growing(b"0123456789" * 300_000)) == b"0123456789" * 300_000
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 1_000_000)
    with open(path, "rb") as handle_of_small:
        assert len(_whole(Growing(b"0123456789" * 300_000))) > 1_000_000  # stops past the limit
