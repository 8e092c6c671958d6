"""Benchmark what ``neurohlh analyze`` costs as a whole process: CPU, wall time and peak RSS, stage by stage.

For each size (default 1k, 10k, 100k and 300k patients) a synthetic cohort (``benchmarks/synthetic.py``: random,
clinically meaningless values, about 2.2 consensus studies per patient) is written to a temporary folder, then a
*fresh* Python process runs ``neurohlh.service.run_analysis`` (exactly what ``neurohlh analyze`` runs) on it.
Each stage is timed in that process by wrapping the functions ``run_analysis`` calls, and the stages inside
them (loading: read, parse, checks; ``analyze``: every step; the report: tables, figures, each file), so
nothing is untimed: every parent stage also shows its own remainder ("other"), and the whole-process CPU (from
the operating system, interpreter start and imports included) is printed beside the sum of the stages. The
process runs and ends as the ``neurohlh`` command does (a batch job: no collections after the analysis, no
object-by-object teardown, in versions of neurohlh that have it), so the whole-process figure is what a user
of the command waits for.

Figures per stage: CPU seconds (user + system of the process), wall seconds, and the peak resident set size
(VmHWM of ``/proc/self/status``: the real memory high-water mark, not tracemalloc) when the stage ended.
The size of ``results.json`` and of the whole output folder are printed too.

Peer: Table 1 built by neurohlh and by ``tableone`` (if installed) from the same per-patient frame, interleaved
(one call of each per round, after one warm-up call of each), min / median / max over ``--repeats`` rounds;
run in its own process for the sizes in ``--peer-sizes`` (so it never counts in the pipeline figures).

Usage::

    python benchmarks/bench_pipeline.py [--sizes 1000 10000 100000 300000] [--peer-sizes 1000 10000]
                                        [--json OUT.json] [--compare BEFORE.json]

``--json`` saves the figures; ``--compare`` prints them as a before/after table against a saved run.
The 300k run takes a few minutes and up to ~4 GB on older versions; leave it out with ``--sizes``.

Goals: 100k patients < 15 s CPU and < 1 GB peak RSS; 300k < 45 s CPU and < 2.5 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

GOALS = {100_000: (15.0, 1024.0), 300_000: (45.0, 2560.0)}

# The child process: wraps the functions run_analysis reaches (module attribute lookups at call time), runs it
# once and prints one JSON line. A stage that does not exist in this version of neurohlh is skipped silently.
_CHILD = r"""
import json, os, sys, time
_t0_cpu, _t0_wall = time.process_time(), time.perf_counter()

def _status():
    hwm = rss = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return hwm, rss

STAGES = []          # (path, cpu, wall, hwm_mb, rss_mb) in completion order
_stack = []

def _wrap(module, attr, label):
    fn = getattr(module, attr, None)
    if fn is None or getattr(fn, "_bench_wrapped", False):
        return
    def wrapped(*args, **kwargs):
        _stack.append(label)
        path = "/".join(_stack)
        c, w = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            hwm, rss = _status()
            STAGES.append((path, time.process_time() - c, time.perf_counter() - w, hwm, rss))
            _stack.pop()
    wrapped._bench_wrapped = True
    setattr(module, attr, wrapped)

import neurohlh.service as service
import neurohlh.io as nio
import neurohlh.analysis.pipeline as pipe
import neurohlh.reports.build as build
_hwm, _rss = _status()
STAGES.append(("import", time.process_time() - _t0_cpu, time.perf_counter() - _t0_wall, _hwm, _rss))

# loading (service.load_cohort -> io.load_cohort -> io._validate)
_wrap(service, "load_cohort", "load")
for attr in ("read_all", "parse_table", "look_alike_ids", "cross_checks", "consensus_from_reads",
             "append_consensus", "plausibility_checks", "cohort_completeness"):
    _wrap(nio, attr, attr)
_wrapped_checks = []
for check in getattr(service, "DOMAIN_CHECKS", ()):
    holder = type("H", (), {})(); holder.f = check
    _wrap(holder, "f", getattr(check, "__name__", "domain check"))
    _wrapped_checks.append(holder.f)
service.DOMAIN_CHECKS = tuple(_wrapped_checks)
_wrap(service, "prepare_output_folder", "prepare output folder")
# analyze: the pipeline's own stage timer, plus the steps it does not time itself (older versions)
_wrap(service, "analyze", "analyze")
_orig_timed = getattr(pipe, "_timed", None)
if _orig_timed is not None:
    def _timed(timings, name, fn):
        holder = type("H", (), {})(); holder.f = fn
        _wrap(holder, "f", name)
        return _orig_timed(timings, name, holder.f)
    pipe._timed = _timed
for attr in ("imaging_records", "_patient_frame", "_allocation_columns", "_deficit_free_of_the_dead", "_caveats",
             "_validation_caveats", "patient_frame", "criteria_columns"):
    _wrap(pipe, attr, attr.lstrip("_"))
_orig_patient_records = nio.Cohort.patient_records
def _patient_records(self):
    holder = type("H", (), {})(); holder.f = lambda: _orig_patient_records(self)
    _wrap(holder, "f", "patient records")
    return holder.f()
nio.Cohort.patient_records = _patient_records
# report
_wrap(service, "reader_agreement", "reader agreement")
_orig_completeness = nio.Cohort.completeness
def _completeness(self):
    holder = type("H", (), {})(); holder.f = lambda: _orig_completeness.fget(self)
    _wrap(holder, "f", "cohort completeness")
    return holder.f()
nio.Cohort.completeness = property(_completeness)
_wrap(service, "build_report", "build report")
for attr in ("build_tables", "mark_paper_values", "agreement_tables", "build_figures", "methods_text", "_versions"):
    _wrap(build, attr, attr.lstrip("_"))
_wrap(service, "write_report", "write report")
for attr in ("write_html", "write_docx", "write_xlsx", "write_results_json", "write_csvs", "write_result_tables"):
    _wrap(build, attr, attr)

_wrap(service, "run_analysis", "run_analysis")
# run as `neurohlh analyze` runs: a batch job of the executable, in versions that have one
try:
    from neurohlh.cli import _startup
except ImportError:
    _startup = None
if _startup is not None and hasattr(_startup, "run_as_batch"):
    _startup.own_process()
    _startup.run_as_batch()
run = service.run_analysis(sys.argv[1], sys.argv[2], sys.argv[3])
_hwm, _rss = _status()
from pathlib import Path
folder = Path(sys.argv[2])
results = folder / "results.json"
print(json.dumps({
    "stages": STAGES,
    "cpu_in_process": time.process_time() - _t0_cpu,
    "wall_in_process": time.perf_counter() - _t0_wall,
    "peak_rss_mb": _hwm,
    "results_json_bytes": results.stat().st_size,
    "output_bytes": sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()),
    "patients": len(run.result.patients), "studies": len(run.result.studies),
}), flush=True)
# end as `neurohlh analyze` ends
if _startup is not None and hasattr(_startup, "is_batch") and _startup.is_batch():
    _startup.leave(0)
"""

_PEER = r"""
import json, statistics, sys, time
from neurohlh.service import load_cohort
from neurohlh.analysis import analyze
from neurohlh.reports.tables import table1
result = analyze(load_cohort(sys.argv[1]), sys.argv[2])
repeats = int(sys.argv[3])
from tableone import TableOne
cat = ["sex", "fever", "hepatomegaly", "splenomegaly", "abdominal_distension", "cns_symptomatic", "seizures",
       "encephalopathy", "meningismus", "gait_ataxia", "hypotonia", "csf_done", "csf_abnormal",
       "csf_pleocytosis", "csf_proteinosis", "hlh_protocol", "it_methotrexate", "hsct", "died", "lost_to_follow_up"]
cont = ["age_at_onset_months", "age_at_cns_presentation_months"]
def theirs():
    data = result.patients[cat + cont].copy()
    for c in cat:
        data[c] = data[c].astype(object).where(data[c].notna(), None)
    for c in cont:
        data[c] = data[c].astype(float)
    TableOne(data, columns=cat + cont, categorical=cat, nonnormal=cont, missing=True)
def ours():
    table1(result)
times = {"neurohlh": [], "tableone": []}
ours(); theirs()                      # the same warm state on both sides
for _ in range(repeats):             # interleaved
    for name, fn in (("neurohlh", ours), ("tableone", theirs)):
        s = time.process_time(); fn(); times[name].append(time.process_time() - s)
print(json.dumps(times))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pipeline(cohort: Path, out: Path, plan: str) -> dict:
    before = _children_cpu()
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(cohort), str(out), plan],
                          capture_output=True, text=True, env=_env())
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-4000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["cpu_process"] = _children_cpu() - before  # the whole process, as the operating system counted it
    return figures


def run_peer(cohort: Path, plan: str, repeats: int) -> dict[str, list[float]] | str:
    try:
        import tableone  # noqa: F401
    except ImportError:
        return "tableone not installed"
    proc = subprocess.run([sys.executable, "-c", _PEER, str(cohort), plan, str(repeats)],
                          capture_output=True, text=True, env=_env())
    if proc.returncode != 0:
        return f"peer failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _stage_rows(figures: dict) -> list[tuple[str, float, float, float]]:
    """(path, cpu, wall, hwm) per stage in tree order, with an "other" row under every parent for its remainder."""
    stages = [tuple(s) for s in figures["stages"]]
    children: dict[str, list[tuple]] = {}
    for s in stages:
        parent = s[0].rpartition("/")[0]
        children.setdefault(parent, []).append(s)
    rows: list[tuple[str, float, float, float]] = []

    def walk(parent: str) -> None:
        merged: dict[str, list[float]] = {}
        for path, cpu, wall, hwm, _rss in children.get(parent, []):
            m = merged.setdefault(path, [0.0, 0.0, 0.0])
            m[0] += cpu
            m[1] += wall
            m[2] = max(m[2], hwm)
        for path, (cpu, wall, hwm) in merged.items():
            rows.append((path, cpu, wall, hwm))
            if path in children:
                walk(path)
                kids = [r for r in rows if r[0].rpartition("/")[0] == path]
                rows.append((path + "/other", cpu - sum(k[1] for k in kids), wall - sum(k[2] for k in kids), hwm))

    walk("")
    top = [r for r in rows if "/" not in r[0]]
    rows.append(("interpreter start + exit (whole process - stages)", figures["cpu_process"] - sum(r[1] for r in top),
                 float("nan"), figures["peak_rss_mb"]))
    return rows


def _print_size(n: int, figures: dict) -> None:
    print(f"\n## {n:,} patients ({figures['studies']:,} consensus studies)\n")
    print("| stage | CPU s | wall s | peak RSS MB at end |")
    print("|---|---:|---:|---:|")
    for path, cpu, wall, hwm in _stage_rows(figures):
        depth = path.count("/")
        name = ("&nbsp;&nbsp;" * depth) + path.rpartition("/")[2]
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {hwm:.0f} |")
    goal = GOALS.get(n)
    verdict = ""
    if goal:
        ok = figures["cpu_process"] < goal[0] and figures["peak_rss_mb"] < goal[1]
        verdict = f" (goal < {goal[0]:.0f} s and < {goal[1]:.0f} MB: {'met' if ok else 'NOT met'})"
    print(f"\nwhole process: {figures['cpu_process']:.2f} s CPU, peak RSS {figures['peak_rss_mb']:.0f} MB{verdict}; "
          f"results.json {figures['results_json_bytes'] / 2**20:.2f} MB, output folder "
          f"{figures['output_bytes'] / 2**20:.2f} MB", flush=True)


def _summary(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def _print_peer(n: int, peer: dict[str, list[float]] | str) -> None:
    if isinstance(peer, str):
        print(f"Table 1 peer at {n:,}: {peer}")
        return
    ratio = statistics.median(peer["tableone"]) / statistics.median(peer["neurohlh"])
    print(f"Table 1 at {n:,} patients, CPU s min / median / max over {len(peer['neurohlh'])} interleaved rounds: "
          f"neurohlh {_summary(peer['neurohlh'])}, tableone {_summary(peer['tableone'])}; "
          f"tableone / neurohlh (medians) {ratio:.1f}x", flush=True)


def _top_stages(figures: dict) -> dict[str, float]:
    out = {"whole process": figures["cpu_process"]}
    for path, cpu, _wall, _hwm in _stage_rows(figures):
        if path.count("/") <= 2 and not path.startswith("interpreter"):
            out[path] = cpu
    return out


def print_compare(before: dict, after: dict) -> None:
    print("\n## Before / after (CPU s per stage; whole process, peak RSS and results.json)\n")
    sizes = [s for s in after if s in before]
    print("| stage | " + " | ".join(f"{int(s):,} before | {int(s):,} after" for s in sizes) + " |")
    print("|---|" + "---:|---:|" * len(sizes))
    names: list[str] = []
    for s in sizes:
        for fig in (before[s], after[s]):
            for name in _top_stages(fig):
                if name not in names:
                    names.append(name)
    for name in names:
        cells = []
        for s in sizes:
            for fig in (before[s], after[s]):
                v = _top_stages(fig).get(name)
                cells.append("" if v is None else f"{v:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for label, key, scale, fmt in (("peak RSS MB", "peak_rss_mb", 1, "{:.0f}"),
                                   ("results.json MB", "results_json_bytes", 2**20, "{:.2f}"),
                                   ("output folder MB", "output_bytes", 2**20, "{:.2f}")):
        cells = [fmt.format(fig[key] / scale) for s in sizes for fig in (before[s], after[s])]
        print(f"| {label} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 300_000])
    parser.add_argument("--peer-sizes", type=int, nargs="*", default=[1_000, 10_000],
                        help="sizes at which Table 1 is compared with tableone (none: no peer)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds of the Table 1 comparison")
    parser.add_argument("--plan", default="paper", help="analysis plan (paper or exact)")
    parser.add_argument("--json", type=Path, help="save the figures to this file")
    parser.add_argument("--compare", type=Path, help="print a before/after table against figures saved by --json")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "src"))
    from synthetic import write_synthetic_cohort

    print(f"neurohlh pipeline benchmark ({os.cpu_count()} CPUs seen; plan {args.plan}; "
          "every figure from a fresh process per size)")
    saved: dict[str, dict] = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            cohort = write_synthetic_cohort(Path(tmp) / "cohort", n)
            figures = run_pipeline(cohort, Path(tmp) / "report", args.plan)
            _print_size(n, figures)
            if n in args.peer_sizes:
                figures["table1_peer"] = run_peer(cohort, args.plan, args.repeats)
                _print_peer(n, figures["table1_peer"])
        saved[str(n)] = figures
        if args.json:
            args.json.write_text(json.dumps(saved, indent=1), encoding="utf-8")
    if args.compare:
        print_compare(json.loads(args.compare.read_text(encoding="utf-8")), saved)


if __name__ == "__main__":
    main()
