"""How complete each field is: known and blank values per column, and warnings a coordinator should read.

A blank cell means *unknown*, so percentages are over the patients (or studies) with a known value. That is
right, but it hides a common habit: ticking only the positives. A yes/no column with only "yes" and blanks
then reads 11/11 (100%) and its P values become not computable. :func:`completeness_warnings` names such
columns, and every column that is mostly blank, so the problem is seen before the report is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from neurohlh.schema import Kind, field_specs

#: A column in use with fewer known values than this share of its rows is "mostly blank".
MOSTLY_BLANK_SHARE = 0.5
#: A yes/no column with at least this many "yes", no "no" and some blanks looks like "only positives ticked".
ONLY_YES_MIN = 3


@dataclass(frozen=True, slots=True)
class FieldCompleteness:
    """Known and blank values of one column; ``n_yes``/``n_no`` for yes/no columns."""

    table: str
    field: str
    n_rows: int
    n_known: int
    n_yes: int | None = None
    n_no: int | None = None
    free_text: bool = False  #: a free-text field (notes, details), sparse by nature

    @property
    def n_blank(self) -> int:
        return self.n_rows - self.n_known

    @property
    def share_known(self) -> float:
        return self.n_known / self.n_rows if self.n_rows else 0.0

    @property
    def only_yes(self) -> bool:
        """Only "yes" and blanks: the no's were probably left blank."""
        return self.n_yes is not None and self.n_yes >= ONLY_YES_MIN and self.n_no == 0 and self.n_blank > 0

    @property
    def mostly_blank(self) -> bool:
        return self.share_known < MOSTLY_BLANK_SHARE

    def warning(self) -> str | None:
        """One sentence for the coordinator, or ``None`` when the column looks complete enough."""
        known = f"{self.n_known}/{self.n_rows} known"
        if self.only_yes:
            return (f"{self.table}, column '{self.field}': only 'yes' and blanks ({self.n_yes} yes, {self.n_blank} "
                    f"blank). A blank means unknown, so '{self.field}' is {self.n_yes}/{self.n_known} (100%) among "
                    "the known values; write 'no' where it was looked for and absent.")
        if self.mostly_blank and not self.free_text:
            return (f"{self.table}, column '{self.field}' is mostly blank ({known}, "
                    f"{round(100 * self.share_known)}%): its percentages and tests use only the rows with a value.")
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "field": self.field, "n_rows": self.n_rows,
                               "n_known": self.n_known, "n_blank": self.n_blank}
        if self.n_yes is not None:
            out.update(n_yes=self.n_yes, n_no=self.n_no)
        return out


def field_completeness(frame: pd.DataFrame | None, record_type: type, table: str) -> tuple[FieldCompleteness, ...]:
    """Completeness of every field *in use* (at least one known value) of a typed frame, in schema order.

    Identifier columns are left out: they are required and checked by the validator.
    """
    if frame is None or len(frame) == 0:
        return ()
    out = []
    for name, spec in field_specs(record_type).items():
        if spec.kind is Kind.ID or name not in frame.columns:
            continue
        column = frame[name]
        known = column.notna()
        n_known = int(known.sum())
        if n_known == 0:
            continue
        if spec.kind is Kind.BOOL:
            values = column[known].astype(bool)
            out.append(FieldCompleteness(table, name, len(frame), n_known, int(values.sum()),
                                         int((~values).sum())))
        else:
            out.append(FieldCompleteness(table, name, len(frame), n_known, free_text=spec.kind is Kind.TEXT))
    return tuple(out)


def unused_fields(frame: pd.DataFrame | None, record_type: type) -> tuple[str, ...]:
    """Fields with no known value at all (not recorded by this centre)."""
    if frame is None or len(frame) == 0:
        return ()
    return tuple(name for name, spec in field_specs(record_type).items()
                 if spec.kind is not Kind.ID and (name not in frame.columns or not frame[name].notna().any()))


def completeness_warnings(items: tuple[FieldCompleteness, ...] | list[FieldCompleteness]) -> tuple[str, ...]:
    """One warning per "only yes" column, then one sentence naming the mostly blank columns (some are blank by
    design, such as an enhancement pattern where nothing enhances, so they are listed, not warned one by one)."""
    out = [i.warning() or "" for i in items if i.only_yes]
    blank = sorted((i for i in items if i.mostly_blank and not i.only_yes and not i.free_text),
                   key=lambda i: i.share_known)
    if blank:
        names = ", ".join(f"{i.table}.{i.field} ({i.n_known}/{i.n_rows})" for i in blank[:8])
        more = f" and {len(blank) - 8} more" if len(blank) > 8 else ""
        out.append(f"{len(blank)} column(s) in use are mostly blank (fewer than {round(100 * MOSTLY_BLANK_SHARE)}% "
                   f"known): {names}{more}. Their percentages and tests use only the rows with a value; fill them "
                   "where the information exists (a blank is unknown, never no).")
    return tuple(out)
