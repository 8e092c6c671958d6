"""``neurohlh agreement COHORT``: how far the two readers agreed, field by field and decision by decision."""
from __future__ import annotations

from pathlib import Path

import typer

from neurohlh.cli.output import OUTPUT, text
from neurohlh.errors import InputError


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
        OUTPUT.fail(exc, path, as_json)
    if result is None:
        OUTPUT.fail(InputError("no MR study has both a reader_1 and a reader_2 read, so there is no reader agreement "
                               "to compute; add the independent reads as rows with reader 'reader_1' and 'reader_2'"),
                    path, as_json)
    if as_json:
        OUTPUT.json({"ok": True, "source": str(path), **result.to_dict()})
        return
    tables = [agreement_table(result)] + ([discordance_table(result)] if discordant else [])
    for t in tables:
        rows = [[text((row.label, "bold"))] if row.section else [row.label, *(c.text for c in row.cells)]
                for row in t.rows]
        OUTPUT.table(t.title, (t.label_header, *t.columns), rows)
        for note in t.footnotes:
            OUTPUT.line((note, "dim"))
    changed = "; ".join(f"{c.decision.replace('_', ' ')} {c.discordant}/{c.n}" for c in result.decision_changes)
    OUTPUT.line(f"Adjudication: {result.adjudicated_values} discordant values in {result.adjudicated_studies} "
                f"studies decided by the adjudicator, {result.consensus_row_values} by a consensus row; decisions "
                f"on which the readers differed (and the consensus settled): {changed}")
    OUTPUT.line(f"Methods: {result.methods}")
    if not discordant:
        OUTPUT.line(f"{result.studies_discordant} of {result.n_studies} studies have discordant fields; "
                    "--discordant lists them.")


def register(app: typer.Typer) -> None:
    app.command("agreement")(agreement_cmd)
