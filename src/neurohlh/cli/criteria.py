"""Commands ``neurohlh variant TEXT`` and ``neurohlh criteria COHORT`` (clinical criteria and genetics)."""
from __future__ import annotations

import json
from collections import Counter
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
    """Everything the criteria command reports, as plain data."""
    from neurohlh.criteria import cns_cohort, hlh2004, hscore
    from neurohlh.genetics import consequence_tally, patient_genotype, recurrent_variants
    from neurohlh.genetics.recurrence import check_cohort_variants
    from neurohlh.io import load_cohort

    policy = _policy(policy_name)
    cohort = load_cohort(path)
    patients, studies, variants = cohort.patient_records(), cohort.study_records(), cohort.variant_records()
    check_cohort_variants(cohort, policy)  # every unreadable variant reported at once, with file and row
    cns = cns_cohort(patients, studies, rule=rule)  # type: ignore[arg-type]
    by_patient: dict[str, list[Any]] = {}
    for v in variants:
        by_patient.setdefault(v.patient_id, []).append(v)
    rows = []
    for patient, c in zip(patients, cns.results):
        genotype = patient_genotype(patient, by_patient.get(patient.patient_id, []), policy=policy)
        rows.append({"patient_id": patient.patient_id, "hlh2004": hlh2004(patient).to_dict(),
                     "cns": c.to_dict(), "hscore": hscore(patient).to_dict(), "genotype": genotype.to_dict()})
    return {
        "source": str(path), "rule": rule, "policy": policy.name, "patients": rows,
        "summary": {
            "cns": {k: v for k, v in cns.to_dict().items() if k != "results"},
            "hlh2004": dict(Counter(r["hlh2004"]["status"] for r in rows)),
            "genotype_groups": dict(Counter(r["genotype"]["group"] for r in rows if r["genotype"]["alleles"])),
            "patients_with_variant_data": sum(bool(r["genotype"]["alleles"]) for r in rows),
        },
        "recurrent_variants": [r.to_dict() for r in recurrent_variants(variants, policy)],
        "consequences_per_gene": consequence_tally(variants, policy).to_dict(),
    }


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
