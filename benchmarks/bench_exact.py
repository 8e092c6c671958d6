"""Benchmark neurohlh's exact Fisher-Freeman-Halton test against its peers.

Usage:  python benchmarks/bench_exact.py [--peer-timeout 120] [--budget 60] [--only NAME]
        python benchmarks/bench_exact.py --sweep [--quick] [--repeats 3] [--peer-timeout 30] [--budget 30]

``--sweep`` runs a grid of 2xK (K = 3..20, n = 100..1000) and R x C (3x3..5x5, n = 30..200) tables,
random and drawn under independence, against R ``fisher.test`` measured in the same run: one
persistent R process and this process, both warmed up first (R by a first call, neurohlh by a
first call that loads the compiled kernels), tables interleaved (neurohlh then R, then the next
table), each side the best of ``--repeats`` calls (one call once a call takes over 2 s); R's time
is the best of workspace 2e8 and 2e9.  It prints the ratio R / neurohlh per table and whether the
p-values agree to 1e-9 relative, then whole-process times (``python -c`` importing
``neurohlh.stats.fisher_exact`` and testing one small table, against ``Rscript -e``), min / median /
max over repeats.  R is given ``--peer-timeout`` seconds per table and neurohlh ``--budget`` (its
exact method's time budget, after which it gives a Monte Carlo estimate), so the sweep's run
time is bounded: at most about 72 x (budget + timeout) even if every table hit both limits, and
10-25 minutes in practice on a 2-core machine.  ``--quick`` runs the 16 tables of the slowest
shapes only (a few minutes).

Peers (each run in a subprocess with a timeout, so a hung peer cannot stall the script):
* R ``fisher.test`` via ``Rscript`` (workspace 2e5 = default, then 2e9), when Rscript is on PATH;
* ``fexact`` (Fortran FEXACT, PyPI), workspace 2e5 then 2e7, when installed;
* ``fisher-rxc`` (Rust network algorithm, PyPI) ``fisher.exact``, when installed.
Prints per-table times, p-values and the peer/neurohlh time ratio.  neurohlh's time is the
best of three repeats when a call takes under 2 s (the first call, which may import numba, is
printed too); ``--engine numpy`` forces the numpy network (no numba).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import shutil
import subprocess
import sys
import time
import warnings

import numpy as np

TABLES = {
    "table2 dysarthria 3x2 n=32": [[0, 21], [2, 3], [1, 5]],
    "2x5 n=300": [[30, 22, 41, 19, 38], [31, 40, 25, 29, 25]],
    "2x10 n=200 (brief)": [[1, 5, 0, 4, 26, 5, 1, 22, 14, 25], [11, 27, 20, 8, 0, 13, 11, 1, 0, 6]],
    "2x10 n=1000": [[52, 49, 44, 61, 47, 53, 55, 40, 45, 48], [51, 46, 57, 50, 44, 55, 49, 52, 48, 54]],
    "2x20 n=400": [[9, 12, 8, 11, 10, 7, 13, 10, 9, 11, 10, 8, 12, 9, 11, 10, 8, 13, 9, 10],
                   [11, 8, 12, 9, 10, 13, 7, 10, 11, 9, 10, 12, 8, 11, 9, 10, 12, 7, 11, 10]],
    "3x3 n=50": [[5, 3, 8], [7, 6, 2], [4, 9, 6]],
    "4x4 n=60": [[3, 5, 2, 4], [6, 1, 4, 3], [2, 4, 5, 4], [4, 3, 6, 4]],
    "5x5 n=77": [[2, 5, 1, 4, 3], [4, 1, 6, 2, 3], [3, 4, 2, 5, 2], [5, 2, 3, 1, 5], [1, 3, 4, 2, 4]],
    "5x5 n=80": [[5, 5, 3, 2, 1], [3, 3, 1, 1, 10], [4, 2, 3, 7, 5], [4, 2, 2, 3, 0], [3, 2, 5, 3, 1]],
    "5x5 n=150": [[8, 5, 7, 6, 4], [5, 9, 4, 7, 6], [6, 4, 8, 5, 7], [7, 6, 5, 9, 3], [4, 7, 6, 3, 9]],
}

_R_CODE = """m <- matrix(c({cells}), nrow = {nrow}, byrow = TRUE)
for (ws in c(2e5, 2e9)) {{
  t0 <- proc.time()[["elapsed"]]
  r <- tryCatch(fisher.test(m, workspace = ws)$p.value, error = function(e) conditionMessage(e))
  cat(sprintf("%g\\t%.3f\\t%s\\n", ws, proc.time()[["elapsed"]] - t0, format(r, digits = 10)))
}}"""

_FEXACT_CODE = """import json, sys, time, numpy as np, fexact
t = np.array(json.loads(sys.argv[1]), dtype=np.int64)
for ws in (200000, 20000000):
    t0 = time.perf_counter()
    try:
        out = repr(float(fexact.fexact(t, workspace=ws)))
    except Exception as e:
        out = 'error: ' + str(e).strip().splitlines()[0]
    print(f"{ws}\\t{time.perf_counter() - t0:.3f}\\t{out}", flush=True)
"""

_RXC_CODE = """import json, sys, time, fisher
t = json.loads(sys.argv[1])
t0 = time.perf_counter()
p = fisher.exact(t)
out = repr(p) if p >= 0 else f'error code {p}'
print(f"default\\t{time.perf_counter() - t0:.3f}\\t{out}", flush=True)
"""


def _run(cmd: list[str], timeout: float) -> list[tuple[str, float | None, str]]:
    try:
        out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        rows = [tuple(line.split("\t")) for line in partial.splitlines() if line.count("\t") == 2]
        return [(a, float(b), c) for a, b, c in rows] + [("-", None, f"unfinished after {timeout:g} s")]
    rows = [line.split("\t") for line in out.splitlines() if line.count("\t") == 2]
    return [(a, float(b), c) for a, b, c in rows] or [("-", None, "no output")]


def peers() -> dict[str, object]:
    found: dict[str, object] = {}
    found["R fisher.test"] = shutil.which("Rscript")
    found["fexact"] = importlib.util.find_spec("fexact") is not None
    found["fisher-rxc"] = importlib.util.find_spec("fisher") is not None
    return found


def bench_ours(table, budget: float):
    """Time of the first call and, for calls under 2 s, the best of three repeats ("warm").

    The first call of a table that takes the compiled path also pays, once per process, for
    importing numba and loading its cached kernels (and, once per install, for compiling them).
    """
    from neurohlh.stats import fisher_exact

    t0 = time.perf_counter()
    r = fisher_exact(table, time_budget=budget)
    first = time.perf_counter() - t0
    warm = first
    if first < 2.0:
        for _ in range(3):
            t0 = time.perf_counter()
            fisher_exact(table, time_budget=budget)
            warm = min(warm, time.perf_counter() - t0)
    label = r.method + (f", SE {r.standard_error:.1g}" if r.standard_error else "")
    return first, warm, r.pvalue, label


def stress_two_by_k(budget: float = 10.0, seed: int = 5) -> None:
    """Random 2xK tables (K = 3..50, n = 100..1000): how many finish exactly, and how fast.

    The draw is the one behind the stress figures in docs/statistics.md (seed 5, 10 s budget).
    """
    from neurohlh.stats._exact import ExactTimeout, ffh_exact

    rng = np.random.default_rng(seed)
    ffh_exact(np.array(TABLES["2x10 n=200 (brief)"]))  # load the compiled kernels first
    done, failed = [], []
    for k in [3, 5, 8, 10, 12, 15, 20, 30, 50]:
        for rep in range(6):
            n = 1000 if rep % 2 == 0 else int(rng.integers(100, 1000))
            skew = rng.choice([0.0, 0.5, 1.0, 2.0])
            p = rng.dirichlet(np.ones(k) * 3)
            r1 = rng.uniform(0.2, 0.8)
            q1 = 1 / (1 + np.exp(-(np.log(r1 / (1 - r1)) + rng.normal(0, skew, k))))
            size = rng.multinomial(n, p)
            a = rng.binomial(size, q1)
            t = np.array([a, size - a])
            t = t[:, t.sum(0) > 0]
            if (t.sum(1) == 0).any():
                continue
            t0 = time.perf_counter()
            try:
                ffh_exact(t, time_budget=budget)
                done.append((time.perf_counter() - t0, k, int(t.sum())))
            except ExactTimeout as exc:
                failed.append((time.perf_counter() - t0, k, int(t.sum()), str(exc) or "budget"))
    print(f"2xK stress: {len(done)} exact, {len(failed)} over a guard or the {budget:g} s budget")
    for secs, k, n in sorted(done, reverse=True)[:5]:
        print(f"   exact  K={k:<3d} n={n:<5d} {secs:8.3f} s")
    for secs, k, n, why in failed:
        print(f"   gave up K={k:<3d} n={n:<5d} after {secs:6.1f} s ({why})")


_R_SERVER = r"""
con <- file("stdin", open = "r")
invisible(fisher.test(matrix(c(3, 1, 1, 3), 2)))  # warm up
cat("ready\n"); flush(stdout())
while (length(line <- readLines(con, n = 1)) > 0) {
  v <- as.numeric(strsplit(line, " ")[[1]])
  reps <- v[1]; m <- matrix(v[-(1:3)], nrow = v[2], ncol = v[3], byrow = TRUE)
  best <- Inf; p <- NA; used <- NA
  for (ws in c(2e8, 2e9)) {
    for (i in seq_len(reps)) {
      t0 <- proc.time()[["elapsed"]]
      r <- tryCatch(fisher.test(m, workspace = ws)$p.value, error = function(e) NA)
      el <- proc.time()[["elapsed"]] - t0
      if (is.na(r)) break
      if (el < best) { best <- el; p <- r; used <- ws }
      if (el > 2) break
    }
  }
  cat(sprintf("%.6f %.17g %g\n", best, p, used)); flush(stdout())
}
"""


class _RServer:
    """One warm R process that times fisher.test on tables sent over a pipe (restarted on timeout)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen(["Rscript", "-e", _R_SERVER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # "ready"

    def time(self, table: np.ndarray, repeats: int) -> tuple[float | None, float | None]:
        import select

        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        cells = " ".join(str(int(v)) for v in table.ravel())
        self.proc.stdin.write(f"{repeats} {table.shape[0]} {table.shape[1]} {cells}\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        if not ready:
            self.close()
            self._start()
            return None, None
        secs, p, _ = self.proc.stdout.readline().split()
        return (None, None) if p == "NA" else (float(secs), float(p))

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


#: The ``--quick`` subset of the sweep: the near-independent R x C tables where R was fastest,
#: and a few 2xK ones.
QUICK = ("2x5 n=300 ", "2x10 n=300 ", "2x20 n=100 ", "3x3 n=200 ", "3x4 n=120 ", "4x4 n=120 independent",
         "4x4 n=200 independent", "5x3 n=200 independent", "4x5 n=120 independent", "5x5 n=60 ")


def sweep_tables(seed: int = 17) -> list[tuple[str, np.ndarray]]:
    """The sweep grid: each shape and n, one table with random dependence (cell probabilities from a
    flat Dirichlet) and one drawn under independence (row and column probabilities from a
    Dirichlet(3)), with empty rows and columns redrawn."""
    rng = np.random.default_rng(seed)
    grid = [((2, k), n) for k in (3, 5, 10, 20) for n in (100, 300, 1000)]
    grid += [((r, c), n) for (r, c) in ((3, 3), (3, 4), (4, 4), (5, 3), (4, 5), (5, 5))
             for n in (30, 60, 120, 200)]
    out = []
    for (r, c), n in grid:
        for kind in ("random", "independent"):
            while True:
                if kind == "random":
                    probs = rng.dirichlet(np.ones(r * c))
                else:
                    probs = np.outer(rng.dirichlet(3 * np.ones(r)), rng.dirichlet(3 * np.ones(c))).ravel()
                t = rng.multinomial(n, probs).reshape(r, c)
                if (t.sum(0) > 0).all() and (t.sum(1) > 0).all():
                    break
            out.append((f"{r}x{c} n={n} {kind}", t))
    return out


def _ours(table: np.ndarray, repeats: int, budget: float) -> tuple[float, float, str]:
    from neurohlh.stats import fisher_exact

    best, r = math.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fisher_exact(table, time_budget=budget)
        best = min(best, time.perf_counter() - t0)
        if best > 2.0:
            break
    assert r is not None
    return best, r.pvalue, r.method


def _whole_process(repeats: int = 5) -> None:
    """What a user waits for when one small table is tested in a new process."""
    table = TABLES["2x5 n=300"]
    t = np.array(table)
    py = [sys.executable, "-c", f"from neurohlh.stats import fisher_exact; print(fisher_exact({table}).pvalue)"]
    cells = ",".join(str(v) for v in t.ravel())
    rs = ["Rscript", "-e", f"cat(fisher.test(matrix(c({cells}), nrow = {t.shape[0]}, byrow = TRUE))$p.value)"]
    times: dict[str, list[float]] = {"neurohlh": [], "R": []}
    for _ in range(repeats):
        for who, cmd in (("neurohlh", py), ("R", rs)):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times[who].append(time.perf_counter() - t0)
    ours, theirs = sorted(times["neurohlh"]), sorted(times["R"])

    def spread(v: list[float]) -> str:
        return f"{v[0]:.2f} / {v[len(v) // 2]:.2f} / {v[-1]:.2f} s"

    print(f"whole process, one-off 2x5 n=300, min / median / max of {repeats}, interleaved: "
          f"python -c {spread(ours)}; Rscript -e {spread(theirs)}; "
          f"ratio neurohlh/R {ours[0] / theirs[0]:.2f} (min), {ours[len(ours) // 2] / theirs[len(theirs) // 2]:.2f} (median)")


def sweep(repeats: int, budget: float, timeout: float, only: str | None, quick: bool = False) -> None:
    from neurohlh.stats import fisher_exact

    have_r = shutil.which("Rscript") is not None
    print("R: " + ("installed, fisher.test timed in the same run" if have_r else
                   "NOT installed: neurohlh times only, no ratios"))
    from neurohlh.stats._exact import ffh_exact

    # load (or, once per installation, compile) every compiled kernel first: the warm state of an
    # installed neurohlh, as R's first call warms R
    ffh_exact(np.array(TABLES["2x10 n=200 (brief)"]), engine="compiled")
    fisher_exact(np.array(TABLES["2x10 n=200 (brief)"]))
    server = _RServer(timeout) if have_r else None
    began = time.perf_counter()
    print(f"{'table':<26}{'neurohlh s':>11}{'R s':>10}{'R/ours':>8}  {'p (neurohlh)':<22} agree")
    slower = 0
    try:
        for name, t in sweep_tables():
            if (only and only not in name) or (quick and not any(q in name + " " for q in QUICK)):
                continue
            ours_s, ours_p, method = _ours(t, repeats, budget)
            r_s, r_p = server.time(t, repeats) if server else (None, None)
            ratio = f"{r_s / ours_s:8.1f}" if r_s is not None else "       -"
            if r_p is None:
                agree = "R failed or timed out" if server else ""
            else:
                rel = abs(ours_p - r_p) / max(abs(r_p), 1e-300)
                agree = "yes" if rel <= 1e-9 else f"NO (rel {rel:.1e}; R p = {r_p:.10g})"
            if r_s is not None and r_s < ours_s:
                slower += 1
            r_text = f"{r_s:10.3f}" if r_s is not None else "         -"
            tag = "" if method == "exact" else f" [{method}]"
            print(f"{name:<26}{ours_s:11.4f}{r_text}{ratio}  {ours_p:<22.12g} {agree}{tag}", flush=True)
    finally:
        if server:
            server.close()
    if have_r:
        print(f"tables where R was faster: {slower}")
        _whole_process()
    print(f"sweep run time {time.perf_counter() - began:.0f} s")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-timeout", type=float, default=None, help="seconds per peer call (120; sweep 30)")
    ap.add_argument("--budget", type=float, default=None, help="time budget of the exact method (s; 60, sweep 30)")
    ap.add_argument("--only", default=None, help="run only tables whose name contains this")
    ap.add_argument("--no-peers", action="store_true", help="time neurohlh only")
    ap.add_argument("--stress", action="store_true", help="random 2xK stress run instead")
    ap.add_argument("--engine", default="auto", choices=["auto", "numpy", "compiled"])
    ap.add_argument("--sweep", action="store_true", help="2xK and RxC sweep against R, measured in the same run")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many calls per side (sweep)")
    ap.add_argument("--quick", action="store_true", help="sweep: only the slowest shapes (a few minutes)")
    args = ap.parse_args(argv)
    if args.engine != "auto":
        import functools

        from neurohlh.stats import _exact

        _exact.ffh_exact = functools.partial(_exact.ffh_exact, engine=args.engine)
        import neurohlh.stats.contingency as _contingency

        _contingency.ffh_exact = _exact.ffh_exact
    if args.stress:
        stress_two_by_k()
        return
    args.peer_timeout = 120.0 if args.peer_timeout is None else args.peer_timeout
    args.budget = 60.0 if args.budget is None else args.budget
    if args.sweep:
        timeout = 30.0 if args.peer_timeout is None else args.peer_timeout
        budget = 30.0 if args.budget is None else args.budget
        sweep(args.repeats, budget, timeout, args.only, args.quick)
        return
    available = peers()
    for name, ok in available.items():
        print(f"peer {name}: {'available' if ok else 'not installed'}")
    print()
    for name, table in TABLES.items():
        if args.only and args.only not in name:
            continue
        t = np.array(table)
        first, ours_t, ours_p, label = bench_ours(t, args.budget)
        print(f"== {name} (shape {t.shape[0]}x{t.shape[1]}, n={t.sum()})")
        print(f"   neurohlh            {ours_t:9.3f} s  p = {ours_p:.10g}  ({label}; first call {first:.3f} s)")
        results = []
        if args.no_peers:
            print(flush=True)
            continue
        if available["R fisher.test"]:
            cells = ",".join(str(v) for v in t.ravel())
            code = _R_CODE.format(cells=cells, nrow=t.shape[0])
            results += [(f"R ws={a}", b, c) for a, b, c in _run(["Rscript", "-e", code], args.peer_timeout)]
        else:
            results.append(("R fisher.test", None, "not installed"))
        for peer, code in (("fexact", _FEXACT_CODE), ("fisher-rxc", _RXC_CODE)):
            if available[peer]:
                rows = _run([sys.executable, "-c", code, json.dumps(table)], args.peer_timeout)
                results += [(f"{peer} ws={a}", b, c) for a, b, c in rows]
            else:
                results.append((peer, None, "not installed"))
        for who, secs, out in results:
            timing = f"{secs:9.3f} s" if secs is not None else " " * 11
            ratio = f"  x{secs / ours_t:.1f} vs neurohlh" if secs is not None and ours_t > 0 else ""
            print(f"   {who:<20}{timing}  {out}{ratio}")
        print(flush=True)


if __name__ == "__main__":
    main()
