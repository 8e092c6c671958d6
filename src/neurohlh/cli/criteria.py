"""Commands ``neurohlh variant TEXT`` and ``neurohlh criteria COHORT`` (clinical criteria and genetics)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from neurohlh.errors import InputError

console = Console()
err_console = Console(stderr=True)  # human-readable errors go to stderr

POLICIES = ("paper", "lof")


def _policy(name: str) -> Any:
    from neurohlh.genetics import LOF_POLICY, PAPER_POLICY

    table = {"paper": PAPER_POLICY, "lof": LOF_POLICY}
    if name not in table:
        raise InputError(f"`--policy` must be one of {list(POLICIES)}; got {name!r}.")
    return table[name]


def _fail(exc: InputError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "error": str(exc), "problems": [p.to_dict() for p in exc.problems]},
                         indent=2))
    else:
        err_console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
    raise typer.Exit(1)


def variant_cmd(
    text: str = typer.Argument(..., help="Variant as written, e.g. 'PRF1 c.50del(p.Leu17Argfs*34)'"),
    gene: str = typer.Option(None, "--gene", help="Gene symbol if not part of TEXT"),
    policy: str = typer.Option("paper", "--policy", help="Disruptive policy: paper (default) or lof"),
    as_json: bool = typer.Option(False, "--json", help="Print the classification as JSON"),
) -> None:
    """Read one variant description: gene, c./p. (normalised), SO consequence, disruptive, recurrence key."""
    from neurohlh.genetics import classify_variant

    try:
        v = classify_variant(text, gene=gene, policy=_policy(policy))
    except InputError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        print(json.dumps(v.to_dict(), indent=2))
        return
    table = Table(title=escape(f"Variant {text!r}"), show_header=False)
    disruptive = {True: "yes", False: "no", None: "undecided"}[v.disruptive]
    for label, value in (("gene", v.gene), ("transcript", v.transcript), ("c.", v.c_dot), ("p.", v.p_dot),
                         ("consequence", f"{v.consequence} ({v.so_id})" if v.consequence else None),
                         ("disruptive", f"{disruptive} (policy: {v.policy})"), ("recurrence key", v.key)):
        table.add_row(label, "-" if value is None else escape(str(value)))
    console.print(table)
    for c in v.conflicts:
        console.print(f"[red]conflict[/red] {escape(c)}", highlight=False)
    for n in v.notes:
        console.print(f"[yellow]note[/yellow] {escape(n)}", highlight=False)


def _assess(path: Path, rule: str, policy_name: str) -> dict[str, Any]:
    """Everything the criteria command reports, as plain data (:func:`neurohlh.service.assess_criteria`)."""
    from neurohlh.service import assess_criteria, criteria_plan

    return assess_criteria(path, criteria_plan(rule, policy_name))


def _tri(value: bool | None) -> str:
    return {True: "yes", False: "[red]no[/red]", None: "?"}[value]


def _hscore_text(h: dict[str, Any]) -> str:
    if h["score"] is not None:
        return str(h["score"])
    return f"{h['score_min']}-{h['score_max']}"


def _print_report(report: dict[str, Any]) -> None:
    table = Table(title=escape(f"Criteria and genotype: {report['source']}"))
    for col in ("patient", "HLH-2004", "met/8 (unknown)", f"CNS ({report['rule']})", "HScore", "genotype group",
                "zygosity", "genes"):
        table.add_column(col)
    for r in report["patients"]:
        h, g = r["hlh2004"], r["genotype"]
        status = h["status"] + (" (molecular)" if h["molecular"]["status"] == "met" else "")
        table.add_row(r["patient_id"], status, f"{h['n_met']} ({h['n_not_evaluable']})",
                      _tri(r["cns"]["involved"]), _hscore_text(r["hscore"]), g["group"], g["zygosity"] or "-",
                      ", ".join(g["genes"]) or "-")
    console.print(table)
    summary = report["summary"]
    console.print(escape(summary["cns"]["sentence"]), highlight=False)
    console.print("HLH-2004: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["hlh2004"].items())),
                  highlight=False)
    console.print(f"Genotype groups (policy {report['policy']}) over the {summary['patients_with_variant_data']} "
                  "patients with variant data: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(summary["genotype_groups"].items())), highlight=False)
    for rv in report["recurrent_variants"]:
        console.print(f"Recurrent: {rv['key']} in {rv['n_patients']} patients ({', '.join(rv['patient_ids'])})",
                      highlight=False)
    for gene, counts in report["consequences_per_gene"]["counts"].items():
        total = sum(counts.values())
        console.print(f"{gene} variant rows: " + ", ".join(f"{k} {v}/{total}" for k, v in counts.items()),
                      highlight=False)
    console.print("HScore: range shown when items are missing; cut-off 169 (Fardet 2014); no probability "
                  "reported.", highlight=False)


def criteria_cmd(
    cohort: Path = typer.Argument(..., help="Cohort folder or .xlsx workbook"),
    rule: str = typer.Option("comprehensive", "--rule", help="CNS-involvement rule: comprehensive or csf"),
    policy: str = typer.Option("paper", "--policy", help="Disruptive policy: paper (default) or lof"),
    as_json: bool = typer.Option(False, "--json", help="Print the full results as JSON"),
) -> None:
    """Per patient: HLH-2004 status, CNS involvement (with the rule), HScore and genotype group."""
    from neurohlh.criteria.cns import RULES

    try:
        if rule not in RULES:
            raise InputError(f"`--rule` must be one of {list(RULES)}; got {rule!r}.")
        report = _assess(cohort, rule, policy)
    except InputError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        print(json.dumps(report, indent=2, default=str))
    else:
        _print_report(report)


def register(app: typer.Typer) -> None:
    app.command("variant")(variant_cmd)
    app.command("criteria")(criteria_cmd)
