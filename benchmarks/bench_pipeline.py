"""Benchmark the end-to-end ``analyze`` pipeline and report writing.

For each size (default 1k, 10k, 100k patients) a synthetic cohort (``benchmarks/synthetic.py``: random,
clinically meaningless values) is written to a temporary folder, then a *fresh* Python process runs
load -> analyze -> write_report and reports wall time per stage and peak resident memory (ru_maxrss).
Then Table 1 is built from the same per-patient frame by neurohlh and by ``tableone`` (if installed)
and the time ratio printed. The demo cohort is timed too (goal: under 10 s including figures).

Usage::

    /work/venv/bin/python benchmarks/bench_pipeline.py [--sizes 1000 10000 100000] [--no-demo]

Goals (issue 7): demo < 10 s; 100k patients < 60 s and < 4 GB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, resource, sys, time, tempfile
from pathlib import Path
t0 = time.perf_counter()
from neurohlh.io import load_cohort
from neurohlh.analysis import analyze
from neurohlh.reports import build_report, write_report
from neurohlh.reports.tables import table1
t_import = time.perf_counter()
cohort = load_cohort(sys.argv[1])
t_load = time.perf_counter()
result = analyze(cohort, policy="paper")
t_analyze = time.perf_counter()
report = build_report(result)
t_build = time.perf_counter()
write_report(result, sys.argv[2], report)
t_write = time.perf_counter()
# Table 1 alone: neurohlh vs tableone on the same per-patient frame
reps = 3
s = time.perf_counter()
for _ in range(reps):
    table1(result)
ours = (time.perf_counter() - s) / reps
theirs = None
try:
    from tableone import TableOne
    frame = result.patients.copy()
    cat = ["sex", "fever", "hepatomegaly", "splenomegaly", "abdominal_distension", "cns_symptomatic", "seizures",
           "encephalopathy", "meningismus", "gait_ataxia", "hypotonia", "csf_done", "csf_abnormal",
           "csf_pleocytosis", "csf_proteinosis", "hlh_protocol", "it_methotrexate", "hsct", "died",
           "lost_to_follow_up"]
    cont = ["age_at_onset_months", "age_at_cns_presentation_months"]
    data = frame[cat + cont].copy()
    for c in cat:
        data[c] = data[c].astype(object).where(data[c].notna(), None)
    for c in cont:
        data[c] = data[c].astype(float)
    s = time.perf_counter()
    for _ in range(reps):
        TableOne(data, columns=cat + cont, categorical=cat, nonnormal=cont, missing=True)
    theirs = (time.perf_counter() - s) / reps
except ImportError:
    theirs = "tableone not installed"
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({
    "import_s": t_import - t0, "load_s": t_load - t_import, "analyze_s": t_analyze - t_load,
    "build_report_s": t_build - t_analyze, "write_s": t_write - t_build, "total_s": t_write - t_import,
    "analyze_timings": result.timings, "peak_rss_mb": peak_mb,
    "table1_neurohlh_s": ours, "table1_tableone_s": theirs,
    "patients": len(result.patients), "studies": len(result.studies),
}))
"""


def run_child(cohort: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(cohort), str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_demo() -> float:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-c", "from neurohlh.cli import app; app()", "demo", "--out", tmp],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"demo failed:\n{proc.stderr[-4000:]}")
    return time.perf_counter() - start


def _fmt(x: object) -> str:
    return f"{x:.2f}" if isinstance(x, float) else str(x)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from synthetic import write_synthetic_cohort

    try:
        import tableone  # noqa: F401
    except ImportError:
        print("tableone not installed: the Table 1 ratio is skipped")
    if not args.no_demo:
        print(f"demo (neurohlh demo, whole command incl. start-up and figures): {time_demo():.2f} s (goal < 10 s)")
    print("| patients | studies | load s | analyze s | report s | total s | peak RSS MB | Table 1 neurohlh s | "
          "Table 1 tableone s | tableone/neurohlh |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            cohort = write_synthetic_cohort(Path(tmp) / "cohort", n)
            r = run_child(cohort, Path(tmp) / "report")
        theirs = r["table1_tableone_s"]
        ratio = f"{theirs / r['table1_neurohlh_s']:.1f}x" if isinstance(theirs, float) else "n/a"
        report_s = r["build_report_s"] + r["write_s"]
        print(f"| {r['patients']} | {r['studies']} | {_fmt(r['load_s'])} | {_fmt(r['analyze_s'])} | {_fmt(report_s)} | "
              f"{_fmt(r['total_s'])} | {r['peak_rss_mb']:.0f} | {_fmt(r['table1_neurohlh_s'])} | {_fmt(theirs)} | {ratio} |")
        print(f"  analyze stages: {r['analyze_timings']}", flush=True)


if __name__ == "__main__":
    main()
