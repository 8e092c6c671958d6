"""``neurohlh classify COHORT``: imaging pattern of every patient, the rule trace of one, the study summary."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import typer

from neurohlh.cli._startup import import_frozen, run_as_batch
from neurohlh.cli.output import OUTPUT
from neurohlh.errors import InputError
from neurohlh.files import atomic_write_text

CSV_COLUMNS = ("patient_id", "pattern", "onset_subpattern", "last_subpattern", "evolution", "transitions",
               "n_studies", "studies", "clippers_all_radiologic_met", "red_flag", "missing_fields", "notes")


def _csv_row(a: Any) -> dict[str, Any]:
    from neurohlh.io.csvtext import neutralise

    return {k: neutralise(v) if isinstance(v, str) else v for k, v in _row_values(a).items()}


def _row_values(a: Any) -> dict[str, Any]:
    return {
        "patient_id": a.patient_id, "pattern": a.pattern, "onset_subpattern": a.onset_subpattern or "",
        "last_subpattern": a.last_subpattern or "",
        "evolution": " > ".join("?" if e is None else e for e in a.evolution),
        "transitions": "; ".join(a.transitions), "n_studies": len(a.studies),
        "studies": "; ".join(f"{s.study_id}={s.category}" + (f" {s.subpattern}" if s.subpattern else "")
                             for s in a.studies),
        "clippers_all_radiologic_met": "" if a.clippers is None or a.clippers.all_radiologic_met is None
        else ("yes" if a.clippers.all_radiologic_met else "no"),
        "red_flag": a.red_flag.status if a.red_flag else "", "missing_fields": "; ".join(a.missing_fields),
        "notes": "; ".join(a.notes),
    }


def _find(allocations: list[Any], patient_id: str) -> Any:
    for a in allocations:
        if a.patient_id == patient_id:
            return a
    from neurohlh.io.suggest import suggestion  # importing neurohlh.io loads pandas: only when a patient is not found

    ids = [a.patient_id for a in allocations]
    hint = suggestion(patient_id, ids)
    raise InputError(f"patient_id {patient_id!r} is not in the cohort" + (f"; {hint}" if hint else ""))


def _print_explain(a: Any) -> None:
    say = OUTPUT.line
    say(("Patient ", "bold"), (a.patient_id, "bold"), f": pattern {a.pattern}, onset subpattern "
        f"{a.onset_subpattern or '-'}, evolution {' -> '.join(str(e) for e in a.evolution) or '-'}")
    say(("Patient-level rules", "bold"))
    for i, step in enumerate(a.trace, 1):
        say(f"  {i}. {step}")
    for s in a.studies:
        head = f"{s.category}" + (f" {s.subpattern}" if s.subpattern else "")
        when = s.study_date.isoformat() if s.study_date else (
            f"{s.age_at_study_months:g} months" if s.age_at_study_months is not None else "no date or age")
        say(("Study ", "bold"), (s.study_id, "bold"), f" ({when}): {head}")
        for i, step in enumerate(s.trace, 1):
            say(f"  {i}. {step}")
        if s.clippers is not None:
            say(f"  CLIPPERS radiologic check: {s.clippers.summary}")
            for item in s.clippers.items:
                tag = " (supportive)" if item.supportive else ""
                say(f"    - [{item.status}] {item.description}{tag}: {item.explanation}")
    if a.red_flag is not None:
        say(("Red flag", "bold"), f": {a.red_flag.status}: {a.red_flag.reason}")
        if a.red_flag.recommendation:
            say(f"  {a.red_flag.recommendation}")


def _print_table(allocations: list[Any]) -> None:
    rows = []
    for a in allocations:
        row = _csv_row(a)
        rows.append((a.patient_id, a.pattern, row["onset_subpattern"] or "-", row["evolution"] or "-",
                     str(len(a.studies)), row["clippers_all_radiologic_met"] or "-", row["red_flag"] or "-",
                     row["missing_fields"]))
    OUTPUT.table(f"Imaging patterns of {len(allocations)} patient(s) (Malik et al. 2021)",
                 ("patient", "pattern", "onset", "evolution", "studies", "CLIPPERS all met", "red flag", "missing"),
                 rows)
    counts = {p: sum(a.pattern == p for a in allocations) for p in ("1", "2", "indeterminate")}
    onset = {s: sum(a.onset_subpattern == s for a in allocations) for s in ("1.1", "1.2", "1.3")}
    OUTPUT.line(f"pattern 1: {counts['1']}, pattern 2: {counts['2']}, indeterminate: {counts['indeterminate']}; "
                f"onset 1.1: {onset['1.1']}, 1.2: {onset['1.2']}, 1.3: {onset['1.3']}")


def _print_summary(summary: Any) -> None:
    from neurohlh.reports.format import percent_text

    rows = [(c.label, f"{c.numerator}/{c.denominator}",
             "-" if c.denominator == 0 else percent_text(c.numerator, c.denominator).rstrip("%"),
             str(c.unknown), c.paper or "", c.definition) for c in summary.counts]
    OUTPUT.table(f"Study-level findings ({summary.n_studies} consensus studies, {summary.n_patients} patients)",
                 ("finding", "n/N", "%", "unknown", "paper", "definition"), rows)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        OUTPUT.plain(text)
        return
    try:
        atomic_write_text(output, text)
    except OSError as exc:  # missing folder, a folder given as file, no permission
        OUTPUT.error(f"cannot write {output}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    OUTPUT.line((f"wrote {output}", "green"))


def classify_cmd(
    path: Path = typer.Argument(..., metavar="COHORT", help="Cohort folder (patients.csv, studies.csv, variants.csv) or .xlsx workbook"),
    as_json: bool = typer.Option(False, "--json", help="JSON: a list with one object per patient"),
    as_csv: bool = typer.Option(False, "--csv", help="CSV: one row per patient"),
    explain: str = typer.Option(None, "--explain", metavar="PATIENT_ID", help="Print the rule trace of one patient"),
    summary: bool = typer.Option(False, "--summary", help="Study-level findings counted the paper's way"),
    with_trace: bool = typer.Option(False, "--trace", help="Include rule traces in the JSON output"),
    output: Path = typer.Option(None, "--output", "-o", help="Write JSON/CSV to this file instead of stdout"),
) -> None:
    """Allocate imaging pattern 1/2 and onset subpatterns; explain any allocation with its rule trace."""
    import_frozen("neurohlh.service")
    run_as_batch()  # the process ends with the command: no collections or teardown afterwards
    from neurohlh.service import load_cohort
    from neurohlh.patterns import classify_cohort, summarise_studies

    if as_json and as_csv:
        OUTPUT.error("choose one of --json and --csv")
        raise typer.Exit(2)
    try:
        cohort = load_cohort(path)
        allocations = classify_cohort(cohort)
        chosen = [_find(allocations, explain)] if explain is not None else allocations
    except InputError as exc:
        OUTPUT.fail(exc, path, as_json)
    if summary:
        result = summarise_studies(cohort, allocations)
        if as_json:
            _emit(json.dumps(result.to_dict(), indent=2), output)
        elif as_csv:
            from neurohlh.io.csvtext import neutralise_frame

            _emit(neutralise_frame(result.to_frame()).to_csv(index=False, lineterminator="\n").rstrip("\n"), output)
        else:
            _print_summary(result)
        return
    if as_json:
        trace = with_trace or explain is not None
        _emit(json.dumps([a.to_dict(trace=trace) for a in chosen], indent=2), output)
    elif as_csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_csv_row(a) for a in chosen)
        _emit(buf.getvalue().rstrip("\n"), output)
    elif explain is not None:
        _print_explain(chosen[0])
    else:
        _print_table(chosen)


def register(app: typer.Typer) -> None:
    app.command("classify", short_help="Imaging pattern and subpatterns of every patient.")(classify_cmd)
