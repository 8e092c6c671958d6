"""Render a :class:`~neurohlh.reports.model.Report` as one self-contained HTML file.

Everything is inline: the CSS lives in the template, figures are embedded as base64 SVG images
(isolating each SVG's ids from the page) with the PNG a click away in the output folder.
"""
from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from neurohlh.reports.model import Report


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("neurohlh", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["b64"] = lambda text: base64.b64encode(text.encode("utf-8") if isinstance(text, str) else text).decode()
    return env


#: CSS page size per paper option.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}


def render_html(report: Report) -> str:
    """The report as an HTML string (no external resources).

    When printed, pages are A4 or Letter (``report.paper``); the tables that tables.docx sets on a landscape
    page (:func:`neurohlh.reports.word.layout`) print on landscape pages too.
    """
    from neurohlh.reports.word import layout

    paper = (report.paper or "a4").lower()
    wide = {t.key for t in report.tables if layout(t, paper).landscape}
    return _environment().get_template("report.html.j2").render(
        report=report, wide=wide, page_size=PAGE_SIZES.get(paper, "A4"))


def write_html(report: Report, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path
