"""Export in the loader's format, and export -> analysis gives the allocations of the consensus reads entered."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from neurohlh.io import load_cohort
from neurohlh.patterns import classify_cohort
from neurohlh.schema import Kind
from neurohlh.station.export import export_cohort
from neurohlh.station.models import Adjudication, Consensus, Slot, Study
from neurohlh.station.sheet import SHEET

from ._sheets import form
from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db


def _as_post(cells: dict[str, str]) -> dict:
    values: dict = {}
    for name, spec in SHEET.items():
        cell = cells.get(name, "")
        if spec.kind is Kind.SET:
            if cell:
                values[name] = cell.split(";")
        else:
            values[name] = cell
    return form(values)


def _read_everything(client_for, disagree_on: str) -> None:
    """Both readers enter each study's imported consensus; on one study reader 2 differs and A/B is settled."""
    for study in Study.objects.all():
        slots = {a.slot: a for a in study.assignments.select_related("reader")}
        for slot in (Slot.READER_1, Slot.READER_2):
            cells = dict(study.imported_cells)
            if study.study_id == disagree_on and slot == Slot.READER_2:
                cells["supra_lesion_number"] = "single" if cells["supra_lesion_number"] != "single" else "few"
            a = slots[slot]
            r = client_for(a.reader.username).post(f"/read/{a.pk}/", _as_post(cells))
            assert r.status_code == 200 and b"Submitted" in r.content, (study.study_id, r.content[:2000])
    adj = Adjudication.objects.get()
    right = "A" if adj.study.a_is_reader_1 else "B"  # reader 1 entered the imported value
    r = client_for("judge").post(f"/adjudicate/{adj.pk}/", {"choice__supra_lesion_number": right,
                                                           "reason__supra_lesion_number": "recounted"})
    assert r.status_code == 302


def _allocations(cohort) -> dict:
    return {a.patient_id: (a.pattern, a.onset_subpattern) for a in classify_cohort(cohort)}


def test_export_then_analysis_gives_the_allocations_of_the_consensus_entered(station, client_for, tmp_path):
    _read_everything(client_for, disagree_on="EX05-1")
    assert Consensus.objects.count() == Study.objects.count()
    summary = export_cohort(tmp_path / "export", actor="test")
    assert summary.studies == Study.objects.count() and summary.pending == 0
    exported = load_cohort(tmp_path / "export")                       # the loader accepts the export as it is
    readers = exported.studies["reader"].value_counts().to_dict()
    n = Study.objects.count()
    assert readers == {"consensus": n, "reader_1": n, "reader_2": n, "adjudicator": 1}
    adj_row = exported.studies[exported.studies["reader"] == "adjudicator"].iloc[0]
    assert adj_row["study_id"] == "EX05-1" and adj_row["supra_lesion_number"] is not None
    original = load_cohort(EXAMPLE)
    assert _allocations(exported) == _allocations(original)
    manifest = json.loads((tmp_path / "export" / "station-export.json").read_text())
    assert manifest["provenance"]["EX05-1"]["supra_lesion_number"] == "reader_1"

    from neurohlh.cli import app

    runs = {}
    for name, path in (("export", tmp_path / "export"), ("original", EXAMPLE)):
        result = CliRunner().invoke(app, ["analyze", str(path), "--out", str(tmp_path / f"report-{name}"), "--json"])
        assert result.exit_code == 0, result.output
        runs[name] = json.loads(result.stdout)
    assert runs["export"]["summary"]["pattern"] == runs["original"]["summary"]["pattern"]
    assert runs["export"]["summary"]["onset_subpattern"] == runs["original"]["summary"]["onset_subpattern"]


def test_studies_without_consensus_are_listed_not_exported(station, client_for, tmp_path):
    study = Study.objects.get(study_id="EX01-1")
    a = study.assignments.get(slot=Slot.READER_1)
    client_for(a.reader.username).post(f"/read/{a.pk}/", _as_post(study.imported_cells))
    summary = export_cohort(tmp_path / "out", actor="test")
    assert summary.studies == 0 and summary.pending == Study.objects.count()
    manifest = json.loads((tmp_path / "out" / "station-export.json").read_text())
    pending = {p["study_id"]: p["submitted_reads"] for p in manifest["studies_pending"]}
    assert pending["EX01-1"] == "1"
    load_cohort(tmp_path / "out")  # still a valid cohort (patients without studies)
