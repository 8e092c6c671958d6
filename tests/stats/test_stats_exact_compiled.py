"""The compiled (numba) exact FFH path against brute force, R and the numpy path."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_stats_exact import _random_tables, brute_force_ffh

from neurohlh.stats._exact import (
    COMPILED_MIN_TABLES,
    ExactTimeout,
    _orient,
    _oriented,
    _table_count_bound,
    _use_compiled,
    ffh_exact,
)
from neurohlh.stats._limits import Limits

CASES = json.loads((Path(__file__).parent / "data" / "r_reference.json").read_text())["cases"]


@pytest.fixture(autouse=True, scope="module")
def _kernels_loaded():
    """Compile (first run after a change) or load the kernels once, without a time budget: under
    load a first compile can exceed the default 60 s budget of the calls below."""
    ffh_exact(np.array([[3, 1, 0, 2, 1], [0, 2, 3, 1, 0], [2, 2, 1, 0, 3]]), engine="compiled", time_budget=None)


def _takes_compiled(table) -> bool:
    """The engine choice of ffh_exact(engine="auto") for this table."""
    t, arcs = _oriented(np.asarray(table, dtype=np.int64))
    return _use_compiled(t.sum(axis=1), np.sort(t.sum(axis=0))[::-1], "auto", arcs)


def _large(table) -> bool:
    t = _orient(np.asarray(table, dtype=np.int64))
    return _table_count_bound(t.sum(axis=1), np.sort(t.sum(axis=0))[::-1]) >= 1e6


@pytest.mark.parametrize("table", _random_tables(11, 40), ids=lambda t: "x".join(map(str, t.shape)))
def test_compiled_engine_matches_brute_force_enumeration(table):
    expected = brute_force_ffh(table)
    assert ffh_exact(table, engine="compiled").pvalue == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("meet", [1, 2, 3, 4])
def test_compiled_engine_every_meeting_stage_matches_brute_force(meet):
    table = np.array([[3, 1, 0, 2, 1], [0, 2, 3, 1, 0], [2, 2, 1, 0, 3]])
    expected = brute_force_ffh(table)
    assert ffh_exact(table, engine="compiled", meet=meet).pvalue == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("unsorted", ["past", "future"])
@pytest.mark.parametrize("table", _random_tables(13, 12), ids=lambda t: "x".join(map(str, t.shape)))
def test_both_meet_variants_at_every_stage_match_brute_force(table, unsorted):
    # the meet leaves either the past list (fused with the last forward stage) or the future
    # list unsorted; both, at every meeting stage, must give the enumerated p-value
    from neurohlh.stats._exact import log_table_probability, log_tolerance
    from neurohlh.stats._exact_compiled import ffh_compiled

    t = _orient(np.asarray(table, dtype=np.int64))
    rows, cols = t.sum(axis=1), np.sort(t.sum(axis=0))[::-1]
    limit = log_table_probability(t) + log_tolerance(t.shape)
    expected = brute_force_ffh(table)
    for meet in range(1, len(cols)):
        p, _ = ffh_compiled(rows, cols, limit, Limits(math.inf), meet=meet, unsorted=unsorted)
        assert min(1.0, p) == pytest.approx(expected, rel=1e-9, abs=1e-300), meet


@pytest.mark.parametrize("table", _random_tables(17, 40) + [
    np.array([[3, 1, 0, 2, 1], [0, 2, 3, 1, 0], [2, 2, 1, 0, 3]]),
    np.array([[2, 2, 1, 0], [1, 3, 0, 2], [2, 0, 2, 1], [0, 1, 1, 3]]),
    np.array([[4, 4, 0], [4, 4, 0], [0, 0, 5]]),  # tied rows and columns, a zero-probability corner
], ids=lambda t: "x".join(map(str, t.shape)))
def test_implicit_stages_match_brute_force(table):
    # every transition after the first left implicit (its next stage listed directly, relaxed
    # bounds, arcs generated only from partial tables that reach it): the enumerated p-value
    from neurohlh.stats._exact import log_table_probability, log_tolerance
    from neurohlh.stats._exact_compiled import ffh_compiled

    t = _orient(np.asarray(table, dtype=np.int64))
    rows, cols = t.sum(axis=1), np.sort(t.sum(axis=0))[::-1]
    limit = log_table_probability(t) + log_tolerance(t.shape)
    p, _ = ffh_compiled(rows, cols, limit, Limits(math.inf), implicit_min_arcs=0)
    assert min(1.0, p) == pytest.approx(brute_force_ffh(table), rel=1e-9, abs=1e-300)


def test_relaxed_bounds_enclose_the_exact_ones():
    # the relaxed largest / smallest completion log-probability of each state against the exact
    # ones of the full network (stage 1 of a 4x4 table with n = 40)
    from neurohlh.stats import _exact_numba as kernels
    from neurohlh.stats._exact import _Network
    from neurohlh.stats._exact_common import log_factorials

    t = np.array([[3, 5, 2, 4], [6, 1, 4, 3], [2, 4, 5, 4], [4, 3, 6, 4]])
    rows, cols = t.sum(axis=1), np.sort(t.sum(axis=0))[::-1]
    net = _Network(rows, cols, Limits(math.inf))
    for k in (1, 2):
        states = net.states[k]
        hi, lo = np.empty(len(states)), np.empty(len(states))
        kernels.relaxed_bounds(states, np.array(cols[k:], np.int64), log_factorials(int(rows.sum())), 1, hi, lo)
        assert np.all(hi >= net.hi[k]) and np.all(lo <= net.lo[k])
        assert np.median(hi - net.hi[k]) < 1e-3  # the Lagrangian bound is nearly tight


def test_two_by_k_with_ties_and_zero_columns_matches_brute_force():
    # tied column totals and tied row totals exercise the filling multiplicities
    table = np.array([[4, 0, 3, 3, 2, 5, 1], [1, 5, 2, 2, 3, 0, 4]])
    expected = brute_force_ffh(table)
    for engine in ("numpy", "compiled"):
        assert ffh_exact(table, engine=engine).pvalue == pytest.approx(expected, rel=1e-12)


_LARGE_R_CASES = [c for c in CASES if c["kind"] == "fisher" and _large(c["table"])]


def test_the_large_r_reference_tables_include_the_hard_ones():
    # the 2x10 n=200 hard table, the 3x5 n=98 table and the larger random tables (path bound >= 1e6)
    assert len(_LARGE_R_CASES) >= 8
    assert any(np.asarray(c["table"]).shape == (2, 10) for c in _LARGE_R_CASES)


def test_engine_is_chosen_from_the_work_and_the_cache(monkeypatch):
    from neurohlh.stats import _exact_compiled

    hard = [[1, 5, 0, 4, 26, 5, 1, 22, 14, 25], [11, 27, 20, 8, 0, 13, 11, 1, 0, 6]]  # path bound 1.4e12
    five = [[5, 5, 3, 2, 1], [3, 3, 1, 1, 10], [4, 2, 3, 7, 5], [4, 2, 2, 3, 0], [3, 2, 5, 3, 1]]
    quick = [[30, 22, 41, 19, 38], [31, 40, 25, 29, 25]]  # 2x5 n=300: numpy takes milliseconds
    monkeypatch.setattr(_exact_compiled, "compiled_ready", lambda: True)
    assert _takes_compiled(hard) and _takes_compiled(five) and not _takes_compiled(quick)
    # not compiled yet: compiling (15-20 s) pays only for much larger networks
    monkeypatch.setattr(_exact_compiled, "compiled_ready", lambda: False)
    assert not _takes_compiled(hard) and not _takes_compiled(five) and not _takes_compiled(quick)
    assert _takes_compiled([[40, 35, 30, 45, 50]] * 4)  # 4x5 n=800: about 1e9 arcs in two stages
    assert _takes_compiled([[30, 31, 29, 30]] * 4)  # 4x4 n=480: numpy would take minutes
    monkeypatch.setattr(_exact_compiled, "compiled_ready", lambda: None)  # numba not installed
    assert not _takes_compiled(hard)


def test_first_compiled_call_compiles_every_kernel_at_once():
    from numba.core.registry import CPUDispatcher

    from neurohlh.stats import _exact_numba

    ffh_exact(np.array([[3, 1, 0], [0, 2, 3], [2, 2, 1]]), engine="compiled")
    import re

    from neurohlh.stats import _exact_compiled

    driver = Path(_exact_compiled.__file__).read_text()
    called = set(re.findall(r"\bK\.(\w+)\(", driver))  # the kernels the driver calls (helpers compile inside them)
    kernels = {name: f for name, f in vars(_exact_numba).items() if isinstance(f, CPUDispatcher) and name in called}
    assert len(kernels) >= 10
    assert [name for name, f in kernels.items() if not f.signatures] == []


@pytest.mark.parametrize("case", _LARGE_R_CASES, ids=lambda c: c.get("name", "fisher"))
def test_both_engines_match_r_on_large_tables(case):
    """R: fisher.test(m, workspace = 2e7 or 2e9)$p.value (tests/stats/r/make_reference.R)."""
    for engine in ("compiled", "numpy"):
        p = ffh_exact(np.array(case["table"]), engine=engine).pvalue
        assert p == pytest.approx(case["p"], rel=1e-9, abs=1e-300), engine


def test_five_by_five_n80_matches_r():
    # R 4.2: fisher.test(m, workspace = 2e8)$p.value = 0.04204154396757 (FEXACT; fexact agrees)
    table = np.array([[5, 5, 3, 2, 1], [3, 3, 1, 1, 10], [4, 2, 3, 7, 5], [4, 2, 2, 3, 0], [3, 2, 5, 3, 1]])
    assert _takes_compiled(table)
    assert ffh_exact(table).pvalue == pytest.approx(0.0420415439672, rel=1e-9)


def test_two_by_ten_n1000_agrees_with_r_and_numpy_path():
    # R fisher.test(workspace = 2e9) and fisher-rxc: 0.8162311562; FEXACT merges past values
    # within its 3.45e-7 log tolerance, so R is off by ~7e-9 relative (docs/statistics.md).
    table = np.array([[52, 49, 44, 61, 47, 53, 55, 40, 45, 48], [51, 46, 57, 50, 44, 55, 49, 52, 48, 54]])
    compiled = ffh_exact(table, engine="compiled").pvalue
    assert compiled == pytest.approx(ffh_exact(table, engine="numpy").pvalue, rel=1e-12)
    assert compiled == pytest.approx(0.8162311562, rel=2e-8)


def test_compiled_engine_honours_the_time_budget():
    table = np.array([[5, 5, 3, 2, 1], [3, 3, 1, 1, 10], [4, 2, 3, 7, 5], [4, 2, 2, 3, 0], [3, 2, 5, 3, 1]])
    with pytest.raises(ExactTimeout):
        ffh_exact(table, engine="compiled", time_budget=0.0)


def test_small_tables_stay_in_numpy():
    assert not _takes_compiled([[30, 22, 41, 19, 38], [31, 40, 25, 29, 25]])  # 2x5 n=300
    assert not _takes_compiled([[19, 11], [6, 14]])
    assert not _takes_compiled([[500, 0], [0, 500]])  # 2x2 never compiles
    assert not _takes_compiled([[0, 21], [2, 3], [1, 5]])  # Table 2, dysarthria
    # bound = C(3 + 1, 1) * C(2 + 1, 1) = 12 paths for this 2x3 table, far below the threshold
    assert _table_count_bound(np.array([3, 3]), np.array([3, 2, 1])) == 12 < COMPILED_MIN_TABLES


def test_small_tables_never_import_numba():
    code = (
        "import sys\n"
        "from neurohlh.stats import fisher_exact, compare_categorical\n"
        "fisher_exact([[19, 11], [6, 14]]); fisher_exact([[0, 21], [2, 3], [1, 5]])\n"
        "fisher_exact([[30, 22, 41, 19, 38], [31, 40, 25, 29, 25]])  # 2x5 n=300: numpy in milliseconds\n"
        "compare_categorical([[3, 9], [7, 2], [1, 6]], policy='fisher')\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_one_off_r_by_c_test_imports_only_numpy():
    # what a one-off process pays for: importing the public function and testing a small R x C
    # table loads numpy and nothing heavier (no scipy, pandas, numba, statsmodels, matplotlib)
    code = (
        "import sys\n"
        "from neurohlh.stats import fisher_exact\n"
        "r = fisher_exact([[30, 22, 41, 19, 38], [31, 40, 25, 29, 25]])\n"
        "heavy = ('scipy', 'pandas', 'numba', 'statsmodels', 'matplotlib', 'lifelines')\n"
        "print(repr(r.pvalue), sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    pvalue, loaded = out.stdout.strip().split(" ", 1)
    assert loaded == "[]"
    # R 4.2.2: fisher.test(matrix(c(30,22,41,19,38,31,40,25,29,25), 2, byrow = TRUE))$p.value
    assert float(pvalue) == pytest.approx(0.007614347611, rel=1e-9)


def _service_account_run(tmp_path, code: str, writable_tmp: bool) -> dict:
    """Run ``code`` with the package copied where numba cannot cache beside the source, HOME and
    the numba cache directory unusable (paths under /dev/null fail even for root), and the
    temporary directory writable or not."""
    import os
    import shutil

    src = Path(__file__).resolve().parents[2] / "src" / "neurohlh"
    copy = tmp_path / "site" / "neurohlh"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in [copy, *[p for p in copy.rglob("*") if p.is_dir()]]:
        (folder / "__pycache__").write_text("")  # a file, so no cache folder can be made here
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_"))}
    env.update(HOME="/dev/null/home", XDG_CACHE_HOME="/dev/null/cache", NUMBA_CACHE_DIR="/dev/null/numba",
               PYTHONPATH=str(copy.parent), PYTHONDONTWRITEBYTECODE="1")
    prelude = ("import tempfile, json, warnings\n"
               f"tempfile.tempdir = {str(scratch) if writable_tmp else '/dev/null/tmp'!r}\n")
    out = subprocess.run([sys.executable, "-c", prelude + code], check=False, capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_compiled_engine_failure_falls_back_to_numpy_with_a_warning(tmp_path):
    # numba cannot cache anywhere: defining the kernels raises "cannot cache function ... no locator
    # available".  fisher_exact must still give the exact p-value, computed by numpy, and say so.
    table = [[3, 1, 0, 2, 1], [0, 2, 3, 1, 0], [2, 2, 1, 0, 3]]
    code = (
        "from neurohlh.stats import _exact, fisher_exact\n"
        "_exact.COMPILED_MIN_TABLES = _exact.COMPILE_MIN_TABLES = 0  # send this small table to the compiled engine\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    r = fisher_exact({table})\n"
        "print(json.dumps({'p': r.pvalue, 'method': r.method, 'warnings': list(r.warnings),\n"
        "                  'emitted': [str(w.message) for w in caught]}))\n"
    )
    got = _service_account_run(tmp_path, code, writable_tmp=False)
    assert got["method"] == "exact"
    assert got["p"] == pytest.approx(brute_force_ffh(np.array(table)), rel=1e-12)
    assert any("compiled exact engine failed" in w and "numpy engine" in w for w in got["warnings"])
    assert any("compiled exact engine failed" in w for w in got["emitted"])


def test_compiled_engine_caches_in_a_private_temporary_folder(tmp_path):
    # Same service account, but the temporary directory is writable: the kernels are defined with
    # their cache in <tmp>/neurohlh-numba-<uid>, a folder only this user can write.
    code = (
        "import os\n"
        "from neurohlh.stats._exact_compiled import prepare_cache\n"
        "prepare_cache()\n"
        "from neurohlh.stats import _exact_numba\n"
        "from numba.core import config\n"
        "print(json.dumps({'cache': config.CACHE_DIR, 'mode': os.stat(config.CACHE_DIR).st_mode & 0o777}))\n"
    )
    got = _service_account_run(tmp_path, code, writable_tmp=True)
    import os

    assert got["cache"] == str(tmp_path / "tmp" / f"neurohlh-numba-{os.getuid()}")
    assert got["mode"] == 0o700


def test_loading_the_kernels_does_not_count_against_the_time_budget(monkeypatch):
    """A first call that has to compile (15-20 s, longer on a busy machine) is not cut short by its own budget."""
    import time

    from neurohlh.stats import _exact_compiled

    real_warm_up = _exact_compiled._warm_up

    def slow_first_load() -> None:
        real_warm_up()
        time.sleep(0.5)  # as if numba were compiling every kernel

    monkeypatch.setattr(_exact_compiled, "_warm_up", slow_first_load)
    table = np.array([[3, 1, 0, 2], [0, 2, 3, 1], [2, 2, 1, 0]])
    outcome = ffh_exact(table, engine="compiled", time_budget=0.3)
    assert outcome.pvalue == pytest.approx(brute_force_ffh(table), rel=1e-12)


def test_limits_exclude_moves_the_deadline_and_the_elapsed_time():
    limits = Limits(budget=10.0, start=100.0)
    limits.exclude(4.0)
    assert (limits.start, limits.deadline) == (104.0, 114.0)
