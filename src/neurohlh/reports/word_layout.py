"""Page layout of one table of the Word file: orientation, font sizes and column widths, chosen from the widths and
heights of its text in Arial (measured with :mod:`neurohlh.reports._textwidth`, no font file needed).

A table and its footnotes should sit on one page. When they do not at the journal sizes (cells 9 pt, footnotes
8 pt), the footnotes and then the cells are set smaller, down to 7.5 pt cells with 7 pt footnotes; a table too
long even then runs over pages, its header repeated on each, its footnotes kept with its last row.
"""
from __future__ import annotations

from dataclasses import dataclass

from neurohlh.reports._textwidth import text_width_pt
from neurohlh.reports.model import Table

#: Paper sizes in points (width, height), portrait.
PAPER_SIZES_PT: dict[str, tuple[float, float]] = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
#: Page margin on every side, points (2 cm).
MARGIN_PT = 56.7
#: (cell font, footnote font) in points, tried in turn until a table and its footnotes fit on one page.
SIZES_PT: tuple[tuple[float, float], ...] = ((9.0, 8.0), (9.0, 7.0), (8.0, 7.0), (7.5, 7.0))
FONT_PT, FOOTNOTE_PT = SIZES_PT[0]
#: Font of the value the paper printed under a demo cell: one point below the cell's.
PAPER_NOTE_SMALLER_PT = 1.0
#: Left and right inner margin of every cell, points.
CELL_PAD_PT = 3.0
#: Top and bottom inner margin of every cell, points.
CELL_PAD_V_PT = 0.75
#: Slack added to every measured width (rounding of the renderer), points.
SLACK_PT = 3.0
#: Indent of one row level in the label column, points.
INDENT_PT = 10.0
#: Height of one line of Arial, single spaced, per point of font size (ascent + descent + line gap).
LINE_HEIGHT = 1.15
#: Space after the caption and before the first footnote, points.
CAPTION_AFTER_PT, FOOTNOTES_BEFORE_PT = 6.0, 4.0
#: Height of the three rules and the renderer's rounding per table (LibreOffice draws the demo tables 5 pt taller
#: than the sum of their lines), points.
RULES_PT = 5.0
#: Height kept free on a page for what the estimate cannot know (another renderer's rounding), points.
HEIGHT_SLACK_PT = 12.0


@dataclass(frozen=True)
class Layout:
    """Page orientation, font sizes and column widths (points) chosen for one table; ``one_page`` when the table
    and its footnotes fit on one page (else the table runs over pages and its footnotes follow its last row)."""

    landscape: bool
    font_pt: float
    widths_pt: tuple[float, ...]
    footnote_pt: float = FOOTNOTE_PT
    one_page: bool = True
    height_pt: float = 0.0  #: estimated height of caption, table and footnotes


def _columns_text(table: Table) -> list[list[tuple[str, bool, float]]]:
    """Per column: every text it holds as (text, bold, indent in points)."""
    cols: list[list[tuple[str, bool, float]]] = [[(table.label_header or "Characteristic", True, 0.0)]]
    cols += [[(h, True, 0.0)] for h in table.columns]
    for row in table.rows:
        if row.section:
            continue  # a section heading spans the whole table
        cols[0].append((row.label, False, INDENT_PT * row.level))
        for j, cell in enumerate(row.cells):
            cols[j + 1].append((cell.text, False, 0.0))
            if cell.paper:
                cols[j + 1].append((f"paper: {cell.paper}", False, 0.0))
    return cols


def _needs(table: Table, font_pt: float) -> tuple[list[float], list[float]]:
    """(minimum, preferred) width of every column: its longest word, and its longest unwrapped text."""
    pad = 2 * CELL_PAD_PT + SLACK_PT
    minimum, preferred = [], []
    for texts in _columns_text(table):
        words = [text_width_pt(w, font_pt, bold) + indent for t, bold, indent in texts for w in t.split()] or [0.0]
        lines = [text_width_pt(t, font_pt, bold) + indent for t, bold, indent in texts] or [0.0]
        minimum.append(max(words) + pad)
        preferred.append(max(lines) + pad)
    col = 1
    for text, span in table.column_groups:  # a spanning header needs room for its longest word too
        need = max((text_width_pt(w, font_pt, True) for w in text.split()), default=0.0) + pad
        have = sum(minimum[col:col + span])
        if need > have:
            for j in range(col, col + span):
                minimum[j] += (need - have) / span
                preferred[j] = max(preferred[j], minimum[j])
        col += span
    return minimum, preferred


def _share(minimum: list[float], preferred: list[float], width: float) -> tuple[float, ...]:
    """Widths that fill ``width``, starting from every column's minimum: the cell columns get the room they
    need to stay unwrapped first (shared in proportion to it when short), then the label column, whose long
    labels wrap best; what is left after everything is unwrapped goes to the label column too."""
    out = list(minimum)
    room = width - sum(out)
    if room <= 0:
        return tuple(out)
    wants = [max(p - m, 0.0) for p, m in zip(preferred, minimum)]
    cells = sum(wants[1:])
    if cells >= room:
        for j in range(1, len(out)):
            out[j] += room * wants[j] / cells
        return tuple(out)
    for j in range(1, len(out)):
        out[j] += wants[j]
    out[0] += width - sum(out)
    return tuple(out)


def line_count(text: str, width_pt: float, font_pt: float, bold: bool = False) -> int:
    """Lines ``text`` takes in ``width_pt`` points, broken at spaces only (the Word file never breaks a word)."""
    space = text_width_pt(" ", font_pt, bold)
    lines, used = 1, -space
    for word in text.split():
        w = text_width_pt(word, font_pt, bold)
        if used > 0 and used + space + w > width_pt:
            lines, used = lines + 1, w
        else:
            used += space + w
    return lines


def _row_height(texts: list[tuple[str, float, float, bool]], font_pt: float) -> float:
    """Height of a row whose cells hold (text, width, indent, bold); a second line "paper: ..." is the printed
    value set one point smaller under a demo cell."""
    tallest = 0.0
    for text, width, indent, bold in texts:
        value, _, paper = text.partition("\npaper: ")
        room = width - 2 * CELL_PAD_PT - indent
        h = line_count(value, room, font_pt, bold) * font_pt * LINE_HEIGHT
        if paper:  # its line is as tall as the cell's (the paragraph mark keeps the cell's size)
            h += line_count(f"paper: {paper}", room, font_pt - PAPER_NOTE_SMALLER_PT) * font_pt * LINE_HEIGHT
        tallest = max(tallest, h)
    return tallest + 2 * CELL_PAD_V_PT


def table_height(table: Table, widths: tuple[float, ...], font_pt: float, footnote_pt: float) -> float:
    """Estimated height in points of the caption, the table and its footnotes set at these widths and sizes."""
    total = sum(widths)
    height = line_count(table.title, total, font_pt, True) * font_pt * LINE_HEIGHT + CAPTION_AFTER_PT + RULES_PT
    if table.column_groups:
        groups, col = [], 1
        for text, span in table.column_groups:
            groups.append((text, sum(widths[col:col + span]), 0.0, True))
            col += span
        height += _row_height(groups, font_pt)
    header = [(table.label_header or "Characteristic", widths[0], 0.0, True)]
    height += _row_height(header + [(h, w, 0.0, True) for h, w in zip(table.columns, widths[1:])], font_pt)
    for row in table.rows:
        if row.section:
            height += _row_height([(row.label, total, 0.0, True)], font_pt)
            continue
        cells = [(c.text + (f"\npaper: {c.paper}" if c.paper else ""), w, 0.0, False)
                 for c, w in zip(row.cells, widths[1:])]
        height += _row_height([(row.label, widths[0], INDENT_PT * row.level, False), *cells], font_pt)
    if table.footnotes:
        height += FOOTNOTES_BEFORE_PT + sum(line_count(n, total, footnote_pt) for n in table.footnotes) \
            * footnote_pt * LINE_HEIGHT
    return height


def _fit_width(table: Table, paper: str, font_pt: float) -> tuple[bool, tuple[float, ...]] | None:
    """(landscape, widths) at this font: upright when every cell column fits unwrapped beside the label column's
    longest word, else landscape; ``None`` when even landscape is too narrow for every column's longest word."""
    short, long_ = PAPER_SIZES_PT[paper]
    upright, across = short - 2 * MARGIN_PT, long_ - 2 * MARGIN_PT
    minimum, preferred = _needs(table, font_pt)
    if minimum[0] + sum(preferred[1:]) <= upright:
        return False, _share(minimum, preferred, upright)
    if sum(minimum) <= across:
        return True, _share(minimum, preferred, across)
    return None


def layout(table: Table, paper: str = "a4") -> Layout:
    """Orientation, fonts and column widths of one table: the largest sizes of :data:`SIZES_PT` at which the
    table is wide enough for its longest words and, with its footnotes, short enough for one page."""
    short, long_ = PAPER_SIZES_PT[paper]
    plans = []
    for font_pt, footnote_pt in SIZES_PT:
        fit = _fit_width(table, paper, font_pt)
        if fit is None:
            continue
        landscape, widths = fit
        height = table_height(table, widths, font_pt, footnote_pt)
        room = (short if landscape else long_) - 2 * MARGIN_PT - HEIGHT_SLACK_PT
        plans.append(Layout(landscape, font_pt, widths, footnote_pt, height <= room, height))
        if height <= room:
            return plans[-1]
    if not plans:  # too wide even in landscape at the smallest size: the columns get their longest words
        font_pt, footnote_pt = SIZES_PT[-1]
        minimum, preferred = _needs(table, font_pt)
        widths = _share(minimum, preferred, long_ - 2 * MARGIN_PT)
        return Layout(True, font_pt, widths, footnote_pt, False, table_height(table, widths, font_pt, footnote_pt))
    # too long for one page at any size: it runs over pages at the journal sizes
    first = plans[0]
    return Layout(first.landscape, first.font_pt, first.widths_pt, first.footnote_pt, False, first.height_pt)
