"""The REDCap data dictionary of the toolkit's project (18 columns, REDCap's headers), written from the variables
of :mod:`neurohlh.io.redcap_fields`, which are generated from :mod:`neurohlh.schema`."""
from __future__ import annotations

import csv
import io as _io
import os
import tempfile
from pathlib import Path

from neurohlh.io.redcap_fields import (
    DICTIONARY_HEADERS,
    INSTRUMENTS,
    METADATA_NAMES,
    RECORD_ID,
    RedcapField,
    redcap_fields,
)

__all__ = ["DICTIONARY_HEADERS", "INSTRUMENTS", "METADATA_NAMES", "RECORD_ID", "RedcapField", "dictionary_csv",
           "dictionary_rows", "redcap_fields", "write_dictionary"]


def dictionary_rows() -> list[tuple[str, ...]]:
    """The data dictionary: the header row, then one row per variable."""
    return [DICTIONARY_HEADERS, *(f.row() for f in redcap_fields())]


def dictionary_csv() -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(dictionary_rows())
    return buf.getvalue()


def write_dictionary(path: str | Path) -> Path:
    """Write the data dictionary CSV (UTF-8 with a byte-order mark, for Excel), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(dictionary_csv())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

