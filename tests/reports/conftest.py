"""Shared fixtures of the report tests: the demo cohort analysed once per session."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_cohort():
    from neurohlh.datasets import load_demo_cohort

    return load_demo_cohort()


@pytest.fixture(scope="session")
def demo_result(demo_cohort):
    from neurohlh.analysis import analyze

    return analyze(demo_cohort, policy="paper")
