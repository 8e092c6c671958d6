"""The per-patient results: the same as before they moved out of results.json, and the same in results/*.csv.

``data/per_patient_snapshot.json`` was written by the version that put every allocation, HLH-2004 and
CNS-involvement result and genotype into results.json (``per_patient_snapshot.py``). Here the same cohorts are
analysed again and (1) every per-patient result must equal the stored one, (2) the CSV files written beside
results.json, decoded independently (blank = None, true/false, numbers, JSON cells), must hold exactly those
values, row by row.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from per_patient_snapshot import EXAMPLE, SNAPSHOT, per_patient

STORED = json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def _decode(text: str) -> Any:
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text[0] in "[{":
        return json.loads(text)
    return text


def _rows(folder: Path, name: str) -> list[dict[str, Any]]:
    with (folder / "results" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return [{k: _decode(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The columns a record is written as: nested records as ``key.field`` columns, criterion items (dicts with an
    ``item`` and a ``status``) as ``key.ITEM`` = status, a record that is absent as no column."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict) and "status" in value[0] \
                and "item" in value[0]:
            out |= {f"{prefix}{key}.{i['item']}": i["status"] for i in value}
        else:
            out[prefix + key] = value
    return out


def _matches(row: dict[str, Any], record: dict[str, Any]) -> bool:
    """The CSV row holds ``record``: every column of the record has its value, every other column is blank (the
    columns of a record this row does not have)."""
    expected = _flat(record)
    return (all(_same(row.get(k), v) for k, v in expected.items())
            and all(v is None for k, v in row.items() if k not in expected))


def _same(written: Any, stored: Any) -> bool:
    """A CSV cell (decoded text) holds the stored value: numbers compare as numbers."""
    if isinstance(stored, (int, float)) and not isinstance(stored, bool) and isinstance(written, str):
        return float(written) == stored
    return written == stored


@pytest.fixture(scope="module")
def runs(tmp_path_factory, demo_result):
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort
    from neurohlh.reports import build_report, write_report

    out = {}
    for key, result in (("demo (paper plan)", demo_result),
                        ("example (exact plan)", analyze(load_cohort(EXAMPLE), "exact"))):
        folder = tmp_path_factory.mktemp("report")
        write_report(result, folder / "r", build_report(result))
        out[key] = (result, folder / "r")
    return out


@pytest.mark.parametrize("key", sorted(STORED))
def test_every_per_patient_result_is_unchanged(runs, key):
    result, _ = runs[key]
    now = per_patient(result)
    assert list(now) == list(STORED[key])  # the same patients, in the same order
    for pid, stored in STORED[key].items():
        assert now[pid] == stored, pid


@pytest.mark.parametrize("key", sorted(STORED))
def test_the_csv_files_hold_the_stored_results(runs, key):
    _, folder = runs[key]
    stored = STORED[key]
    summary = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert {n: t["rows"] for n, t in summary["per_patient"].items()} == {
        "allocations": len(stored), "hlh2004": len(stored), "cns_involvement": len(stored),
        "study_allocations": sum(len(s["allocation"]["studies"]) for s in stored.values()),
        "genotypes": sum(s["genotype"] is not None for s in stored.values()), "details": len(stored)}

    allocations = _rows(folder, "allocations")
    assert [r["patient_id"] for r in allocations] == list(stored)
    for row in allocations:
        expected = {k: v for k, v in stored[row["patient_id"]]["allocation"].items() if k != "studies"}
        assert _matches(row, expected), row["patient_id"]

    studies = _rows(folder, "study_allocations")
    expected_studies = [s for p in stored.values() for s in p["allocation"]["studies"]]
    assert len(studies) == len(expected_studies)
    for row, expected in zip(studies, expected_studies):
        assert _matches(row, expected), row["study_id"]

    for row in _rows(folder, "hlh2004"):
        h = stored[row["patient_id"]]["hlh2004"]
        assert (row["status"], row["clinical_status"], row["molecular"], row["reason"]) == (
            h["status"], h["clinical_status"], h["molecular"]["status"], h["reason"])
        assert [int(row[k]) for k in ("n_met", "n_not_evaluable", "n_required")] == [
            h["n_met"], h["n_not_evaluable"], h["n_required"]]
        assert {k[len("item_"):]: v for k, v in row.items() if k.startswith("item_")} == {
            i["item_id"]: i["status"] for i in h["items"]}

    for row in _rows(folder, "cns_involvement"):
        assert _matches(row, stored[row["patient_id"]]["cns"]), row["patient_id"]

    genotypes = _rows(folder, "genotypes")
    assert [r["patient_id"] for r in genotypes] == [p for p, s in stored.items() if s["genotype"] is not None]
    for row in genotypes:
        assert _matches(row, {"patient_id": row["patient_id"], **stored[row["patient_id"]]["genotype"]}), row["patient_id"]

    details = [json.loads(line) for line in (folder / "results" / "details.jsonl").read_text("utf-8").splitlines()]
    assert [d["hlh2004"] for d in details] == [s["hlh2004"] for s in stored.values()]
    for d, s in zip(details, stored.values()):  # with rule traces (of the patient and of every study) added
        assert d["allocation"]["trace"] and all(st["trace"] for st in d["allocation"]["studies"])
        untraced = {k: v for k, v in d["allocation"].items() if k != "trace"}
        untraced["studies"] = [{k: v for k, v in st.items() if k != "trace"} for st in untraced["studies"]]
        assert untraced == s["allocation"], d["patient_id"]


def test_the_files_named_in_table_notes_are_in_the_report_folder(runs):
    """A footnote that sends the reader to a file ("reasons per patient in results/genotypes.csv") names a file
    the report folder really has, and that file holds what the note promises."""
    import re

    from neurohlh.reports import build_report

    result, folder = runs["demo (paper plan)"]
    named = {path for table in build_report(result).tables for note in table.footnotes
             for path in re.findall(r"results(?:\.json|/[\w.]+\.(?:csv|jsonl))", note)}
    assert {"results/allocations.csv", "results/details.jsonl", "results/genotypes.csv"} <= named
    for path in named:
        assert (folder / path).is_file(), path
    assert any(c.startswith("clippers.") for c in _rows(folder, "allocations")[0])  # the items' statuses
    assert "reason" in _rows(folder, "genotypes")[0]  # the genotype group's reason
