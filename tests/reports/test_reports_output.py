"""The report folder is replaced all at once: after a kill, a full disk or a concurrent run it holds one complete
report (the previous one or the new one), never a mix, and nothing an earlier run wrote."""
from __future__ import annotations

import csv
import errno
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from report_readers import docx_tables, html_tables, xlsx_sheet
from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "example-cohort"


def _without_patient(tmp_path: Path, patient: str = "EX08") -> Path:
    """The example cohort minus one patient (and the patient's studies and variants): 7 patients, not 8."""
    out = tmp_path / "seven"
    out.mkdir()
    for table in ("patients", "studies", "variants"):
        lines = (EXAMPLE / f"{table}.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if line.startswith("#") or patient not in next(csv.reader([line]))[:2]]
        (out / f"{table}.csv").write_text("".join(kept), encoding="utf-8")
    return out


def complete_report_patients(out: Path) -> int:
    """The number of patients of the one complete report in ``out``; fails if a file is missing, truncated or
    belongs to another run than the others."""
    names = sorted(p.name for p in out.iterdir())
    assert names == ["figures", "report.html", "results", "results.json", "tables", "tables.docx", "tables.xlsx"], names
    n = json.loads((out / "results.json").read_text(encoding="utf-8"))["summary"]["patients"]
    total = f"Total (n = {n})"
    assert total in html_tables(out / "report.html").tables["table1"][0]
    assert total in docx_tables(out / "tables.docx")[0][0]
    assert total in xlsx_sheet(out / "tables.xlsx", "table1")[1]
    with open(out / "tables" / "table1.csv", encoding="utf-8-sig", newline="") as handle:
        assert total in next(csv.reader(handle))
    assert len(list((out / "tables").glob("*.csv"))) >= 9 and list((out / "figures").glob("*.png"))
    return n


def _analyze(cohort: Path, out: Path, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", "from neurohlh.cli import main; main()", "analyze", str(cohort),
                             "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_kill_9_at_random_points_leaves_the_previous_or_the_new_report(tmp_path: Path):
    seven, out = _without_patient(tmp_path), tmp_path / "out"
    started = time.perf_counter()
    assert _analyze(EXAMPLE, out).wait(timeout=300) == 0
    duration = time.perf_counter() - started
    assert complete_report_patients(out) == 8
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    # half of the kills anywhere in a run, half in its last 40 % (where the files are written)
    points = [rng.uniform(0.1, 1.0) * duration for _ in range(2)] + [rng.uniform(0.6, 1.1) * duration for _ in range(2)]
    for point in points:
        process = _analyze(seven, out)
        time.sleep(point)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert complete_report_patients(out) in (8, 7), f"seed {seed}, killed after {point:.2f} s"
    assert _analyze(seven, out).wait(timeout=300) == 0
    assert complete_report_patients(out) == 7
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == [".out.lock"]


def test_a_full_disk_exits_non_zero_and_keeps_the_previous_report(tmp_path: Path):
    import resource

    out = tmp_path / "out"
    assert _analyze(EXAMPLE, out).wait(timeout=300) == 0

    def small_files() -> None:  # every file written stops at 64 KiB, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    process = _analyze(_without_patient(tmp_path), out, preexec_fn=small_files)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert "cannot write the report" in " ".join(err.decode().split())
    assert complete_report_patients(out) == 8
    assert not list(tmp_path.glob(".out.partial-*"))


def test_a_write_error_in_one_file_exits_1_and_changes_nothing(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr("neurohlh.reports.build.write_xlsx", no_space)
    result = CliRunner().invoke(app, ["analyze", str(_without_patient(tmp_path)), "--out", str(out)])
    assert result.exit_code == 1 and "No space left on device" in " ".join(result.output.split())
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.fixture(scope="module")
def two_results(tmp_path_factory):
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort

    seven = _without_patient(tmp_path_factory.mktemp("cohorts"))
    return analyze(load_cohort(EXAMPLE)), analyze(load_cohort(seven))


def test_nothing_of_an_earlier_report_remains(tmp_path: Path, two_results):
    from neurohlh.reports import write_report

    out = tmp_path / "out"
    write_report(two_results[0], out)
    (out / "figures" / "survival_of_an_earlier_cohort.png").write_bytes(b"old")
    (out / "tables" / "table9.csv").write_text("old")
    files = write_report(two_results[1], out)
    assert not (out / "figures" / "survival_of_an_earlier_cohort.png").exists()
    assert not (out / "tables" / "table9.csv").exists()
    assert complete_report_patients(out) == 7 and files.html == out / "report.html" and files.html.exists()


def test_a_folder_holding_other_files_is_refused_and_left_alone(tmp_path: Path):
    out = tmp_path / "my-documents"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["analyze", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 1 and "not part of a neurohlh report (notes.txt)" in " ".join(result.output.split())
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_two_runs_into_one_folder_take_turns(tmp_path: Path, two_results):
    from neurohlh.reports import write_report

    out = tmp_path / "out"
    errors: list[BaseException] = []

    def run(result) -> None:
        try:
            write_report(result, out)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(r,)) for r in two_results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors
    assert complete_report_patients(out) in (8, 7)


def test_a_run_waits_for_the_lock_and_gives_up_with_a_message(tmp_path: Path):
    import fcntl

    from neurohlh.reports.output import staged_folder

    out = tmp_path / "out"
    with open(tmp_path / ".out.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(InputError, match="another neurohlh run has been writing into"), \
                staged_folder(out, wait=0.3):
            pass
    with staged_folder(out, wait=0.3) as staging:
        (staging / "report.html").write_text("new")
    assert (out / "report.html").read_text() == "new"


def test_a_run_killed_between_the_two_renames_is_recovered(tmp_path: Path):
    """Where the folders cannot be exchanged atomically, the previous report is moved aside first; if the run
    dies right then, the next run puts it back before anything else."""
    from neurohlh.reports.output import staged_folder

    out = tmp_path / "out"
    aside = tmp_path / ".out.old-1-1"
    aside.mkdir()
    (aside / "report.html").write_text("previous")
    (tmp_path / ".out.partial-x").mkdir()
    with pytest.raises(RuntimeError), staged_folder(out):
        assert (out / "report.html").read_text() == "previous"
        raise RuntimeError("stop")
    assert (out / "report.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_link_to_the_output_folder_stays_a_link(tmp_path: Path):
    from neurohlh.reports.output import staged_folder

    real, link = tmp_path / "real", tmp_path / "link"
    real.mkdir()
    (real / "report.html").write_text("old")
    link.symlink_to(real, target_is_directory=True)
    with staged_folder(link) as staging:
        (staging / "report.html").write_text("new")
    assert link.is_symlink() and (link / "report.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".real.lock", "link", "real"]
