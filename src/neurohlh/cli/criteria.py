"""Commands ``neurohlh variant TEXT`` and ``neurohlh criteria COHORT`` (clinical criteria and genetics)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from neurohlh.cli.choices import CnsRule, DisruptivePolicy
from neurohlh.cli._startup import import_frozen, run_as_batch
from neurohlh.cli.output import OUTPUT
from neurohlh.errors import InputError

def _policy(choice: DisruptivePolicy) -> Any:
    from neurohlh.genetics import LOF_POLICY, PAPER_POLICY

    return {DisruptivePolicy.PAPER: PAPER_POLICY, DisruptivePolicy.LOF: LOF_POLICY}[choice]


def variant_cmd(
    text: str = typer.Argument(..., metavar="TEXT", help="Variant as written, e.g. 'PRF1 c.50del(p.Leu17Argfs*34)'"),
    gene: str = typer.Option(None, "--gene", help="Gene symbol if not part of TEXT"),
    policy: DisruptivePolicy = typer.Option(DisruptivePolicy.PAPER, "--policy", case_sensitive=False,
                                            help="Disruptive policy: paper (nonsense, frameshift, deletion) or lof "
                                                 "(also splice-site and start-lost)"),
    as_json: bool = typer.Option(False, "--json", help="Print the classification as JSON"),
) -> None:
    """Read one variant description: gene, c./p. (normalised), SO consequence, disruptive, recurrence key."""
    from neurohlh.genetics import classify_variant

    try:
        v = classify_variant(text, gene=gene, policy=_policy(policy))
    except InputError as exc:
        OUTPUT.fail(exc, None, as_json)
    if as_json:
        OUTPUT.json(v.to_dict())
        return
    disruptive = {True: "yes", False: "no", None: "undecided"}[v.disruptive]
    rows = [(label, "-" if value is None else str(value)) for label, value in (
        ("gene", v.gene), ("transcript", v.transcript), ("c.", v.c_dot), ("p.", v.p_dot),
        ("consequence", f"{v.consequence} ({v.so_id})" if v.consequence else None),
        ("disruptive", f"{disruptive} (policy: {v.policy})"), ("recurrence key", v.key))]
    OUTPUT.table(f"Variant {text!r}", ("", ""), rows, show_header=False)
    for c in v.conflicts:
        OUTPUT.line(("conflict", "red"), f" {c}")
    for n in v.notes:
        OUTPUT.note(n)


def _assess(path: Path, rule: CnsRule, policy: DisruptivePolicy) -> dict[str, Any]:
    """Everything the criteria command reports, as plain data (:func:`neurohlh.service.assess_criteria`)."""
    import_frozen("neurohlh.service")
    run_as_batch()  # the process ends with the command: no collections or teardown afterwards
    from neurohlh.service import assess_criteria, criteria_plan

    return assess_criteria(path, criteria_plan(rule.value, policy.value))


def _tri(value: bool | None) -> Text:
    return {True: Text("yes"), False: Text("no", style="red"), None: Text("?")}[value]


def _hscore_text(h: dict[str, Any]) -> str:
    if h["score"] is not None:
        return str(h["score"])
    return f"{h['score_min']}-{h['score_max']}"


def _print_report(report: dict[str, Any]) -> None:
    rows = []
    for r in report["patients"]:
        h, g = r["hlh2004"], r["genotype"]
        status = h["status"] + (" (molecular)" if h["molecular"]["status"] == "met" else "")
        rows.append((r["patient_id"], status, f"{h['n_met']} ({h['n_not_evaluable']})", _tri(r["cns"]["involved"]),
                     _hscore_text(r["hscore"]), g["group"], g["zygosity"] or "-", ", ".join(g["genes"]) or "-"))
    OUTPUT.table(f"Criteria and genotype: {report['source']}",
                 ("patient", "HLH-2004", "met/8 (unknown)", f"CNS ({report['rule']})", "HScore", "genotype group",
                  "zygosity", "genes"), rows)
    summary = report["summary"]
    say = OUTPUT.line
    say(summary["cns"]["sentence"])
    say("HLH-2004: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["hlh2004"].items())))
    say(f"Genotype groups (policy {report['policy']}) over the {summary['patients_with_variant_data']} "
        "patients with variant data: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["genotype_groups"].items())))
    for rv in report["recurrent_variants"]:
        say(f"Recurrent: {rv['key']} in {rv['n_patients']} patients ({', '.join(rv['patient_ids'])})")
    for gene, counts in report["consequences_per_gene"]["counts"].items():
        total = sum(counts.values())
        say(f"{gene} variant rows: " + ", ".join(f"{k} {v}/{total}" for k, v in counts.items()))
    say("HScore: range shown when items are missing; cut-off 169 (Fardet 2014); no probability reported.")


def criteria_cmd(
    cohort: Path = typer.Argument(..., metavar="COHORT", help="Cohort folder or .xlsx workbook"),
    rule: CnsRule = typer.Option(CnsRule.COMPREHENSIVE, "--rule", case_sensitive=False,
                                 help="CNS-involvement rule: comprehensive (CSF, symptoms or imaging) or csf"),
    policy: DisruptivePolicy = typer.Option(DisruptivePolicy.PAPER, "--policy", case_sensitive=False,
                                            help="Disruptive policy: paper (nonsense, frameshift, deletion) or lof "
                                                 "(also splice-site and start-lost)"),
    as_json: bool = typer.Option(False, "--json", help="Print the full results as JSON"),
) -> None:
    """Per patient: HLH-2004 status, CNS involvement (with the rule), HScore and genotype group."""
    try:
        report = _assess(cohort, rule, policy)
    except InputError as exc:
        OUTPUT.fail(exc, cohort, as_json)
    if as_json:
        OUTPUT.json(report)
    else:
        _print_report(report)


def register(app: typer.Typer) -> None:
    app.command("variant", short_help="Read and classify one variant description.")(variant_cmd)
    app.command("criteria", short_help="HLH-2004, CNS involvement, HScore and genotype group.")(criteria_cmd)
