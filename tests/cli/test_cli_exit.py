"""A batch command of the ``neurohlh`` executable: the collector stays off and the process ends without freeing its
objects one by one, yet exits as Python would: the same status and message, atexit functions run, output flushed.
Run inside another program, the same command changes nothing of that program's process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# A process ending like ``neurohlh.cli.main`` after a command that asked for it. The object with a __del__ shows
# whether the interpreter's teardown ran (it prints when freed); the atexit function and the large, unflushed
# write to a pipe show what a normal exit does that must not be lost.
_PROGRAM = """
import atexit, gc, sys
from neurohlh.cli import _startup
class Noisy:
    def __del__(self):
        sys.stderr.write("freed\\n")
kept = Noisy()
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
sys.stdout.write("x" * 1_000_000)
_startup.own_process()
_startup.run_as_batch()
assert not gc.isenabled()
try:
    raise SystemExit({code})
except SystemExit as exc:
    _startup.leave(exc.code)
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


def test_the_status_of_system_exit_is_kept_and_its_objects_are_not_freed():
    for code, status in (("None", 0), ("0", 0), ("2", 2), ("130", 130)):
        proc = _run(_PROGRAM.format(code=code))
        assert proc.returncode == status, (code, proc.stderr)
        assert proc.stdout == "x" * 1_000_000  # a megabyte still in the buffer when the process ended
        assert proc.stderr == "atexit ran\n"  # no "freed": the teardown did not run


def test_a_message_given_to_system_exit_is_printed_and_the_status_is_one():
    proc = _run(_PROGRAM.format(code="'no such cohort'"))
    assert proc.returncode == 1
    assert proc.stderr == "no such cohort\natexit ran\n"


def test_a_normal_exit_when_a_thread_still_runs():
    # a non-daemon thread still working: the process waits for it (its line is printed) and then tears down
    proc = _run(_PROGRAM.format(code="3").replace(
        "_startup.run_as_batch()",
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), sys.stderr.write('thread done\\n'))).start()\n"
        "_startup.run_as_batch()"))
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == ["thread done", "atexit ran", "freed"]


def test_a_command_that_does_not_ask_exits_normally():
    proc = _run(_PROGRAM.format(code="4").replace("_startup.run_as_batch()\nassert not gc.isenabled()\n", "")
                .replace("    _startup.leave(exc.code)", "    raise"))
    assert proc.returncode == 4
    assert proc.stderr.splitlines() == ["atexit ran", "freed"]


def test_inside_another_program_a_batch_command_changes_nothing_of_its_process():
    # no own_process(): as under a test runner or in a notebook, the collector stays on and nothing is asked of
    # the end of the process
    proc = _run("import gc\nfrom neurohlh.cli import _startup\n_startup.run_as_batch()\n"
                "print(gc.isenabled(), _startup.is_batch())")
    assert proc.stdout.split() == ["True", "False"], proc.stderr


def test_the_neurohlh_executable_keeps_its_statuses_and_output(tmp_path: Path):
    # validate ends without teardown: a valid cohort is status 0 with its summary, an invalid one status 1 with
    # its located problems, and a bad option (usage error, before the command runs) status 2
    demo = SRC / "neurohlh" / "data" / "demo"
    main = "from neurohlh.cli import main; main()"
    ok = _run(main, "validate", str(demo))
    assert ok.returncode == 0, ok.stderr
    assert "no problems found" in " ".join(ok.stdout.split())  # the terminal width decides where lines wrap
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("patients.csv", "studies.csv", "variants.csv"):
        (broken / name).write_bytes((demo / name).read_bytes())
    patients = (broken / "patients.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = [h.strip() for h in next(line for line in patients if not line.startswith("#")).split(",")]
    first = next(i for i, line in enumerate(patients) if not line.startswith("#")) + 1
    cells = patients[first].rstrip("\n").split(",")
    cells[header.index("sex")] = "sometimes"
    patients[first] = ",".join(cells) + "\n"
    (broken / "patients.csv").write_text("".join(patients), encoding="utf-8")
    bad = _run(main, "validate", str(broken))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "sometimes" in " ".join((bad.stdout + bad.stderr).split())
    usage = _run(main, "validate", str(demo), "--no-such-option")
    assert usage.returncode == 2
    assert "--no-such-option" in usage.stderr
