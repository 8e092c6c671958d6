"""The MR data-collection sheet, generated from the schema's study fields and checked by the loader's own checks.

The sheet is the study record of :mod:`neurohlh.schema` without the identity and timing columns (those come from
the worklist, never from a reader). Its version and hash are stored with every read: the hash changes whenever a
field, its vocabulary, range or definition changes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.io.cells import SET_SEPARATOR, format_cell, parse_cell, parse_table
from neurohlh.io.checks import cross_checks
from neurohlh.io.read import RawTable
from neurohlh.schema import FieldSpec, Kind, Study, field_specs, record_column

#: Study columns a reader never fills: they identify the study or come from the worklist.
NOT_ON_SHEET = ("study_id", "patient_id", "reader", "study_date", "age_at_study_months")
SHEET_VERSION = "1"
#: Form keys that are not sheet fields.
CONTROL_KEYS = frozenset({"csrfmiddlewaretoken", "action", "elapsed", "revision"})
LABEL = "sheet"

STUDY_SPECS: dict[str, FieldSpec] = field_specs(Study)
SHEET: dict[str, FieldSpec] = {n: s for n, s in STUDY_SPECS.items() if n not in NOT_ON_SHEET}


def sheet_hash(fields: Mapping[str, FieldSpec] = SHEET) -> str:
    text = json.dumps([[name, dataclasses.asdict(spec)] for name, spec in fields.items()], sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SHEET_HASH = sheet_hash()


@dataclass(frozen=True)
class SheetGroup:
    title: str
    fields: tuple[tuple[str, FieldSpec], ...]


def groups() -> list[SheetGroup]:
    """Sheet fields in schema order, grouped by their schema group."""
    out: dict[str, list[tuple[str, FieldSpec]]] = {}
    for name, spec in SHEET.items():
        out.setdefault(spec.group or "other", []).append((name, spec))
    return [SheetGroup(title, tuple(items)) for title, items in out.items()]


@dataclass(frozen=True)
class Parsed:
    cells: dict[str, str]          # field -> file-format cell ('' = unknown)
    tampered: tuple[str, ...]      # what in the POST cannot come from the sheet
    problems: dict[str, str]       # field -> message, from the loader's checks


def _vocabulary_problem(spec: FieldSpec, values: list[str]) -> str | None:
    """A value the form cannot produce (a select, radio or checkbox outside its vocabulary)."""
    if spec.kind is not Kind.SET and len(values) > 1:
        return "more than one value for a single-value field"
    if spec.kind is Kind.BOOL and values[0] not in ("", "yes", "no"):
        return f"value {values[0][:40]!r} is not yes / no / unknown"
    if spec.kind is Kind.ENUM and values[0] not in ("",) + spec.choices:
        return f"value {values[0][:40]!r} is not in the vocabulary"
    if spec.kind is Kind.SET:
        wrong = [v for v in values if v not in spec.choices]
        if wrong:
            return f"value {wrong[0][:40]!r} is not in the vocabulary"
    return None


def read_form(data: Any) -> tuple[dict[str, list[str]], list[str]]:
    """(field -> submitted values, tampering found) from a Django QueryDict."""
    tampered: list[str] = []
    submitted: dict[str, list[str]] = {}
    for key in data:
        if key in CONTROL_KEYS:
            continue
        if key not in SHEET:
            tampered.append(f"field {key[:60]!r} is not on the sheet")
            continue
        values = [v.strip() for v in data.getlist(key)]
        problem = _vocabulary_problem(SHEET[key], values)
        if problem:
            tampered.append(f"{key}: {problem}")
        submitted[key] = values
    return submitted, tampered


def to_cells(submitted: Mapping[str, list[str]]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for name, spec in SHEET.items():
        values = [v for v in submitted.get(name, []) if v != ""]
        if spec.kind is Kind.SET:
            order = {c: i for i, c in enumerate(spec.choices)}
            cells[name] = SET_SEPARATOR.join(sorted(set(values), key=lambda t: order.get(t, 99)))
        else:
            cells[name] = values[0] if values else ""
    return cells


def check(cells: Mapping[str, str], complete: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """The loader's checks on one sheet: (canonical cells, field -> problem).

    Every cell goes through the loader's cell parser (:func:`neurohlh.io.cells.parse_cell`); with ``complete``
    (a submission, a consensus) the loader's cross-field checks of a study run too.
    """
    typed: dict[str, Any] = {}
    found: dict[str, str] = {}
    for name, spec in SHEET.items():
        value, problem = parse_cell(str(cells.get(name, "")), name, spec)
        typed[name] = value
        if problem:
            found[name] = problem
    if complete:
        row: dict[str, Any] = dict.fromkeys(STUDY_SPECS)
        row.update(typed)
        row.update({"study_id": "sheet", "patient_id": "sheet", "reader": "consensus", "_row": 1})
        for p in cross_checks(None, pd.DataFrame([row]), None, {"studies": LABEL}):
            found.setdefault(p.column or "", p.message + (f"; {p.suggestion}" if p.suggestion else ""))
    canonical = {name: str(cells.get(name, "")) if name in found else format_cell(typed[name], spec)
                 for name, spec in SHEET.items()}  # what did not parse stays as written: nothing typed is lost
    return canonical, found


def _scalar(value: Any) -> Any:
    if value is pd.NA or value is None:
        return None
    if isinstance(value, np.generic):  # numpy scalars from typed columns -> plain Python values
        return value.item()
    return value


def parse(data: Any, complete: bool = True) -> Parsed:
    """A posted sheet: tampering found, canonical cells, problems (cross-field checks when ``complete``)."""
    submitted, tampered = read_form(data)
    cells = to_cells(submitted)
    canonical, problems = check(cells, complete)
    return Parsed(canonical, tuple(tampered), problems)


def study_record(cells: Mapping[str, str], study_id: str, patient_id: str, reader: str,
                 extra: Mapping[str, str] | None = None) -> Any:
    """A :class:`neurohlh.schema.Study` from sheet cells (already checked), for the pattern rules."""
    row = {name: "" for name in STUDY_SPECS}
    row.update({k: v for k, v in cells.items() if k in SHEET})
    row.update(extra or {})
    row.update({"study_id": study_id, "patient_id": patient_id, "reader": reader})
    raw = RawTable(LABEL, pd.DataFrame([row], dtype=str), np.array([1]), [])
    frame, problems, _ = parse_table(raw, Study)
    assert frame is not None and not problems, problems
    return Study(**{name: record_column(Study, name, [_scalar(frame.at[0, name])])[0] for name in STUDY_SPECS})


def choice_labels(spec: FieldSpec) -> Iterable[tuple[str, str]]:
    return [(c, c.replace("_", " ")) for c in spec.choices]
