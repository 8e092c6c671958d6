"""Compare one variable across groups of patients, as the plan says.

A binary variable gives an ``n/N`` per group and a contingency test; a continuous one gives the known values per
group and, decided once for the row by the plan's normality check (:func:`neurohlh.stats.check_normality`),
either a mean test with the row shown as mean (SD) or a rank test with the row shown as median (IQR). A median is
never tested with a t test. Where no test can run the comparison says why instead.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd

from neurohlh.analysis.plan import AnalysisPlan, ContinuousRule, plan_named
from neurohlh.analysis.results import MEAN_TESTS, GroupComparison, Shown, Variable
from neurohlh.errors import Caveat, InputError, StatisticalWarning
from neurohlh.stats import Normality, TestResult, check_normality, compare_categorical, compare_continuous

#: One grouping of a table row: (comparison name, patient column, groups).
Grouping = tuple[str, str, Sequence[str]]


@contextmanager
def _caveats_in_result() -> Iterator[None]:
    """Statistical warnings are copied into the result's caveats by :mod:`neurohlh.stats`; don't print them too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        yield


def result_caveats(result: TestResult | None, subject: str) -> tuple[Caveat, ...]:
    """A test's caveats, each tagged with the comparison it concerns (texts without a code become
    ``test_warning``)."""
    if result is None:
        return ()
    coded = {c.message for c in result.caveats}
    out = [Caveat(c.code, c.message, c.value, subject) for c in result.caveats]
    out += [Caveat("test_warning", w, None, subject) for w in result.warnings if w not in coded]
    return tuple(out)


class GroupMasks:
    """The patients of ``frame`` in each group of a grouping column, as boolean arrays: each (column, group)
    compared once (``frame[column] == group``), however many variables are compared in that grouping."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._masks: dict[tuple[str, str], np.ndarray] = {}

    def __call__(self, column: str, group: str) -> np.ndarray:
        mask = self._masks.get((column, group))
        if mask is None:
            mask = self._masks[(column, group)] = (self.frame[column] == group).to_numpy(dtype=bool, na_value=False)
        return mask


def _binary_counts(masks: GroupMasks, column: str, group_col: str,
                   groups: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """(yes, known) per group: a patient whose value is unknown counts in neither."""
    values = masks.frame[column].astype("boolean")
    known = values.notna().to_numpy(dtype=bool)
    yes = values.fillna(False).to_numpy(dtype=bool)
    return tuple((int(np.count_nonzero(m & yes)), int(np.count_nonzero(m & known)))
                 for m in (masks(group_col, g) for g in groups))


def _compare_binary(masks: GroupMasks, variable: Variable, group_col: str, groups: tuple[str, ...],
                    comparison: str, plan: AnalysisPlan) -> GroupComparison:
    counts = _binary_counts(masks, variable.key, group_col, groups)
    usable = [(a, n) for a, n in counts if n > 0]
    if len(usable) < 2:
        return GroupComparison(variable, comparison, groups, counts,
                               reason="fewer than two groups with known values; no test")
    table = np.array([[a, n - a] for a, n in usable], dtype=np.int64)
    if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        return GroupComparison(variable, comparison, groups, counts,
                               reason="no variation (all yes or all no); no test")
    try:
        with _caveats_in_result():
            result = compare_categorical(table, policy=plan.categorical_for(variable.key))
    except InputError as exc:  # a test undefined for this table: say why instead of aborting the analysis
        return GroupComparison(variable, comparison, groups, counts, reason=f"no test: {exc}")
    return GroupComparison(variable, comparison, groups, counts, result=result,
                           caveats=result_caveats(result, f"{variable.label} ({comparison})"))


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def row_normality(frame: pd.DataFrame, variable: Variable, groupings: Sequence[Grouping],
                  plan: AnalysisPlan, *, masks: GroupMasks | None = None) -> Normality:
    """The normality decision for one table row, made once for all its groupings.

    The ``paper`` rule tests the variable over every patient the row compares; the ``exact`` rule tests every
    group shown in the row. So each row has one summary (median or mean) and tests that go with it. ``masks``
    (of ``frame``) may carry group masks already computed.
    """
    split = GroupMasks(frame) if masks is None else masks
    rule = plan.continuous_for(variable.key)
    values = _values(frame, variable.key)
    groups_of = {f"group {g} ({name})": split(col, g) for name, col, groups in groupings for g in groups}
    if rule is ContinuousRule.PAPER:
        compared = np.logical_or.reduce(list(groups_of.values())) if groups_of else np.zeros(len(frame), bool)
        return check_normality([values[compared].dropna().to_numpy()], rule, plan.alpha)
    samples = {name: values[m].dropna().to_numpy() for name, m in groups_of.items()}
    samples = {name: s for name, s in samples.items() if s.size > 0}
    return check_normality(list(samples.values()), rule, plan.alpha, names=list(samples))


def _compare_continuous(masks: GroupMasks, variable: Variable, group_col: str, groups: tuple[str, ...],
                        comparison: str, plan: AnalysisPlan, normality: Normality) -> GroupComparison:
    values = _values(masks.frame, variable.key)
    samples = tuple(values[masks(group_col, g)].dropna().to_numpy() for g in groups)
    shown = Shown.MEAN_SD if normality.normal else Shown.MEDIAN_IQR
    usable = [s for s in samples if s.size > 0]
    if len(usable) < 2 or any(s.size < 2 for s in usable):
        return GroupComparison(variable, comparison, groups, samples=samples, shown=shown,
                               reason="fewer than two groups with at least two known values; no test")
    if np.ptp(np.concatenate(usable)) == 0:
        return GroupComparison(variable, comparison, groups, samples=samples, shown=shown,
                               reason="no variation (every known value is the same); no test")
    try:
        with _caveats_in_result():
            result = compare_continuous(*usable, policy=plan.continuous_for(variable.key), alpha=plan.alpha,
                                        normality=normality)
    except InputError as exc:  # a test undefined for these values (e.g. zero variance in every group)
        return GroupComparison(variable, comparison, groups, samples=samples, shown=shown, reason=f"no test: {exc}")
    shown = Shown.MEAN_SD if result.test in MEAN_TESTS else Shown.MEDIAN_IQR
    return GroupComparison(variable, comparison, groups, samples=samples, result=result, shown=shown,
                           caveats=result_caveats(result, f"{variable.label} ({comparison})"))


def compare_variable(frame: pd.DataFrame, variable: Variable, group_col: str, groups: Sequence[str],
                     comparison: str, plan: AnalysisPlan | str, normality: Normality | None = None, *,
                     masks: GroupMasks | None = None) -> GroupComparison:
    """Compare one variable across ``groups`` of ``frame[group_col]`` as ``plan`` says.

    ``normality`` is the row's decision (:func:`row_normality`) when the variable is compared in several
    groupings; by default it is made on this grouping alone. ``masks`` (a :class:`GroupMasks` of ``frame``)
    lets many comparisons share the group masks.
    """
    plan = plan_named(plan)
    groups = tuple(groups)
    split = GroupMasks(frame) if masks is None else masks
    if variable.kind == "binary":
        return _compare_binary(split, variable, group_col, groups, comparison, plan)
    if normality is None:
        normality = row_normality(frame, variable, [(comparison, group_col, groups)], plan, masks=split)
    return _compare_continuous(split, variable, group_col, groups, comparison, plan, normality)


def compare_row(frame: pd.DataFrame, variable: Variable, groupings: Sequence[Grouping],
                plan: AnalysisPlan, *, masks: GroupMasks | None = None) -> tuple[GroupComparison, ...]:
    """One table row: ``variable`` compared in every grouping, with one normality decision for the row.

    ``masks`` (a :class:`GroupMasks` of ``frame``) lets the rows of one table share the group masks."""
    split = GroupMasks(frame) if masks is None else masks
    normality = None if variable.kind == "binary" else row_normality(frame, variable, groupings, plan, masks=split)
    return tuple(compare_variable(frame, variable, col, groups, name, plan, normality, masks=split)
                 for name, col, groups in groupings)


__all__ = ["GroupMasks", "Grouping", "compare_row", "compare_variable", "result_caveats", "row_normality"]
