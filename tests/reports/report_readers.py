"""Independent readers of the three report formats, for tests: each returns a table as rows of cell texts."""
from __future__ import annotations

import html.parser
from pathlib import Path


class HTMLTables(html.parser.HTMLParser):
    """Every ``<table data-key=...>`` as a list of rows of cell texts (th and td), read with the stdlib parser."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.captions: list[str] = []
        self.imgs: list[str] = []
        self.external: list[str] = []
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._in_paper = False  # inside <span class="paper">: the printed value beside a demo cell
        self.paper: dict[str, list[tuple[str, str]]] = {}  #: per table, (cell text, printed value) pairs

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table" and "data-key" in a:
            self._key = a["data-key"]
            self.tables[self._key] = []
        elif tag == "tr" and self._key:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and a.get("class") == "paper" and self._cell is not None:
            self._in_paper = True
            self._paper_text: list[str] = []
        elif tag == "figcaption":
            self._caption = []
        elif tag == "img":
            self.imgs.append(a.get("src", ""))
        elif tag in ("link", "script", "iframe"):
            self.external.append(a.get("href") or a.get("src") or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._in_paper and self._cell is not None and self._key:
            self._in_paper = False
            self.paper.setdefault(self._key, []).append(("".join(self._cell).strip(), "".join(self._paper_text)))
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._key:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None
        elif tag == "figcaption" and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)
        if self._in_paper:
            self._paper_text.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(path: Path) -> HTMLTables:
    parser = HTMLTables()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser


def docx_tables(path: Path) -> list[list[list[str]]]:
    from docx import Document

    # U+2060 (word joiner) keeps a range such as 5.5-80.8 on one line; it is invisible formatting, not text
    # the printed value under a demo cell ("\npaper: ...") is left out: the cell's own text is read
    return [[[c.text.replace("\u2060", "").split("\npaper: ")[0].strip() for c in row.cells] for row in t.rows]
            for t in Document(str(path)).tables]


def xlsx_sheet(path: Path, sheet: str) -> list[list[str]]:
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True)[sheet]
    return [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]


def rows_by_label(rows: list[list[str]]) -> dict[str, list[str]]:
    """First row per label (first cell), cells after the label."""
    out: dict[str, list[str]] = {}
    for r in rows:
        if r and r[0] and r[0] not in out:
            out[r[0]] = r[1:]
    return out
