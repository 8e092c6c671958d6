"""Importing the analysis service for a command: collector paused during the import, its objects frozen."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(code: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_the_import_runs_no_collection_and_freezes_what_it_built():
    out = _run(
        "import gc, sys, weakref\n"
        "from neurohlh.cli._startup import import_frozen\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and runs.append(info['generation']))\n"
        "module = import_frozen('neurohlh.service')\n"
        "print(module is sys.modules['neurohlh.service'], len(runs), gc.isenabled(), gc.get_freeze_count() > 100_000)\n"
        "class Node: pass\n"
        "a, b = Node(), Node(); a.other, b.other = b, a; alive = weakref.ref(a); del a, b\n"
        "junk = [[] for _ in range(2_000)]\n"  # 2,000 new containers: at least one young collection (every 700)
        "print(alive() is None, len(runs) > 0)\n"
        "print(import_frozen('neurohlh.service') is module)\n")
    # the module; no collection during the import (pandas, SciPy, NumPy: ~400 at the default thresholds); the
    # collector on again; the import's objects frozen; a cycle made afterwards is still freed; a second call is
    # the module already imported
    assert out == ["True", "0", "True", "True", "True", "True", "True"]


def test_a_collector_switched_off_stays_off():
    out = _run("import gc\nfrom neurohlh.cli._startup import import_frozen\n"
               "gc.disable()\nimport_frozen('json')\nprint(gc.isenabled())\n")
    assert out == ["False"]
