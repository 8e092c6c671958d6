"""Property tests: damaging random cells never crashes the loader and never loses a row silently."""
from __future__ import annotations

import shutil
import string
import tempfile
from pathlib import Path

from conftest import EXAMPLE, read_cells, write_cells
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurohlh import InputError, load_cohort
from neurohlh.io import TABLES

BASE = {t: read_cells(EXAMPLE, t) for t in TABLES}

garbage = st.one_of(
    st.text(alphabet=string.printable + "éµ±≥", max_size=12),
    st.sampled_from(["", " ", "NA", "yes", "no", "-1", "1e309", "nan", "2015-02-30", "EX01", "multiple",
                     "nodular;;ring", ",", '"', "\n", "0", "999999", "consensus", "reader_1"]),
)
edit = st.tuples(st.sampled_from(TABLES), st.integers(0, 11), st.integers(0, 60), garbage)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(edit, min_size=1, max_size=6))
def test_corrupted_cells_raise_input_error_or_keep_every_row(edits):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cohort"
        shutil.copytree(EXAMPLE, folder)
        frames = {t: f.copy() for t, f in BASE.items()}
        for table, row, col, value in edits:
            frame = frames[table]
            frame.iat[row % len(frame), col % frame.shape[1]] = value
        for table, frame in frames.items():
            write_cells(folder, table, frame)
        # rows as a spreadsheet shows them: a row whose cells are all empty is not a record
        expected = {t: int((f.apply(lambda s: s.str.strip() != "")).any(axis=1).sum()) for t, f in frames.items()}
        try:
            cohort = load_cohort(folder)
        except InputError as exc:
            assert exc.problems, "an InputError must list its problems"
            return
        loaded = {"patients": len(cohort.patients), "studies": len(cohort.studies), "variants": len(cohort.variants)}
        dropped = sum(expected.values()) - sum(loaded.values())
        assert dropped <= len(cohort.notes)  # any row not loaded is listed in the notes
        assert loaded["patients"] >= expected["patients"] - len(cohort.notes)


def test_whitespace_only_row_is_reported_not_dropped(cohort_dir):
    frame = read_cells(cohort_dir, "variants")
    frame.loc[len(frame)] = [" "] * frame.shape[1]
    write_cells(cohort_dir, "variants", frame)
    try:
        load_cohort(cohort_dir)
    except InputError as exc:
        assert any(p.row == 10 and p.message == "is required and empty" for p in exc.problems)
    else:  # pragma: no cover - the assertion below documents the failure
        raise AssertionError("a row of blanks must be an error, not a silent drop")


