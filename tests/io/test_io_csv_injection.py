"""Formula injection: ids that a spreadsheet program would run never reach a CSV file we write as a formula."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from _io_inputs import EXAMPLE
from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.io import load_cohort, write_cohort_csv
from neurohlh.io.csvtext import FORMULA_STARTS, neutralise

PAYLOADS = {"EX01": '=HYPERLINK("http://example.invalid","x")', "EX02": "+cmd|' /C calc'!A0", "EX03": "@SUM(1)",
            "EX04": "-2+3", "EX05": "=1+1"}


def _hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    shutil.copytree(EXAMPLE, folder)
    for table in ("patients", "studies", "variants"):
        text = (folder / f"{table}.csv").read_text(encoding="utf-8")
        for plain, payload in PAYLOADS.items():
            quoted = '"' + payload.replace('"', '""') + '"'
            text = text.replace(f"\n{plain},", f"\n{quoted},").replace(f",{plain},", f",{quoted},")
        (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    return folder


def _cells(path: Path) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if not line.startswith("# ")]
    return [cell for row in csv.reader(lines) for cell in row]


def _dangerous(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and neutralise(cell) != cell


def test_the_neutralising_rule():
    assert [neutralise(t) for t in ("=1", "+x", "-x", "@x", "\tx", "\rx", "-1.5", "+2", "EX01", "")] == [
        "'=1", "'+x", "'-x", "'@x", "'\tx", "'\rx", "-1.5", "+2", "EX01", ""]


def test_hostile_ids_load_and_every_written_csv_is_neutralised(tmp_path: Path):
    cohort = load_cohort(_hostile(tmp_path))
    assert set(PAYLOADS.values()) <= set(cohort.patients["patient_id"])
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["analyze", str(_hostile(tmp_path / "2")), "--out", str(out)]).exit_code == 0
    cells = [c for path in (out / "tables").glob("*.csv") for c in _cells(path)]
    assert cells and not [c for c in cells if _dangerous(c)]
    written = tmp_path / "classified.csv"
    result = CliRunner().invoke(app, ["classify", str(_hostile(tmp_path / "3")), "--csv", "-o", str(written)])
    assert result.exit_code == 0
    ids = [row[0] for row in csv.reader(written.read_text(encoding="utf-8").splitlines()[1:])]
    assert "'=1+1" in ids and not [c for c in _cells(written) if _dangerous(c)]


def test_a_cohort_written_by_neurohlh_reads_back_unchanged(tmp_path: Path):
    cohort = load_cohort(_hostile(tmp_path))
    frames = {"patients": cohort.patients, "studies": cohort.studies, "variants": cohort.variants}
    write_cohort_csv(frames, tmp_path / "copy")
    assert not [c for c in _cells(tmp_path / "copy" / "patients.csv") if _dangerous(c)]
    again = load_cohort(tmp_path / "copy")
    assert again.patient_records() == cohort.patient_records()
    assert again.study_records() == cohort.study_records()
