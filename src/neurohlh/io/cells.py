"""Typing cells against the schema: one parser per field kind, applied once per distinct cell text."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Callable

import numpy as np
import pandas as pd

from neurohlh.errors import Problem
from neurohlh.io.csvtext import unneutralise
from neurohlh.io.limits import MAX_CELL_CHARS, MAX_ID_CHARS
from neurohlh.io.read import RawTable
from neurohlh.io.suggest import shorthand_hint, suggestion
from neurohlh.schema import RENAMED_COLUMNS, FieldSpec, Kind, field_specs

UNKNOWN_TOKENS = frozenset({"", "na", "n/a", "unknown", "nk", "not known"})
TRUE_TOKENS = frozenset({"yes", "y", "true", "1"})
FALSE_TOKENS = frozenset({"no", "n", "false", "0"})
SET_SEPARATOR = ";"
MAX_PROBLEMS_PER_COLUMN = 1000


#: A plain decimal number in ASCII digits: no ``_`` (Python would read ``1_2`` as 12), no other scripts' digits.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NOT_FINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"})
#: Characters no cell may hold: C0/C1 control characters other than tab and line breaks (NUL included).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Shown in place of a value longer than this in messages.
SHOWN_CHARS = 60


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}... ({len(text):,} characters)"


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def _invisible(text: str) -> str | None:
    """The first character of an identifier that cannot be seen (format characters, tabs, line breaks)."""
    for char in text:
        if unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp") or (char.isspace() and char != " "):
            return char
    return None


def _cell_error(text: str, name: str, spec: FieldSpec) -> _CellError | None:
    """Problems of a cell whatever its field: control characters, length; for identifiers invisible characters."""
    plain = text.isascii() and text.isprintable()  # the common case: nothing hidden
    bad = None if plain else _CONTROL.search(text)
    if bad:
        what = "a NUL byte" if bad.group() == "\x00" else "a control character"
        return _CellError(f"contains {what} ({_char_name(bad.group())}) at position {bad.start() + 1}",
                          "retype the cell; the character cannot be seen and is never part of a value")
    if len(text) > MAX_CELL_CHARS:
        return _CellError(f"has {len(text):,} characters, more than the limit of {MAX_CELL_CHARS:,} per cell")
    if spec.kind is Kind.ID:
        if len(text.strip()) > MAX_ID_CHARS and name.endswith("_id"):
            return _CellError(f"is an identifier of {len(text.strip()):,} characters, more than the limit of "
                              f"{MAX_ID_CHARS}")
        hidden = None if plain else _invisible(text.strip())
        if hidden is not None:
            return _CellError(f"contains an invisible character ({_char_name(hidden)})",
                              "retype the identifier; otherwise it names a different patient or study than the "
                              "same id without it")
    return None


def _normalise_token(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").replace("/", " ").split())


def _suggest(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    return suggestion(value, choices, hints=True)


def _allowed(choices: tuple[str, ...]) -> str:
    return "allowed: " + ", ".join(choices) + " (or empty for unknown)"


def _allowed_items(choices: tuple[str, ...]) -> str:
    return ("allowed: " + ", ".join(choices) + f", several separated by '{SET_SEPARATOR}' or ','"
            " (or empty for unknown)")


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
            raise _CellError("is not yes/no", shorthand_hint(v) or "write yes or no (or leave empty for unknown)")
        return parse_bool
    if spec.kind in (Kind.FLOAT, Kind.INT):
        def parse_number(v: str) -> float:
            if v.endswith("%"):
                if spec.unit != "%":
                    raise _CellError("is a percentage", (f"give the value in {spec.unit}" if spec.unit else
                                     "give a plain number") + " (in a workbook: format the cell as a number)")
                v = v[:-1].strip()
            if v.lower() in _NOT_FINITE:
                raise _CellError("is not a finite number")
            if not _NUMBER.fullmatch(v):
                hint = "use a dot as decimal separator" if "," in v else (
                    "write the number with the digits 0-9 only (no '_')" if "_" in v else
                    f"give the value in {spec.unit} without the unit" if spec.unit else None)
                raise _CellError("is not a number", hint) from None
            value = float(v)
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
                                 "; ".join(filter(None, [_suggest(v, spec.choices), _allowed(spec.choices)])))
            return token
        return parse_enum
    if spec.kind is Kind.SET:
        choices = set(spec.choices)

        def parse_set(v: str) -> frozenset[str]:
            parts = [t.strip() for t in v.replace(",", SET_SEPARATOR).split(SET_SEPARATOR) if t.strip()]
            wrong = [t for t in parts if _normalise_token(t) not in choices]
            if not parts:
                raise _CellError("holds separators but no values", _allowed_items(spec.choices))
            if wrong:
                others = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
                raise _CellError(f"item '{wrong[0]}' is not an allowed value{others}",
                                 "; ".join(filter(None, [_suggest(wrong[0], spec.choices),
                                                        _allowed_items(spec.choices)])))
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


def _parse_text(text: str, name: str, spec: FieldSpec, parse: Callable[[str], Any]) -> tuple[Any, _CellError | None]:
    """(typed value, error) of one cell text; unknown tokens give ``None`` without an error."""
    general = _cell_error(text, name, spec)
    if general is not None:
        return None, general
    stripped = text.strip()
    if stripped.startswith("'"):
        stripped = unneutralise(stripped)
    if spec.kind is Kind.ID:
        return (stripped, None) if stripped else (None, _CellError("is required and empty"))
    if stripped.lower() in UNKNOWN_TOKENS:
        return None, None
    try:
        return parse(stripped), None
    except _CellError as exc:
        return None, exc


def parse_cell(text: str, name: str, spec: FieldSpec) -> tuple[Any, str | None]:
    """One cell as the loader reads it: (typed value or ``None``, problem message with its suggestion or ``None``).

    The same parser and messages as :func:`parse_table`, for callers that check one value at a time.
    """
    value, error = _parse_text(text, name, spec, _cell_parser(spec))
    if error is None:
        return value, None
    return None, error.message + (f"; {error.suggestion}" if error.suggestion else "")


def _distinct_texts(raw: pd.Series) -> tuple[np.ndarray, Any]:
    """(code of each cell, distinct cell texts) of one column of cell texts."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes = raw.cat.codes.to_numpy()
        if not len(codes) or codes.min() >= 0:  # a reader's categorical: every cell is one of its texts
            return codes, raw.cat.categories.to_numpy(dtype=object)
    return pd.factorize(raw.astype(str), sort=False)


def _typed(values: list[Any], codes: np.ndarray, kind: Kind) -> Any:
    """The typed column: the value of each distinct text taken by code (booleans and numbers as nullable arrays)."""
    if kind not in _DTYPES:
        table = np.empty(len(values), dtype=object)
        table[:] = values
        return table[codes] if len(codes) else np.array([], dtype=object)
    missing = np.array([v is None for v in values], dtype=bool)[codes]
    known = [0 if v is None else v for v in values]
    if kind is Kind.BOOL:
        return pd.arrays.BooleanArray(np.array(known, dtype=bool)[codes], missing)
    if kind is Kind.FLOAT:
        return pd.arrays.FloatingArray(np.array(known, dtype=np.float64)[codes], missing)
    return pd.arrays.IntegerArray(np.array(known, dtype=np.int64)[codes], missing)


def _is_plain_id(text: str) -> bool:
    """Whether ``text`` is an identifier that reads as itself: printable ASCII, not empty, at most
    :data:`MAX_ID_CHARS` characters, no space at either end and no leading apostrophe. :func:`_parse_text` returns
    such a text unchanged and without a problem."""
    return (text.isascii() and text.isprintable() and 0 < len(text) <= MAX_ID_CHARS and text[0] not in " '"
            and text[-1] != " ")


def _plain_ids(texts: list[str]) -> list[bool]:
    """:func:`_is_plain_id` of each text. The usual id column, all plain, is recognised on the joined texts."""
    joined = "".join(texts)
    if joined.isascii() and joined.isprintable() and max(map(len, texts), default=0) <= MAX_ID_CHARS:
        lines = "\n" + "\n".join(texts) + "\n"  # one text per line: a printable text holds no line break
        if not any(edge in lines for edge in ("\n\n", "\n ", "\n'", " \n")):  # empty, or a space or ' at an end
            return [True] * len(texts)
    return [_is_plain_id(text) for text in texts]


def _parse_texts(texts: list[str], name: str, spec: FieldSpec) -> tuple[list[Any], list[_CellError | None]]:
    """(typed value, error) of each distinct text of a column."""
    parse = _cell_parser(spec)
    values: list[Any] = list(texts)
    errors: list[_CellError | None] = [None] * len(texts)
    to_parse = (range(len(texts)) if spec.kind is not Kind.ID
                else [i for i, as_it_is in enumerate(_plain_ids(texts)) if not as_it_is])
    for i in to_parse:
        values[i], errors[i] = _parse_text(texts[i], name, spec, parse)
    return values, errors


def _parse_column(
    raw: pd.Series, name: str, spec: FieldSpec, label: str, rows: np.ndarray, problems: list[Problem]
) -> pd.Series:
    """Parse one column. Work is done once per distinct cell text (columns repeat values a lot)."""
    codes, uniques = _distinct_texts(raw)
    values, errors = _parse_texts([str(text) for text in uniques], name, spec)
    failed = np.array([e is not None for e in errors], dtype=bool)
    if failed.any():
        positions = np.flatnonzero(failed[codes])
        for pos in positions[:MAX_PROBLEMS_PER_COLUMN]:
            err = errors[codes[pos]]
            problems.append(Problem(label, err.message, int(rows[pos]), name, _shown(str(uniques[codes[pos]])),
                                    err.suggestion))
        if len(positions) > MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(
                label, f"{len(positions) - MAX_PROBLEMS_PER_COLUMN} more cells with problems in this column",
                None, name))
    return pd.Series(_typed(values, codes, spec.kind), index=raw.index, copy=False)


def _empty_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is the empty text."""
    empty = np.ones(len(frame), dtype=bool)
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            where = np.flatnonzero(column.cat.categories.to_numpy(dtype=object) == "")
            empty &= column.cat.codes.to_numpy() == where[0] if len(where) else False
        else:
            empty &= column.to_numpy(dtype=object) == ""
    return empty


def parse_table(table: RawTable, record_type: type) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    """Type every column of a raw table against the schema; return (frame, problems, notes)."""
    problems = list(table.problems)
    notes: list[str] = list(table.notes)
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
            renamed = RENAMED_COLUMNS.get(col) if RENAMED_COLUMNS.get(col) in specs else None
            problems.append(Problem(
                table.label, "unknown column", None, _shown(col),
                suggestion=f"this column is now called '{renamed}'" if renamed else
                suggestion(col, list(specs)) or "see the data dictionary (neurohlh schema --markdown)",
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
    empty = _empty_rows(frame)
    if empty.any():
        notes += _empty_row_notes(table.label, table.rows[empty])
        keep = ~empty
        frame = frame.loc[keep]
        rows = table.rows[keep]
    else:
        rows = table.rows
    frame = frame.reset_index(drop=True)
    typed: dict[str, pd.Series] = {}
    for name, spec in specs.items():
        if name in frame.columns:
            typed[name] = _parse_column(frame[name], name, spec, table.label, rows, problems)
        else:
            typed[name] = pd.Series([None] * len(frame), dtype=object)
    out = pd.DataFrame(typed)
    out["_row"] = rows
    return out, problems, notes


def _empty_row_notes(label: str, rows: np.ndarray) -> list[str]:
    """One note per run of consecutive empty rows."""
    notes = []
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    for run in np.split(rows, breaks):
        first, last = int(run[0]), int(run[-1])
        notes.append(f"{label}, row {first}: empty row, not loaded" if first == last else
                     f"{label}, rows {first}-{last}: {last - first + 1} empty rows, not loaded")
    return notes


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
