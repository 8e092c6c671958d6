"""Read a cohort from disk and validate every cell in one pass.

A cohort is either a folder holding ``patients.csv``, ``studies.csv`` and ``variants.csv``, one ``.xlsx``
workbook with sheets ``patients``, ``studies`` and ``variants``, or one REDCap flat record export (``.csv`` or
``.json``, see :mod:`neurohlh.redcap`). Lines (CSV) or rows (XLSX) before the header
that are blank or whose first cell starts with ``#`` are skipped (the demo cohort uses comment lines to say that
it is synthetic); after the header such a comment line is a problem. docs/validation.md lists every check and
the limits on file size, rows, columns and cell length.

Nothing is dropped, coerced or reordered silently: every cell that does not parse becomes a
:class:`~neurohlh.errors.Problem` naming file, spreadsheet row, column and value, and :func:`load_cohort`
raises one :class:`~neurohlh.errors.InputError` with all of them. Rows that are completely empty are the
only rows not loaded, and each is listed in ``Cohort.notes``.
"""
from __future__ import annotations
from __future__ import annotations

import io as _io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from neurohlh.errors import InputError, Problem
from neurohlh.files import atomic_write_text
from neurohlh.io.cells import (
    FALSE_TOKENS, SET_SEPARATOR, TRUE_TOKENS, UNKNOWN_TOKENS, format_cell, parse_table,
)
from neurohlh.io.checks import cross_checks
from neurohlh.io.completeness import FieldCompleteness, completeness_warnings, field_completeness
from neurohlh.io.csvtext import neutralise_frame
from neurohlh.io.consensus import append_consensus, consensus_from_reads
from neurohlh.io.ids import look_alike_ids
from neurohlh.io.plausibility import plausibility_checks
from neurohlh.io.read import TABLES, read_all, table_label
from neurohlh.schema import RECORD_TYPES, Patient, Reader, Study, Variant, field_specs, record_column


@dataclass(frozen=True)
class Cohort:
    """A validated cohort. Frames have one typed column per schema field plus ``_row`` (source row number).

    Booleans use pandas' nullable ``boolean`` dtype, numbers ``Float64``/``Int64``, enums hold their
    string value or ``None``, sets hold ``frozenset`` or ``None``, dates ``datetime.date`` or ``None``.
    """

    source: Path
    patients: pd.DataFrame
    studies: pd.DataFrame
    variants: pd.DataFrame
    checksums: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: Plausibility warnings found by validation (possible but suspicious values); they never block loading.
    warnings: tuple[Problem, ...] = ()

    @property
    def consensus_studies(self) -> pd.DataFrame:
        """The reads used for analysis: one consensus read per study."""
        return self.studies[self.studies["reader"] == Reader.CONSENSUS.value]

    @property
    def completeness(self) -> tuple[FieldCompleteness, ...]:
        """Known and blank values of every field in use (patients, consensus reads, variants).

        Counted once per cohort: :func:`load_cohort` hands over what validation counted, and a cohort built
        otherwise counts its tables when first asked (the tables of a cohort are not changed in place).
        """
        counted = self.__dict__.get("_completeness")
        if counted is None:
            counted = cohort_completeness({"patients": self.patients, "studies": self.studies,
                                           "variants": self.variants})
            self.__dict__["_completeness"] = counted  # a cache, not a field: dataclasses.replace() counts anew
        return counted

    def patient_records(self) -> list[Patient]:
        return _records(self.patients, Patient)

    def study_records(self, reader: str | None = Reader.CONSENSUS.value) -> list[Study]:
        frame = self.studies if reader is None else self.studies[self.studies["reader"] == reader]
        return _records(frame, Study)

    def variant_records(self) -> list[Variant]:
        return _records(self.variants, Variant)

    def label(self, table: str) -> str:
        """How problems name ``table`` (``"patients"``, ``"studies"``, ``"variants"``) of this cohort."""
        return table_label(self.source, table)


def _records(frame: pd.DataFrame, record_type: type) -> list[Any]:
    """One record per row, built from its fields in schema order (the order of the record's ``__init__``)."""
    return list(map(record_type, *(record_column(record_type, name, _values(frame[name]))
                                   for name in field_specs(record_type))))


def _values(column: pd.Series) -> list[Any]:
    """The cells of a typed column as Python objects (bool, int, float, str, date, frozenset), ``None`` where missing."""
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):  # nullable booleans and numbers
        return column.array.to_numpy(dtype=object, na_value=None).tolist()
    return column.astype(object).where(column.notna(), None).tolist()


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found: problems (errors), notes, row counts per table, how complete each field in
    use is (known and blank values; consensus reads for the studies), and warnings.

    ``problems`` block loading; ``warnings`` (plausibility: possible but suspicious values) do not.
    """

    source: str
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    counts: dict[str, int]
    completeness: tuple[FieldCompleteness, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def completeness_warnings(self) -> tuple[str, ...]:
        """Columns that are mostly blank or hold only "yes" and blanks (blank means unknown, never no)."""
        return completeness_warnings(self.completeness)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "counts": self.counts,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [p.to_dict() for p in self.warnings],
            "notes": list(self.notes),
            "completeness": [c.to_dict() for c in self.completeness],
            "completeness_warnings": list(self.completeness_warnings),
        }


#: A check that needs a domain rule above this layer (e.g. reading variant descriptions): it receives the typed
#: frames (``None`` for an unreadable table) and the file labels, and returns located problems.
CohortCheck = Callable[[dict[str, pd.DataFrame | None], dict[str, str]], list[Problem]]


def _validate(path: Path, checks: Sequence[CohortCheck] = ()
              ) -> tuple[ValidationReport, dict[str, pd.DataFrame | None], dict[str, str]]:
    locate: Callable[[Problem], Problem] | None = None
    notes: list[str] = []
    if path.is_file() and path.suffix.lower() in (".csv", ".json"):  # one file: a REDCap flat record export
        from neurohlh.io.redcap_records import read_export

        export = read_export(path)
        raw, locate, notes = export.raw, export.locate, list(export.notes)
    else:
        raw = read_all(path)
    frames: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    for table in TABLES:
        frame, table_problems, table_notes = parse_table(raw[table], RECORD_TYPES[table])
        frames[table] = frame
        problems += table_problems
        notes += table_notes
    labels = {t: raw[t].label for t in TABLES}
    id_problems, id_notes = look_alike_ids(frames, labels)
    problems += id_problems
    notes += id_notes
    problems += cross_checks(frames["patients"], frames["studies"], frames["variants"], labels)
    if frames["studies"] is not None:
        bad_cells = frozenset((p.row, p.column) for p in problems
                              if p.file == labels["studies"] and p.row is not None and p.column is not None)
        derived, consensus_problems, consensus_notes = consensus_from_reads(frames["studies"], labels["studies"],
                                                                            bad_cells)
        frames["studies"] = append_consensus(frames["studies"], derived)
        problems += consensus_problems
        notes += consensus_notes
    for check in checks:
        problems += check(frames, labels)
    plausible = plausibility_checks(frames["patients"], frames["studies"], labels)
    problems += plausible.errors
    warnings = list(plausible.warnings)
    if locate is not None:
        problems = [locate(p) for p in problems]
        warnings = [locate(p) for p in warnings]
    counts = {t: (0 if (f := frames[t]) is None else len(f)) for t in TABLES}
    checksums = {raw[t].label: raw[t].checksum for t in TABLES if raw[t].checksum}
    report = ValidationReport(str(path), tuple(problems), tuple(notes), counts, cohort_completeness(frames),
                              tuple(warnings))
    return report, frames, checksums  # type: ignore[return-value]


def cohort_completeness(frames: dict[str, pd.DataFrame | None]) -> tuple[FieldCompleteness, ...]:
    """Completeness of every field in use: patients, the consensus reads of the studies, variants."""
    studies = frames.get("studies")
    if studies is not None and "reader" in studies.columns:
        studies = studies[studies["reader"] == Reader.CONSENSUS.value]
    return (field_completeness(frames.get("patients"), Patient, "patients")
            + field_completeness(studies, Study, "studies")
            + field_completeness(frames.get("variants"), Variant, "variants"))


def validate(path: str | Path, checks: Sequence[CohortCheck] = ()) -> ValidationReport:
    """Validate a cohort and report every problem; never raises for bad content (only for a missing path).

    ``checks`` add checks that need domain rules (``neurohlh.service.validate`` passes the variant check, so
    that a cohort it accepts is also accepted by every analysis).
    """
    return _validate(Path(path), checks)[0]


def load_cohort(path: str | Path, checks: Sequence[CohortCheck] = ()) -> Cohort:
    """Load and validate a cohort; raise :class:`InputError` listing every problem if anything is wrong.

    ``checks`` as for :func:`validate`; :func:`neurohlh.load_cohort` and the commands run them all.
    """
    report, frames, checksums = _validate(Path(path), checks)
    if not report.ok:
        raise InputError(f"{path}: {len(report.problems)} problem(s) found; nothing was loaded", report.problems)
    patients, studies, variants = frames["patients"], frames["studies"], frames["variants"]
    if patients is None or studies is None or variants is None:  # a table that cannot be read is a problem above
        raise InputError(f"{path}: a table could not be read; nothing was loaded", report.problems)
    cohort = Cohort(Path(path), patients, studies, variants, checksums, report.notes, report.warnings)
    cohort.__dict__["_completeness"] = report.completeness  # counted by validation on these same tables
    return cohort


def write_cohort_csv(cohort_frames: dict[str, pd.DataFrame], folder: str | Path, header_comment: str = "") -> None:
    """Write frames (one per table, columns as in the schema) as a cohort folder, cells in the file format."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        specs = field_specs(RECORD_TYPES[table])
        frame = cohort_frames.get(table, pd.DataFrame(columns=list(specs)))
        cells = pd.DataFrame({name: frame[name].map(lambda v, s=spec: format_cell(v, s)) if name in frame else ""
                              for name, spec in specs.items()}, index=frame.index)
        cells = neutralise_frame(cells)  # read back unchanged: the loader removes the apostrophe
        buf = _io.StringIO()
        if header_comment:
            for line in header_comment.strip().splitlines():
                buf.write(f"# {line}\n")
        cells.to_csv(buf, index=False, lineterminator="\n")
        atomic_write_text(folder / f"{table}.csv", buf.getvalue())


__all__ = [
    "Cohort", "CohortCheck", "ValidationReport", "load_cohort", "validate", "write_cohort_csv", "format_cell", "TABLES",
    "UNKNOWN_TOKENS", "TRUE_TOKENS", "FALSE_TOKENS", "SET_SEPARATOR",
]
