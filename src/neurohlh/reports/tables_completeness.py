"""The completeness table of the report: known and blank values of every field in use that has blanks."""
from __future__ import annotations

from neurohlh.analysis import AnalysisResult
from neurohlh.io.completeness import FieldCompleteness, field_completeness
from neurohlh.reports.format import percent_text
from neurohlh.reports.model import Cell, Row, Table
from neurohlh.schema import Patient, Reader, Study

SECTIONS = (("patients", "Patients"), ("studies", "MR studies (consensus reads)"), ("variants", "Variants"))


def result_completeness(result: AnalysisResult) -> tuple[FieldCompleteness, ...]:
    """Completeness of the patient fields of a result (the cohort's own, with its MR study reads, is
    :attr:`neurohlh.io.Cohort.completeness`)."""
    studies = result.studies
    if "reader" in studies.columns:
        studies = studies[studies["reader"] == Reader.CONSENSUS.value]
    return field_completeness(result.patients, Patient, "patients") + field_completeness(studies, Study, "studies")


def completeness_table(items: tuple[FieldCompleteness, ...]) -> Table:
    """One row per field in use with at least one blank: known n/N (%), blank, and yes / no for yes/no items."""
    rows: list[Row] = []
    for table, heading in SECTIONS:
        mine = [i for i in items if i.table == table and i.n_blank]
        if not mine:
            continue
        rows.append(Row(heading, section=True))
        for i in mine:
            rows.append(Row(i.field, (
                Cell(f"{i.n_known}/{i.n_rows} ({percent_text(i.n_known, i.n_rows)})", i.share_known, i.n_known,
                     i.n_rows, "count"),
                Cell(str(i.n_blank), float(i.n_blank), kind="number"),
                Cell("" if i.n_yes is None else f"{i.n_yes} / {i.n_no}"),
                Cell("only yes recorded" if i.only_yes else ("mostly blank" if i.mostly_blank and not i.free_text
                                                             else "")),
            ), level=1))
    complete = sum(1 for i in items if not i.n_blank)
    notes = (
        ("A blank cell is unknown, never no: the percentages of the other tables are over the known values only, "
         "so a column with many blanks describes fewer patients than the cohort."),
        ("Only yes recorded: a yes/no column with 'yes' and blanks but no 'no'; if the blanks are absent findings, "
         "write 'no' and run the analysis again."),
        f"Fields in use without a blank: {complete}. Fields never filled are left out.",
    )
    return Table("completeness", "Completeness of the recorded fields", ("Known, n/N (%)", "Blank", "Yes / no", "Note"),
                 tuple(rows), notes, label_header="Field")
