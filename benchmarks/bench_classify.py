"""Benchmark: classify the 100k-patient synthetic cohort with 250k consensus studies (issue 3: < 10 s).

Usage: ``/work/venv/bin/python benchmarks/bench_classify.py [N_PATIENTS] [STUDIES_PER_PATIENT]``

The synthetic tables (``benchmarks/synthetic.py``; random values, never patient data) are written as a
cohort folder in a temporary directory and loaded with ``neurohlh.io.load_cohort``. Only
``classify_cohort`` counts towards the target. Loading and the study summary are timed and printed
separately. Wall-clock and CPU time are both printed, because the machine may be shared.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import COMMENT, make_frames  # noqa: E402

from neurohlh.io import load_cohort  # noqa: E402
from neurohlh.patterns import classify_cohort, summarise_studies  # noqa: E402

TARGET_SECONDS = 10.0


def _write(folder: Path, n_patients: int, per_patient: float) -> None:
    folder.mkdir(parents=True)
    for table, frame in make_frames(n_patients, seed=0, studies_per_patient=per_patient).items():
        with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            fh.write(COMMENT)
            frame.to_csv(fh, index=False, lineterminator="\n")


def main(n_patients: int = 100_000, per_patient: float = 2.5) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        _write(Path(tmp) / "cohort", n_patients, per_patient)
        t1 = time.perf_counter()
        cohort = load_cohort(Path(tmp) / "cohort")
        t2 = time.perf_counter()
    n_studies = len(cohort.consensus_studies)
    wall, cpu = time.perf_counter(), time.process_time()
    allocations = classify_cohort(cohort)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    t4 = time.perf_counter()
    summary = summarise_studies(cohort, allocations)
    t5 = time.perf_counter()
    patterns = {p: sum(a.pattern == p for a in allocations) for p in ("1", "2", "indeterminate")}
    print(f"synthetic cohort: {n_patients} patients, {n_studies} consensus studies")
    print(f"write {t1 - t0:.1f} s, load_cohort {t2 - t1:.1f} s (not part of the target)")
    print(f"classify_cohort: {wall:.2f} s wall, {cpu:.2f} s CPU for {n_studies} studies "
          f"({1e6 * wall / max(n_studies, 1):.1f} us/study); target < {TARGET_SECONDS:g} s: "
          f"{'met' if wall < TARGET_SECONDS else 'NOT met'}")
    print(f"summarise_studies: {t5 - t4:.2f} s")
    print(f"patterns: {patterns}; {summary['lesional']}")
    return wall


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, float(sys.argv[2]) if len(sys.argv) > 2 else 2.5)
