"""Read a cohort from disk and validate every cell in one pass.

A cohort is either a folder holding ``patients.csv``, ``studies.csv`` and ``variants.csv`` or one ``.xlsx``
workbook with sheets ``patients``, ``studies`` and ``variants``. Lines (CSV) or rows (XLSX) before the header
whose first cell starts with ``#`` are comments (the demo cohort uses them to say that it is synthetic).

Nothing is dropped, coerced or reordered silently: every cell that does not parse becomes a
:class:`~neurohlh.errors.Problem` naming file, spreadsheet row, column and value, and :func:`load_cohort`
raises one :class:`~neurohlh.errors.InputError` with all of them. Rows that are completely empty are the
only rows not loaded, and each is listed in ``Cohort.notes``.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io as _io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from neurohlh.errors import InputError, Problem
from neurohlh.schema import RECORD_TYPES, FieldSpec, Kind, Patient, Reader, Study, Variant, field_specs

TABLES = ("patients", "studies", "variants")
UNKNOWN_TOKENS = frozenset({"", "na", "n/a", "unknown", "nk", "not known"})
TRUE_TOKENS = frozenset({"yes", "y", "true", "1"})
FALSE_TOKENS = frozenset({"no", "n", "false", "0"})
SET_SEPARATOR = ";"
MAX_PROBLEMS_PER_COLUMN = 1000


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

    @property
    def consensus_studies(self) -> pd.DataFrame:
        """The reads used for analysis: one consensus read per study."""
        return self.studies[self.studies["reader"] == Reader.CONSENSUS.value]

    def patient_records(self) -> list[Patient]:
        return _records(self.patients, Patient)

    def study_records(self, reader: str | None = Reader.CONSENSUS.value) -> list[Study]:
        frame = self.studies if reader is None else self.studies[self.studies["reader"] == reader]
        return _records(frame, Study)

    def variant_records(self) -> list[Variant]:
        return _records(self.variants, Variant)


def _records(frame: pd.DataFrame, record_type: type) -> list[Any]:
    names = list(field_specs(record_type))
    cols = [frame[n].astype(object).where(frame[n].notna(), None).tolist() for n in names]
    return [record_type(**dict(zip(names, values))) for values in zip(*cols)]


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found: problems (errors), notes, and row counts per table."""

    source: str
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "counts": self.counts,
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------- reading raw tables


@dataclass
class RawTable:
    """A table exactly as read: all cells as stripped strings, plus the spreadsheet row of each."""

    label: str
    frame: pd.DataFrame | None
    rows: np.ndarray
    problems: list[Problem]
    checksum: str | None = None


def _split_comments(text: str) -> tuple[int, str]:
    """Number of leading comment lines and the rest of the text."""
    skipped = 0
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if line.lstrip().startswith("#"):
            skipped += 1
            pos = len(text) if end < 0 else end + 1
        else:
            break
    return skipped, text[pos:]


def read_csv_table(path: Path, label: str | None = None) -> RawTable:
    label = label or path.name
    if not path.exists():
        return RawTable(label, None, np.array([], dtype=int), [Problem(label, "file is missing")])
    data = path.read_bytes()
    checksum = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return RawTable(label, None, np.array([], dtype=int), [Problem(label, "file is empty")], checksum)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RawTable(label, None, np.array([], dtype=int), [Problem(
            label, "file is not UTF-8 text", row=line,
            value=data[exc.start: exc.start + 8].decode("latin-1"),
            suggestion="save it as 'CSV UTF-8 (comma delimited)'",
        )], checksum)
    skipped, body = _split_comments(text)
    if not body.strip():
        return RawTable(label, None, np.array([], dtype=int), [Problem(label, "file has no header row")], checksum)
    header = next(csv.reader(_io.StringIO(body)))
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                _io.StringIO(body), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False,
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, line, saw = (int(g) for g in found.groups())
            problem = Problem(label, f"row has {saw} cells but the header has {expected}", row=line + skipped,
                              suggestion="check for an unquoted comma inside a cell")
        else:
            problem = Problem(label, f"cannot be read as CSV: {exc}",
                              suggestion="every row must have as many cells as the header (the first data row "
                              "has more)" if isinstance(exc, pd.errors.ParserWarning) else None)
        return RawTable(label, None, np.array([], dtype=int), [problem], checksum)
    frame.columns = [h.strip() for h in header] if len(header) == frame.shape[1] else frame.columns
    header_row = skipped + 1
    rows = np.arange(len(frame), dtype=int) + header_row + 1
    return RawTable(label, frame, rows, problems, checksum)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_tables(path: Path) -> dict[str, RawTable]:
    import openpyxl

    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(f"{path.name}: cannot be opened as an .xlsx workbook ({exc})") from exc
    out: dict[str, RawTable] = {}
    lowered = {name.lower().strip(): name for name in book.sheetnames}
    for table in TABLES:
        label = f"{path.name} [sheet {table}]"
        if table not in lowered:
            close = difflib.get_close_matches(table, list(lowered), n=1)
            out[table] = RawTable(label, None, np.array([], dtype=int), [Problem(
                label, "sheet is missing", suggestion=f"did you mean sheet '{lowered[close[0]]}'?" if close else
                f"the workbook needs sheets {', '.join(TABLES)}",
            )], checksum)
            continue
        sheet = book[lowered[table]]
        values = list(sheet.iter_rows(values_only=True))
        row_no = 0
        while row_no < len(values) and values[row_no] and isinstance(values[row_no][0], str) \
                and values[row_no][0].lstrip().startswith("#"):
            row_no += 1
        if row_no >= len(values) or not any(v is not None for v in values[row_no]):
            out[table] = RawTable(label, None, np.array([], dtype=int), [Problem(label, "sheet is empty")], checksum)
            continue
        header = [_cell_text(v).strip() for v in values[row_no]]
        while header and header[-1] == "":
            header.pop()
        body = [[_cell_text(v) for v in r[: len(header)]] for r in values[row_no + 1:]]
        body = [r + [""] * (len(header) - len(r)) for r in body]
        frame = pd.DataFrame(body, columns=header, dtype=object).astype(str) if body else \
            pd.DataFrame({h: pd.Series([], dtype=str) for h in header})
        rows = np.arange(len(frame), dtype=int) + row_no + 2
        out[table] = RawTable(label, frame, rows, [], checksum)
    book.close()
    return out


# ---------------------------------------------------------------- parsing cells


def _normalise_token(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").replace("/", " ").split())


def _suggest(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    close = difflib.get_close_matches(_normalise_token(value), list(choices), n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else None


def _allowed(choices: tuple[str, ...]) -> str:
    return "allowed: " + ", ".join(choices) + " (or empty for unknown)"


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    if len(text) >= 19 and text[10] in " T" and text[11:19] == "00:00:00":
        text = text[:10]
    return dt.date.fromisoformat(text)


class _CellError(ValueError):
    """A cell that does not parse: message and optional suggestion."""

    def __init__(self, message: str, suggestion: str | None = None):
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


def _cell_parser(spec: FieldSpec) -> Callable[[str], Any]:
    """A function from one stripped, non-unknown cell text to its typed value, raising ``_CellError``."""
    unit = f" {spec.unit}" if spec.unit else ""

    def check_range(value: float) -> float:
        if spec.minimum is not None and value < spec.minimum:
            raise _CellError(f"is below the possible minimum {spec.minimum:g}{unit}")
        if spec.maximum is not None and value > spec.maximum:
            raise _CellError(f"is above the possible maximum {spec.maximum:g}{unit}",
                             "check the unit" if spec.unit else None)
        return value

    if spec.kind in (Kind.ID, Kind.TEXT):
        return lambda v: v
    if spec.kind is Kind.BOOL:
        def parse_bool(v: str) -> bool:
            low = v.lower()
            if low in TRUE_TOKENS:
                return True
            if low in FALSE_TOKENS:
                return False
            raise _CellError("is not yes/no", "write yes or no (or leave empty for unknown)")
        return parse_bool
    if spec.kind in (Kind.FLOAT, Kind.INT):
        def parse_number(v: str) -> float:
            try:
                value = float(v)
            except ValueError:
                hint = "use a dot as decimal separator" if "," in v else (
                    f"give the value in {spec.unit} without the unit" if spec.unit else None)
                raise _CellError("is not a number", hint) from None
            if not np.isfinite(value):
                raise _CellError("is not a finite number")
            if spec.kind is Kind.INT:
                if not value.is_integer():
                    raise _CellError("is not a whole number")
                return int(check_range(value))
            return check_range(value)
        return parse_number
    if spec.kind is Kind.ENUM:
        choices = set(spec.choices)

        def parse_enum(v: str) -> str:
            token = _normalise_token(v)
            if token not in choices:
                raise _CellError("is not an allowed value",
                                 " ".join(filter(None, [_suggest(v, spec.choices), _allowed(spec.choices)])))
            return token
        return parse_enum
    if spec.kind is Kind.SET:
        choices = set(spec.choices)

        def parse_set(v: str) -> frozenset[str]:
            parts = [t for t in v.replace(",", SET_SEPARATOR).split(SET_SEPARATOR) if t.strip()]
            wrong = [t for t in parts if _normalise_token(t) not in choices]
            if not parts or wrong:
                raise _CellError(f"is not a '{SET_SEPARATOR}'-separated list of allowed values",
                                 " ".join(filter(None, [_suggest(wrong[0] if wrong else v, spec.choices),
                                                        _allowed(spec.choices)])))
            return frozenset(_normalise_token(t) for t in parts)
        return parse_set
    if spec.kind is Kind.DATE:
        def parse_date(v: str) -> dt.date:
            try:
                return _parse_date(v)
            except ValueError:
                raise _CellError("is not a date", "write dates as YYYY-MM-DD") from None
        return parse_date
    raise AssertionError(spec.kind)  # pragma: no cover - every Kind is handled above


_DTYPES = {Kind.BOOL: "boolean", Kind.FLOAT: "Float64", Kind.INT: "Int64"}


def _parse_column(
    raw: pd.Series, name: str, spec: FieldSpec, label: str, rows: np.ndarray, problems: list[Problem]
) -> pd.Series:
    """Parse one column. Work is done once per distinct cell text (columns repeat values a lot)."""
    codes, uniques = pd.factorize(raw, sort=False)
    parse = _cell_parser(spec)
    values: list[Any] = []
    errors: list[_CellError | None] = []
    for text in uniques:
        stripped = str(text).strip()
        if spec.kind is Kind.ID:
            ok = stripped != ""
            values.append(stripped if ok else None)
            errors.append(None if ok else _CellError("is required and empty"))
            continue
        if stripped.lower() in UNKNOWN_TOKENS:
            values.append(None)
            errors.append(None)
            continue
        try:
            values.append(parse(stripped))
            errors.append(None)
        except _CellError as exc:
            values.append(None)
            errors.append(exc)
    failed = np.array([e is not None for e in errors], dtype=bool)
    if failed.any():
        positions = np.flatnonzero(failed[codes])
        for pos in positions[:MAX_PROBLEMS_PER_COLUMN]:
            err = errors[codes[pos]]
            problems.append(Problem(label, err.message, int(rows[pos]), name, raw.iat[pos], err.suggestion))
        if len(positions) > MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(
                label, f"{len(positions) - MAX_PROBLEMS_PER_COLUMN} more cells with problems in this column",
                None, name))
    table = np.empty(len(values), dtype=object)
    table[:] = values
    column = pd.Series(table[codes] if len(codes) else np.array([], dtype=object), index=raw.index, dtype=object)
    dtype = _DTYPES.get(spec.kind)
    if dtype is not None:
        column = column.astype(dtype) if len(column) else pd.Series([], dtype=dtype)
    return column


def parse_table(table: RawTable, record_type: type) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    """Type every column of a raw table against the schema; return (frame, problems, notes)."""
    problems = list(table.problems)
    notes: list[str] = []
    if table.frame is None:
        return None, problems, notes
    specs = field_specs(record_type)
    frame = table.frame
    columns = list(frame.columns)
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            problems.append(Problem(table.label, "column appears twice in the header", None, col))
        seen.add(col)
    for col in columns:
        if col not in specs and col != "":
            close = difflib.get_close_matches(col, list(specs), n=1, cutoff=0.6)
            problems.append(Problem(
                table.label, "unknown column", None, col,
                suggestion=f"did you mean '{close[0]}'?" if close else "see docs/data-dictionary.md",
            ))
        elif col == "" and (frame.iloc[:, columns.index(col)].str.strip() != "").any():
            problems.append(Problem(table.label, "a column without a header holds values", None,
                                    f"column {columns.index(col) + 1}"))
    missing = [c for c in specs if c not in seen]
    for col in missing:
        problems.append(Problem(
            table.label, "required column is missing" if specs[col].required else "column is missing", None, col,
            suggestion="start from 'neurohlh template' to get every column",
        ))
    frame = frame.loc[:, ~pd.Index(frame.columns).duplicated()]
    cells = frame.to_numpy(dtype=object)
    empty = (cells == "").all(axis=1) if len(frame) else np.zeros(0, dtype=bool)
    if empty.any():
        for pos in np.flatnonzero(empty):
            notes.append(f"{table.label}, row {int(table.rows[pos])}: empty row, not loaded")
        keep = ~empty
        frame = frame.loc[keep]
        rows = table.rows[keep]
    else:
        rows = table.rows
    frame = frame.reset_index(drop=True)
    typed: dict[str, pd.Series] = {}
    for name, spec in specs.items():
        if name in frame.columns:
            typed[name] = _parse_column(frame[name].astype(str), name, spec, table.label, rows, problems)
        else:
            typed[name] = pd.Series([None] * len(frame), dtype=object)
    out = pd.DataFrame(typed)
    out["_row"] = rows
    return out, problems, notes


# ---------------------------------------------------------------- cross-table checks


def _duplicates(frame: pd.DataFrame, keys: list[str], label: str, problems: list[Problem]) -> None:
    present = frame[keys].notna().all(axis=1)
    dup = frame[present].duplicated(keys, keep="first")
    for idx in dup[dup].index:
        first = frame[present & (frame[keys] == frame.loc[idx, keys]).all(axis=1)]["_row"].iloc[0]
        problems.append(Problem(
            label, f"duplicate {' + '.join(keys)}, first used on row {first}", int(frame.at[idx, "_row"]),
            keys[-1] if len(keys) > 1 else keys[0], " / ".join(str(frame.at[idx, k]) for k in keys),
        ))


def _unknown_patient(frame: pd.DataFrame, patient_ids: set[str], label: str, problems: list[Problem]) -> None:
    orphan = frame["patient_id"].notna() & ~frame["patient_id"].isin(patient_ids)
    ids = sorted(patient_ids)
    for idx in orphan[orphan].index:
        value = frame.at[idx, "patient_id"]
        close = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
        problems.append(Problem(
            label, "patient_id does not exist in patients", int(frame.at[idx, "_row"]), "patient_id", value,
            f"did you mean '{close[0]}'?" if close else None,
        ))


def _row_rule(frame: pd.DataFrame, mask: pd.Series, label: str, column: str, message: str,
              problems: list[Problem], suggestion: str | None = None) -> None:
    mask = mask.fillna(False).astype(bool)
    for idx in mask[mask].index:
        value = frame.at[idx, column]
        problems.append(Problem(label, message, int(frame.at[idx, "_row"]), column,
                                None if value is None or value is pd.NA else str(value), suggestion))


def cross_checks(
    patients: pd.DataFrame | None, studies: pd.DataFrame | None, variants: pd.DataFrame | None,
    labels: dict[str, str],
) -> list[Problem]:
    """Checks that need more than one cell: ids, references between files, and contradictions."""
    problems: list[Problem] = []
    if patients is not None:
        lp = labels["patients"]
        if len(patients) == 0:
            problems.append(Problem(lp, "has no patient rows"))
        _duplicates(patients, ["patient_id"], lp, problems)
        _row_rule(patients, (patients["csf_done"] == False) & (  # noqa: E712
            patients["csf_wbc_per_ul"].notna() | patients["csf_protein_mg_dl"].notna()), lp, "csf_done",
            "says CSF was not analysed but CSF values are given", problems)
        _row_rule(patients, (patients["died"] == False) & patients["death_weeks_after_diagnosis"].notna(),  # noqa
                  lp, "died", "says the patient did not die but a time of death is given", problems)
        _row_rule(patients, (patients["hlh_type"] == "primary") & patients["secondary_etiology"].notna(), lp,
                  "secondary_etiology", "is given for a patient with primary HLH", problems)
    if studies is not None:
        ls = labels["studies"]
        _duplicates(studies, ["study_id", "reader"], ls, problems)
        owners = studies.dropna(subset=["study_id", "patient_id"]).groupby("study_id")["patient_id"].nunique()
        for study_id in owners[owners > 1].index:
            rows = studies[studies["study_id"] == study_id]
            problems.append(Problem(ls, "the reads of this study name different patients", int(rows["_row"].iloc[1]),
                                    "patient_id", str(rows["patient_id"].iloc[1])))
        with_consensus = set(studies.loc[studies["reader"] == Reader.CONSENSUS.value, "study_id"])
        unreadable = set(studies.loc[studies["reader"].isna(), "study_id"])  # already reported as bad cells
        lacking = studies[studies["study_id"].notna() & ~studies["study_id"].isin(with_consensus | unreadable)]
        for study_id, row in lacking.drop_duplicates("study_id")[["study_id", "_row"]].itertuples(index=False):
            problems.append(Problem(ls, "study has reads but no consensus read (the read analyses use)", int(row),
                                    "reader", study_id, "add a row with reader 'consensus'"))
        _row_rule(studies, (studies["ventriculomegaly"] == False) & (  # noqa: E712
            studies["ventriculomegaly_obstructive"] == True), ls, "ventriculomegaly_obstructive",  # noqa: E712
            "is yes but ventriculomegaly is no", problems)
        if patients is not None:
            _unknown_patient(studies, set(patients["patient_id"].dropna()), ls, problems)
            births = patients.dropna(subset=["patient_id"]).drop_duplicates("patient_id") \
                .set_index("patient_id")["birth_date"]
            birth = studies["patient_id"].map(births)
            before = pd.Series(
                [b is not None and s is not None and not pd.isna(b) and s < b
                 for s, b in zip(studies["study_date"], birth)], index=studies.index, dtype=bool)
            _row_rule(studies, before, ls, "study_date", "is before the patient's birth date", problems)
    if variants is not None and patients is not None:
        _unknown_patient(variants, set(patients["patient_id"].dropna()), labels["variants"], problems)
    return problems


# ---------------------------------------------------------------- entry points


def _read_all(path: Path) -> dict[str, RawTable]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return {t: read_csv_table(path / f"{t}.csv", f"{t}.csv") for t in TABLES}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_tables(path)
    raise InputError(
        f"{path}: a cohort is a folder with patients.csv, studies.csv and variants.csv, or one .xlsx workbook"
    )


def _validate(path: Path) -> tuple[ValidationReport, dict[str, pd.DataFrame | None], dict[str, str]]:
    raw = _read_all(path)
    frames: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    for table in TABLES:
        frame, table_problems, table_notes = parse_table(raw[table], RECORD_TYPES[table])
        frames[table] = frame
        problems += table_problems
        notes += table_notes
    labels = {t: raw[t].label for t in TABLES}
    problems += cross_checks(frames["patients"], frames["studies"], frames["variants"], labels)
    counts = {t: (0 if frames[t] is None else len(frames[t])) for t in TABLES}
    checksums = {raw[t].label: raw[t].checksum for t in TABLES if raw[t].checksum}
    report = ValidationReport(str(path), tuple(problems), tuple(notes), counts)
    return report, frames, checksums


def validate(path: str | Path) -> ValidationReport:
    """Validate a cohort and report every problem; never raises for bad content (only for a missing path)."""
    return _validate(Path(path))[0]


def load_cohort(path: str | Path) -> Cohort:
    """Load and validate a cohort; raise :class:`InputError` listing every problem if anything is wrong."""
    report, frames, checksums = _validate(Path(path))
    if not report.ok:
        raise InputError(f"{path}: {len(report.problems)} problem(s) found; nothing was loaded", report.problems)
    return Cohort(Path(path), frames["patients"], frames["studies"], frames["variants"], checksums, report.notes)


def write_cohort_csv(cohort_frames: dict[str, pd.DataFrame], folder: str | Path, header_comment: str = "") -> None:
    """Write frames (one per table, columns as in the schema) as a cohort folder, cells in the file format."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        specs = field_specs(RECORD_TYPES[table])
        frame = cohort_frames.get(table, pd.DataFrame(columns=list(specs)))
        cells = pd.DataFrame({name: frame[name].map(lambda v, s=spec: format_cell(v, s)) if name in frame else ""
                              for name, spec in specs.items()}, index=frame.index)
        buf = _io.StringIO()
        if header_comment:
            for line in header_comment.strip().splitlines():
                buf.write(f"# {line}\n")
        cells.to_csv(buf, index=False, lineterminator="\n")
        (folder / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")


def format_cell(value: Any, spec: FieldSpec) -> str:
    """One value in the file format (the inverse of the parser)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if spec.kind is Kind.BOOL:
        return "yes" if bool(value) else "no"
    if spec.kind is Kind.SET:
        order = {c: i for i, c in enumerate(spec.choices)}
        return SET_SEPARATOR.join(sorted((str(v) for v in value), key=lambda t: order.get(t, 99)))
    if spec.kind is Kind.FLOAT:
        return f"{float(value):g}" if abs(float(value)) < 1e6 else repr(float(value))
    if spec.kind is Kind.INT:
        return str(int(value))
    if spec.kind is Kind.DATE:
        return value.isoformat()
    return str(value)


__all__ = [
    "Cohort", "ValidationReport", "load_cohort", "validate", "write_cohort_csv", "format_cell", "TABLES",
]
