"""report.html in a real browser (headless Debian Chromium through Playwright): no table is wider than its
container, on screens from laptop to tablet width and on printed A4 and Letter pages (upright, or landscape
for the tables marked wide, as the print stylesheet sets them); and printing puts sections on new pages."""
from __future__ import annotations

import pytest

from neurohlh.reports import build_report
from neurohlh.reports.html import write_html

#: Printable width of a page in CSS pixels (96 per inch) inside the stylesheet's 12 mm side margins.
MM = 96 / 25.4
PRINT_WIDTHS = {("a4", False): (210 - 24) * MM, ("a4", True): (297 - 24) * MM,
                ("letter", False): (215.9 - 24) * MM, ("letter", True): (279.4 - 24) * MM}

OVERFLOW = """() => [...document.querySelectorAll('figure.table')].map(f => {
    const t = f.querySelector('table'), box = f.getBoundingClientRect(), tb = t.getBoundingClientRect();
    const scroller = f.querySelector('.scroll');
    return {key: f.id, wide: f.classList.contains('wide'), figure: box.width, table: tb.width,
            left: tb.left - box.left, right: tb.right - box.right,
            scroll: scroller ? scroller.scrollWidth - scroller.clientWidth : 0,
            page: document.documentElement.scrollWidth - document.documentElement.clientWidth};
})"""


@pytest.fixture(scope="module")
def report_files(demo_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    return {paper: write_html(build_report(demo_result, paper=paper), folder / f"{paper}.html")
            for paper in ("a4", "letter")}


def _measure(page, path, width: float, media: str):
    page.set_viewport_size({"width": int(width), "height": 900})
    page.emulate_media(media=media)
    page.goto(path.as_uri())
    return page.evaluate(OVERFLOW)


def _assert_fits(boxes, where: str) -> None:
    assert boxes, "no tables found"
    for b in boxes:
        assert b["right"] <= 1 and b["left"] >= -1, f"{where}: table {b['key']} overflows its container: {b}"
        assert b["scroll"] <= 1, f"{where}: table {b['key']} needs a scrollbar: {b}"


@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_no_table_overflows_on_screen(browser_page, report_files, width):
    _assert_fits(_measure(browser_page, report_files["a4"], width, "screen"), f"screen {width}px")


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_table_overflows_a_printed_page(browser_page, report_files, paper):
    tested = {False: 0, True: 0}
    for landscape in (False, True):
        width = PRINT_WIDTHS[(paper, landscape)]
        boxes = [b for b in _measure(browser_page, report_files[paper], width, "print") if b["wide"] is landscape]
        _assert_fits(boxes, f"{paper} {'landscape' if landscape else 'upright'}")
        tested[landscape] = len(boxes)
    assert tested[False] and tested[True]  # the demo has both kinds


def test_print_stylesheet_sets_pages_and_breaks(browser_page, report_files):
    text = report_files["letter"].read_text(encoding="utf-8")
    assert "@page { size: letter;" in text and "@page wide { size: letter landscape;" in text
    assert "@page { size: A4;" in report_files["a4"].read_text(encoding="utf-8")
    browser_page.emulate_media(media="print")
    browser_page.goto(report_files["a4"].as_uri())
    style = browser_page.evaluate("""() => ['tables', 'figures', 'methods', 'provenance'].map(id => [id,
        getComputedStyle(document.getElementById(id)).breakBefore])""")
    assert all(value == "page" for _, value in style), style
    wide = browser_page.evaluate("() => [...document.querySelectorAll('figure.table.wide')].map(f => f.id)")
    assert "table2" in wide and "table2_extended" in wide and "table1" not in wide
    pdf = browser_page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
