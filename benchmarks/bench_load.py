"""Load + validate synthetic cohorts against the pandas peer: CPU, wall time and peak RSS.

For each size (default 1k, 10k, 100k patients; about 2.2 consensus studies and 0.5 variants each) a synthetic
cohort (``benchmarks/synthetic.py``: random values, never patient data) is written to a temporary folder, and:

* in one process, ``neurohlh.service.load_cohort`` (read, type and validate every cell, as every command does)
  and the peer, ``pandas.read_csv`` of the same three files as strings (no typing, no validation), are each
  called once to warm up, then called in turn (one of each per round, the order alternating) for
  ``--repeats`` rounds: min / median / max of CPU and wall seconds, and the ratio of the medians;
* in a fresh process per side, one call: the whole-process CPU and the peak resident set (VmHWM), which is what
  a user waits for and the memory the machine needs.

Usage: ``python benchmarks/bench_load.py [--sizes 1000 10000 100000] [--repeats 5]``
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from synthetic import write_synthetic_cohort  # noqa: E402

TABLES = ("patients", "studies", "variants")

_SIDES = {
    "neurohlh": "from neurohlh.service import load_cohort\ndef run(folder):\n    return load_cohort(folder)\n",
    "pandas": ("import pandas as pd\ndef run(folder):\n    return [pd.read_csv(f'{folder}/{t}.csv', dtype=str, "
               "keep_default_na=False, skiprows=1) for t in ('patients', 'studies', 'variants')]\n"),
}

_CHILD = r"""
import json, sys, time
c0, w0 = time.process_time(), time.perf_counter()
exec(sys.argv[1])
run(sys.argv[2])
with open("/proc/self/status") as fh:
    hwm = next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:"))
print(json.dumps({"cpu": time.process_time() - c0, "wall": time.perf_counter() - w0, "peak_rss_mb": hwm}))
"""


def _load_side(source: str):  # noqa: ANN202
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - the two fixed snippets above
    return namespace["run"]


def interleaved(folder: Path, repeats: int) -> dict[str, dict[str, list[float]]]:
    sides = {name: _load_side(src) for name, src in _SIDES.items()}
    for run in sides.values():  # the same warm state on both sides: imports done, files in the page cache
        run(folder)
    times = {name: {"cpu": [], "wall": []} for name in sides}
    order = list(sides)
    for i in range(repeats):
        for name in (order if i % 2 == 0 else order[::-1]):
            gc.collect()
            c, w = time.process_time(), time.perf_counter()
            sides[name](folder)
            times[name]["cpu"].append(time.process_time() - c)
            times[name]["wall"].append(time.perf_counter() - w)
    return times


def fresh_process(folder: Path, name: str) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage.ru_utime + usage.ru_stime
    proc = subprocess.run([sys.executable, "-c", _CHILD, _SIDES[name], str(folder)], capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["cpu_process"] = usage.ru_utime + usage.ru_stime - before
    return figures


def _mmm(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load + validate vs pandas.read_csv (strings only), {args.repeats} interleaved rounds after one warm-up "
          "call of each; fresh-process figures include interpreter start and imports\n")
    print("| patients | rows | neurohlh CPU s min/med/max | pandas CPU s min/med/max | CPU ratio | "
          "neurohlh wall s med | pandas wall s med | fresh process: neurohlh CPU s / peak MB | "
          "pandas CPU s / peak MB |")
    print("|---:|---:|---|---|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_synthetic_cohort(Path(tmp) / "cohort", n)
            rows = sum(sum(1 for _ in open(folder / f"{t}.csv", encoding="utf-8")) - 2 for t in TABLES)
            t = interleaved(folder, args.repeats)
            ours, peer = fresh_process(folder, "neurohlh"), fresh_process(folder, "pandas")
        ratio = statistics.median(t["neurohlh"]["cpu"]) / statistics.median(t["pandas"]["cpu"])
        print(f"| {n:,} | {rows:,} | {_mmm(t['neurohlh']['cpu'])} | {_mmm(t['pandas']['cpu'])} | {ratio:.1f}x | "
              f"{statistics.median(t['neurohlh']['wall']):.3f} | {statistics.median(t['pandas']['wall']):.3f} | "
              f"{ours['cpu_process']:.2f} / {ours['peak_rss_mb']:.0f} | "
              f"{peer['cpu_process']:.2f} / {peer['peak_rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
