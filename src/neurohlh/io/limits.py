"""Limits on what the loader reads, so that a damaged or hostile file ends in a clear message, not a hang.

Each limit is far above what a clinical cohort needs (the largest benchmark cohort, 100,000 patients with
220,000 MR study reads, stays well inside every one of them) and is documented in docs/validation.md.
"""
from __future__ import annotations

#: Largest cohort file read: one CSV file or one .xlsx workbook as stored on disk.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Largest total size of the parts of an .xlsx workbook once unzipped (a workbook is a zip archive).
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
#: Most data rows in one table (one CSV file or one sheet).
MAX_ROWS = 1_000_000
#: Most columns in one header.
MAX_COLUMNS = 1_000
#: Most characters in one cell.
MAX_CELL_CHARS = 10_000
#: Most characters in one identifier (patient_id, study_id, ...).
MAX_ID_CHARS = 100
