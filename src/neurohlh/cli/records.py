"""Commands about cohort files: validate, schema, template."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from neurohlh.cli._startup import import_frozen, run_as_batch
from neurohlh.cli.output import OUTPUT
from neurohlh.errors import InputError

if TYPE_CHECKING:
    from neurohlh.io import ValidationReport


def validate_cmd(
    path: Path = typer.Argument(..., metavar="COHORT", help="Cohort folder (patients.csv, studies.csv, variants.csv) or .xlsx workbook"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
    completeness: bool = typer.Option(False, "--completeness",
                                      help="List known and blank values of every field in use"),
) -> None:
    """Validate a cohort and list every problem (file, row, column, value). Exit 1 on any problem."""
    import_frozen("neurohlh.service")
    run_as_batch()  # the process ends with the command: no collections or teardown afterwards
    from neurohlh.service import validate

    try:
        report = validate(path)
    except InputError as exc:
        OUTPUT.fail(exc, path, as_json)
    if as_json:
        OUTPUT.json(report.to_dict())
    else:
        counts = ", ".join(f"{n} {t}" for t, n in report.counts.items())
        for note in report.notes:
            OUTPUT.note(note)
        if completeness:
            _print_completeness(report)
        if not report.ok:
            OUTPUT.problems(f"{len(report.problems)} problem(s) in {path}", report.problems)
        for w in report.warnings:
            OUTPUT.warning(str(w))
        for warning in report.completeness_warnings:
            OUTPUT.warning(warning)
        if report.ok:
            warned = f" ({len(report.warnings)} warning(s) above)" if report.warnings else ""
            OUTPUT.done("OK", f"{path}: {counts}; no problems found{warned}")
        if report.completeness and not completeness:
            n_blank = sum(1 for c in report.completeness if c.n_blank)
            OUTPUT.line(f"{len(report.completeness)} fields in use, {n_blank} with blank (unknown) values; "
                        "--completeness lists them")
    raise typer.Exit(0 if report.ok else 1)


def _print_completeness(report: ValidationReport) -> None:
    rows = [(c.table, c.field, f"{c.n_known}/{c.n_rows} ({round(100 * c.share_known)}%)", str(c.n_blank),
             "" if c.n_yes is None else f"{c.n_yes} / {c.n_no}")
            for c in report.completeness]
    OUTPUT.table("Completeness of the fields in use (a blank is unknown; studies: consensus reads)",
                 ("file", "field", "known", "blank", "yes / no"), rows)


def schema_cmd(
    markdown: bool = typer.Option(False, "--markdown", help="Print the data dictionary as Markdown instead"),
) -> None:
    """Print the cohort JSON Schema (or, with --markdown, the data dictionary)."""
    from neurohlh.dictionary import data_dictionary_markdown, json_schema_text

    print(data_dictionary_markdown() if markdown else json_schema_text(), end="")


def template_cmd(
    out: Path = typer.Argument(..., metavar="OUT",
                               help="OUT.xlsx for a workbook, or a folder for CSV files (created if needed)"),
    force: bool = typer.Option(False, "--force", help="Replace an existing workbook or cohort files with an empty "
                               "template (their data are lost)"),
) -> None:
    """Write empty, ready-to-fill templates (an .xlsx workbook with instructions, or a CSV folder).

    An existing workbook or cohort folder is never overwritten unless --force is given."""
    from neurohlh.dictionary import write_template_csv, write_template_xlsx

    if out.suffix and out.suffix.lower() != ".xlsx":
        OUTPUT.error(f"{out}: give a name ending in .xlsx, or a folder name for CSV templates")
        raise typer.Exit(1)
    try:
        if out.suffix:
            write_template_xlsx(out, force=force)
        else:
            write_template_csv(out, force=force)
    except (InputError, OSError) as exc:
        OUTPUT.error(f"{exc}; nothing was written")
        raise typer.Exit(1) from None
    if out.suffix:
        OUTPUT.line(f"wrote workbook template {out} (sheets: instructions, patients, studies, variants)")
    else:
        OUTPUT.line(f"wrote CSV templates in {out}/ (patients.csv, studies.csv, variants.csv, README.txt)")


def register(app: typer.Typer) -> None:
    app.command("validate", short_help="List every problem of a cohort (file, row, column, value).")(validate_cmd)
    app.command("schema", short_help="Print the cohort JSON Schema or the data dictionary.")(schema_cmd)
    app.command("template", short_help="Write an empty workbook or CSV folder to fill in.")(template_cmd)
