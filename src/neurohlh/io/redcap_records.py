"""Reading a REDCap flat record export (CSV or JSON, raw or with labels) as the three cohort tables.

The export is split by instrument: rows without ``redcap_repeat_instrument`` are the patient rows, rows with
``mr_read`` / ``variant`` and an instance number are the reads and the variants. Checkbox columns
``field___code`` are joined back into one set; coded values written as labels are read back as their codes;
the data access group is the patient's site. The cells then go through the same parsing and cross-checks as
a cohort folder (:func:`neurohlh.io.cells.parse_table`, :func:`neurohlh.io.checks.cross_checks`), and every
problem is located by record id, instrument, instance, variable and export row.
"""
from __future__ import annotations

import csv
import dataclasses
import difflib
import hashlib
import io as _io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neurohlh.errors import Problem
from neurohlh.io.limits import MAX_COLUMNS, MAX_ROWS
from neurohlh.io.read import TABLES, RawTable, decode_text, read_regular_file
from neurohlh.io.redcap_fields import (
    INSTRUMENTS,
    OUTSIDE_INSTRUMENTS,
    RECORD_COLUMNS,
    RECORD_ID,
    TABLE_INSTRUMENT,
    RedcapField,
    redcap_fields,
)
from neurohlh.schema import RECORD_TYPES, field_specs

REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
DAG = "redcap_data_access_group"
EVENT = "redcap_event_name"
#: Headers of a label-headed export ("CSV (labels)") for REDCap's own columns.
SPECIAL_LABELS = {"Repeat Instrument": REPEAT_INSTRUMENT, "Repeat Instance": REPEAT_INSTANCE,
                  "Data Access Group": DAG, "Event Name": EVENT}
CHECKED = frozenset({"1", "checked"})
UNCHECKED = frozenset({"0", "unchecked", ""})
_CHECKBOX_LABEL = re.compile(r"^(?P<label>.*) \(choice=(?P<choice>.*)\)$")
_IGNORED = re.compile(r"^(redcap_survey_identifier|.+_timestamp|.+_complete|redcap_complete_\d+)$")


@dataclass
class FlatExport:
    """An export as read: header and string cells, the row number of each row in the file."""

    label: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    checksum: str | None
    problems: list[Problem] = field(default_factory=list)


def read_flat(path: Path) -> FlatExport:
    """Read the CSV or JSON file; never raises for bad content (problems are collected)."""
    label = path.name
    data, problem = read_regular_file(path, label)
    if data is None:
        return FlatExport(label, [], [], [], None, [problem] if problem else [])
    checksum = hashlib.sha256(data).hexdigest()
    empty = FlatExport(label, [], [], [], checksum)
    text, problem, _ = decode_text(data, label)
    if text is None:
        empty.problems.append(problem or Problem(label, "file cannot be read as text"))
        return empty
    if not text.strip():
        empty.problems.append(Problem(label, "file is empty"))
        return empty
    if path.suffix.lower() == ".json":
        return _read_json(label, text, checksum)
    reader = csv.reader(_io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    rows, numbers, problems = [], [], []
    start = reader.line_num + 1
    for cells in reader:
        if any(c.strip() for c in cells):
            if len(cells) != len(header):
                problems.append(Problem(label, f"row has {len(cells)} cells but the header has {len(header)}",
                                        row=start, suggestion="check for an unquoted comma inside a cell"))
            else:
                rows.append([c.strip() for c in cells])
                numbers.append(start)
        start = reader.line_num + 1
    return _limited(FlatExport(label, header, rows, numbers, checksum, problems))


def _limited(export: FlatExport) -> FlatExport:
    """The export, or none of its rows when it is beyond the limits every cohort file has."""
    if len(export.rows) > MAX_ROWS or len(export.header) > MAX_COLUMNS:
        what = f"{len(export.rows):,} rows" if len(export.rows) > MAX_ROWS else f"{len(export.header):,} columns"
        return FlatExport(export.label, [], [], [], export.checksum, [Problem(
            export.label, f"the export has {what}, more than the limit ({MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns)",
            suggestion="check that this is the right file")])
    return export


def _read_json(label: str, text: str, checksum: str) -> FlatExport:
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        return FlatExport(label, [], [], [], checksum, [Problem(label, f"is not valid JSON ({exc.msg})", row=exc.lineno)])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        return FlatExport(label, [], [], [], checksum, [Problem(
            label, "is not a REDCap flat JSON export (a list of records)", suggestion="export records as 'flat' JSON")])
    header: list[str] = []
    for r in records:
        header += [k for k in r if k not in header]

    def text_of(v: object) -> str:
        return "" if v is None else str(v).strip()

    rows = [[text_of(r.get(h)) for h in header] for r in records]
    return _limited(FlatExport(label, header, rows, list(range(1, len(rows) + 1)), checksum))


@dataclass(frozen=True)
class ExportTables:
    """The cohort tables read from an export, and how to locate a problem found in them."""

    raw: dict[str, RawTable]
    locate: Callable[[Problem], Problem]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Where:
    record: str | None
    instrument: str
    instance: int | None
    row: int


class _Project:
    """The project's variables, by name and (for label headers and values) by label."""

    def __init__(self) -> None:
        self.fields = redcap_fields()
        self.by_name = {f.name: f for f in self.fields}
        self.by_column = {(f.table, f.column): f for f in self.fields}
        self.header_labels: dict[str, str] = {}
        for f in self.fields:
            self.header_labels[f.label] = f.name
            for code, text in f.choices if f.field_type == "checkbox" else ():
                self.header_labels[f"{f.label} (choice={text})"] = f"{f.name}___{code}"
        self.header_labels.update(SPECIAL_LABELS)
        self.form_labels = {label: form for form, (_, label, _) in INSTRUMENTS.items()}


def _header_names(header: list[str], project: _Project) -> tuple[list[str], bool]:
    """Variable names for the header, translating a label-headed export; (names, labels used)."""
    if RECORD_ID in header or not header:
        return header, False
    translated = [project.header_labels.get(h, f"redcap_complete_{i}" if h == "Complete?" else h)
                  for i, h in enumerate(header)]
    labelled = sum(t != h for t, h in zip(translated, header)) > len(header) / 2
    return (translated, True) if labelled else (header, False)


def _classify_columns(names: list[str], label: str, project: _Project, problems: list[Problem]) -> dict[str, int]:
    """Position of every known column; problems for unknown ones, unknown checkbox codes, duplicates, absences."""
    positions: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in positions:
            problems.append(Problem(label, "column appears twice in the header", None, name))
            continue
        positions[name] = i
        base, sep, code = name.partition("___")
        if name in (RECORD_ID, REPEAT_INSTRUMENT, REPEAT_INSTANCE, DAG, EVENT) or _IGNORED.match(name):
            continue
        if sep:
            f = project.by_name.get(base)
            if f is None or f.field_type != "checkbox":
                problems.append(Problem(label, f"'{base}' is not a checkbox variable of this project", None, name))
            elif code not in {c for c, _ in f.choices}:
                problems.append(Problem(label, f"unknown checkbox code '{code}' of '{base}'", None, name, code,
                                        "codes: " + ", ".join(c for c, _ in f.choices)))
            continue
        f = project.by_name.get(name)
        if f is None or f.field_type == "checkbox":
            close = difflib.get_close_matches(name, list(project.by_name), n=1, cutoff=0.6)
            why = "is a checkbox: its columns are named field___code" if f is not None else "unknown variable"
            problems.append(Problem(label, why, None, name,
                                    suggestion=f"did you mean '{close[0]}'?" if close and f is None else
                                    "export with 'neurohlh redcap dictionary' variables"))
    for f in project.fields[1:]:  # the record id is checked first, by the caller
        if f.field_type == "checkbox":
            absent = [c for c in f.checkbox_columns if c not in positions]
            if absent:
                problems.append(Problem(label, "checkbox column(s) missing from the export: " + ", ".join(absent),
                                        None, f.name, suggestion="export every variable of the instrument"))
        elif f.name not in positions:
            problems.append(Problem(
                label, "variable is missing from the export" + (" (an identifier: de-identified exports leave it out)"
                                                                  if f.identifier else ""),
                None, f.name, suggestion="export all variables of the patient, mr_read and variant instruments"))
    return positions


def read_export(path: str | Path) -> ExportTables:
    """The three raw cohort tables of a REDCap flat export, with every structural problem found."""
    path = Path(path)
    export = read_flat(path)
    label = export.label
    project = _Project()
    problems = list(export.problems)
    notes: list[str] = []
    names, labelled = _header_names(export.header, project)
    where: dict[int, _Where] = {}

    def locate(p: Problem) -> Problem:
        w = where.get(p.row) if p.row is not None else None
        column = p.column
        if w is not None and column is not None:
            table = INSTRUMENTS[w.instrument][0]
            f = project.by_column.get((table, column))
            column = RECORD_ID if column == RECORD_COLUMNS[table] else (f.name if f is not None else
                                                                         OUTSIDE_INSTRUMENTS.get((table, column), column))
        if w is None:
            return dataclasses.replace(p, file=label, column=column)
        return dataclasses.replace(p, file=label, column=column, record=w.record, instrument=w.instrument,
                                   instance=w.instance)

    def nothing() -> ExportTables:
        first = RawTable(label, None, np.array([], dtype=int), problems, export.checksum)
        raw = {t: first if t == "patients" else RawTable(label, None, np.array([], dtype=int), [], export.checksum)
               for t in TABLES}
        return ExportTables(raw, locate, tuple(notes))

    if not export.header:
        return nothing()
    if RECORD_ID not in names:
        problems.append(Problem(label, f"the record id column '{RECORD_ID}' is missing", None, RECORD_ID,
                                suggestion="REDCap puts the record id first in every export; export again without "
                                "removing it (rows cannot be matched to patients without it)"))
        _classify_columns(names, label, project, problems)
        return nothing()
    pos = _classify_columns(names, label, project, problems)
    if labelled:
        notes.append(f"{label}: read as an export with labels (headers and coded values written as labels)")
    if EVENT in pos and len({r[pos[EVENT]] for r in export.rows}) > 1:
        problems.append(Problem(label, "the export has several events; only one event per record is supported",
                                None, EVENT, suggestion="export one event (REDCap: select events)"))
    if DAG not in pos:
        notes.append(f"{label}: no data access group column, so every patient's site is unknown "
                     "(single-site analysis; export with data access groups to analyse by site)")

    cells: dict[str, list[dict[str, str]]] = {t: [] for t in TABLES}
    rows_of: dict[str, list[int]] = {t: [] for t in TABLES}
    seen: dict[tuple[str, str, int | None], int] = {}
    sites: dict[str, tuple[str, int]] = {}
    for cells_in_row, row_no in zip(export.rows, export.row_numbers):
        def get(name: str, _r: list[str] = cells_in_row) -> str:
            return _r[pos[name]] if name in pos else ""

        record = get(RECORD_ID)
        instrument_text, instance_text = get(REPEAT_INSTRUMENT), get(REPEAT_INSTANCE)
        instrument = project.form_labels.get(instrument_text, instrument_text) if labelled else instrument_text
        instance: int | None = None
        if instance_text:
            try:
                instance = int(instance_text)
                if instance < 1:
                    raise ValueError
            except ValueError:
                problems.append(Problem(label, "repeat instance is not a whole number >= 1", row_no, REPEAT_INSTANCE,
                                        instance_text, record=record or None, instrument=instrument or None))
                continue
        if not record:
            problems.append(Problem(label, "record id is empty", row_no, RECORD_ID,
                                    instrument=instrument or None, instance=instance))
            continue
        if not instrument:
            if instance is not None:
                problems.append(Problem(
                    label, "repeat instance without a repeat instrument (a repeating event, which this project does "
                    "not use)", row_no, REPEAT_INSTANCE, instance_text, "mr_read and variant are the repeating "
                    "instruments; the patient instrument does not repeat", record=record))
                continue
            instrument = "patient"
        elif instrument not in INSTRUMENTS or not INSTRUMENTS[instrument][2]:
            close = difflib.get_close_matches(instrument, [f for f, v in INSTRUMENTS.items() if v[2]], n=1)
            problems.append(Problem(label, "not a repeating instrument of this project", row_no, REPEAT_INSTRUMENT,
                                    instrument_text, f"did you mean '{close[0]}'?" if close else
                                    "repeating instruments: mr_read, variant", record=record))
            continue
        elif instance is None:
            problems.append(Problem(label, "repeating instrument without a repeat instance", row_no, REPEAT_INSTANCE,
                                    record=record, instrument=instrument))
            continue
        key = (record, instrument, instance)
        if key in seen:
            problems.append(Problem(label, f"this record, instrument and instance already appear on row {seen[key]}",
                                    row_no, RECORD_ID, record, record=record, instrument=instrument,
                                    instance=instance))
            continue
        seen[key] = row_no
        where[row_no] = _Where(record, instrument, instance, row_no)
        table = INSTRUMENTS[instrument][0]
        if DAG in pos:
            site = get(DAG)
            first = sites.setdefault(record, (site, row_no))
            if first[0] != site:
                problems.append(Problem(label, f"data access group differs from the record's row {first[1]} "
                                        f"({first[0]!r})", row_no, DAG, site, record=record, instrument=instrument,
                                        instance=instance))
        values = _row_values(project, table, get, label, row_no, record, instrument, instance, labelled, problems)
        values[RECORD_COLUMNS[table]] = record
        if table == "patients":
            values["site"] = get(DAG)
        cells[table].append(values)
        rows_of[table].append(row_no)
    raw = {}
    for table in TABLES:
        columns = list(field_specs(RECORD_TYPES[table]))
        frame = pd.DataFrame(cells[table], columns=columns, dtype=object).fillna("").astype(str) if cells[table] \
            else pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
        raw[table] = RawTable(label, frame, np.array(rows_of[table], dtype=int),
                              problems if table == "patients" else [], export.checksum)
    return ExportTables(raw, locate, tuple(notes))


def _row_values(project: _Project, table: str, get: Callable[[str], str], label: str, row_no: int, record: str,
                instrument: str, instance: int | None, labelled: bool, problems: list[Problem]) -> dict[str, str]:
    """The row's cells of its own instrument in the cohort file format; values in other instruments' variables
    are problems (they would be lost)."""
    out: dict[str, str] = {}
    for f in project.fields:
        if f.name == RECORD_ID:
            continue
        mine = f.form == instrument
        if f.field_type == "checkbox":
            checked = []
            for (code, text), column in zip(f.choices, f.checkbox_columns):
                v = get(column)
                low = v.lower()
                if low in CHECKED or (labelled and v == text):
                    checked.append(code)
                elif low not in UNCHECKED:
                    problems.append(Problem(label, "is not a checkbox value (0 / 1, or Unchecked / Checked)", row_no,
                                            column, v, record=record, instrument=instrument, instance=instance))
            if mine:
                out[f.column] = ";".join(checked)
            elif checked:
                problems.append(_foreign(label, row_no, f.name, ";".join(checked), f.form, record, instrument, instance))
            continue
        v = get(f.name)
        if not mine:
            if v:
                problems.append(_foreign(label, row_no, f.name, v, f.form, record, instrument, instance))
            continue
        if labelled and f.choices:
            v = next((code for code, text in f.choices if text == v), v)
        out[f.column] = v
    return out


def _foreign(label: str, row_no: int, name: str, value: str, form: str, record: str, instrument: str,
             instance: int | None) -> Problem:
    return Problem(label, f"a value of the {form} instrument on a {instrument} row (it would be lost)", row_no, name,
                   value, "each row holds one instrument: check redcap_repeat_instrument and redcap_repeat_instance",
                   record=record, instrument=instrument, instance=instance)


def instrument_table(instrument: str) -> str:
    return INSTRUMENTS[instrument][0]


__all__ = [
    "TABLE_INSTRUMENT",
    "ExportTables",
    "FlatExport",
    "RedcapField",
    "instrument_table",
    "read_export",
    "read_flat",
]
