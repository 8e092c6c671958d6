"""The per-patient and per-study results, written as CSV files beside ``results.json``.

``results.json`` holds what a reviewer reads (summary, every comparison and test, survival, every table cell);
the rows of every patient and study are in ``results/``:

* ``allocations.csv``: one row per patient: pattern, onset and last subpattern, evolution, CLIPPERS check, red
  flag, missing fields, notes;
* ``study_allocations.csv``: one row per consensus MR study: category, lesional, subpattern, missing fields;
* ``hlh2004.csv``: one row per patient: HLH-2004 status, the 5-of-8 count and the status of each item;
* ``cns_involvement.csv``: one row per patient: the CNS-involvement rule, its result and the values behind it;
* ``genotypes.csv``: one row per patient with variant data: genotype group and alleles.

Cells: blank = unknown (``None``); ``true``/``false`` for yes/no; a nested record (the CLIPPERS check, the red
flag) is spread over columns ``record.field``, and its criterion items over columns ``record.items.ITEM`` holding
each item's status; a cell holding several values (a list, the alleles) holds them as JSON text. Text cells that a spreadsheet
program would run as a formula are written with a leading apostrophe (:func:`neurohlh.io.csvtext.neutralise`).

With full detail (up to :data:`FULL_DETAIL_MAX_PATIENTS` patients, or
``detail="full"``) ``details.jsonl`` adds one JSON object per patient: the allocation with the rule trace of the
patient and of every study, and every HLH-2004 item with the values used and its explanation.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.analysis import AnalysisResult
from neurohlh.io.csvtext import neutralise

#: Up to this many patients ("auto"), results/details.jsonl holds every rule trace and HLH-2004 item in full.
FULL_DETAIL_MAX_PATIENTS = 5000

#: The folder of the per-patient tables, beside results.json.
RESULTS_FOLDER = "results"


def json_default(obj: Any) -> Any:
    """How results are written as JSON: numpy scalars and arrays as numbers and lists, NaN and ``pd.NA`` as
    null, sets as sorted lists, dates in ISO format, records through their ``to_dict``."""
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if math.isnan(obj) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if obj is None or obj is pd.NA:
        return None
    return str(obj)


#: First characters after which :func:`neurohlh.io.csvtext.neutralise` may change a text (others never change).
_RISKY_STARTS = frozenset("=+-@\t\r'")
_ENCODER = json.JSONEncoder(default=json_default, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _cell(value: Any) -> Any:
    """One value as a CSV cell (see the module docstring)."""
    kind = type(value)
    if kind is str:
        return neutralise(value) if value and value[0] in _RISKY_STARTS else value
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return value
    if kind is float:
        return "" if value != value else repr(value)
    if kind is list or kind is tuple or kind is dict:
        return _ENCODER.encode(value) if value else ("{}" if kind is dict else "[]")
    if isinstance(value, str):  # an enum member: its file value
        return _cell(str(value))
    if isinstance(value, (set, frozenset)):
        return _ENCODER.encode(sorted(value))
    if isinstance(value, (list, tuple, dict)):
        return _ENCODER.encode(value)
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return _cell(str(value))


def _item_statuses(value: Any) -> bool:
    """A list of criterion items (dicts with ``item`` or ``item_id`` and ``status``), e.g. the CLIPPERS items."""
    return (type(value) is list and bool(value) and type(value[0]) is dict and "status" in value[0]
            and ("item" in value[0] or "item_id" in value[0]))


def _flat(row: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The (column, value) pairs of a row: a nested record becomes columns ``key.field``, a list of criterion
    items one column ``key.item`` per item holding its status (the explanations are in details.jsonl)."""
    for key, value in row.items():
        name = prefix + key
        if type(value) is dict:
            yield from _flat(value, name + ".")
        elif _item_statuses(value):
            for item in value:
                yield f"{name}.{item.get('item', item.get('item_id'))}", item["status"]
        else:
            yield name, value


class _Rows:
    """Rows of one CSV file, each turned into its cells as it is added (the row dicts are not kept); columns:
    the first columns, then the keys in first-seen order."""

    def __init__(self, first_columns: tuple[str, ...]) -> None:
        self.columns = list(first_columns)
        self.index = {c: i for i, c in enumerate(self.columns)}
        self.table: list[list[Any]] = []

    def add(self, row: Mapping[str, Any]) -> None:
        columns, index = self.columns, self.index
        cells: list[Any] = [""] * len(columns)
        for key, value in _flat(row):
            at = index.get(key)
            if at is None:
                at = index[key] = len(columns)
                columns.append(key)
                cells.append("")
            cells[at] = _cell(value)
        self.table.append(cells)

    def write(self, path: Path) -> int:
        columns, width = self.columns, len(self.columns)
        table = [cells if len(cells) == width else cells + [""] * (width - len(cells)) for cells in self.table]
        # a record that is absent (None) in some rows: its columns are blank there, and no column of its own
        records = {c.rsplit(".", 1)[0] for c in columns if "." in c}
        keep = [i for i, c in enumerate(columns) if c not in records or any(cells[i] != "" for cells in table)]
        if len(keep) < width:
            columns = [columns[i] for i in keep]
            table = [[cells[i] for i in keep] for cells in table]
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow([neutralise(c) for c in columns])
            writer.writerows(table)
        return len(table)


def _hlh2004_row(r: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"patient_id": r.patient_id, "status": r.status, "clinical_status": r.clinical_status,
                           "n_met": r.n_met, "n_not_evaluable": r.n_not_evaluable, "n_required": r.n_required,
                           "molecular": str(r.molecular_status)}
    row |= {f"item_{item_id}": str(status) for item_id, status in zip(r.item_ids, r.item_statuses)}
    row |= {"reason": r.reason, "criteria_version": r.criteria_version}
    return row


def _genotype_row(item: tuple[str, Any]) -> dict[str, Any]:
    pid, genotype = item
    data = genotype.to_dict() if hasattr(genotype, "to_dict") else dict(genotype)
    return {"patient_id": pid, **{k: v for k, v in data.items() if k != "patient_id"}}


#: name -> what one row is (and, for the tables written from one record per patient, the rows and their builder)
TABLES: dict[str, tuple[str, Callable[[AnalysisResult], Iterable[Any]], Callable[[Any], Mapping[str, Any]]]] = {
    "hlh2004": ("patient", lambda r: r.hlh2004, _hlh2004_row),
    "cns_involvement": ("patient", lambda r: r.cns, lambda c: c.to_dict()),
    "genotypes": ("patient with variant data", lambda r: r.genotypes.items(), _genotype_row),
}


def write_result_tables(result: AnalysisResult, folder: Path) -> dict[str, dict[str, Any]]:
    """Write ``folder/results/*.csv``; return, per table, its file (relative to ``folder``), rows and unit."""
    out_dir = folder / RESULTS_FOLDER
    out_dir.mkdir(exist_ok=True)
    allocations, studies = _Rows(("patient_id",)), _Rows(("study_id", "patient_id"))
    for a in result.allocations:  # one record per patient gives both tables
        row = a.to_dict(trace=False)
        for study in row.pop("studies", ()):
            studies.add(study)
        allocations.add(row)
    index: dict[str, dict[str, Any]] = {}
    for name, unit, rows in (("allocations", "patient", allocations), ("study_allocations", "consensus MR study",
                                                                       studies)):
        index[name] = {"file": f"{RESULTS_FOLDER}/{name}.csv", "rows": rows.write(out_dir / f"{name}.csv"),
                       "one_row_per": unit}
    for name, (unit, items, build) in TABLES.items():
        table = _Rows(("patient_id",))
        for item in items(result):
            table.add(build(item))
        index[name] = {"file": f"{RESULTS_FOLDER}/{name}.csv", "rows": table.write(out_dir / f"{name}.csv"),
                       "one_row_per": unit}
    return index


def write_details(result: AnalysisResult, folder: Path) -> dict[str, Any]:
    """Write ``folder/results/details.jsonl``: per patient the allocation with rule traces and HLH-2004 in full."""
    path = folder / RESULTS_FOLDER / "details.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for a, h in zip(result.allocations, result.hlh2004):
            record = {"patient_id": a.patient_id, "allocation": a.to_dict(trace=True), "hlh2004": h.to_dict()}
            fh.write(json.dumps(record, default=json_default, ensure_ascii=False, allow_nan=False,
                                separators=(",", ":")) + "\n")
    return {"file": f"{RESULTS_FOLDER}/details.jsonl", "rows": len(result.allocations), "one_row_per": "patient"}


__all__ = ["RESULTS_FOLDER", "TABLES", "json_default", "write_details", "write_result_tables"]
