"""Group comparisons: counts over known values per group, group masks shared by the rows of a table."""
from __future__ import annotations

import numpy as np
import pandas as pd

from neurohlh.analysis import Variable, compare_row, compare_variable
from neurohlh.analysis.compare import GroupMasks
from neurohlh.analysis.pipeline import _deficit_free_of_the_dead, _group_labels
from neurohlh.analysis.plan import PAPER_PLAN

X = Variable("x", "x", "binary")
Y = Variable("y", "y", "binary")


def _frame(groups):
    return pd.DataFrame({
        "g": groups,
        "x": pd.array([True, None, False, True, True, False], dtype="boolean"),
        "y": pd.array([True, True, None, None, False, False], dtype="boolean"),
    })


def test_binary_counts_are_yes_over_known_per_group():
    frame = _frame(["a", "a", "b", None, "b", "a"])
    # group a = rows 0, 1, 5: x yes, unknown, no -> 1/2; group b = rows 2, 4: x no, yes -> 1/2; row 3 in no group
    assert compare_variable(frame, X, "g", ("a", "b"), "ab", PAPER_PLAN).counts == ((1, 2), (1, 2))
    # y: a = yes, yes, no -> 2/3; b = unknown, no -> 0/1
    assert compare_variable(frame, Y, "g", ("a", "b"), "ab", PAPER_PLAN).counts == ((2, 3), (0, 1))


def test_a_group_column_with_missing_values_of_any_type_puts_them_in_no_group():
    for groups in (pd.Categorical(["a", "a", "b", None, "b", "a"]),
                   pd.array(["a", "a", "b", None, "b", "a"], dtype="string")):
        assert compare_variable(_frame(groups), X, "g", ("a", "b"), "ab", PAPER_PLAN).counts == ((1, 2), (1, 2))


def test_rows_sharing_group_masks_give_the_comparisons_of_rows_alone():
    frame = _frame(["a", "a", "b", None, "b", "a"])
    groupings = [("ab", "g", ("a", "b")), ("a only", "g", ("a",))]
    masks = GroupMasks(frame)
    for variable in (X, Y):
        alone = compare_row(frame, variable, groupings, PAPER_PLAN)
        shared = compare_row(frame, variable, groupings, PAPER_PLAN, masks=masks)
        assert [(c.counts, c.reason, c.pvalue) for c in shared] == [(c.counts, c.reason, c.pvalue) for c in alone]
    assert masks("g", "a").tolist() == [True, True, False, False, False, True]
    assert masks("g", "a") is masks("g", "a")  # compared once


def test_group_labels_leave_unknown_flags_out_of_both_groups():
    flags = pd.Series(pd.array([True, False, None, True], dtype="boolean"))
    assert _group_labels(flags, "yes", "no").tolist() == ["yes", "no", None, "yes"]
    assert _group_labels(pd.Series([True, None, False], dtype=object), "yes", "no").tolist() == ["yes", None, "no"]


def test_blank_deficit_free_of_the_dead_reads_no_without_changing_the_given_frame():
    frame = pd.DataFrame({"patient_id": ["P1", "P2", "P3"],
                          "died": pd.array([True, False, True], dtype="boolean"),
                          "deficit_free": pd.array([None, None, False], dtype="boolean")})
    before = frame.copy()
    out, caveats = _deficit_free_of_the_dead(frame)
    assert out["deficit_free"].tolist() == [False, pd.NA, False]  # P1 died: no; P2 alive: still unknown
    assert [c.value for c in caveats] == [1] and "P1" in caveats[0].message
    pd.testing.assert_frame_equal(frame, before)
    assert np.array_equal(out["died"].to_numpy(), before["died"].to_numpy())
