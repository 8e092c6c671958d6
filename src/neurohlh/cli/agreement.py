"""``neurohlh agreement COHORT``: how far the two readers agreed, field by field and decision by decision."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from neurohlh.errors import InputError

console = Console()
err_console = Console(stderr=True)


def _fail(as_json: bool, exc: InputError) -> None:
    if as_json:
        print(json.dumps({"ok": False, "error": str(exc).splitlines()[0],
                          "problems": [p.to_dict() for p in exc.problems]}, indent=2))
    else:
        err_console.print(f"[red]error[/red] {escape(str(exc))}")
    raise typer.Exit(1)


def agreement_cmd(
    path: Path = typer.Argument(..., help="Cohort folder (patients.csv, studies.csv, variants.csv) or .xlsx workbook"),
    as_json: bool = typer.Option(False, "--json", help="JSON: every field and decision with all coefficients"),
    discordant: bool = typer.Option(False, "--discordant", help="Also list every discordant study and field"),
    n_boot: int = typer.Option(2000, "--bootstrap", min=0, help="Bootstrap resamples of studies (0: none)"),
    seed: int = typer.Option(20210, "--seed", help="Seed of the bootstrap"),
) -> None:
    """Reader agreement on the independent reads (reader_1, reader_2): kappa, AC1, alpha with CIs."""
    from neurohlh.agreement.cohort import reader_agreement
    from neurohlh.io import load_cohort
    from neurohlh.reports.tables_agreement import agreement_table, discordance_table

    try:
        result = reader_agreement(load_cohort(path), n_boot=n_boot, seed=seed)
    except InputError as exc:
        _fail(as_json, exc)
        return
    if result is None:
        message = ("no MR study has both a reader_1 and a reader_2 read, so there is no reader agreement to "
                   "compute; add the independent reads as rows with reader 'reader_1' and 'reader_2'")
        if as_json:
            print(json.dumps({"ok": False, "error": message, "problems": []}, indent=2))
        else:
            err_console.print(f"[red]error[/red] {message}")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps({"ok": True, "source": str(path), **result.to_dict()}, indent=2, default=str))
        return
    tables = [agreement_table(result)] + ([discordance_table(result)] if discordant else [])
    for t in tables:
        out = Table(title=t.title)
        for col in (t.label_header, *t.columns):
            out.add_column(col)
        for row in t.rows:
            if row.section:
                out.add_row(f"[bold]{escape(row.label)}[/bold]")
            else:
                out.add_row(escape(row.label), *(escape(c.text) for c in row.cells))
        console.print(out)
        for note in t.footnotes:
            console.print(escape(note), style="dim")
    changed = "; ".join(f"{c.decision.replace('_', ' ')} {c.discordant}/{c.n}" for c in result.decision_changes)
    console.print(f"Adjudication: {result.adjudicated_values} discordant values in {result.adjudicated_studies} "
                  f"studies decided by the adjudicator, {result.consensus_row_values} by a consensus row; decisions "
                  f"on which the readers differed (and the consensus settled): {changed}")
    console.print(f"Methods: {escape(result.methods)}")
    if not discordant:
        console.print(f"{result.studies_discordant} of {result.n_studies} studies have discordant fields; "
                      "--discordant lists them.")


def register(app: typer.Typer) -> None:
    app.command("agreement")(agreement_cmd)
