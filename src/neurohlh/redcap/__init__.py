"""REDCap in and out: the data dictionary generated from the schema, flat record exports read as a cohort,
and records pulled through the REDCap API (optional extra ``neurohlh[redcap]``)."""
from __future__ import annotations

from neurohlh.redcap.dictionary import (
    DICTIONARY_HEADERS,
    INSTRUMENTS,
    RECORD_ID,
    redcap_fields,
    write_dictionary,
)

__all__ = ["DICTIONARY_HEADERS", "INSTRUMENTS", "RECORD_ID", "redcap_fields", "write_dictionary"]
