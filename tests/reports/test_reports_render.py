"""Renderers on a small hand-made table: every format shows exactly the cells we put in."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from report_readers import HTMLTables

from neurohlh.reports.html import render_html, write_html
from neurohlh.reports.model import Cell, Figure, Report, Row, Table, TestRef
from neurohlh.reports.render import write_csv, write_xlsx
from neurohlh.reports.word import write_docx

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def _table() -> Table:
    rows = (
        Row("Symptoms", section=True),
        Row("Seizures", (Cell("11/21 (52%)", 11 / 21, 11, 21, "count"), Cell(".5", 0.5, kind="p"),
                         Cell("19/32 (59%)", 19 / 32, 19, 32, "count")), 1,
            tests=(TestRef("subpatterns", "Pearson chi-square", 0.487),)),
        Row("Age <b>& co</b>", (Cell("45.4"), Cell(""), Cell("55.5")), 0),
    )
    return Table("demo_table", "Table X: A hand-made table", ("1.1", "P", "Pattern 1"), rows,
                 ("Footnote one.", "Pearson chi-square (seizures)."), label_header="Characteristic",
                 column_groups=(("Subpatterns", 2), ("Patterns", 1)))


def _report() -> Report:
    return Report("Hand-made report", (_table(),), (Figure("f1", "A figure", "Caption.", SVG, b"\x89PNG"),),
                  methods="First paragraph.\n\nSecond paragraph.", policy="paper",
                  summary=(("Patients", "57"),), warnings=("A warning.",), versions=(("neurohlh", "0.1.0"),),
                  checksums=(("patients.csv", "ab" * 32),))


def test_table_rejects_rows_of_the_wrong_width():
    with pytest.raises(ValueError, match="has 1 cells, expected 2"):
        Table("t", "T", ("a", "b"), (Row("x", (Cell("1"),)),))


def test_table_lookup_and_frame():
    t = _table()
    assert t.cell("Seizures", "Pattern 1").text == "19/32 (59%)"
    frame = t.to_frame()
    assert list(frame.columns) == ["Characteristic", "1.1", "P", "Pattern 1"]
    assert frame.iloc[1].tolist() == ["  Seizures", "11/21 (52%)", ".5", "19/32 (59%)"]


def test_html_is_self_contained_and_escaped(tmp_path: Path):
    path = write_html(_report(), tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    parser = HTMLTables()
    parser.feed(text)
    rows = parser.tables["demo_table"]
    assert rows[0] == ["Characteristic", "Subpatterns", "Patterns"]
    assert rows[1] == ["1.1", "P", "Pattern 1"]
    assert rows[3] == ["Seizures", "11/21 (52%)", ".5", "19/32 (59%)"]
    assert rows[4][0] == "Age <b>& co</b>"      # label text survives, as text
    assert "<b>& co</b>" not in text              # ... because it was escaped
    assert parser.external == []                  # no external stylesheet, script or frame
    assert parser.imgs and all(src.startswith("data:image/svg+xml;base64,") for src in parser.imgs)
    for expected in ("A warning.", "Second paragraph.", "ab" * 32, "Footnote one.", "Caption."):
        assert expected in text


def test_csv_has_label_column_cells_and_footnotes(tmp_path: Path):
    path = write_csv(_table(), tmp_path / "t.csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.reader([line for line in lines if not line.startswith("#")]))
    assert rows[0] == ["Characteristic", "1.1", "P", "Pattern 1"]
    assert rows[2] == ["  Seizures", "11/21 (52%)", ".5", "19/32 (59%)"]
    assert lines[-1] == "# Pearson chi-square (seizures)."


def test_xlsx_sheet_holds_title_headers_cells_and_footnotes(tmp_path: Path):
    from openpyxl import load_workbook

    path = write_xlsx(_report(), tmp_path / "t.xlsx")
    ws = load_workbook(path)["demo_table"]
    values = [tuple(row) for row in ws.iter_rows(values_only=True)]
    assert values[0][0] == "Table X: A hand-made table"
    assert values[1][1:] == ("Subpatterns", None, "Patterns")
    assert values[2] == ("Characteristic", "1.1", "P", "Pattern 1")
    assert values[4] == ("Seizures", "11/21 (52%)", ".5", "19/32 (59%)")
    assert ("Footnote one.", None, None, None) in values


def test_docx_one_table_per_page_with_caption_and_cells(tmp_path: Path):
    from docx import Document

    second = Table("t2", "Second table", ("A",), (Row("r", (Cell("1"),)),))
    report = Report("R", (_table(), second))
    doc = Document(str(write_docx(report, tmp_path / "t.docx")))
    assert len(doc.tables) == 2
    grid = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert grid[1][1:] == ["1.1", "P", "Pattern 1"]
    assert grid[3] == ["Seizures", "11/21 (52%)", ".5", "19/32 (59%)"]
    from docx.enum.section import WD_ORIENT

    assert len(doc.sections) == 2  # each table starts a new page (its own section)
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT  # 3 columns: portrait
    assert doc.sections[0].page_width < doc.sections[0].page_height
    texts = [p.text for p in doc.paragraphs]
    assert "Table 1. Table X: A hand-made table" not in texts  # title already says "Table"
    assert "Table X: A hand-made table" in texts and "Footnote one." in texts


def test_render_html_without_figures_or_warnings():
    text = render_html(Report("Plain", (_table(),)))
    assert 'id="warnings"' not in text and "Figures</h2>" not in text
