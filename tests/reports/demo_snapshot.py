"""The demo cohort's report numbers as plain data: what the snapshot test compares.

Regenerate the committed snapshot after an intended change (and list the change in CHANGELOG.md)::

    PYTHONPATH=src python tests/reports/demo_snapshot.py

It writes ``tests/reports/data/demo_snapshot.json``: for each policy, the printed cells, P values and footnotes of
every report table, each comparison's counts and test, the survival tests, the study summary and each patient's
pattern. Floats are kept to 10 significant digits so the snapshot does not depend on the last bits of a platform.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "data" / "demo_snapshot.json"
POLICIES = ("paper", "exact")


def _num(x: Any) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, (str, int)):
        return x
    if isinstance(x, float):
        return x if not math.isfinite(x) else float(f"{x:.10g}")
    if isinstance(x, dict):
        return {str(k): _num(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_num(v) for v in x]
    try:
        return _num(float(x))
    except (TypeError, ValueError):
        return str(x)


def _test(result: Any) -> dict[str, Any] | None:
    if result is None:
        return None
    d = result.to_dict()
    return {k: _num(d.get(k)) for k in ("test", "statistic", "pvalue", "df", "n", "n_per_group")}


def _tables(result: Any) -> dict[str, Any]:
    from neurohlh.reports import build_tables

    out = {}
    for t in build_tables(result):
        out[t.key] = {
            "columns": list(t.columns),
            "rows": [[r.label, *[c.text for c in r.cells]] for r in t.rows],
            "tests": [[r.label, ref.label, ref.test, _num(ref.pvalue)] for r in t.rows for ref in r.tests],
            "footnotes": list(t.footnotes),
        }
    return out


def numbers(result: Any) -> dict[str, Any]:
    """Every reported number of one analysis result (see the module docstring)."""
    comparisons = []
    for c in result.comparisons:
        d = c.to_dict()
        comparisons.append({"variable": d["variable"], "comparison": d["comparison"], "counts": d.get("counts"),
                            "samples_n": d.get("samples_n"), "reason": c.reason, "result": _test(c.result)})
    return {
        "summary": _num(result.summary()),
        "patterns": {a.patient_id: [a.pattern, a.onset_subpattern, a.last_subpattern] for a in result.allocations},
        "study_summary": _num(result.study_summary.to_dict()["counts"]),
        "comparisons": comparisons,
        "survival": [{"endpoint": s.endpoint, "n_per_group": _num(s.to_dict()["n_per_group"]),
                      "n_excluded": s.n_excluded, "result": _test(s.result)} for s in result.survival],
        "tables": _tables(result),
    }


def demo_numbers() -> dict[str, Any]:
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    cohort = load_demo_cohort()
    return {policy: numbers(analyze(cohort, policy=policy)) for policy in POLICIES}


def main() -> None:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(json.dumps(demo_numbers(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(Path.cwd()) if SNAPSHOT.is_relative_to(Path.cwd()) else SNAPSHOT}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
