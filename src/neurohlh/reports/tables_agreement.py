"""Reader agreement tables: agreement per decision and sheet field, and the list of discordant reads."""
from __future__ import annotations

import math

from neurohlh.agreement.coefficients import AgreementResult
from neurohlh.agreement.cohort import ReaderAgreement
from neurohlh.agreement.fields import ORDINAL_WEIGHTS, FieldAgreement
from neurohlh.io.consensus import shown
from neurohlh.reports.model import Cell, Row, Table

COLUMNS = ("Scale", "n", "Agreement", "Kappa (95% CI)", "AC1 (95% CI)", "Alpha (95% CI)")
PARADOX_MARK = "\u2020"


def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _coefficient_cell(r: AgreementResult | None) -> Cell:
    if r is None or r.n == 0 or not math.isfinite(r.statistic):
        return Cell("-" if r is None or r.n == 0 else "undefined", kind="ratio")
    low, high = r.ci
    return Cell(f"{_num(r.statistic)} ({_num(low)} to {_num(high)})", float(r.statistic), kind="ratio")


def _row(f: FieldAgreement) -> Row:
    paradox = any("kappa paradox" in w for w in (f.kappa.warnings if f.kappa else ()))
    kappa = _coefficient_cell(f.kappa)
    if paradox:
        kappa = Cell(kappa.text + PARADOX_MARK, kappa.value, kind=kappa.kind)
    agreement = Cell("-" if not f.n else f"{round(100 * f.percent_agreement)}%",
                     None if not f.n else float(f.percent_agreement), kind="ratio")
    scale = f.scale + (f" ({ORDINAL_WEIGHTS} weights)" if f.scale == "ordinal" else "")
    n = Cell(str(f.n), float(f.n), kind="number")
    return Row(f.label if f.kind == "decision" else f.name, (Cell(scale), n, agreement, kappa,
               _coefficient_cell(f.ac1), _coefficient_cell(f.alpha)), level=1,
               note="; ".join(f.warnings))


def agreement_table(result: ReaderAgreement) -> Table:
    """Field / decision, scale, n, % agreement, kappa (weighted on ordinal scales), AC1 and alpha with CIs."""
    rows = [Row("Derived decisions", section=True)] + [_row(d) for d in result.decisions]
    rows += [Row("Data-collection sheet fields", section=True)] + [_row(f) for f in result.fields if f.n]
    unread = [f.name for f in result.fields if not f.n]
    level = f"{result.confidence:.0%}"
    notes = [
        f"Independent (pre-consensus) reads of reader 1 and reader 2: {result.n_studies} MR studies of "
        f"{result.n_patients} patients; n = studies (patients for the patient pattern and onset subpattern) with "
        "both reads known. Agreement = percent exact agreement.",
        f"Kappa: Cohen's kappa, {ORDINAL_WEIGHTS}-weighted on ordinal scales (lesion number in the sheet's order "
        f"none < single < few < multiple), {level} CI from the Fleiss-Cohen-Everitt variance. AC1: Gwet's AC1 "
        f"with Gwet's variance. Alpha: Krippendorff's alpha at the field's level (nominal, ordinal, interval), "
        f"{level} CI from a case-level percentile bootstrap ({result.n_boot} resamples, seed {result.seed}).",
        f"{PARADOX_MARK} Extreme prevalence (one category in at least 90% of reads): kappa and alpha are low even "
        "when the readers almost always agree (the kappa paradox); read agreement and AC1 beside them.",
        "Set-valued fields are compared element by element (\"field: element\" is yes when the element was "
        "chosen). \"undefined\": every read in one category, so chance agreement is 1.",
    ]
    if unread:
        notes.append(f"Not shown (no study with both reads known): {', '.join(unread)}.")
    return Table("reader_agreement", "Reader agreement", COLUMNS, tuple(rows), tuple(notes),
                 label_header="Field / decision",
                 meta={"n_studies": result.n_studies, "n_patients": result.n_patients})


def discordance_table(result: ReaderAgreement) -> Table:
    """Every field of every study on which the two readers differ, with the consensus value and its source."""
    columns = ("Patient", "Field", "Reader 1", "Reader 2", "Consensus", "Resolved by")
    rows: list[Row] = []
    current = None
    for d in result.discordances:
        label = d.study_id if d.study_id != current else ""
        current = d.study_id
        rows.append(Row(label, tuple(Cell(t) for t in (
            d.patient_id if label else "", d.field, shown(d.reader_1), shown(d.reader_2), shown(d.consensus),
            d.resolved_by))))
    changes = "; ".join(
        f"{c.decision.replace('_', ' ')}: readers differ in {c.discordant} of {c.n}, consensus differs from "
        f"reader 1 in {c.differs_from_reader_1} and from reader 2 in {c.differs_from_reader_2}"
        for c in result.decision_changes)
    notes = (
        f"{result.studies_discordant} of {result.n_studies} double-read studies have at least one discordant field; "
        f"{len(result.discordances)} discordant values: {result.adjudicated_values} decided by the adjudicator, "
        f"{result.consensus_row_values} settled by a consensus row.",
        "An empty cell is an unknown read; a value against an empty cell counts as a discordance.",
        f"What the adjudication changed in the derived decisions: {changes}.",
    )
    return Table("discordant_reads", "Discordant reads: studies and fields on which the readers differ", columns,
                 tuple(rows), notes, label_header="Study")


def confusion_table(f: FieldAgreement) -> Table:
    """Reader 1 (rows) by reader 2 (columns) for one field or decision, cases with both reads known."""
    cats = [str(c) for c in f.categories]
    table = f.table or tuple(tuple(0 for _ in cats) for _ in cats)
    rows = []
    for label, counts in zip(cats, table):
        rows.append(Row(label, tuple(Cell(str(v), float(v), kind="number") for v in counts)
                        + (Cell(str(sum(counts)), float(sum(counts)), kind="number"),)))
    totals = [sum(col) for col in zip(*table)] if table else []
    rows.append(Row("Total", tuple(Cell(str(v), float(v), kind="number") for v in totals)
                    + (Cell(str(sum(totals)), float(sum(totals)), kind="number"),)))
    unit = "patients" if f.unit == "patient" else "studies"
    notes = (f"{f.n} {unit} with both reads known; {f.n_missing} with a missing or undetermined read left out. "
             f"Agreement {_num(100 * f.percent_agreement, 0)}% (the diagonal).",)
    return Table(f"confusion_{f.name}", f"Reader 1 by reader 2: {f.label}", (*cats, "Total"), tuple(rows), notes,
                 label_header="Reader 1", column_groups=(("Reader 2", len(cats) + 1),))


def agreement_tables(result: ReaderAgreement | None) -> tuple[Table, ...]:
    """The reader-agreement tables (summary, confusion tables of the decisions, discordant reads), or nothing
    when the cohort has no double reads."""
    if result is None:
        return ()
    return (agreement_table(result), *(confusion_table(d) for d in result.decisions), discordance_table(result))
