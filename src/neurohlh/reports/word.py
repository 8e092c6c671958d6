"""Write a :class:`~neurohlh.reports.model.Report` as a Word file whose tables paste into a manuscript as they are.

Journal layout: each table on its own page with its caption above and footnotes below, single spaced; three
horizontal rules (above and below the header, below the last row) and no vertical lines; every column as wide as
its longest word needs, so no word is ever broken, and the rest of the text width shared out so that cells wrap as
little as possible; a landscape page when a table does not fit upright; smaller footnotes, then smaller cells, when
a table and its footnotes would not fit on one page (:mod:`neurohlh.reports.word_layout`). Paper is A4 unless
``paper="letter"``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from neurohlh.reports.model import Report, Table
from neurohlh.reports.word_layout import (
    CAPTION_AFTER_PT,
    CELL_PAD_PT,
    CELL_PAD_V_PT,
    FONT_PT,
    FOOTNOTES_BEFORE_PT,
    INDENT_PT,
    MARGIN_PT,
    PAPER_NOTE_SMALLER_PT,
    PAPER_SIZES_PT,
    Layout,
    layout,
)

__all__ = ["MARGIN_PT", "PAPER_SIZES_PT", "layout", "write_docx"]

#: Rules: above and below the table (thick), below the header (thin), in eighths of a point.
RULE_THICK, RULE_THIN = 12, 6


def write_docx(report: Report, path: str | Path, paper: str | None = None) -> Path:
    """Manuscript-ready Word file: one table per page (its own section, landscape when wide), numbered caption
    above, footnotes below, Arial; A4 unless ``paper`` (or ``report.paper``) is ``"letter"``."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Pt

    paper = (paper or report.paper or "a4").lower()
    if paper not in PAPER_SIZES_PT:
        raise ValueError(f"`paper` must be one of {list(PAPER_SIZES_PT)}; got {paper!r}")
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(FONT_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0  # single (the template's default is 1.15)
    for i, table in enumerate(report.tables):
        plan = layout(table, paper)
        section = doc.sections[0] if i == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, paper, plan.landscape)
        caption = doc.add_paragraph()
        caption.paragraph_format.space_after = Pt(CAPTION_AFTER_PT)
        caption.paragraph_format.keep_with_next = True
        caption.add_run(table.title).bold = True
        _table(doc, table, plan)
        _footnotes(doc, table.footnotes, plan.footnote_pt)
    doc.core_properties.title = report.title
    doc.save(str(path))
    return Path(path)


def _footnotes(doc: Any, notes: tuple[str, ...], size_pt: float) -> None:
    """The footnotes under a table, kept together and with the table's last row (which keeps with them)."""
    from docx.shared import Pt

    for k, note in enumerate(notes):
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(FOOTNOTES_BEFORE_PT if k == 0 else 0)
        if k < len(notes) - 1:
            p.paragraph_format.keep_with_next = True
        p.add_run(note).font.size = Pt(size_pt)
        _mark_size(p, size_pt)


def _mark_size(paragraph: Any, size_pt: float) -> None:
    """The paragraph mark at the size of the text, so that the last line is no taller than the others."""
    rpr = _element("w:rPr")
    rpr.append(_element("w:sz", val=str(round(size_pt * 2))))
    paragraph._p.get_or_add_pPr().append(rpr)


def _page(section: Any, paper: str, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    short, long_ = PAPER_SIZES_PT[paper]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (long_, short) if landscape else (short, long_)
    section.page_width, section.page_height = Pt(width), Pt(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Pt(MARGIN_PT))


def _table(doc: Any, table: Table, plan: Layout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    n_header = 2 if table.column_groups else 1
    ncols = len(table.columns) + 1
    grid = doc.add_table(rows=n_header, cols=ncols)
    _table_properties(grid, plan)
    if table.column_groups:
        col = 1
        for text, span in table.column_groups:
            cell = grid.cell(0, col)
            if span > 1:
                cell = cell.merge(grid.cell(0, col + span - 1))
            _write(cell, text, plan.font_pt, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            col += span
        grid.cell(0, 0).merge(grid.cell(1, 0))
    _write(grid.cell(0, 0), table.label_header or "Characteristic", plan.font_pt, bold=True)
    for j, h in enumerate(table.columns):
        _write(grid.cell(n_header - 1, j + 1), h, plan.font_pt, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for tr in grid.rows:
        _row_properties(tr, header=True)
        for j, cell in enumerate(tr.cells):
            cell.width = Pt(plan.widths_pt[j])
    for tr in _body_rows(table, plan):
        grid._tbl.append(tr)
    # the rules go on the cells of each row as stored (a label merged over two header rows keeps its top in the
    # first row and takes the rule below the header in the second)
    for tc in grid.rows[0]._tr.tc_lst:
        _border(tc, top=RULE_THICK)
    for tc in grid.rows[n_header - 1]._tr.tc_lst:
        _border(tc, bottom=RULE_THIN)
    if len(grid.rows) > n_header:
        for tc in grid.rows[-1]._tr.tc_lst:
            _border(tc, bottom=RULE_THICK)


def _body_rows(table: Table, plan: Layout) -> list[Any]:
    """The body rows as WordprocessingML, written out directly (python-docx builds them cell by cell, at about
    50 times the cost): the same elements as :func:`_write` would give, one row that never splits per table row,
    a section row merged across the table."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.oxml.simpletypes import ST_HpsMeasure, ST_SignedTwipsMeasure, ST_TwipsMeasure
    from docx.shared import Pt

    size, small = (ST_HpsMeasure.convert_to_xml(Pt(v)) for v in (plan.font_pt, plan.font_pt - PAPER_NOTE_SMALLER_PT))
    widths = [ST_TwipsMeasure.convert_to_xml(Pt(w)) for w in plan.widths_pt]
    mark = f'<w:rPr><w:sz w:val="{size}"/></w:rPr>'  # the paragraph mark at the text's size (see _mark_size)

    def run(text: str, props: str) -> str:
        return f"<w:r><w:rPr>{props}</w:rPr>{_text_xml(text)}"

    def cell(width: str, para: str, content: str, span: str = "") -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}</w:tcPr>'
                f'<w:p><w:pPr>{para}{mark}</w:pPr>{content}</w:p></w:tc>')

    rows = []
    for k, row in enumerate(table.rows):
        # the last row keeps with the footnotes, so that they never start a page of their own
        keep = "<w:keepNext/>" if table.footnotes and k == len(table.rows) - 1 else ""
        if row.section:  # merged across: its width is set once per grid column, the last one staying
            tcs = cell(widths[-1], keep, run(row.label, f'<w:b/><w:sz w:val="{size}"/>') + "</w:r>",
                       f'<w:gridSpan w:val="{len(widths)}"/>')
        else:
            indent = INDENT_PT * row.level
            para = keep + (f'<w:ind w:left="{ST_SignedTwipsMeasure.convert_to_xml(Pt(indent))}"/>' if indent else "")
            tcs = cell(widths[0], para, run(row.label, f'<w:b w:val="0"/><w:sz w:val="{size}"/>') + "</w:r>")
            for width, c in zip(widths[1:], row.cells):
                content = run(c.text, f'<w:b w:val="0"/><w:sz w:val="{size}"/>')
                if c.paper:  # the value the paper printed, under the demo's value
                    content += "<w:br/></w:r>" + run(f"paper: {c.paper}", f'<w:i/><w:sz w:val="{small}"/>')
                tcs += cell(width, keep + '<w:jc w:val="center"/>', content + "</w:r>")
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{tcs}</w:tr>")
    if not rows:
        return []
    return list(parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_xml(text: str) -> str:
    """:func:`_add_text` as XML: ``w:t`` pieces with non-breaking hyphens and word joiners."""
    text = _DASH_IN_RANGE.sub("\u2013\u2060", text)
    out = []
    for k, piece in enumerate(_HYPHEN_IN_WORD.split(text)):
        if k:
            out.append("<w:noBreakHyphen/>")
        if piece:
            keep = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{keep}>{_escape(piece)}</w:t>")
    return "".join(out)


def _write(cell: Any, text: str, font_pt: float, bold: bool = False, align: Any = None, indent: float = 0.0,
           paper: str = "") -> None:
    from docx.shared import Pt

    p = cell.paragraphs[0]
    run = p.add_run()
    _add_text(run, text)
    run.bold = bold
    run.font.size = Pt(font_pt)
    if paper:  # the value the paper printed, under the demo's value
        run.add_break()
        note = p.add_run()
        _add_text(note, f"paper: {paper}")
        note.italic = True
        note.font.size = Pt(font_pt - PAPER_NOTE_SMALLER_PT)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.left_indent = Pt(indent)
    _mark_size(p, font_pt)


_HYPHEN_IN_WORD = re.compile(r"-(?=[\w.])")
_DASH_IN_RANGE = re.compile(r"(?<=\d)\u2013(?=[\d-])")


def _add_text(run: Any, text: str) -> None:
    """Text that never breaks inside a word: a hyphen or minus sign before a letter or digit becomes Word's
    non-breaking hyphen ("chi-square", "-0.03" stay whole) and a range dash between numbers ("5.5\u201380.8")
    is followed by a word joiner, so lines break only at spaces."""
    text = _DASH_IN_RANGE.sub("\u2013\u2060", text)
    pieces = _HYPHEN_IN_WORD.split(text)
    for k, piece in enumerate(pieces):
        if k:
            run._r.append(_element("w:noBreakHyphen"))
        if piece:
            run._r.add_t(piece)


def _element(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


#: Child order of ``w:tblPr`` required by the WordprocessingML schema (Word refuses files out of order).
_TBL_PR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                 "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                 "w:tblLayout", "w:tblCellMar", "w:tblLook")


def _table_properties(grid: Any, plan: Layout) -> None:
    """Fixed layout at the planned widths, no borders at all (the rules are set per cell), tight cell margins."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    grid.autofit = False
    tbl_pr = grid._tbl.tblPr
    borders = _element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(f"w:{side}", val="nil"))
    margins = _element("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        width = (CELL_PAD_PT if side in ("left", "right") else CELL_PAD_V_PT) * 20
        margins.append(_element(f"w:{side}", w=str(round(width)), type="dxa"))
    mine = {"w:tblW": _element("w:tblW", w=str(round(sum(plan.widths_pt) * 20)), type="dxa"),
            "w:tblBorders": borders, "w:tblLayout": _element("w:tblLayout", type="fixed"), "w:tblCellMar": margins}
    kept = [el for el in tbl_pr if el.tag not in {qn(t) for t in mine}]
    for el in list(tbl_pr):
        tbl_pr.remove(el)
    order = {qn(t): i for i, t in enumerate(_TBL_PR_ORDER)}
    for el in sorted([*kept, *mine.values()], key=lambda e: order.get(e.tag, len(order))):
        tbl_pr.append(el)
    for j, col in enumerate(grid.columns):
        col.width = Pt(plan.widths_pt[j])


def _row_properties(tr: Any, header: bool) -> None:
    """Rows never split across pages; header rows repeat on every page of a long table."""
    tr_pr = tr._tr.get_or_add_trPr()
    tr_pr.append(_element("w:cantSplit"))
    if header:
        tr_pr.append(_element("w:tblHeader"))


def _border(tc: Any, top: int | None = None, bottom: int | None = None) -> None:
    from docx.oxml.ns import qn

    tc_pr = tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = _element("w:tcBorders")
        tc_pr.append(borders)
    for side, size in (("top", top), ("bottom", bottom)):
        if size is None:
            continue
        for old in borders.findall(qn(f"w:{side}")):
            borders.remove(old)
        borders.append(_element(f"w:{side}", val="single", sz=str(size), space="0", color="000000"))
