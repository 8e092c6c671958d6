"""Behaviour unchanged: the demo report's numbers equal the committed snapshot.

The snapshot (``tests/reports/data/demo_snapshot.json``) holds, for the policies ``paper`` and ``exact``, every
table cell, P value and footnote of the report, each comparison's counts and test, the survival tests and each
patient's pattern. A refactoring must leave it as it is. After an intended change of a number, regenerate it with
``PYTHONPATH=src python tests/reports/demo_snapshot.py``, review ``git diff`` of the snapshot and list the change
in CHANGELOG.md.
"""
from __future__ import annotations

import json

import pytest

from demo_snapshot import POLICIES, SNAPSHOT, demo_numbers

REGENERATE = "PYTHONPATH=src python tests/reports/demo_snapshot.py"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def actual() -> dict:
    return json.loads(json.dumps(demo_numbers()))  # same normalisation as the file (tuples -> lists)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("part", ["summary", "patterns", "study_summary", "comparisons", "survival"])
def test_demo_numbers_match_snapshot(expected: dict, actual: dict, policy: str, part: str) -> None:
    assert actual[policy][part] == expected[policy][part], f"{policy}/{part} changed; if intended: {REGENERATE}"


@pytest.mark.parametrize("policy", POLICIES)
def test_demo_tables_match_snapshot(expected: dict, actual: dict, policy: str) -> None:
    want, got = expected[policy]["tables"], actual[policy]["tables"]
    assert sorted(got) == sorted(want)
    for key in want:
        for part in ("columns", "rows", "tests", "footnotes"):
            assert got[key][part] == want[key][part], f"{policy}: table {key} {part} changed; if intended: {REGENERATE}"
