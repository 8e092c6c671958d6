"""Reader agreement at scale: 10,000 double-read studies x 60 fields, 2,000 bootstrap resamples.

    PYTHONPATH=src python benchmarks/bench_agreement.py [N_STUDIES] [N_BOOT]

Times ``neurohlh.agreement.fields.field_agreements`` (kappa / weighted kappa, AC1 and Krippendorff's alpha with
asymptotic and case-level bootstrap intervals for every field; goal < 10 s) against the way a user would do it
with the peers: statsmodels ``cohens_kappa`` plus the ``krippendorff`` package, recomputed on each bootstrap
resample in a Python loop. The peer loop is timed on a subset of fields and resamples (the full run would take
hours) and scaled per field-resample; the two sides run interleaved, each warmed up once.
"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from neurohlh.agreement.fields import FieldReads, field_agreements

LEVELS = ("none", "single", "few", "multiple")


def synthetic_fields(n: int, seed: int = 1) -> list[FieldReads]:
    """60 fields: 30 yes/no, 15 nominal (4 categories), 10 ordinal (4 levels), 5 numeric; ~3% missing reads."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:05d}" for i in range(n)]
    fields = []
    for k in range(60):
        if k < 30:
            scale, cats = "binary", ("yes", "no")
        elif k < 45:
            scale, cats = "nominal", ("a", "b", "c", "d")
        elif k < 55:
            scale, cats = "ordinal", LEVELS
        else:
            scale, cats = "interval", None
        if cats is None:
            truth = rng.integers(0, 20, n).astype(float)
            a = truth.copy()
            b = truth + rng.choice([-1.0, 0.0, 1.0], n, p=[0.05, 0.9, 0.05])
            r1, r2 = list(a), list(b)
        else:
            p = rng.dirichlet(np.ones(len(cats)))
            truth = rng.choice(len(cats), n, p=p)
            flip = rng.random(n) < 0.1
            other = rng.integers(0, len(cats), n)
            r1 = [cats[t] for t in truth]
            r2 = [cats[o] if f else cats[t] for t, f, o in zip(truth, flip, other)]
        for r in (r1, r2):
            for i in np.nonzero(rng.random(n) < 0.015)[0]:
                r[i] = None
        fields.append(FieldReads(f"field_{k:02d}", scale, r1, r2, ids, cats))
    return fields


def ours(fields: list[FieldReads], n_boot: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds (CPU: all threads of this process; shows the cost on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    field_agreements(fields, n_boot=n_boot, seed=7)
    return time.perf_counter() - start, time.process_time() - cpu


def peer(fields: list[FieldReads], n_boot: int) -> float:
    """Seconds per field-resample of the statsmodels + krippendorff bootstrap loop (kappa, alpha per resample)."""
    import krippendorff
    from statsmodels.stats.inter_rater import cohens_kappa, to_table

    rng = np.random.default_rng(7)
    start = time.perf_counter()
    for f in fields:
        cats = {c: i for i, c in enumerate(f.categories)}
        both = [(cats[a], cats[b]) for a, b in zip(f.reader_1, f.reader_2) if a is not None and b is not None]
        pairs = np.array(both)
        for _ in range(n_boot):
            sample = pairs[rng.integers(0, len(pairs), len(pairs))]
            table = to_table(sample, bins=len(cats))[0]
            cohens_kappa(table, wt="linear" if f.scale == "ordinal" else None)
            krippendorff.alpha(sample.T.astype(float), level_of_measurement="nominal")
    return (time.perf_counter() - start) / (len(fields) * n_boot)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_boot = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    fields = synthetic_fields(n)
    subset = [f for f in fields if f.scale != "interval"][::11]  # 5 categorical fields
    peer_boot = 20
    ours(fields[:2], 10), peer(subset[:1], 2)  # warm-up both sides
    ours_times, ours_cpu, peer_rates = [], [], []
    for _ in range(3):  # interleaved
        wall, cpu = ours(fields, n_boot)
        ours_times.append(wall)
        ours_cpu.append(cpu)
        peer_rates.append(peer(subset, peer_boot))
    t_ours = statistics.median(ours_times)
    t_peer = statistics.median(peer_rates) * len(fields) * n_boot
    print(f"{n} studies x {len(fields)} fields, {n_boot} bootstrap resamples")
    print(f"neurohlh field_agreements (kappa, AC1, alpha; asymptotic + bootstrap CIs): {t_ours:.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in ours_times)}; CPU {statistics.median(ours_cpu):.2f} s; goal < 10 s: "
          f"{'met' if t_ours < 10 else 'NOT met'})")
    print(f"statsmodels + krippendorff bootstrap loop (kappa, alpha only), scaled from {len(subset)} fields x "
          f"{peer_boot} resamples: {t_peer:.0f} s")
    print(f"ratio peer / neurohlh: {t_peer / t_ours:.0f}x")


if __name__ == "__main__":
    main()
