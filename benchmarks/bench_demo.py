"""The main job as a user runs it: ``neurohlh demo --out DIR`` as a whole process, against a bare import.

Usage: python benchmarks/bench_demo.py [--runs N] [--profile] [--compare SRC]

The peer is a process that does nothing but ``import pandas, scipy.stats, matplotlib`` (the libraries the demo
cannot do without); ``python -c pass`` is printed for information (the interpreter's own start-up). Each side runs
once, discarded, to warm the file cache; then N rounds alternate the processes, so both sides see the same machine
load. CPU is user + system time of the child (``os.wait4``), wall is the time to its exit. Printed: min / median /
max per side and the ratio of medians (goal: demo CPU within 1.5x of the bare import).

``--compare SRC`` adds a third side, the demo run from another source tree (the ``src`` folder of an older
checkout), interleaved with the others: a before/after comparison under the same machine load.

``--profile`` adds where the time goes: the slowest imports of the demo process (``python -X importtime``,
cumulative, top 15 and the total), and a cProfile of the demo in-process split into import / validate / classify /
criteria / genetics / statistics / report, with figure rendering (``savefig``) shown inside the report step.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DEMO = "from neurohlh.cli import main; main()"
SIDES = {
    "demo": [sys.executable, "-c", DEMO, "demo", "--out", "{out}"],
    "bare import": [sys.executable, "-c", "import pandas, scipy.stats, matplotlib"],
    "python -c pass": [sys.executable, "-c", "pass"],
}


def _env(src: Path = SRC) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_once(argv: list[str], out: Path, src: Path = SRC) -> tuple[float, float]:
    """(CPU s = user + sys of the child, wall s) of one process; fails loudly if it fails."""
    args = [a.replace("{out}", str(out)) for a in argv]
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=_env(src), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args[:3])} ... failed ({proc.returncode}):\n{err.decode(errors='replace')}")
    return usage.ru_utime + usage.ru_stime, wall


def _spread(values: list[float]) -> str:
    return f"{min(values):6.2f} {statistics.median(values):6.2f} {max(values):6.2f}"


def whole_process(runs: int, compare: Path | None = None) -> dict[str, tuple[list[float], list[float]]]:
    sides = {name: (argv, SRC) for name, argv in SIDES.items()}
    if compare is not None:
        sides = {"demo": sides["demo"], "demo (compare)": (SIDES["demo"], compare.resolve()),
                 **{k: v for k, v in sides.items() if k != "demo"}}
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs + 1):  # round 0 warms the file cache and is discarded
            for k, (name, (argv, src)) in enumerate(sides.items()):
                cpu, wall = run_once(argv, Path(tmp) / f"report-{i}-{k}", src)
                if i:
                    times[name][0].append(cpu)
                    times[name][1].append(wall)
    print(f"Whole process, {runs} interleaved runs per side after one discarded warm-up "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    print(f"{'':16} {'CPU s: min    med    max':>24}   {'wall s: min    med    max':>25}")
    for name, (cpu, wall) in times.items():
        print(f"{name:16} {_spread(cpu):>24}   {_spread(wall):>25}")
    demo_cpu, bare_cpu = (statistics.median(times[k][0]) for k in ("demo", "bare import"))
    demo_wall, bare_wall = (statistics.median(times[k][1]) for k in ("demo", "bare import"))
    per_round = [d / b for d, b in zip(times["demo"][0], times["bare import"][0])]
    print(f"ratio demo / bare import: CPU {demo_cpu / bare_cpu:.2f}x (per round {min(per_round):.2f}-"
          f"{max(per_round):.2f}x), wall {demo_wall / bare_wall:.2f}x   (goal: CPU <= 1.5x)")
    if compare is not None:
        other = statistics.median(times["demo (compare)"][0])
        print(f"ratio demo (compare) / bare import: CPU {other / bare_cpu:.2f}x; demo / demo (compare): CPU "
              f"{demo_cpu / other:.2f}x   (compare = {compare})")
    return times


def import_breakdown(top: int = 15) -> None:
    """``-X importtime`` of the demo process: the slowest top-level imports (cumulative, us)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", DEMO, "demo", "--out", f"{tmp}/r"],
                              env=_env(), capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    roots = [r for r in rows if r[1] == 1]  # modules imported by the demo itself, not by another import
    total = sum(r[0] for r in roots)
    print(f"\nImports of the demo process (python -X importtime): {total / 1e6:.2f} s in total; slowest top-level:")
    for cum, _, name in sorted(roots, reverse=True)[:top]:
        print(f"  {cum / 1e6:6.3f} s  {name}")
    heavy = sorted({r[2].split(".")[0] for r in rows} & {"numba", "statsmodels", "lifelines", "docx", "openpyxl",
                                                        "jinja2", "django", "formulaic", "autograd", "llvmlite"})
    print(f"  heavy packages imported: {', '.join(heavy) or 'none'}")


def stage_profile() -> None:
    """CPU per stage of the demo, in a fresh process (so the import stage is cold), then a cProfile of a second,
    warm run in the same process for the share of the report step spent in each writer."""
    proc = subprocess.run([sys.executable, __file__, "--stages-child"], env=_env(), capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    print(proc.stdout, end="")


def _stages_child() -> None:
    start = time.process_time()
    from neurohlh.datasets import demo_cohort_path
    from neurohlh.service import run_analysis
    marks: list[tuple[str, float]] = [("import", time.process_time())]
    with tempfile.TemporaryDirectory() as tmp:
        done = run_analysis(demo_cohort_path(), Path(tmp) / "r", "paper", reproduction=True,
                            progress=lambda name: marks.append((name, time.process_time())))
        end = time.process_time()
        from neurohlh.reports.build import build_figures

        figures = []
        for _ in range(3):
            t0 = time.process_time()
            build_figures(done.result)
            figures.append(time.process_time() - t0)
        profiler = cProfile.Profile()
        profiler.enable()
        run_analysis(demo_cohort_path(), Path(tmp) / "r2", "paper", reproduction=True)
        profiler.disable()
    print("\nCPU by stage (fresh process, no profiler; 'validate' includes loading the demo cohort):")
    print(f"  {'import':12} {marks[0][1] - start:6.2f} s")
    for (name, t0), (_, t1) in zip(marks[1:], [*marks[2:], ("end", end)]):
        print(f"  {name:12} {t1 - t0:6.2f} s")
    print(f"  {'total':12} {end - start:6.2f} s")
    print(f"Figures (5, each drawn as SVG and PNG), warm, best of 3: {min(figures):.2f} s")
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(v[3] for v in raw.values())
    cumulative = {f"{Path(k[0]).parent.name}/{Path(k[0]).name}:{k[2]}": v[3] for k, v in raw.items()}
    print("Share of a warm run (cProfile, cumulative; the profiler inflates deep call chains such as drawing):")
    for key in ("reports/build.py:build_report", "reports/build.py:build_figures", "matplotlib/figure.py:savefig",
                "reports/build.py:write_report", "reports/html.py:write_html", "reports/word.py:write_docx",
                "reports/render.py:write_xlsx", "reports/build.py:write_results_json"):
        if key in cumulative:
            print(f"  {key:40} {100 * cumulative[key] / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="add the import and per-stage breakdown")
    parser.add_argument("--compare", type=Path, metavar="SRC", help="also run the demo from this source tree")
    parser.add_argument("--stages-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages_child:
        _stages_child()
        return
    whole_process(args.runs, args.compare)
    if args.profile:
        import_breakdown()
        stage_profile()


if __name__ == "__main__":
    main()
