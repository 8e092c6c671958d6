"""Benchmark: classify the 100k-patient synthetic cohort (about 220k-250k consensus studies).

Usage: ``/work/venv/bin/python benchmarks/bench_classify.py [N_PATIENTS]``

By default the synthetic frames are parsed with the same typed parser ``load_cohort`` uses (via a CSV folder
in a temporary directory) and only ``classify_cohort`` is timed; the loading time is printed separately.
Target (issue 3): under 10 s for 250k studies.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_synthetic_cohort  # noqa: E402

from neurohlh.io import load_cohort  # noqa: E402
from neurohlh.patterns import classify_cohort, summarise_studies  # noqa: E402


def main(n_patients: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_synthetic_cohort(Path(tmp) / "cohort", n_patients, seed=0)
        t1 = time.perf_counter()
        cohort = load_cohort(Path(tmp) / "cohort")
        t2 = time.perf_counter()
    n_studies = len(cohort.consensus_studies)
    t3 = time.perf_counter()
    allocations = classify_cohort(cohort)
    t4 = time.perf_counter()
    summary = summarise_studies(cohort, allocations)
    t5 = time.perf_counter()
    patterns = {p: sum(a.pattern == p for a in allocations) for p in ("1", "2", "indeterminate")}
    print(f"synthetic cohort: {n_patients} patients, {n_studies} consensus studies")
    print(f"write {t1 - t0:.1f} s, load_cohort {t2 - t1:.1f} s (not part of the target)")
    print(f"classify_cohort: {t4 - t3:.2f} s for {n_studies} studies "
          f"({1e6 * (t4 - t3) / max(n_studies, 1):.1f} us/study); target < 10 s")
    print(f"summarise_studies: {t5 - t4:.2f} s")
    print(f"patterns: {patterns}; lesional studies {summary['lesional']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
