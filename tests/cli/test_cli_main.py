"""The command's process: garbage-collector thresholds set once by ``main``, library importers untouched."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_command_rescans_the_whole_heap_ten_times_less_often_and_still_frees_cycles():
    out = _run(
        "import gc, sys, weakref\n"
        "sys.argv = ['neurohlh', '--version']\n"
        "from neurohlh.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(gc.get_threshold())\n"
        "class Node: pass\n"
        "a, b = Node(), Node(); a.other, b.other = b, a; alive = weakref.ref(a); del a, b\n"
        "junk = [[] for _ in range(2_000)]\n"  # 2,000 new containers: at least one young collection (700)
        "print(alive() is None)\n")
    version, threshold, freed = out.split("\n")[:3]
    assert version.startswith("neurohlh ")
    assert threshold == "(700, 10, 100)"
    assert freed == "True"


def test_importing_the_cli_keeps_the_interpreter_defaults():
    default = _run("import gc; print(gc.get_threshold())")
    assert _run("import gc; import neurohlh.cli; print(gc.get_threshold())") == default
