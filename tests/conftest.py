"""Fixtures shared by every test: copies of the hand-made example cohort that tests can damage cell by cell, and
the bundled demo cohort analysed once per session. (The reading station's Django fixtures are in
tests/station/conftest.py.)"""
from __future__ import annotations

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
