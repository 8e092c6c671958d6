"""Load + validate synthetic cohorts of 1k, 10k and 100k patients (~2.2 studies each): time and peak memory.

Usage: python benchmarks/bench_load.py [N ...]      Goal (issue 2): 100k patients in under 10 s.
The peer is pandas.read_csv alone (parsing the same files with no validation), printed as a ratio.
"""
from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_synthetic_cohort  # noqa: E402

from neurohlh.io import load_cohort  # noqa: E402


def measure(n: int, folder: Path) -> None:
    write_synthetic_cohort(folder, n)
    start = time.perf_counter()
    for table in ("patients", "studies", "variants"):
        pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, comment="#")
    bare = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    cohort = load_cohort(folder)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # second run without tracemalloc (it slows Python allocation) for the time figure
    start = time.perf_counter()
    load_cohort(folder)
    untraced = time.perf_counter() - start
    rows = len(cohort.patients) + len(cohort.studies) + len(cohort.variants)
    print(f"{n:>7} patients {len(cohort.studies):>7} studies: load+validate {untraced:6.2f} s "
          f"(traced {elapsed:5.2f} s), peak {peak / 2**20:7.1f} MiB, {rows / untraced:,.0f} rows/s, "
          f"ratio to bare pandas.read_csv {untraced / bare:4.1f}x")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            measure(n, Path(tmp) / f"c{n}")


if __name__ == "__main__":
    main()
