"""Assemble a :class:`~neurohlh.reports.model.Report` from an :class:`~neurohlh.analysis.AnalysisResult`
and write every output file: report.html, tables.docx, tables.xlsx, one CSV per table, results.json and
the figures (SVG + PNG)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any


from neurohlh.agreement.cohort import ReaderAgreement
from neurohlh.analysis import SUBPATTERNS, AnalysisResult
from neurohlh.criteria.cns import CSF_PLEOCYTOSIS_TEXT, CSF_PROTEINOSIS_TEXT
from neurohlh.errors import InputError
from neurohlh.io.completeness import FieldCompleteness, completeness_warnings
from neurohlh.patterns.rules import methods_text as study_rules_text
from neurohlh.reports import figures as fig
from neurohlh.reports.format import p_cell
from neurohlh.reports.html import write_html
from neurohlh.reports.model import Figure, Report, Table
from neurohlh.reports.output import check_output_folder, staged_folder
from neurohlh.reports.paper_values import mark_paper_values
from neurohlh.reports.render import write_csvs, write_xlsx
from neurohlh.reports.results_tables import (
    FULL_DETAIL_MAX_PATIENTS,
    RESULTS_FOLDER,
    json_default,
    write_details,
    write_result_tables,
)
from neurohlh.reports.word import write_docx
from neurohlh.reports.tables import table1, table2
from neurohlh.reports.tables_completeness import completeness_table, result_completeness
from neurohlh.reports.tables_site import site_tables
from neurohlh.reports.tables_agreement import agreement_tables
from neurohlh.reports.tables_imaging import lesion_rows, lesion_table, recurrent_table
from neurohlh.reports.tables_more import (
    clippers_table, evolution_flows, evolution_table, genotype_table, pattern2_table,
)

SOFTWARE = ("neurohlh", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "jinja2",
            "python-docx", "openpyxl")


def build_tables(result: AnalysisResult, completeness: tuple[FieldCompleteness, ...] | None = None,
                 agreement: ReaderAgreement | None = None) -> tuple[Table, ...]:
    """All report tables in manuscript order, numbered in one sequence: every format prints the same
    "Table N: title". The reader-agreement tables (with ``agreement``) follow the analysis tables; the
    completeness table comes last."""
    tables = (table1(result), table2(result), table2(result, extended=True), lesion_table(result),
              pattern2_table(result), clippers_table(result), evolution_table(result), genotype_table(result),
              recurrent_table(result), *site_tables(result), *agreement_tables(agreement))
    table = completeness_table(result_completeness(result) if completeness is None else completeness)
    if table.rows:
        tables += (table,)
    return number_tables(tables)


def number_tables(tables: tuple[Table, ...]) -> tuple[Table, ...]:
    """Captions "Table 1: ...", "Table 2: ..." in order (the only place tables are numbered)."""
    return tuple(dataclasses.replace(t, title=f"Table {i}: {t.title}") for i, t in enumerate(tables, 1))


def _left_out(s: Any) -> str:
    """Caption sentence on the patients a survival curve leaves out, and why."""
    no_time = getattr(s, "n_deficit_without_time", 0)
    other = s.n_excluded - no_time
    parts = []
    if no_time:
        parts.append(f"{no_time} patient(s) with a neurologic deficit but no time of deficit are left out of the curve "
                     "(they are counted in the deficit-free row of Table 2)")
    if other:
        parts.append(f"{other} patient(s) without follow-up time or outcome not shown")
    return ("; " + "; ".join(parts) + ".") if parts else "."


def build_figures(result: AnalysisResult) -> tuple[Figure, ...]:
    """Age at onset, evolution (alluvial), survival and deficit-free survival (KM), lesion distribution."""
    f = result.patients
    age = f["age_at_onset_months"].astype(float)
    groups = {s: age[f["onset_subpattern"] == s].to_numpy() for s in SUBPATTERNS}
    groups["Pattern 1"] = age[f["pattern"] == "1"].to_numpy()
    groups["Pattern 2"] = age[f["pattern"] == "2"].to_numpy()
    age_p = result.comparison("age_at_onset_months", "patterns")
    out = [fig.age_by_group_figure(groups, caption=(
        "Boxes: median and interquartile range; points: patients. Subpatterns are onset subpatterns. "
        f"Pattern 1 vs 2: {_test_name(age_p.result)} P = {p_cell(age_p.pvalue).text}."))]
    flows = evolution_flows(result)
    if flows:
        out.append(fig.alluvial_figure(flows, caption=(
            "Pattern-1 patients from the subpattern of their first lesional MR study (left) to that of their "
            "last lesional study (right); band width = number of patients.")))
    for s in result.survival:
        if not s.curves:
            continue
        p_text = f"log-rank P = {p_cell(s.result.pvalue).text}" if s.result is not None else "log-rank: no test"
        out.append(fig.survival_figure(
            s.endpoint, f"{s.label} by pattern", s.curves, p_text,
            "Survival probability" if s.endpoint == "overall_survival" else "Deficit-free survival probability",
            censored=s.censored, at_risk=s.times,
            caption=f"Kaplan-Meier estimates by pattern; ticks mark censored patients; the table under the axis gives "
                    f"the number at risk. Event: {s.event_definition}. {p_text}" + _left_out(s)))
    rows = lesion_rows(result)
    if rows:
        out.append(fig.lesion_distribution_figure(rows, caption=(
            "Percentage of all MR studies (consensus reads) with each finding; labels give n/N.")))
    return tuple(out)


def _test_name(result: Any) -> str:
    return "" if result is None else f"{result.test},"


def _versions() -> tuple[tuple[str, str], ...]:
    out = [("python", platform.python_version())]
    for name in SOFTWARE:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "not installed"))
    return tuple(out)


def methods_text(result: AnalysisResult, tables: tuple[Table, ...]) -> str:
    """A methods paragraph describing what actually ran (tests actually used, policy, rules, counts)."""
    s = result.summary()
    used: dict[str, list[str]] = {}
    for t in tables:
        for r in t.rows:
            for ref in r.tests:
                if ref.pvalue is not None and r.label not in used.setdefault(ref.test, []):
                    used[ref.test].append(r.label)
    tests = "; ".join(f"{name} ({', '.join(rows)})" for name, rows in used.items()) or "none"
    policy_text = result.plan.describe()
    lr = [x for x in result.survival if x.result is not None]
    return "\n\n".join([
        f"The cohort ({s['patients']} patients, {s['studies']} consensus MR study reads) was validated cell by cell "
        f"before analysis. Each MR study was allocated by the rules of neurohlh.patterns: {study_rules_text()}. "
        "A patient has pattern 1 when any study is lesional and pattern 2 when all "
        "studies are non-lesional and none is indeterminate; the onset subpattern is that of the first lesional "
        f"study. Patterns: {s['pattern']['1']} pattern 1, {s['pattern']['2']} pattern 2, "
        f"{s['pattern']['indeterminate']} indeterminate; onset subpatterns "
        + ", ".join(f"{k}: {v}" for k, v in s["onset_subpattern"].items()) + ".",
        "HLH-2004 criteria (Henter 2007) and CNS involvement (comprehensive rule: abnormal CSF, neurologic symptoms "
        "or imaging findings) were assessed per patient (neurohlh.criteria); CSF pleocytosis is "
        f"{CSF_PLEOCYTOSIS_TEXT} and proteinosis {CSF_PROTEINOSIS_TEXT}. Genotypes were classified by neurohlh.genetics (disruptive = nonsense, "
        "frameshift or deletion; pooled group = at least 1 disruptive allele or missense with absent protein "
        "expression).",
        f"Statistics used {policy_text}. Tests actually run: {tests}. "
        + (f"Survival by pattern was estimated by Kaplan-Meier and compared with the {lr[0].result.test} test (time: follow-up months from HLH diagnosis; "
           + "; ".join(f"{x.label.lower()}: event = {x.event_definition}" for x in lr) + "). " if lr else "")
        + "All tests were 2-sided. Denominators are the patients with a known value; unknown values were never "
        "counted as absent. Medians are given with interquartile ranges (SPSS weighted-average quartiles).",
        *([] if result.sites is None else [
            f"The patients came from {len(result.sites.sites)} sites ({', '.join(result.sites.sites)}). As a "
            "sensitivity analysis, the pattern 1 vs 2 comparisons were repeated stratified by site: the exact "
            "conditional test of independence in 2 x 2 x K tables with the conditional maximum-likelihood common "
            "odds ratio, the Cochran-Mantel-Haenszel chi-square and the Breslow-Day test of equal odds ratios"
            + (", and the log-rank test stratified by site for survival." if result.sites.survival else ".")]),
    ])


def build_report(result: AnalysisResult, title: str = "CNS HLH MRI pattern analysis", notice: str = "",
                 agreement: ReaderAgreement | None = None, paper: str = "a4",
                 reproduction: bool = False, completeness: tuple[FieldCompleteness, ...] | None = None) -> Report:
    """The report; with ``agreement`` (a cohort with double reads) it adds the reader-agreement tables and text.
    ``paper`` ("a4" or "letter") sets the page of tables.docx and of report.html when printed; ``reproduction``
    (the demo cohort) shows, under each cell of Tables 1 and 2 that differs from the value Malik et al. printed,
    the printed value (:mod:`neurohlh.reports.paper_values`). ``completeness``
    (:attr:`neurohlh.io.Cohort.completeness`) feeds the completeness table and its warnings; without it only the
    patient fields of ``result`` are counted."""
    if completeness is None:
        completeness = result_completeness(result)
    tables = build_tables(result, completeness, agreement)
    if reproduction:
        tables = mark_paper_values(tables)
    s = result.summary()
    summary = (
        ("Cohort", result.source), ("Patients", str(s["patients"])), ("MR studies (consensus reads)", str(s["studies"])),
        ("Pattern 1 / 2 / indeterminate", f"{s['pattern']['1']} / {s['pattern']['2']} / {s['pattern']['indeterminate']}"),
        ("Onset subpatterns 1.1 / 1.2 / 1.3", " / ".join(str(v) for v in s["onset_subpattern"].values())),
        ("Statistical policy", result.policy),
    )
    return Report(
        title=title, tables=tables, figures=build_figures(result),
        methods=methods_text(result, tables) + ("" if agreement is None else "\n\n" + agreement.methods),
        policy=result.policy, summary=summary, versions=_versions(),
        warnings=(*result.warnings, *completeness_warnings(completeness)),
        checksums=tuple(sorted(result.checksums.items())), notice=notice,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), paper=paper,
    )


@dataclass(frozen=True)
class ReportFiles:
    """Paths of everything written."""

    folder: Path
    html: Path
    docx: Path
    xlsx: Path
    json: Path
    csvs: tuple[Path, ...]
    figures: tuple[Path, ...]
    #: The per-patient and per-study result tables beside results.json (``results/``).
    result_tables: tuple[Path, ...] = ()




def write_results_json(result: AnalysisResult, report: Report, path: Path, detail: str = "auto") -> Path:
    """Machine-readable results: ``results.json`` (what a reviewer reads: summary, every test, every table cell)
    and, beside it in ``results/``, one CSV per per-patient or per-study result
    (:mod:`neurohlh.reports.results_tables`), listed in results.json under ``per_patient``.

    ``detail="full"`` adds ``results/details.jsonl``: each allocation with its rule traces and every HLH-2004
    item with the values used; ``"compact"`` leaves it out (the traces are reproducible with
    ``neurohlh classify --explain``); ``"auto"`` is full up to :data:`FULL_DETAIL_MAX_PATIENTS` patients, compact
    above.
    """
    if detail not in ("auto", "full", "compact"):
        raise InputError(f"`detail` must be one of {{'auto', 'full', 'compact'}}; got {detail!r}")
    n = len(result.patients)
    full = detail == "full" or (detail == "auto" and n <= FULL_DETAIL_MAX_PATIENTS)
    per_patient = write_result_tables(result, path.parent)
    if full:
        per_patient["details"] = write_details(result, path.parent)
    head = {
        "software": dict(report.versions), "policy": result.policy, "plan": result.plan.to_dict(),
        "source": result.source,
        "checksums": result.checksums, "summary": result.summary(), "warnings": list(result.warnings),
        "timings_seconds": result.timings, "notes": list(result.notes),
        "detail": "full" if full else "compact",
        "detail_note": "per-patient tables in results/, rule traces and HLH-2004 item values in "
        "results/details.jsonl" if full else
        f"{n} patients > {FULL_DETAIL_MAX_PATIENTS}: per-patient tables in results/, without rule traces "
        "(neurohlh classify --explain PATIENT_ID shows one)",
        "per_patient": per_patient,
        "recurrent_variants": [_as_dict(v) for v in result.recurrent_variants],
        "study_summary": _as_dict(result.study_summary),
        "comparisons": [c.to_dict() for c in result.comparisons],
        "survival": [s.to_dict() for s in result.survival],
        "sites": None if result.sites is None else result.sites.to_dict(),
        "tables": [t.to_dict() for t in report.tables],
    }
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head, default=json_default, allow_nan=False, indent=1) + "\n")
    return path


def _as_dict(obj: Any) -> Any:
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def prepare_output_folder(folder: str | Path) -> Path:
    """Check that ``folder`` can receive a report (see :func:`neurohlh.reports.output.check_output_folder`) and
    create its parents, or raise :class:`InputError` saying why it cannot be used."""
    return check_output_folder(folder)


def write_report(result: AnalysisResult, folder: str | Path, report: Report | None = None,
                 detail: str = "auto") -> ReportFiles:
    """Write every output file into ``folder`` and return their paths.

    The files are written beside ``folder`` first and replace it all at once when every one is complete
    (:func:`neurohlh.reports.output.staged_folder`): a failed, killed or concurrent run never leaves a mix of two
    reports, and nothing of an earlier report remains. ``detail`` is passed to :func:`write_results_json`.
    """
    report = report or build_report(result)
    target = Path(folder)
    with staged_folder(target) as staging:
        files = _write_files(result, report, staging, detail)
    return ReportFiles(*(_moved(v, staging, target) for v in (
        files.folder, files.html, files.docx, files.xlsx, files.json, files.csvs, files.figures, files.result_tables)))


def _moved(value: Any, staging: Path, target: Path) -> Any:
    if isinstance(value, tuple):
        return tuple(_moved(v, staging, target) for v in value)
    return target / value.relative_to(staging)


def _write_files(result: AnalysisResult, report: Report, folder: Path, detail: str) -> ReportFiles:
    fig_dir = folder / "figures"
    fig_dir.mkdir(exist_ok=True)
    figure_paths = []
    for f in report.figures:
        (fig_dir / f"{f.key}.svg").write_text(f.svg, encoding="utf-8")
        (fig_dir / f"{f.key}.png").write_bytes(f.png)
        figure_paths += [fig_dir / f"{f.key}.svg", fig_dir / f"{f.key}.png"]
    csv_dir = folder / "tables"
    csv_dir.mkdir(exist_ok=True)
    return ReportFiles(
        folder=folder, html=write_html(report, folder / "report.html"), docx=write_docx(report, folder / "tables.docx"),
        xlsx=write_xlsx(report, folder / "tables.xlsx"), json=write_results_json(result, report, folder / "results.json", detail),
        csvs=tuple(write_csvs(report, csv_dir)), figures=tuple(figure_paths),
        result_tables=tuple(sorted((folder / RESULTS_FOLDER).iterdir())),
    )
