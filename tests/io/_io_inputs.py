"""Building synthetic cohort files for the hostile-input tests: the example cohort as CSV text or as a workbook."""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"
TABLES = ("patients", "studies", "variants")


def rows_of(table: str) -> list[list[str]]:
    """Header and data rows of one example table (its comment lines left out)."""
    lines = [line for line in (EXAMPLE / f"{table}.csv").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    return list(csv.reader(lines))


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def cohort_folder(tmp: Path, **texts: str) -> Path:
    """A copy of the example cohort without comment lines; ``texts`` replace whole files (``patients=...``)."""
    folder = tmp / "cohort"
    folder.mkdir()
    for table in TABLES:
        (folder / f"{table}.csv").write_text(texts.get(table, csv_text(rows_of(table))), encoding="utf-8")
    return folder


def column(table: str, name: str) -> int:
    return rows_of(table)[0].index(name)


def workbook(path: Path, edit=None) -> Path:
    """The example cohort as an .xlsx workbook written by openpyxl; ``edit(book)`` may change it before saving."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in TABLES:
        sheet = book.create_sheet(table)
        for row in rows_of(table):
            sheet.append([_typed(v) for v in row])
    if edit is not None:
        edit(book)
    book.save(path)
    return path


def _typed(value: str):
    """Numbers as numbers (as a person typing into Excel gets them), everything else as text."""
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value or None


def rewrite_parts(path: Path, **edits) -> Path:
    """Rewrite zip members of a workbook: ``edits`` maps a member name (``/`` as ``__``) to a function of its text."""
    wanted = {name.replace("__", "/").replace("_dot_", "."): fn for name, fn in edits.items()}
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in wanted:
                data = wanted[info.filename](data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
    shutil.move(tmp, path)
    return path


def sheet_part(index: int) -> str:
    """Keyword for :func:`rewrite_parts` naming worksheet ``index`` (1-based, in sheet order)."""
    return f"xl__worksheets__sheet{index}_dot_xml"
