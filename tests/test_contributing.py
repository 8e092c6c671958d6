"""CONTRIBUTING.md stays true: its code runs and the names its walk-throughs point to exist."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE, flags=re.S)


def _block(containing: str) -> str:
    return next(b for b in BLOCKS if containing in b)


def test_the_test_example_runs_and_passes():
    from neurohlh.stats import compare_categorical

    # the example's own assert holds R's P value (0.06292327) and the test name the rule chose
    example = _block("def test_limb_weakness")
    namespace = {"compare_categorical": compare_categorical, "pytest": pytest}
    exec(example, namespace)
    namespace["test_limb_weakness_pattern_1_vs_2_is_fisher_exact"]()
    # and it can fail: the same example expecting a wrong P value raises
    wrong = example.replace("0.06292327", "0.0629")
    assert wrong != example
    exec(wrong, namespace)
    with pytest.raises(AssertionError):
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
    from neurohlh.patterns import evidence, rules
    from neurohlh.patterns.trace import RuleStep, Status
    from neurohlh.reports import build

    for name in ("Rule", "Verdict", "present", "explain_present", "SUBPATTERN_RULES", "PATTERN_2_RULES",
                 "PONTINE_LESIONS_ABOVE", "NONSPECIFIC", "_cerebellitis"):
        assert hasattr(rules, name), name
    assert "swi_blooming" not in evidence.Evidence._fields  # the example adds it
    assert {s.value for s in Status} >= {"met", "not_met", "not_evaluable"}
    assert hasattr(RuleStep, "make") and hasattr(schema, "Study") and hasattr(table2, "TABLE2_VARIABLES")
    assert all(hasattr(read, n) for n in ("read_all", "table_label", "RawTable"))
    assert hasattr(build, "build_tables")
    for path in ("tests/patterns/data/vignettes.tsv", "tests/stats/r/make_reference.R",
                 "tests/reports/demo_snapshot.py", "docs/patterns.md", "CHANGELOG.md", ".importlinter"):
        assert (ROOT / path).exists(), path


def _insert(path: Path, before: str, text: str) -> None:
    source = path.read_text(encoding="utf-8")
    assert source.count(before) == 1, f"{path.name}: the walk-through's anchor {before!r} is not unique"
    path.write_text(source.replace(before, text + before), encoding="utf-8")


def test_the_pattern_rule_walk_through_adds_a_rule_in_one_edit(tmp_path: Path):
    """Make the walk-through's edits in a copy of the tree: its vignettes and every existing one pass there."""
    section = GUIDE[GUIDE.index("## Adding a pattern rule"):GUIDE.index("## Adding an input format")]
    field_line, rule = (textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", section, flags=re.S))
    (vignettes,) = re.findall(r"```text\n(.*?)```", section, flags=re.S)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=skip)
    shutil.copytree(ROOT / "tests" / "patterns", tmp_path / "tests" / "patterns", ignore=skip)
    patterns = tmp_path / "src" / "neurohlh" / "patterns"
    # 1. the field, after the last field of Evidence; 2. the rule, just before the extra-parenchymal rule
    _insert(patterns / "evidence.py", "\n    @classmethod\n    def of(", "    " + field_line.strip() + "\n")
    _insert(patterns / "rules.py", '    Rule(name="pattern2_extraparenchymal_only"', textwrap.indent(rule, "    "))
    # 3. the vignettes
    table = tmp_path / "tests" / "patterns" / "data" / "vignettes.tsv"
    table.write_text(table.read_text(encoding="utf-8") + textwrap.dedent(vignettes), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                          "-k", "vignette", "tests/patterns/test_patterns_vignettes.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    cases = [line.split("\t")[0] for line in textwrap.dedent(vignettes).splitlines() if line]
    assert len(cases) == 3 and all(f"test_vignette[{case}] PASSED" in run.stdout for case in cases), run.stdout
    assert "test_vignettes_through_the_cohort_path PASSED" in run.stdout
    # the new rule decides, shows in the trace and in the methods text, in the copy only
    check = subprocess.run([sys.executable, "-c", (
        "from neurohlh.patterns import classify_study, rules\n"
        "from neurohlh.schema import Study\n"
        "clean = dict(supra_lesion_number='none', infra_lesion_number='none', **{f: False for f in ("
        "'atrophy_cerebral', 'atrophy_cerebellar', 'ctt_t2_hyperintensity', 'nonspecific_findings')})\n"
        "a = classify_study(Study(study_id='S1', patient_id='P1', reader='consensus', swi_blooming=True, **clean))\n"
        "print(a.category, [s.rule for s in a.trace][-2], 'SWI blooming alone' in rules.methods_text())\n")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert check.stdout.split() == ["nonspecific", "pattern2_haemosiderin", "True"], check.stderr


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
