"""Commands about cohort files: validate, schema, template."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from neurohlh.errors import InputError

console = Console()
err_console = Console(stderr=True)  # human-readable errors go to stderr


def validate_cmd(
    path: Path = typer.Argument(..., help="Cohort folder (patients.csv, studies.csv, variants.csv) or .xlsx workbook"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Validate a cohort and list every problem (file, row, column, value). Exit 1 on any problem."""
    from neurohlh.io import validate

    try:
        report = validate(path)
    except InputError as exc:
        if as_json:
            print(json.dumps({"source": str(path), "ok": False, "problems": [{"message": str(exc)}]}, indent=2))
        else:
            err_console.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        counts = ", ".join(f"{n} {t}" for t, n in report.counts.items())
        for note in report.notes:
            console.print(f"[yellow]note[/yellow] {note}")
        if report.ok:
            console.print(f"[green]OK[/green] {path}: {counts}; no problems found")
        else:
            table = Table(title=f"{len(report.problems)} problem(s) in {path}")
            for col in ("file", "row", "column", "value", "problem"):
                table.add_column(col)
            for p in report.problems:
                message = p.message + (f"; {p.suggestion}" if p.suggestion else "")
                table.add_row(p.file, "" if p.row is None else str(p.row), p.column or "",
                              "" if p.value is None else repr(p.value), message)
            console.print(table)
    raise typer.Exit(0 if report.ok else 1)


def schema_cmd(
    markdown: bool = typer.Option(False, "--markdown", help="Print the data dictionary as Markdown instead"),
) -> None:
    """Print the cohort JSON Schema (or, with --markdown, the data dictionary)."""
    from neurohlh.dictionary import data_dictionary_markdown, json_schema_text

    print(data_dictionary_markdown() if markdown else json_schema_text(), end="")


def template_cmd(
    out: Path = typer.Argument(..., help="OUT.xlsx for a workbook, or a folder for CSV files (created if needed)"),
    force: bool = typer.Option(False, "--force", help="Replace an existing workbook or cohort files with an empty "
                               "template (their data are lost)"),
) -> None:
    """Write empty, ready-to-fill templates (an .xlsx workbook with instructions, or a CSV folder).

    An existing workbook or cohort folder is never overwritten unless --force is given."""
    from neurohlh.dictionary import write_template_csv, write_template_xlsx

    if out.suffix and out.suffix.lower() != ".xlsx":
        err_console.print(f"[red]error[/red] {escape(str(out))}: give a name ending in .xlsx, or a folder name for "
                          "CSV templates")
        raise typer.Exit(1)
    try:
        if out.suffix:
            write_template_xlsx(out, force=force)
        else:
            write_template_csv(out, force=force)
    except (InputError, OSError) as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}; nothing was written")
        raise typer.Exit(1) from None
    if out.suffix:
        console.print(f"wrote workbook template {escape(str(out))} (sheets: instructions, patients, studies, variants)")
    else:
        console.print(f"wrote CSV templates in {escape(str(out))}/ (patients.csv, studies.csv, variants.csv, "
                      "README.txt)")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("schema")(schema_cmd)
    app.command("template")(template_cmd)
