"""CSV text without quote characters is read by pandas' C parser: the cells, rows and problems are exactly those
of the csv module, which reads every other text (quotes, NUL characters, very long lines)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from neurohlh.io.read import _lines, _records
from neurohlh.io.read import _unquoted_records as _unquoted_bytes


def _unquoted_records(body: str, delimiter: str, label: str, header_row: int):
    return _unquoted_bytes(body.encode("utf-8"), delimiter, label, header_row)


def _by_csv(body: str, delimiter: str = ",", header_row: int = 1):
    return _records(_lines(body), delimiter, "t.csv", header_row, body.count("\n") + 1)


def _cells(table) -> list[list[str]]:
    return [list(map(str, row)) for row in table.frame.astype(object).itertuples(index=False)]


def _same(a, b) -> None:
    assert list(a.frame.columns) == list(b.frame.columns)
    assert _cells(a) == _cells(b)
    assert list(a.rows) == list(b.rows)
    assert a.problems == b.problems


def test_plain_text_is_read_by_columns_with_one_object_per_distinct_text():
    sexes = ["male", "female", "male", "male", "female", "male", "male", "male", "female"]
    body = " id ,sex\n" + "".join(f"A{i},{sex}\n" for i, sex in enumerate(sexes))
    table = _unquoted_records(body, ",", "t.csv", 1)
    assert list(table.frame.columns) == ["id", "sex"]  # header cells are stripped
    assert _cells(table) == [[f"A{i}", sex] for i, sex in enumerate(sexes)]
    assert list(table.rows) == list(range(2, 11))
    # 2 distinct texts in 9 cells: a categorical; 9 distinct ids in 9 cells (more than half): text objects
    assert list(table.frame["sex"].cat.categories) == ["female", "male"] and table.problems == []
    assert table.frame["id"].dtype == object and table.frame["id"].tolist() == [f"A{i}" for i in range(9)]


def test_irregular_lines_keep_their_rows_and_give_the_csv_readers_problems():
    body = "id,sex,age\nA1,male,3\n\nA2,female,4,,\n# note\nA3,male\nA4,male,5,6\nA5,,1\n"
    table = _unquoted_records(body, ",", "t.csv", 4)
    # row 7 is the blank line (kept as empty cells; the loader notes it), rows 9 and 10 are not loaded
    assert _cells(table) == [["A1", "male", "3"], ["", "", ""], ["A2", "female", "4"], ["A5", "", "1"]]
    assert list(table.rows) == [5, 6, 7, 11]
    assert [(p.row, p.message) for p in table.problems] == [
        (8, "a comment line after the header"), (9, "row has 2 cells but the header has 3"),
        (10, "row has 4 cells but the header has 3")]
    _same(table, _by_csv(body, header_row=4))


def test_a_tab_before_the_hash_of_a_tab_delimited_file_is_an_empty_first_cell_not_a_comment():
    body = "id\tnote\n\t# x\n #y\tz\n"
    table = _unquoted_records(body, "\t", "t.csv", 1)
    assert _cells(table) == [["", "# x"]]
    assert [(p.row, p.message) for p in table.problems] == [(3, "a comment line after the header")]
    _same(table, _by_csv(body, "\t"))


def test_texts_the_csv_module_must_read_are_left_to_it():
    assert _unquoted_records('id,note\nA1,"a, b"\n', ",", "t.csv", 1) is None  # a quoted cell
    assert _unquoted_records("id,note\nA1,a\x00b\n", ",", "t.csv", 1) is None  # NUL
    assert _unquoted_records("id\nA1\n", ",", "t.csv", 1) is None  # one column: a blank line has no delimiter
    assert _unquoted_records("id,note\n\ufeffA1,x\n", ",", "t.csv", 1) is None  # pandas drops a leading BOM
    assert _unquoted_records("id,note\nA1," + "x" * 200_000 + "\n", ",", "t.csv", 1) is None  # csv field limit


def test_no_data_line_gives_an_empty_frame_with_the_header():
    table = _unquoted_records("id,sex\n", ",", "t.csv", 1)
    assert list(table.frame.columns) == ["id", "sex"] and len(table.frame) == 0 and list(table.rows) == []


_cell = st.text(alphabet=st.sampled_from(list("ab1 #\t;é\ufeff\u2028\x0b-")), max_size=4)
_line = st.lists(_cell, min_size=0, max_size=5).map(lambda cells: ",".join(cells))


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, min_size=0, max_size=12), st.booleans())
def test_any_quote_free_text_reads_as_the_csv_module_reads_it(lines, final_newline):
    body = "id,a,b\n" + "\n".join(lines) + ("\n" if final_newline and lines else "")
    table = _unquoted_records(body, ",", "t.csv", 1)
    # only a byte-order mark (which pandas would drop) sends quote-free text of this alphabet to the csv module
    assert table is not None or "\ufeff" in body
    if table is not None:
        _same(table, _by_csv(body))


def test_a_table_read_by_columns_is_typed_with_located_problems_and_empty_rows_noted():
    from neurohlh.io.cells import parse_table
    from neurohlh.schema import Variant

    body = ("patient_id,gene,hgvs,transcript,zygosity,inheritance_notes\nP1,PRF1,c.50del,,homozygous,\n,,,,,\n"
            "P2,UNC13D,c.1A>G,,twice,\n")
    frame, problems, notes = parse_table(_unquoted_records(body, ",", "variants.csv", 1), Variant)
    assert frame["patient_id"].tolist() == ["P1", "P2"] and frame["_row"].tolist() == [2, 4]
    assert frame["zygosity"].tolist() == ["homozygous", None] and frame["transcript"].tolist() == [None, None]
    assert [(p.row, p.column, p.value, p.message) for p in problems] == [
        (4, "zygosity", "twice", "is not an allowed value")]
    assert notes == ["variants.csv, row 3: empty row, not loaded"]


def test_typed_columns_are_nullable_arrays_taken_by_code():
    import numpy as np

    from neurohlh.io.cells import _typed
    from neurohlh.schema import Kind

    import pandas as pd

    codes = np.array([0, 1, 2, 1, 0])
    NA = pd.NA
    assert _typed([True, None, False], codes, Kind.BOOL).tolist() == [True, NA, False, NA, True]
    assert str(_typed([True, None, False], codes, Kind.BOOL).dtype) == "boolean"
    assert _typed([1.5, None, -0.0], codes, Kind.FLOAT).tolist() == [1.5, NA, -0.0, NA, 1.5]
    assert str(_typed([1.5, None, -0.0], codes, Kind.FLOAT).dtype) == "Float64"
    assert _typed([3, None, 500], codes, Kind.INT).tolist() == [3, NA, 500, NA, 3]
    assert list(_typed(["a", None, "b"], codes, Kind.ENUM)) == ["a", None, "b", None, "a"]
    assert str(_typed([], np.array([], dtype=int), Kind.INT).dtype) == "Int64"


def test_day_numbers_count_days_across_a_leap_day_and_leave_missing_dates_out():
    import datetime as dt
    import math

    import numpy as np
    import pandas as pd

    from neurohlh.io.checks import day_numbers

    days = day_numbers(pd.Series([dt.date(2020, 3, 1), None, dt.date(2020, 2, 28), np.nan, dt.date(2020, 3, 1)],
                                 dtype=object))
    assert days[0] - days[2] == 2  # 28 February, 29 February (2020 is a leap year), 1 March
    assert days[0] == days[4] == dt.date(2020, 3, 1).toordinal()
    assert math.isnan(days[1]) and math.isnan(days[3])


def test_records_hold_plain_python_values_and_none_for_missing_cells():
    import pandas as pd

    from neurohlh.io import _records
    from neurohlh.schema import Variant, Zygosity

    frame = pd.DataFrame({"patient_id": ["P1", "P2"], "gene": ["PRF1", "STX11"], "hgvs": ["c.50del", "c.1A>G"],
                          "transcript": [None, "NM_1"], "zygosity": ["homozygous", None],
                          "inheritance_notes": [None, None]})
    first, second = _records(frame, Variant)
    assert first == Variant("P1", "PRF1", "c.50del", None, Zygosity.HOMOZYGOUS, None)
    assert second.transcript == "NM_1" and second.zygosity is None


_id_text = st.text(alphabet=st.sampled_from(list("aZ09 '-_\t\n\x00éР\u200b")), max_size=6) | st.sampled_from(
    ["x" * 100, "x" * 101, " " * 101, "'P1", "P1 ", " P1", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(_id_text, max_size=8))
def test_ids_taken_as_they_are_are_exactly_those_the_cell_parser_returns_unchanged(texts):
    from neurohlh.io.cells import _cell_parser, _is_plain_id, _parse_text, _plain_ids
    from neurohlh.schema import Patient, field_specs

    spec = field_specs(Patient)["patient_id"]
    assert _plain_ids(texts) == [_is_plain_id(t) for t in texts]  # the joined test agrees with the one by one
    for text in texts:
        if _is_plain_id(text):
            assert _parse_text(text, "patient_id", spec, _cell_parser(spec)) == (text, None)


def test_plain_ids_by_hand():
    from neurohlh.io.cells import _plain_ids

    assert _plain_ids(["P1", "SYN-20_a", "x" * 100]) == [True, True, True]
    assert _plain_ids(["P1", "", " P2", "P3 ", "'P4", "x" * 101, "P\u0420", "P\t5", "P6"]) == [
        True, False, False, False, False, False, False, False, True]
    assert _plain_ids([]) == []
