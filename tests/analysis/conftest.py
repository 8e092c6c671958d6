"""The demo cohort analysed once per session under each built-in plan."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_paper_result():
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    return analyze(load_demo_cohort(), "paper")


@pytest.fixture(scope="session")
def demo_exact_result():
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    return analyze(load_demo_cohort(), "exact")
