"""Export in the loader's format (reader_1 / reader_2 / adjudicator / consensus reads) and the analysis run.

Only studies with a consensus go into ``studies.csv`` (the loader needs a consensus read for every study that has
reads); the others are listed in ``station-export.json`` with their state. Repeat reads go to ``repeat_reads.csv``.
Files are written into a temporary folder first and renamed into place.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from neurohlh.errors import InputError
from neurohlh.io.cells import format_cell
from neurohlh.schema import Patient, Variant, field_specs
from neurohlh.schema import Study as StudyRecord
from neurohlh.station import audit
from neurohlh.station.sheet import SHEET_HASH, SHEET_VERSION

if TYPE_CHECKING:
    from neurohlh.station import models

HEADER = ("Exported by the neurohlh reading station: blinded double reads, adjudication and consensus.\n"
          "Analyses use the consensus reads.")


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    studies: int
    pending: int
    reads: int


def _row(study: models.Study, reader: str, cells: dict[str, str]) -> dict[str, str]:
    specs = field_specs(StudyRecord)
    row = {name: "" for name in specs}
    row.update({k: v for k, v in cells.items() if k in specs})
    row.update({
        "study_id": study.study_id, "patient_id": study.patient.patient_id, "reader": reader,
        "study_date": study.study_date.isoformat() if study.study_date else "",
        "age_at_study_months": format_cell(study.age_months, specs["age_at_study_months"]),
    })
    return row


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str]], comment: str = HEADER) -> None:
    frame = pd.DataFrame(rows, columns=columns, dtype=str).fillna("")
    text = "".join(f"# {line}\n" for line in comment.splitlines()) + frame.to_csv(index=False, lineterminator="\n")
    path.write_text(text, encoding="utf-8")


def export_cohort(out: str | Path, actor: str) -> ExportSummary:
    """Write the station's reads as a cohort folder ``out`` (replaced atomically if it exists)."""
    from neurohlh.station.models import (
        Consensus,
        FieldDecision,
        PatientRecord,
        Read,
        ReadStatus,
        Slot,
        Study,
        VariantRecord,
    )

    out = Path(out)
    study_cols = list(field_specs(StudyRecord))
    rows: list[dict[str, str]] = []
    repeats: list[dict[str, str]] = []
    pending: list[dict[str, str]] = []
    timing: list[dict[str, str]] = []
    consensus = {c.study_id: c for c in Consensus.objects.all()}
    reads = list(Read.objects.filter(status=ReadStatus.SUBMITTED).select_related("assignment__reader"))
    by_study: dict[int, dict[str, Read]] = {}
    for r in reads:
        by_study.setdefault(r.assignment.study_id, {})[r.assignment.slot] = r
        timing.append({"study_id": r.assignment.study.study_id, "slot": r.assignment.slot,
                       "reader": r.assignment.reader.username, "reading_seconds": f"{r.reading_seconds:.0f}",
                       "sheet_version": r.sheet_version, "sheet_hash": r.sheet_hash})
    decisions: dict[int, dict[str, str]] = {}
    for d in FieldDecision.objects.select_related("adjudication"):
        decisions.setdefault(d.adjudication.study_id, {})[d.field] = d.value
    n_studies = 0
    for s in Study.objects.select_related("patient").order_by("study_id"):
        mine = by_study.get(s.pk, {})
        if s.pk not in consensus:
            pending.append({"study_id": s.study_id, "submitted_reads": str(len(mine))})
            continue
        n_studies += 1
        for slot in (Slot.READER_1, Slot.READER_2):
            if slot in mine:
                rows.append(_row(s, str(slot), mine[slot].values))
        if s.pk in decisions:
            rows.append(_row(s, "adjudicator", decisions[s.pk]))
        rows.append(_row(s, "consensus", consensus[s.pk].values))
        if Slot.REPEAT in mine:
            first = next(sl for sl in (Slot.READER_1, Slot.READER_2) if sl in mine and
                         mine[sl].assignment.reader_id == mine[Slot.REPEAT].assignment.reader_id)
            repeats.append(_row(s, str(first), mine[Slot.REPEAT].values))
    patient_cols = list(field_specs(Patient))
    variant_cols = list(field_specs(Variant))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
    try:
        _write_csv(tmp / "patients.csv", patient_cols, [p.cells for p in PatientRecord.objects.order_by("id")])
        _write_csv(tmp / "variants.csv", variant_cols, [v.cells for v in VariantRecord.objects.order_by("position")])
        _write_csv(tmp / "studies.csv", study_cols, rows)
        _write_csv(tmp / "repeat_reads.csv", study_cols, repeats,
                   HEADER + "\nRepeat reads after the washout, labelled with the reader's first-read slot.")
        manifest = {
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "sheet_version": SHEET_VERSION, "sheet_hash": SHEET_HASH,
            "studies_with_consensus": n_studies, "studies_pending": pending, "reads": timing,
            "provenance": {c.study.study_id: c.provenance for c in
                           Consensus.objects.select_related("study").order_by("study__study_id")},
        }
        (tmp / "station-export.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    audit.record(actor, "exported", out.name, {"studies": str(n_studies), "pending": str(len(pending))})
    return ExportSummary(out, n_studies, len(pending), len(reads))


def run_analysis(root: Path, actor: str, plan: str = "exact") -> str:
    """Export, then run :func:`neurohlh.service.run_analysis` (what ``neurohlh analyze`` runs) on the export.

    Returns the run's folder name under ``root`` (``cohort/`` holds the export, ``report/`` the report).
    """
    from neurohlh.service import run_analysis as analyse

    name = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    run = Path(root) / name
    summary = export_cohort(run / "cohort", actor)
    if summary.studies == 0:
        raise InputError("no study has a consensus read yet: nothing to analyse")
    analyse(run / "cohort", run / "report", plan, title="CNS HLH MRI pattern analysis (reading station)")
    audit.record(actor, "analysis_run", name, {"plan": plan, "studies": str(summary.studies)})
    return name
