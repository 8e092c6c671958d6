"""Pulling records and metadata from a REDCap project through its API (PyCap; extra ``neurohlh[redcap]``).

Two documented calls: export records (``content=record``, flat CSV, raw values, with data access groups) and
export metadata (``content=metadata``, CSV). The token is passed to PyCap only; it is never printed, logged or
written, and error messages never contain it.
"""
from __future__ import annotations

import csv
import io as _io
from dataclasses import dataclass
from pathlib import Path

from neurohlh.errors import NeurohlhError
from neurohlh.files import atomic_write_text
from neurohlh.redcap.dictionary import METADATA_NAMES, redcap_fields


class PullError(NeurohlhError):
    """The API could not be reached or refused the request (the message never holds the token)."""


@dataclass(frozen=True)
class PulledFiles:
    records: Path
    metadata: Path
    notes: tuple[str, ...]


def compare_metadata(metadata_csv: str) -> list[str]:
    """Differences between the project's variables and the dictionary generated from the schema."""
    rows = list(csv.DictReader(_io.StringIO(metadata_csv)))
    if not rows or "field_name" not in rows[0]:
        return ["the metadata export has no field_name column; it was not compared with the schema"]
    missing_columns = [c for c in METADATA_NAMES if c not in rows[0]]
    notes = [f"metadata lacks column(s) {', '.join(missing_columns)}"] if missing_columns else []
    theirs = {r["field_name"]: r for r in rows}
    for f in redcap_fields():
        r = theirs.pop(f.name, None)
        if r is None:
            notes.append(f"variable {f.name} ({f.form}) is not in the project")
            continue
        if r.get("field_type") != f.field_type:
            notes.append(f"variable {f.name} is a {r.get('field_type')} field in the project, {f.field_type} here")
        if f.choices:
            codes = {part.split(",", 1)[0].strip() for part in r.get("select_choices_or_calculations", "").split("|")}
            ours = {c for c, _ in f.choices}
            if codes != ours:
                notes.append(f"variable {f.name} has choice codes {', '.join(sorted(codes))} in the project, "
                             f"{', '.join(sorted(ours))} here")
    if theirs:
        notes.append(f"{len(theirs)} project variable(s) not used by the toolkit: " + ", ".join(sorted(theirs)[:10])
                     + (" ..." if len(theirs) > 10 else ""))
    return notes


def pull(url: str, token: str, out: str | Path) -> PulledFiles:
    """Export records and metadata into ``out`` (``records.csv``, ``metadata.csv``); the records are not checked."""
    try:
        from redcap import Project, RedcapError
    except ImportError:
        raise PullError("pulling from REDCap needs PyCap: pip install 'neurohlh[redcap]'") from None
    import requests

    if not url.endswith("/api/"):
        raise PullError(f"the API address must end with /api/ (got {url!r})")
    try:
        project = Project(url, token)
        metadata = project.export_metadata(format_type="csv")
        records = project.export_records(format_type="csv", raw_or_label="raw", record_type="flat",
                                         export_data_access_groups=True)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise PullError(f"cannot reach {url} ({type(exc).__name__})") from None
    except requests.exceptions.InvalidJSONError:
        raise PullError(f"the answer of {url} is not a REDCap API answer (check the address)") from None
    except RedcapError as exc:  # PyCap's name for requests' RequestException, raised with REDCap's error text
        raise PullError(f"REDCap refused the request: {str(exc).replace(token, '***')[:300]}") from None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = PulledFiles(out / "records.csv", out / "metadata.csv", tuple(compare_metadata(str(metadata))))
    atomic_write_text(files.metadata, str(metadata))
    atomic_write_text(files.records, str(records))
    return files
