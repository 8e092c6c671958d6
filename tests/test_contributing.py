"""CONTRIBUTING.md stays true: its code runs and the names its walk-throughs point to exist."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE, flags=re.S)


def _block(containing: str) -> str:
    return next(b for b in BLOCKS if containing in b)


def test_the_test_example_runs_and_passes():
    from neurohlh.stats import compare_categorical

    namespace = {"compare_categorical": compare_categorical, "pytest": pytest}
    exec(_block("def test_limb_weakness"), namespace)
    namespace["test_limb_weakness_pattern_1_vs_2_is_fisher_exact"]()


def test_the_table_example_builds_a_table_every_renderer_lays_out(tmp_path: Path):
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort
    from neurohlh.reports import build_report, write_csv

    namespace: dict = {}
    exec(_block("def hsct_table"), namespace)
    result = analyze(load_demo_cohort(), "paper")
    table = namespace["hsct_table"](result)
    f = result.patients
    for row, pattern in zip(table.rows, ("1", "2")):
        known = f.loc[f["pattern"] == pattern, "hsct"].dropna()
        assert (row.cells[0].numerator, row.cells[0].denominator) == (int(known.astype(bool).sum()), len(known))
    report = build_report(result)
    write_csv(table, tmp_path / "hsct.csv")
    assert "Pattern 1," in (tmp_path / "hsct.csv").read_text(encoding="utf-8-sig")
    assert report.tables  # the builder's Table is the same type build_tables returns


def test_the_names_the_walk_throughs_point_to_exist():
    from neurohlh import schema
    from neurohlh.analysis import table2
    from neurohlh.io import read
    from neurohlh.patterns import study
    from neurohlh.patterns.trace import RuleStep
    from neurohlh.reports import build

    for name in ("EVIDENCE_FIELDS", "PONTINE_LESIONS_ABOVE", "_rule_1_3", "_category", "_subpattern", "decide",
                 "_category_steps", "_subpattern_steps"):
        assert hasattr(study, name), name
    assert hasattr(RuleStep, "make") and hasattr(schema, "Study") and hasattr(table2, "TABLE2_VARIABLES")
    assert all(hasattr(read, n) for n in ("read_all", "table_label", "RawTable"))
    assert hasattr(build, "build_tables")
    for path in ("tests/patterns/data/vignettes.tsv", "tests/stats/r/make_reference.R",
                 "tests/reports/demo_snapshot.py", "docs/patterns.md", "CHANGELOG.md", ".importlinter"):
        assert (ROOT / path).exists(), path


def test_the_top_level_api_runs_the_whole_analysis(tmp_path: Path):
    import neurohlh
    from neurohlh.datasets import demo_cohort_path

    assert neurohlh.validate(demo_cohort_path()).ok
    result = neurohlh.analyze(demo_cohort_path(), "paper")
    assert result.summary()["pattern"] == {"1": 32, "2": 25, "indeterminate": 0}  # the paper: 32 and 25
    files = neurohlh.write_report(result, tmp_path / "report")
    assert files.html.exists() and files.json.exists()
    from importlib import metadata

    try:
        assert metadata.version("neurohlh") == neurohlh.__version__
    except metadata.PackageNotFoundError:  # run from the source tree without installing
        pass
