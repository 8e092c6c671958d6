"""The whole reading in a browser (Playwright driving Debian's chromium) against a real station server.

The coordinator imports the demo cohort and assigns; two readers read three studies, disagreeing on one field of
one; the adjudicator resolves it; the coordinator exports and runs the analysis. Skipped without chromium unless
``NEUROHLH_REQUIRE_BROWSER=1``. With ``NEUROHLH_STATION_SCREENSHOTS=DIR`` the pages are also saved as PNGs.
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from neurohlh.io import load_cohort

from ._live import PASSWORD, make_station, serve

SHOTS = os.environ.get("NEUROHLH_STATION_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser(playwright_browser):
    """The session's shared headless Chromium (tests/conftest.py): one Playwright driver per process."""
    return playwright_browser


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def _session(browser, url: str, user: str, csp_errors: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(url + "/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    _go(page, "button[type=submit]")
    return page


def _go(page, selector: str) -> None:
    """Click something that loads a new page, and wait for it."""
    with page.expect_navigation():
        page.click(selector)


def _fill(page, infra: str) -> None:
    page.select_option("select[name=supra_lesion_number]", "multiple")
    page.select_option("select[name=infra_lesion_number]", infra)
    page.check("input[name=supra_lesion_type][value=focal]")
    page.check("input[name=loc_cerebral_wm][value=yes]")
    page.check("input[name=cerebellar_diffuse_edema][value=no]")
    page.fill("input[name=pontine_enhancing_lesion_count]", "0")
    page.check("input[name=sequences][value=flair]")
    page.check("input[name=sequences][value=t1_postcontrast]")  # an enhancing lesion count needs contrast


def test_import_assign_read_adjudicate_export_analyse(browser, tmp_path):
    folder = tmp_path / "station"
    make_station(folder, [("coord", "coordinator", ""), ("reader.one", "reader", ""),
                          ("reader.two", "reader", ""), ("judge", "adjudicator", "")])
    csp: list[str] = []
    with serve(folder) as (url, _):
        coord = _session(browser, url, "coord", csp)
        coord.goto(url + "/coordinator/import/")
        _go(coord, "#import-demo")
        assert "Imported 123 studies (57 patients)" in coord.inner_text("main")
        coord.goto(url + "/coordinator/assign/")
        coord.fill("input[name=seed]", "2021")
        _go(coord, "#assign")
        assert "Assigned 123 studies to 2 readers" in coord.inner_text("main")

        one = _session(browser, url, "reader.one", csp)
        assert one.url.endswith("/worklist/")
        _shot(one, "station-worklist")
        codes = [one.inner_text(f"tbody tr:nth-child({i}) td:nth-child(2)") for i in (1, 2, 3)]
        two = _session(browser, url, "reader.two", csp)
        for i, code in enumerate(codes):
            for page, infra in ((one, "few"), (two, "none" if i == 2 else "few")):
                page.goto(url + "/worklist/")
                _go(page, f"text={code}")
                assert code in page.inner_text("h1") and "EX" not in page.inner_text("main")
                _fill(page, infra)
                page.click("button[value=save]")                      # htmx: the draft is saved in place
                page.wait_for_selector("#status .ok")
                assert "Draft saved" in page.inner_text("#status")
                if i == 0 and page is one:
                    _shot(page, "station-sheet")
                _go(page, "button[value=submit]")
                assert "Submitted." in page.inner_text("main")

        judge = _session(browser, url, "judge", csp)
        assert judge.url.endswith("/adjudicate/")
        assert judge.locator("tbody tr").count() == 1 and codes[2] in judge.inner_text("tbody")
        _go(judge, f"text={codes[2]}")
        assert "Reader A" in judge.inner_text("main") and "Reader B" in judge.inner_text("main")
        _shot(judge, "station-adjudication")
        _go(judge, "button.primary")                                   # no choice, no reason: refused
        assert "needs a choice and a reason" in judge.inner_text("main")
        a_value = judge.inner_text("tbody tr td:nth-child(2)")
        judge.check("input[name=choice__infra_lesion_number][value=A]")
        judge.fill("textarea[name=reason__infra_lesion_number]", "vermian lesions seen on FLAIR")
        _go(judge, "button.primary")
        assert "Adjudicated." in judge.inner_text("main")
        assert "Pattern allocation of the consensus" in judge.inner_text("main")
        _shot(judge, "station-adjudicated")

        coord.goto(url + "/coordinator/")
        assert "3 of 123 studies have a consensus read" in coord.inner_text("main")
        assert "3 studies read by both readers; 1 with at least one discordant field" in coord.inner_text("main")
        _shot(coord, "station-dashboard")
        coord.goto(url + "/coordinator/analysis/")
        with coord.expect_download() as download:
            coord.click("#export")
        path = tmp_path / "export.zip"
        download.value.save_as(path)
        with zipfile.ZipFile(path) as z:
            z.extractall(tmp_path / "unzipped")
        exported = load_cohort(tmp_path / "unzipped" / "station-export")
        consensus = exported.studies[exported.studies["reader"] == "consensus"]
        assert len(consensus) == 3
        decided = consensus[consensus["study_id"] == consensus["study_id"].iloc[0]]
        assert set(exported.studies["reader"]) == {"consensus", "reader_1", "reader_2", "adjudicator"}
        assert a_value in set(exported.studies.loc[exported.studies["reader"] == "consensus", "infra_lesion_number"])
        assert len(decided) == 1
        coord.click("#analyse")
        coord.wait_for_url("**/report.html")
        assert "CNS HLH MRI pattern analysis" in coord.title() or "pattern" in coord.content().lower()
        _shot(coord, "station-analysis")
    assert csp == [], csp
