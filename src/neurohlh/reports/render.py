"""Write a :class:`~neurohlh.reports.model.Report` as XLSX and CSV files.

Renderers only lay out cells already formatted by the builders; they compute nothing. The HTML
renderer lives in :mod:`neurohlh.reports.html`, the Word renderer in :mod:`neurohlh.reports.word`.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from neurohlh.io.csvtext import neutralise_frame
from neurohlh.reports.model import Report, Table

_XLSX_BAD = re.compile(r"[\[\]\*\?/\\:]")


def write_csv(table: Table, path: str | Path) -> Path:
    """One table as CSV (UTF-8 with BOM so Excel shows the en dash), footnotes as trailing ``#`` lines.

    Cells that a spreadsheet program would run as a formula (``=``, ``+``, ``-``, ``@``) start with an apostrophe
    (:func:`neurohlh.io.csvtext.neutralise`)."""
    path = Path(path)
    text = neutralise_frame(table.to_frame()).to_csv(index=False, lineterminator="\n")
    notes = "".join(f"# {note}\n" for note in table.footnotes)
    path.write_text(text + notes, encoding="utf-8-sig")
    return path


def write_csvs(report: Report, folder: str | Path) -> list[Path]:
    """One CSV per table: ``<folder>/<table.key>.csv``."""
    folder = Path(folder)
    return [write_csv(t, folder / f"{t.key}.csv") for t in report.tables]


def _sheet_name(key: str, used: set[str]) -> str:
    name = _XLSX_BAD.sub("_", key)[:31] or "table"
    base, i = name, 2
    while name in used:
        suffix = f"_{i}"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name)
    return name


def write_xlsx(report: Report, path: str | Path) -> Path:
    """One sheet per table: title, spanning headers, headers, rows (texts), footnotes.

    Cells hold the printed text, exactly what the manuscript shows; the numbers behind every cell
    (numerators, denominators, P values, test names) are in ``results.json``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in report.tables:
        ws = wb.create_sheet(_sheet_name(table.key, used))
        ws.append([table.title])
        ws.cell(row=1, column=1).font = Font(bold=True, size=12)
        if table.column_groups:
            col = 2
            ws.append([""])
            for text, span in table.column_groups:
                ws.cell(row=ws.max_row, column=col, value=text or None).font = bold
                if span > 1 and text:
                    ws.merge_cells(start_row=ws.max_row, start_column=col, end_row=ws.max_row,
                                   end_column=col + span - 1)
                    ws.cell(row=ws.max_row, column=col).alignment = Alignment(horizontal="center")
                col += span
        _append_text(ws, [table.label_header or "Characteristic", *table.columns])
        for c in ws[ws.max_row]:
            c.font = bold
        header_row = ws.max_row
        for r in table.rows:
            texts = [""] * len(table.columns) if r.section else [c.text for c in r.cells]
            _append_text(ws, [r.label, *texts])
            label_cell = ws.cell(row=ws.max_row, column=1)
            label_cell.alignment = Alignment(indent=r.level * 2)
            if r.section:
                label_cell.font = bold
        ws.append([])
        for note in table.footnotes:
            ws.append([note])
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
        ws.column_dimensions["A"].width = 46
        for i in range(len(table.columns)):
            ws.column_dimensions[_column_letter(i + 2)].width = 18
    wb.save(path)
    return Path(path)


def _append_text(ws: Any, values: list[str]) -> None:
    """Append a row of texts; a text starting with "=" (e.g. a patient id) stays text, never a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
