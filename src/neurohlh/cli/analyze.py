"""Commands ``analyze`` (a cohort -> the full report) and ``demo`` (the bundled demo cohort)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from neurohlh.analysis.names import PlanName
from neurohlh.cli.choices import Paper
from neurohlh.cli._startup import import_frozen, run_as_batch
from neurohlh.cli.output import OUTPUT
from neurohlh.errors import InputError

DEMO_NOTICE = ("Synthetic demo cohort reconstructed from the counts published by Malik et al. (AJNR 2021); "
               "no patient records.")


def run_analysis(path: Path, out: Path, plan: PlanName, as_json: bool, notice: str = "",
                 title: str | None = None, paper: Paper = Paper.A4, reproduction: bool = False) -> None:
    """:func:`neurohlh.service.run_analysis` with a progress bar, then what was written (or every problem)."""
    import_frozen("neurohlh.service")
    run_as_batch()  # the process ends with the command: no collections or teardown afterwards
    from neurohlh.service import DEFAULT_TITLE, STEPS
    from neurohlh.service import run_analysis as run

    with Progress(TextColumn("{task.description:<12}"), BarColumn(), TimeElapsedColumn(), console=OUTPUT.err,
                  transient=True, disable=as_json) as bar:
        task = bar.add_task("validate", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=STEPS.index(name))

        try:
            run_ = run(path, out, plan, title=title or DEFAULT_TITLE, notice=notice, progress=step,
                       paper=paper.value, reproduction=reproduction)
        except InputError as exc:  # invalid cells, or values a rule cannot read: report, never a traceback
            bar.stop()
            OUTPUT.fail(exc, path, as_json, "fix them and run again (nothing was analysed)")
        except OSError as exc:  # disk full, permission denied, a file of the same name as a sub-folder ...
            bar.stop()
            OUTPUT.fail(InputError(f"cannot write the report into {out}: {exc}"), path, as_json)
    result, files, seconds = run_.result, run_.files, run_.seconds
    summary = result.summary()
    if as_json:
        OUTPUT.json({"ok": True, "report": str(files.html), "results": str(files.json), "docx": str(files.docx),
                     "xlsx": str(files.xlsx), "summary": summary, "seconds": round(seconds, 2),
                     "warnings": list(result.warnings)})
        return
    pat = summary["pattern"]
    OUTPUT.done("done", f"{summary['patients']} patients, {summary['studies']} MR studies: "
                f"pattern 1 {pat['1']}, pattern 2 {pat['2']}, indeterminate {pat['indeterminate']} "
                f"(policy {result.policy}, {seconds:.1f} s)", err=True)
    for w in result.warnings[:10]:
        OUTPUT.warning(w, err=True)
    if len(result.warnings) > 10:
        OUTPUT.line((f"... {len(result.warnings) - 10} more warnings in the report", "yellow"), err=True)
    OUTPUT.plain(f"Report: {files.html}")
    OUTPUT.plain(f"Tables: {files.docx}, {files.xlsx}, {files.csvs[0].parent}/")
    OUTPUT.plain(f"Results (JSON): {files.json}")


def analyze_cmd(
    cohort: Path = typer.Argument(..., metavar="COHORT",
                                  help="Cohort folder (patients.csv, studies.csv, variants.csv) or .xlsx workbook"),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (created if needed)"),
    policy: PlanName = typer.Option(PlanName.EXACT, "--policy", case_sensitive=False,
                                    help="Analysis plan: exact (default: Fisher / Fisher-Freeman-Halton where an "
                                         "expected count is < 5) or paper (reproduce the published analysis)"),
    paper: Paper = typer.Option(Paper.A4, "--paper", case_sensitive=False,
                                help="Page size of tables.docx and of report.html when printed"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of text"),
) -> None:
    """Run the full analysis and write report.html, tables.docx, tables.xlsx, CSVs, results.json, figures."""
    run_analysis(cohort, out, policy, as_json, paper=paper)


def demo_cmd(
    out: Path = typer.Option(Path("neurohlh-report"), "--out", "-o", help="Output folder"),
    policy: PlanName = typer.Option(PlanName.PAPER, "--policy", case_sensitive=False,
                                    help="Analysis plan: paper (default, reproduces the paper) or exact"),
    paper: Paper = typer.Option(Paper.A4, "--paper", case_sensitive=False,
                                help="Page size of tables.docx and of report.html when printed"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of text"),
) -> None:
    """Analyse the bundled synthetic demo cohort and say where the report is (cells that differ from the paper's
    Tables 1 and 2 show the printed value)."""
    from neurohlh.datasets import demo_cohort_path

    run_analysis(demo_cohort_path(), out, policy, as_json, notice=DEMO_NOTICE,
                 title="CNS HLH MRI pattern analysis: demo cohort", paper=paper, reproduction=True)


def register(app: typer.Typer) -> None:
    app.command("analyze", short_help="Run the full analysis and write the report.")(analyze_cmd)
    app.command("demo", short_help="Analyse the bundled synthetic demo cohort.")(demo_cmd)
