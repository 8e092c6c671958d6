"""Import discipline: a command pays only for the libraries it uses (no timing here; ``benchmarks/bench_demo.py``
measures the cost).

Each check runs a fresh interpreter and lists which heavy packages ended up in ``sys.modules``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
HEAVY = ("numba", "llvmlite", "django", "statsmodels", "lifelines", "formulaic", "autograd", "docx", "openpyxl",
         "jinja2", "matplotlib", "scipy", "pandas", "numpy", "redcap", "pydicom", "deid", "psycopg", "waitress")


def _loaded(code: str, tmp_path: Path) -> set[str]:
    """Heavy top-level packages imported by running ``code`` in a new interpreter."""
    # printed at exit (atexit), so a command that ends its process without the interpreter's teardown is seen too
    probe = ("import atexit, json, sys\n"
             f"atexit.register(lambda: print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}}"
             f" & set({list(HEAVY)!r})))))\n{code}\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("MPLBACKEND", None)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def _cli(*args: str) -> str:
    return ("from neurohlh.cli import main\n"
            f"sys.argv = ['neurohlh', *{list(args)!r}]\n"
            "try:\n    main()\nexcept SystemExit as exit_:\n    assert exit_.code in (0, None), exit_.code\n")


def test_package_import_loads_nothing_heavy(tmp_path):
    assert _loaded("import neurohlh", tmp_path) == set()


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("demo", "--help"), ("station", "--help")])
def test_help_loads_no_data_or_report_library(tmp_path, args):
    assert _loaded(_cli(*args), tmp_path) == set()


def test_loader_needs_pandas_only(tmp_path):
    assert _loaded("import neurohlh.io", tmp_path) <= {"pandas", "numpy"}


def test_statistics_package_does_not_load_numba_or_statsmodels(tmp_path):
    """``neurohlh.stats`` is imported by every analysis; the compiled exact engine and statsmodels load only
    where a call needs them."""
    assert not _loaded("import neurohlh.stats", tmp_path) & {"numba", "llvmlite", "statsmodels", "matplotlib",
                                                              "docx", "openpyxl", "jinja2", "django"}


def test_demo_loads_only_what_it_uses(tmp_path):
    """The demo writes HTML, Word and Excel with figures: matplotlib, jinja2, python-docx and openpyxl are its
    libraries; numba (small tables only), lifelines, Django and the station's libraries are not."""
    loaded = _loaded(_cli("demo", "--out", str(tmp_path / "report")), tmp_path)
    assert {"matplotlib", "jinja2", "docx", "openpyxl", "pandas", "scipy"} <= loaded
    assert not loaded & {"numba", "llvmlite", "lifelines", "formulaic", "autograd", "django", "redcap", "pydicom",
                         "deid", "psycopg", "waitress"}
    assert (tmp_path / "report" / "report.html").is_file()
