"""Fixtures shared by every test: copies of the hand-made example cohort that tests can damage cell by cell, and
the bundled demo cohort analysed once per session. (The reading station's Django fixtures are in
tests/station/conftest.py.)

Browser tests: ``chromium`` is the Debian Chromium binary (Playwright drives it; browsers are never downloaded).
A test that asks for it is skipped, with the reason, when /usr/bin/chromium is absent, but fails when
``NEUROHLH_REQUIRE_BROWSER=1`` is set (CI sets it and installs chromium). ``browser_page`` is a fresh page of a
headless Chromium launched through Playwright with the flags that work in containers."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "example-cohort"


def read_cells(folder: Path, table: str) -> pd.DataFrame:
    """All cells as strings; lines starting with '#' before the header are skipped."""
    lines = (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()
    comments = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, skiprows=comments)


def write_cells(folder: Path, table: str, frame: pd.DataFrame) -> None:
    """Write without comment lines: the header is spreadsheet row 1, data row i (0-based) is row i + 2."""
    frame.to_csv(folder / f"{table}.csv", index=False, lineterminator="\n")


@pytest.fixture
def cohort_dir(tmp_path: Path) -> Path:
    """A writable copy of the example cohort without its comment lines (header = row 1)."""
    out = tmp_path / "cohort"
    shutil.copytree(EXAMPLE, out)
    for table in ("patients", "studies", "variants"):
        write_cells(out, table, read_cells(out, table))
    return out


@pytest.fixture
def set_cell(cohort_dir: Path):
    """set_cell(table, index, column, value) edits one cell of the copy and returns the folder."""
    def _set(table: str, index: int, column: str, value: str) -> Path:
        frame = read_cells(cohort_dir, table)
        frame.loc[index, column] = value
        write_cells(cohort_dir, table, frame)
        return cohort_dir
    return _set


@pytest.fixture(scope="session")
def demo_cohort():
    from neurohlh.datasets import load_demo_cohort

    return load_demo_cohort()


@pytest.fixture(scope="session")
def demo_result(demo_cohort):
    from neurohlh.analysis import analyze

    return analyze(demo_cohort, policy="paper")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _browser_missing(reason: str) -> None:
    if os.environ.get("NEUROHLH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and NEUROHLH_REQUIRE_BROWSER=1 says browser tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Path of the Chromium binary (skip, or fail under NEUROHLH_REQUIRE_BROWSER=1, when it is missing)."""
    if not (CHROMIUM.exists() or shutil.which(str(CHROMIUM))):
        _browser_missing(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_browser(chromium: Path):
    """A headless Chromium driven by Playwright, shared by the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("the Python package 'playwright' is not installed (it is in the test extra)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(playwright_browser):
    """A fresh page (its own context) in the shared headless Chromium."""
    context = playwright_browser.new_context()
    page = context.new_page()
    yield page
    context.close()
