"""Writing a cohort as a REDCap flat record file (CSV or JSON), ready for REDCap's Data Import Tool or the API.

One row per patient (the ``patient`` instrument) followed by one row per MR read (``mr_read``) and one per
variant (``variant``), numbered by ``redcap_repeat_instance``; checkboxes as ``field___code`` columns of 0/1;
the site as ``redcap_data_access_group`` (REDCap's unique group names are lowercase: create groups whose
unique names are the site codes before importing). ``labels=True`` writes what REDCap's "CSV (labels)"
download holds instead: labels as headers and as coded values.
"""
from __future__ import annotations

import csv
import io as _io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.files import atomic_write_text
from neurohlh.io.redcap_fields import (
    INSTRUMENTS,
    RECORD_COLUMNS,
    RECORD_ID,
    RedcapField,
    redcap_fields,
)
from neurohlh.io.redcap_records import DAG, REPEAT_INSTANCE, REPEAT_INSTRUMENT
from neurohlh.schema import Kind

#: Headers of REDCap's own columns in a label-headed export.
_SPECIAL_HEADER_LABELS = {REPEAT_INSTRUMENT: "Repeat Instrument", REPEAT_INSTANCE: "Repeat Instance",
                          DAG: "Data Access Group"}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _cell(value: Any, f: RedcapField, labels: bool) -> str:
    if _missing(value):
        return ""
    kind = f.spec.kind
    if kind is Kind.BOOL:
        return ("Yes" if value else "No") if labels else ("1" if value else "0")
    if kind is Kind.FLOAT:
        return np.format_float_positional(float(value), trim="-")
    if kind is Kind.INT:
        return str(int(value))
    if kind is Kind.DATE:
        return value.isoformat()
    if kind is Kind.ENUM and labels:
        return dict(f.choices)[str(value)]
    return str(value)


def _columns(fields: tuple[RedcapField, ...]) -> list[tuple[str, RedcapField | None, str | None]]:
    """(export column, its variable, checkbox code) in export order; each instrument ends with its _complete."""
    out: list[tuple[str, RedcapField | None, str | None]] = [
        (RECORD_ID, fields[0], None), (REPEAT_INSTRUMENT, None, None), (REPEAT_INSTANCE, None, None),
        (DAG, None, None)]
    for form in INSTRUMENTS:
        for f in fields[1:]:
            if f.form != form:
                continue
            if f.field_type == "checkbox":
                out += [(column, f, code) for (code, _), column in zip(f.choices, f.checkbox_columns)]
            else:
                out.append((f.name, f, None))
        out.append((f"{form}_complete", None, None))
    return out


def _header(column: str, f: RedcapField | None, code: str | None, labels: bool) -> str:
    if not labels:
        return column
    if f is None:
        return _SPECIAL_HEADER_LABELS.get(column, "Complete?")
    return f"{f.label} (choice={dict(f.choices)[code]})" if code is not None else f.label


def entered_reads(studies: pd.DataFrame) -> pd.DataFrame:
    """The reads as entered: without the consensus reads the loader derived from reader 1 and reader 2 (they
    share the row of the reader-1 read they come from, and are derived again when the export is read)."""
    if "_derived" in studies:
        return studies[~studies["_derived"].fillna(False).astype(bool)]
    if "_row" not in studies:
        return studies
    consensus = studies["reader"] == "consensus"
    shared = studies["_row"].isin(studies.loc[~consensus, "_row"])
    return studies[~(consensus & shared)]


def flat_rows(cohort: Any, *, labels: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the cohort as a REDCap flat export."""
    fields = redcap_fields()
    columns = _columns(fields)
    header = [_header(c, f, code, labels) for c, f, code in columns]
    tables = {"patients": cohort.patients, "studies": entered_reads(cohort.studies), "variants": cohort.variants}
    by_patient = {t: dict(tuple(frame.groupby("patient_id", sort=False))) for t, frame in tables.items()
                  if t != "patients"}
    rows: list[list[str]] = []

    def row_for(form: str, record: dict[str, Any], site: str, instance: int | None) -> list[str]:
        cells = []
        for column, f, code in columns:
            if column == RECORD_ID:
                cells.append(str(record[RECORD_COLUMNS[INSTRUMENTS[form][0]]]))
            elif column == REPEAT_INSTRUMENT:
                cells.append("" if instance is None else (INSTRUMENTS[form][1] if labels else form))
            elif column == REPEAT_INSTANCE:
                cells.append("" if instance is None else str(instance))
            elif column == DAG:
                cells.append(site)
            elif f is None:
                cells.append(("Unverified" if labels else "1") if column == f"{form}_complete" else "")
            elif f.form != form:
                cells.append("")
            elif code is not None:
                value = record[f.column]
                checked = not _missing(value) and code in value
                cells.append(("Checked" if checked else "Unchecked") if labels else ("1" if checked else "0"))
            else:
                cells.append(_cell(record[f.column], f, labels))
        return cells

    for patient in tables["patients"].to_dict("records"):
        pid = patient["patient_id"]
        site = "" if _missing(patient.get("site")) else str(patient["site"])
        rows.append(row_for("patient", patient, site, None))
        for form, table in (("mr_read", "studies"), ("variant", "variants")):
            frame = by_patient[table].get(pid)
            if frame is not None:
                for i, record in enumerate(frame.to_dict("records"), start=1):
                    rows.append(row_for(form, record, site, i))
    return header, rows


def write_flat_export(cohort: Any, path: str | Path, *, labels: bool = False) -> Path:
    """Write the cohort as a flat export: CSV for a ``.csv`` name, JSON (a list of records) for ``.json``."""
    path = Path(path)
    header, rows = flat_rows(cohort, labels=labels)
    if path.suffix.lower() == ".json":
        text = json.dumps([dict(zip(header, r)) for r in rows], indent=1, ensure_ascii=False) + "\n"
    else:
        buf = _io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        text = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(path, text)
