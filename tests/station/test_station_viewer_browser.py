"""The image viewer in a browser (Playwright driving Debian's chromium) against a real station server.

A reader opens a study with two stored phantom series, scrolls slices with the keys and the mouse wheel, changes
window/level by typing, by a preset and by dragging, switches series and zooms; each time the PNG the page shows
is fetched and compared with the one before. Also: the viewer and the sheet side by side at 1280 and 1024 pixels,
the keyboard path to the image and its visible focus, no content-security-policy violation. Skipped without
chromium unless ``NEUROHLH_REQUIRE_BROWSER=1``. With ``NEUROHLH_STATION_SCREENSHOTS=DIR`` the page is also saved.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ._live import PASSWORD, serve
from ._run import ROOT, env

SHOTS = os.environ.get("NEUROHLH_STATION_SCREENSHOTS")
MAKE = """
import json, sys
sys.path.insert(0, sys.argv[3])
from neurohlh.station.bootstrap import setup, migrate
folder, password = sys.argv[1], sys.argv[2]
setup(folder, create=True, secure_cookies=False)
migrate()
from pathlib import Path
Path(folder, "station.json").write_text("{}")
from neurohlh.station import services
from neurohlh.station.models import Assignment
for name, role in (("reader.one", "reader"), ("reader.two", "reader"), ("judge", "adjudicator")):
    services.add_user(name, role, password, "", actor="test")
services.import_cohort(Path(sys.argv[3], "examples", "example-cohort"), "test")
services.assign_reading("test", seed=3)
a = Assignment.objects.filter(reader__username="reader.one").order_by("position").first()
from tests.station import dicom_phantom
from tests.station._images import store_phantom
written = dicom_phantom.write_study(Path(folder).parent / "dicom", ("T2", "FLAIR"), slices=12, rows=96, columns=96)
store_phantom(written, a.study.study_id)
print(json.dumps({"assignment": a.pk}))
"""


@pytest.fixture(scope="module")
def live_viewer(playwright_browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("viewer") / "station"
    run = subprocess.run([sys.executable, "-c", MAKE, str(folder), PASSWORD, str(ROOT)], env=env(),
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    assignment = json.loads(run.stdout.strip().splitlines()[-1])["assignment"]
    with serve(folder) as (url, _):
        yield {"url": url, "assignment": assignment, "browser": playwright_browser}


def _reader_page(live, width: int, csp: list[str]):
    context = live["browser"].new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live["url"] + "/login/")
    page.fill("input[name=username]", "reader.one")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live['url']}/read/{live['assignment']}/")
    page.wait_for_selector("#viewer-image[data-shown]")
    return page


def _shown(page, before: str | None = None) -> tuple[str, np.ndarray]:
    """The URL of the slice the page shows (once it differs from ``before``) and its pixels, fetched again."""
    if before is not None:
        page.wait_for_function("b => { const i = document.getElementById('viewer-image');"
                               " return i.dataset.shown && i.dataset.shown !== b && !i.dataset.loading; }",
                               arg=before)
    src = page.get_attribute("#viewer-image", "data-shown")
    assert src
    r = page.context.request.get(page.url.split("/read/")[0] + src)
    assert r.status == 200 and r.headers["content-type"] == "image/png"
    return src, np.asarray(Image.open(io.BytesIO(r.body())))


def _label(page) -> str:
    return page.inner_text("#viewer-label")


def test_reader_scrolls_slices_and_changes_window_level(live_viewer):
    csp: list[str] = []
    page = _reader_page(live_viewer, 1280, csp)
    assert page.locator("#viewer-series button").all_inner_texts() == ["T2 (12)", "FLAIR (12)"]
    assert _label(page) == "T2 \u2014 slice 6 of 12"
    src, pixels = _shown(page)
    assert "/5.png?center=1800&width=3600" in src and pixels.shape == (96, 96)

    page.focus("#viewer-frame")
    page.keyboard.press("ArrowDown")                              # next slice
    src2, pixels2 = _shown(page, src)
    assert _label(page) == "T2 \u2014 slice 7 of 12" and "/6.png" in src2
    assert not np.array_equal(pixels, pixels2)

    box = page.locator("#viewer-frame").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 120)                                      # the wheel scrolls too
    src3, pixels3 = _shown(page, src2)
    assert _label(page) == "T2 \u2014 slice 8 of 12" and not np.array_equal(pixels2, pixels3)
    for key, expected in (("End", 12), ("Home", 1), ("PageDown", 2), ("ArrowUp", 1)):
        page.keyboard.press(key)
        src3, _ = _shown(page, src3)
        assert _label(page) == f"T2 \u2014 slice {expected} of 12", key
    page.keyboard.press("End")
    page.keyboard.press("PageUp")
    src3, _ = _shown(page, src3)
    assert _label(page) == "T2 \u2014 slice 11 of 12"

    page.fill("#viewer-center", "900")                           # typed window/level
    page.fill("#viewer-width", "600")
    page.press("#viewer-width", "Enter")
    src4, pixels4 = _shown(page, src3)
    assert "center=900&width=600" in src4 and page.input_value("#viewer-preset") == "custom"
    page.select_option("#viewer-preset", "full")                 # a preset
    src5, pixels5 = _shown(page, src4)
    assert "/10.png" in src5 and not np.array_equal(pixels4, pixels5)

    page.mouse.move(box["x"] + 100, box["y"] + 100)               # dragging: level down/up, width left/right
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 60, steps=4)
    page.mouse.up()
    src6, pixels6 = _shown(page, src5)
    center, width = float(page.input_value("#viewer-center")), float(page.input_value("#viewer-width"))
    full = {k: float(v) for k, v in (x.split("=") for x in src5.split("?")[1].split("&"))}
    assert center < full["center"] and width > full["width"]
    assert not np.array_equal(pixels5, pixels6)

    page.click("#viewer-series button:nth-child(2)")             # the other series
    src7, pixels7 = _shown(page, src6)
    assert _label(page) == "FLAIR \u2014 slice 6 of 12" and "center=1800&width=3600" in src7
    assert not np.array_equal(pixels, pixels7)                   # same slice and window as the start, T2 vs FLAIR

    before = page.locator("#viewer-image").bounding_box()["width"]
    page.focus("#viewer-frame")
    page.keyboard.press("+")                                      # zoom, done by the browser
    page.keyboard.press("+")
    assert page.inner_text("#viewer-zoom") == "150%"
    assert page.locator("#viewer-image").bounding_box()["width"] == pytest.approx(before * 1.5, abs=2)
    page.keyboard.press("0")
    assert page.inner_text("#viewer-zoom") == "100%"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.keyboard.press("ArrowDown")
        _shown(page, src7)
        page.screenshot(path=str(Path(SHOTS) / "station-viewer.png"))
    page.context.close()
    assert csp == [], csp


@pytest.mark.parametrize("width", [1280, 1024])
def test_viewer_beside_the_sheet_and_reachable_by_keyboard(live_viewer, width):
    csp: list[str] = []
    page = _reader_page(live_viewer, width, csp)
    viewer = page.locator("#viewer").bounding_box()
    sheet = page.locator("#sheet").bounding_box()
    assert viewer["x"] + viewer["width"] <= sheet["x"]           # side by side, not overlapping
    assert sheet["x"] + sheet["width"] <= width                   # nothing cut off on the right
    assert page.locator("#viewer-image").bounding_box()["width"] >= 280
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.focus("#viewer-series button:nth-child(2)")
    for _ in range(3):
        if page.evaluate("document.activeElement.id") == "viewer-frame":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "viewer-frame"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"                                     # the focus is visible
    page.keyboard.press("ArrowDown")
    page.wait_for_function("document.getElementById('viewer-label').textContent.includes('slice 7 of 12')")
    page.context.close()
    assert csp == [], csp
