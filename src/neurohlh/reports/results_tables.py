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
each item's status; a cell holding several values (a list, the alleles) holds them as JSON text. Text cells that
a spreadsheet program would run as a formula are written with a leading apostrophe
(:func:`neurohlh.io.csvtext.neutralise`). The columns of a record come in the order the rows first have it.

Each file is written row by row as the results are read, in chunks, so no second copy of the results is held in
memory; a cell that repeats between rows (statuses, rules, red flags, CLIPPERS checks) is made into text once.

With full detail (up to :data:`FULL_DETAIL_MAX_PATIENTS` patients, or
``detail="full"``) ``details.jsonl`` adds one JSON object per patient: the allocation with the rule trace of the
patient and of every study, and every HLH-2004 item with the values used and its explanation.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.analysis import AnalysisResult
from neurohlh.io.csvtext import neutralise
from neurohlh.patterns.clippers import clippers_statuses

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


def _quoted_characters() -> str:
    """The characters that make :mod:`csv` (``excel`` dialect, minimal quoting) put a cell in quotes, found by
    asking the csv module itself, so the rows written here are the rows ``csv.writer`` would write."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    found = []
    for char in map(chr, range(128)):
        out.seek(0)
        out.truncate()
        writer.writerow([char, ""])
        if out.getvalue() != char + ",\n":
            found.append(char)
    return "".join(found)


_QUOTED = _quoted_characters()
_needs_quotes = re.compile(f"[{re.escape(_QUOTED)}]").search
_json_string = json.encoder.encode_basestring  # one text as _ENCODER writes it (ensure_ascii=False)
_JSON_QUOTED = '"' in _QUOTED  # a JSON list of texts holds quotes, so its cell is always quoted


def _field(cell: Any) -> str:
    """A cell (text or number, from :func:`_cell`) as ``csv.writer`` writes it: in quotes, quotes doubled, when
    it holds a delimiter, a quote or a line break."""
    if type(cell) is not str:
        return str(cell)
    return '"' + cell.replace('"', '""') + '"' if _needs_quotes(cell) else cell


def _text(value: Any) -> str:
    """One value as the text of its CSV cell."""
    return "" if value is None else _field(_cell(value))


def _id(value: Any) -> str:
    """An identifier (user text) as the text of its cell; letters and digits alone need no quoting or escape."""
    return value if type(value) is str and value.isalnum() else _text(value)


def _texts(values: tuple[Any, ...] | list[Any]) -> str:
    """A list of texts (missing fields, notes, reasons) as the text of its cell: JSON, as :func:`_cell` writes it."""
    if not values:
        return "[]"
    try:
        json_text = ",".join(map(_json_string, values))
    except TypeError:  # not only texts
        return _text(list(values))
    return '"[' + json_text.replace('"', '""') + ']"' if _JSON_QUOTED else _field(f"[{json_text}]")


class _Memo(dict[Any, str]):
    """Texts of cells computed once per distinct key (rows repeat few values: statuses, rules, red flags)."""

    def __init__(self, compute: Callable[[Any], str]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: Any) -> str:
        text = self[key] = self._compute(key)
        return text


def _cells(pairs: Iterable[tuple[str, Any]]) -> str:
    return ",".join(_text(value) for _, value in pairs)


def _blank(width: int) -> str:
    return "," * (width - 1)


class _Layout:
    """The columns of one CSV file: the first columns, then every column of the rows (:func:`_flat`) in the order
    first seen; a record that is absent (``None``) in a row is one blank column there, dropped when the record
    has columns from other rows.

    ``samples`` holds one row (as a dict) of every shape (which of the optional ``records`` it has), in the order
    the shapes first occur in the table, which gives the columns of every row. A record's columns are one block:
    ``order`` names the records in the order of their blocks, ``absent`` gives the text of a record's cells in a
    row that does not have it.
    """

    def __init__(self, first_columns: tuple[str, ...], samples: Iterable[Mapping[str, Any]],
                 records: tuple[str, ...] = ()) -> None:
        seen = dict.fromkeys(first_columns)
        for row in samples:
            seen.update(dict.fromkeys(name for name, _ in _flat(row)))
        parents = {c.rsplit(".", 1)[0] for c in seen if "." in c}
        self.columns = [c for c in seen if c not in parents]
        blocks = {r: [i for i, c in enumerate(self.columns) if c == r or c.startswith(r + ".")] for r in records}
        self.absent = {r: _blank(len(b)) if b and self.columns[b[0]] != r else "" for r, b in blocks.items()}
        self.order = tuple(sorted(records, key=lambda r: blocks[r][0] if blocks[r] else len(self.columns)))

    def header(self) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([neutralise(c) for c in self.columns])
        return out.getvalue()


class _CsvFile:
    """One CSV file written in chunks of ready rows as they come (no copy of the table is kept)."""

    def __init__(self, path: Path, layout: _Layout) -> None:
        self._fh = path.open("w", encoding="utf-8", newline="")
        self._fh.write(layout.header())
        self.rows = 0

    def write(self, lines: list[str]) -> None:
        if lines:
            self._fh.write("\n".join(lines) + "\n")
            self.rows += len(lines)

    def __enter__(self) -> _CsvFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


_CHUNK = 4096  #: rows per write


def _chunks(lines: Iterable[str]) -> Iterator[list[str]]:
    rows = iter(lines)
    while chunk := list(itertools.islice(rows, _CHUNK)):
        yield chunk


def _write(path: Path, layout: _Layout, lines: Iterable[str]) -> int:
    """Write the CSV file ``path``: the header, then ``lines`` (each row's text); return the number of rows."""
    with _CsvFile(path, layout) as out:
        for chunk in _chunks(lines):
            out.write(chunk)
    return out.rows


def _float(value: Any) -> str:
    """A number's cell (most are floats: their repr, as :func:`_cell` writes them)."""
    if type(value) is float:
        return repr(value) if value == value else ""
    return "" if value is None else _text(value)


# ---------------------------------------------------------------- allocations.csv and study_allocations.csv


def _clippers_cells(study: Any) -> str:
    """The cells of a study's CLIPPERS check after its ``study_id`` (its ``to_dict`` spread over columns)."""
    return _cells(list(_flat(study.clippers.to_dict()))[1:])


def _decision_cells(study: Any) -> str:
    """The cells of a study's category, lesional, subpattern, missing fields and reader-decision flag."""
    return ",".join(map(_text, (study.category, study.lesional, study.subpattern, list(study.missing_fields),
                                study.needs_reader_decision)))


def _has_clippers(a: Any) -> bool:
    """Whether the patient row of an allocation with a ``clippers_study_id`` shows a CLIPPERS check
    (``PatientAllocation.clippers`` is not None)."""
    return next(s for s in a.studies if s.study_id == a.clippers_study_id).clippers_values is not None


def _allocation_layouts(allocations: Sequence[Any]) -> tuple[_Layout, _Layout]:
    """The columns of allocations.csv and study_allocations.csv, from one allocation of every shape (which of
    the CLIPPERS check and the red flag a row has) in the order the shapes first occur."""
    patient_shapes: dict[tuple[bool, bool], Any] = {}
    study_shapes: dict[bool, Any] = {}
    for a in allocations:
        shape = (a.clippers_study_id is not None and _has_clippers(a), a.red_flag is not None)
        if shape not in patient_shapes:
            patient_shapes[shape] = a
        if len(study_shapes) < 2:
            for s in a.studies:
                study_shapes.setdefault(s.clippers_values is not None, s)
    patients = []
    for a in patient_shapes.values():
        row = a.to_dict(trace=False)
        del row["studies"]
        patients.append(row)
    return (_Layout(("patient_id",), patients, ("clippers", "red_flag")),
            _Layout(("study_id", "patient_id"), [s.to_dict(trace=False) for s in study_shapes.values()],
                    ("clippers",)))


def _allocation_chunks(allocations: Sequence[Any], patient_layout: _Layout, study_layout: _Layout
                       ) -> Iterator[tuple[list[str], list[str]]]:
    """The rows of allocations.csv and of study_allocations.csv, a chunk of patients at a time, column by column.

    The cells follow ``PatientAllocation.to_dict`` and ``StudyAllocation.to_dict``; what repeats between rows
    (the course of the subpatterns, a study's decision, dates, red flags, CLIPPERS checks) is made into text once.
    """
    no_clippers, no_flag = patient_layout.absent["clippers"], patient_layout.absent["red_flag"]
    study_no_clippers = study_layout.absent["clippers"]
    clippers_first = patient_layout.order[0] == "clippers"
    courses = _Memo(lambda k: ",".join(map(_text, (k[0], k[1], k[2], list(k[3]), list(k[4]), sorted(k[5]), k[6]))))
    dates = _Memo(lambda d: _text(d.isoformat() if d else None))
    # by the id of a shared Decision / RedFlag (the allocations hold them all meanwhile)
    decisions: dict[int, str] = {}
    flags: dict[int, str] = {}
    checks: dict[tuple[Any, ...], str] = {}  # by the item statuses, which decide every cell after the study_id

    def decision(s: Any) -> str:
        return decisions.get(id(s.decision)) or decisions.setdefault(id(s.decision), _decision_cells(s))

    def check(s: Any) -> str:
        key = clippers_statuses(s.clippers_values)
        return checks.get(key) or checks.setdefault(key, _clippers_cells(s))

    def flag(a: Any) -> str:
        red = a.red_flag
        if red is None:
            return no_flag
        return flags.get(id(red)) or flags.setdefault(id(red), _cells(_flat(red.to_dict())))

    def clippers(a: Any) -> str:
        cells = no_clippers
        if a.clippers_study_id is not None:
            for s in a.studies:  # as to_dict: the check of the (last) study with this id
                if s.clippers_values is not None and s.study_id == a.clippers_study_id:
                    cells = f"{_id(s.study_id)},{check(s)}"
        return cells

    for start in range(0, len(allocations), _CHUNK):
        chunk = allocations[start:start + _CHUNK]
        studies = [s for a in chunk for s in a.studies]
        sids = [_id(s.study_id) for s in studies]
        study_columns = (sids, [_id(s.patient_id) for s in studies], [dates[s.study_date] for s in studies],
                         [_float(s.age_at_study_months) for s in studies], list(map(decision, studies)),
                         [study_no_clippers if s.clippers_values is None else f"{sid},{check(s)}"
                          for s, sid in zip(studies, sids)])
        course = [courses[a.pattern, a.onset_subpattern, a.last_subpattern, a.evolution, a.transitions,
                          a.ever_subpatterns, a.order_basis] for a in chunk]
        records = (list(map(clippers, chunk)), list(map(flag, chunk)))
        patient_columns = ([_id(a.patient_id) for a in chunk], course, [_id(a.onset_study_id) for a in chunk],
                           [_texts(a.missing_fields) for a in chunk], [_texts(a.notes) for a in chunk],
                           *(records if clippers_first else records[::-1]))
        yield list(map(",".join, zip(*patient_columns))), list(map(",".join, zip(*study_columns)))


def _write_allocations(allocations: Sequence[Any], out_dir: Path) -> tuple[int, int]:
    """Write allocations.csv (one row per patient) and study_allocations.csv (one per study) in one pass."""
    patient_layout, study_layout = _allocation_layouts(allocations)
    with _CsvFile(out_dir / "allocations.csv", patient_layout) as patients, \
            _CsvFile(out_dir / "study_allocations.csv", study_layout) as studies:
        for patient_lines, study_lines in _allocation_chunks(allocations, patient_layout, study_layout):
            patients.write(patient_lines)
            studies.write(study_lines)
    return patients.rows, studies.rows


# ---------------------------------------------------------------- hlh2004.csv, cns_involvement.csv, genotypes.csv


def _hlh2004_row(r: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"patient_id": r.patient_id, "status": r.status, "clinical_status": r.clinical_status,
                           "n_met": r.n_met, "n_not_evaluable": r.n_not_evaluable, "n_required": r.n_required,
                           "molecular": str(r.molecular_status)}
    row |= {f"item_{item_id}": str(status) for item_id, status in zip(r.item_ids, r.item_statuses)}
    row |= {"reason": r.reason, "criteria_version": r.criteria_version}
    return row


def _hlh2004_key(r: Any) -> tuple[Any, ...]:
    """What a row of hlh2004.csv after its patient_id is made of: statuses and counts, and the genetic result,
    which with them gives the reason (the molecular path's explanation)."""
    return (r.status, r.clinical_status, r.n_met, r.n_not_evaluable, r.n_required, r.molecular_status,
            r.item_ids, r.item_statuses, r.criteria_version, r.patient.genetic_result)


def _hlh2004_lines(results: Sequence[Any]) -> Iterator[str]:
    known: dict[tuple[Any, ...], str] = {}
    for r in results:
        key = _hlh2004_key(r)
        rest = known.get(key) or known.setdefault(key, _cells(list(_flat(_hlh2004_row(r)))[1:]))
        yield f"{_id(r.patient_id)},{rest}"


def _cns_lines(results: Sequence[Any]) -> Iterator[str]:
    """The rows of cns_involvement.csv: the cells of ``CNSResult.to_dict`` (the reasons as one JSON cell)."""
    known: dict[tuple[Any, ...], tuple[str, str]] = {}
    for c in results:
        key = (c.involved, c.rule, c.rule_text, c.csf_pleocytosis, c.csf_proteinosis, c.csf_abnormal,
               c.neurologic_symptoms, c.imaging_findings)
        pieces = known.get(key) or known.setdefault(key, (",".join(map(_text, key[:3])), ",".join(map(_text, key[3:]))))
        yield f"{_id(c.patient_id)},{pieces[0]},{_texts(c.reasons)},{pieces[1]}"


def _genotype_row(item: tuple[str, Any]) -> dict[str, Any]:
    pid, genotype = item
    return {"patient_id": pid, **{k: v for k, v in genotype.to_dict().items() if k != "patient_id"}}


def _genotype_lines(genotypes: Mapping[str, Any]) -> Iterator[str]:
    """The rows of genotypes.csv: the cells of ``Genotype.to_dict`` (the expression spread over ``expression.*``)."""
    genes = _Memo(lambda key: f"{_texts(key[0])},{_text(key[1])},{_text(key[2])}")
    alleles = _Memo(lambda key: _text([a.to_dict() for a in key]))
    texts = _Memo(lambda key: ",".join(map(_text, key)))
    for pid, g in genotypes.items():
        e = g.expression
        yield (f"{_id(pid)},{genes[g.genes, g.fhl_type, g.zygosity]},{alleles[g.alleles]},{texts[(e.verdict,)]},"
               f"{_float(e.pct)},{texts[e.assay, e.lab_verdict]},{_text(e.explanation)},"
               f"{texts[g.purely_disruptive, g.pooled_group, g.group]},{_text(g.reason)},{_texts(g.notes)},"
               f"{texts[g.policy, g.expression_rule]}")


#: name -> what one row is
TABLES = {"allocations": "patient", "study_allocations": "consensus MR study", "hlh2004": "patient",
          "cns_involvement": "patient", "genotypes": "patient with variant data"}


def write_result_tables(result: AnalysisResult, folder: Path) -> dict[str, dict[str, Any]]:
    """Write ``folder/results/*.csv``; return, per table, its file (relative to ``folder``), rows and unit."""
    out_dir = folder / RESULTS_FOLDER
    out_dir.mkdir(exist_ok=True)
    rows: dict[str, int] = {}
    rows["allocations"], rows["study_allocations"] = _write_allocations(result.allocations, out_dir)
    rows["hlh2004"] = _write(out_dir / "hlh2004.csv", _Layout(("patient_id",), map(_hlh2004_row, result.hlh2004[:1])),
                             _hlh2004_lines(result.hlh2004))
    rows["cns_involvement"] = _write(out_dir / "cns_involvement.csv",
                                     _Layout(("patient_id",), [c.to_dict() for c in result.cns[:1]]),
                                     _cns_lines(result.cns))
    first_genotype = list(itertools.islice(result.genotypes.items(), 1))
    rows["genotypes"] = _write(out_dir / "genotypes.csv", _Layout(("patient_id",), map(_genotype_row, first_genotype)),
                               _genotype_lines(result.genotypes))
    return {name: {"file": f"{RESULTS_FOLDER}/{name}.csv", "rows": rows[name], "one_row_per": unit}
            for name, unit in TABLES.items()}


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
