"""Write a :class:`~neurohlh.reports.model.Report` as DOCX, XLSX and CSV files.

Renderers only lay out cells already formatted by the builders; they compute nothing. The HTML
renderer lives in :mod:`neurohlh.reports.html`.
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


#: Tables with more cell columns than this get a landscape page.
PORTRAIT_MAX_COLUMNS = 4


def _orient(section, landscape: bool) -> None:  # noqa: ANN001 - python-docx Section
    from docx.enum.section import WD_ORIENT

    short, long_ = sorted((section.page_width, section.page_height))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long_, short) if landscape else (short, long_)


def write_docx(report: Report, path: str | Path) -> Path:
    """Manuscript-ready Word file: one table per page (its own section, landscape when wide), caption above,
    footnotes below, 9-pt Arial."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(9)
    style.paragraph_format.space_after = Pt(2)
    for i, table in enumerate(report.tables):
        section = doc.sections[0] if i == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _orient(section, len(table.columns) > PORTRAIT_MAX_COLUMNS)
        caption = doc.add_paragraph()
        if not table.title.lower().startswith("table"):
            caption.add_run(f"Table {i + 1}. ").bold = True
        caption.add_run(table.title).bold = True
        _docx_table(doc, table)
        for note in table.footnotes:
            p = doc.add_paragraph(note)
            p.paragraph_format.space_after = Pt(0)
            for r in p.runs:
                r.font.size = Pt(8)
    doc.core_properties.title = report.title
    doc.save(str(path))
    return Path(path)


def _docx_table(doc, table: Table) -> None:  # noqa: ANN001 - python-docx Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    n_header = 2 if table.column_groups else 1
    grid = doc.add_table(rows=n_header, cols=len(table.columns) + 1)
    grid.style = "Table Grid"
    if table.column_groups:
        col = 1
        for text, span in table.column_groups:
            cell = grid.cell(0, col)
            if span > 1:
                cell = cell.merge(grid.cell(0, col + span - 1))
            cell.text = text
            col += span
        grid.cell(0, 0).merge(grid.cell(1, 0))
    header = grid.rows[n_header - 1].cells
    grid.cell(0, 0).text = table.label_header or "Characteristic"
    for j, h in enumerate(table.columns):
        header[j + 1].text = h
    for hr in grid.rows[:n_header]:
        for c in hr.cells:
            for p in c.paragraphs:
                for r in p.runs:
                    r.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        if row.section:
            merged = cells[0].merge(cells[-1])
            merged.text = row.label
            merged.paragraphs[0].runs[0].bold = True
            continue
        cells[0].text = row.label
        cells[0].paragraphs[0].paragraph_format.left_indent = Pt(10 * row.level)
        for j, c in enumerate(row.cells):
            cells[j + 1].text = c.text
            cells[j + 1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
