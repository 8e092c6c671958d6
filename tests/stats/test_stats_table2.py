"""Replication of Malik et al. (AJNR 2021) Table 2 P values from the published counts.

Counts: tests/stats/data/table2_counts.tsv (transcribed from the paper).  Which test reproduces
which row follows the statistics brief (stats.md section 6; clinical.md section 4.3).  "round"
means the recomputed P, rounded to the decimals the paper prints, equals the printed value;
"truncate" means it matches only when digits are cut (SPSS's 3-decimal display read down).
"""
from __future__ import annotations

import csv
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

from neurohlh.stats import categorical_panel, compare_categorical

ROWS = {}
with open(Path(__file__).parent / "data" / "table2_counts.tsv") as fh:
    for rec in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
        events = [int(v) for v in rec["events"].split(",")]
        totals = [int(v) for v in rec["totals"].split(",")]
        ROWS[(rec["comparison"], rec["row"])] = (np.array([[e, n - e] for e, n in zip(events, totals)]), rec["reported_p"])


def as_printed(p: float, reported: str, mode: str) -> str:
    decimals = len(reported) - 1  # ".08" -> 2
    q = Decimal(repr(p)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP if mode == "round" else ROUND_DOWN)
    return format(q, "f").lstrip("0")


TEST_NAMES = {"pearson": "Pearson chi-square", "yates": "Yates-corrected chi-square",
              "lr": "likelihood-ratio chi-square", "fisher": "Fisher exact",
              "ffh": "Fisher-Freeman-Halton exact"}

# (comparison, row, test that reproduces it, how)
REPRODUCED = [
    ("p1v2", "seizures", "pearson", "round"),            # .080 -> .08
    ("p1v2", "encephalopathy", "pearson", "truncate"),   # .045 -> .04
    ("p1v2", "gait ataxia", "pearson", "round"),         # .00057 -> .001
    ("p1v2", "limb weakness", "pearson", "round"),       # .031 -> .03
    ("p1v2", "dysarthria", "pearson", "round"),          # .431 -> .4
    ("p1v2", "diplopia", "pearson", "truncate"),         # .039 -> .03
    ("p1v2", "abnormal CSF", "pearson", "round"),        # .156 -> .2
    ("p1v2", "proteinosis", "pearson", "round"),         # .279 -> .3
    ("p1v2", "pleocytosis", "fisher", "round"),          # Fisher .042 -> .04 (Pearson .021 does not)
    ("p1v2", "pooled mutation", "fisher", "truncate"),   # Fisher .096 -> .09 (Pearson .055 does not)
    ("p1v2", "mortality", "pearson", "round"),           # .060 -> .06
    ("sub", "seizures", "pearson", "round"),             # .487 -> .5
    ("sub", "encephalopathy", "pearson", "round"),       # .284 -> .3
    ("sub", "limb weakness", "pearson", "round"),        # .806 -> .8
    ("sub", "dysarthria", "pearson", "truncate"),        # .018 -> .01
    ("sub", "diplopia", "pearson", "round"),             # .062 -> .06
    ("sub", "abnormal CSF", "pearson", "round"),         # .574 -> .6
    ("sub", "pleocytosis", "pearson", "round"),          # .081 -> .08
]
NOT_REPRODUCED = [("p1v2", "deficit-free"), ("sub", "gait ataxia"), ("sub", "proteinosis"),
                  ("sub", "pooled mutation"), ("sub", "mortality"), ("sub", "deficit-free")]


@pytest.mark.parametrize("comparison, row, test, mode", REPRODUCED)
def test_table2_row_reproduces(comparison, row, test, mode):
    table, reported = ROWS[(comparison, row)]
    name = TEST_NAMES["ffh" if test == "fisher" and table.shape != (2, 2) else test]
    p = categorical_panel(table)[name].pvalue
    assert as_printed(p, reported, mode) == reported


@pytest.mark.parametrize("comparison, row", NOT_REPRODUCED)
def test_table2_row_no_contingency_test_reproduces(comparison, row):
    table, reported = ROWS[(comparison, row)]
    panel = categorical_panel(table)
    for result in panel.results:
        for mode in ("round", "truncate"):
            assert as_printed(result.pvalue, reported, mode) != reported, result.test


def test_paper_policy_reproduces_the_pearson_rows():
    for comparison, row, test, mode in REPRODUCED:
        if test == "pearson":
            table, reported = ROWS[(comparison, row)]
            result = compare_categorical(table, policy="paper")
            assert result.test == "Pearson chi-square"
            assert as_printed(result.pvalue, reported, mode) == reported


# Independent recomputation in the statistics brief (stats.md section 6), 3 decimals:
# row: (Pearson, Yates, Fisher, LR)
BRIEF_2X2 = {
    "seizures": (0.080, 0.138, 0.111, 0.078),
    "encephalopathy": (0.045, 0.084, 0.058, 0.043),
    "limb weakness": (0.031, 0.073, 0.063, 0.021),
    "dysarthria": (0.431, 0.790, 0.623, 0.418),
    "diplopia": (0.039, 0.110, 0.061, 0.013),
    "abnormal CSF": (0.156, 0.306, 0.240, 0.161),
    "proteinosis": (0.279, 0.434, 0.370, 0.281),
    "pleocytosis": (0.021, 0.043, 0.042, 0.020),
    "pooled mutation": (0.055, 0.192, 0.096, 0.028),
    "mortality": (0.060, 0.111, 0.087, 0.056),
    "deficit-free": (0.135, 0.223, 0.176, 0.135),
}


@pytest.mark.parametrize("row", sorted(BRIEF_2X2))
def test_panel_matches_the_briefs_recomputation(row):
    panel = categorical_panel(ROWS[("p1v2", row)][0])
    got = [panel[TEST_NAMES[k]].pvalue for k in ("pearson", "yates", "fisher", "lr")]
    assert got == pytest.approx(BRIEF_2X2[row], abs=0.0006)


def test_subpattern_ffh_values_match_the_brief():
    # stats.md: FFH dysarthria 3x2 = 0.0181452, diplopia = 0.0471357 (fexact, fisher-rxc, enumeration)
    assert categorical_panel(ROWS[("sub", "dysarthria")][0])["Fisher-Freeman-Halton exact"].pvalue == pytest.approx(0.0181452, abs=1e-7)
    assert categorical_panel(ROWS[("sub", "diplopia")][0])["Fisher-Freeman-Halton exact"].pvalue == pytest.approx(0.0471357, abs=1e-7)


def test_gait_ataxia_pearson_is_below_001_but_prints_as_001():
    p = categorical_panel(ROWS[("p1v2", "gait ataxia")][0])["Pearson chi-square"].pvalue
    assert p == pytest.approx(0.00057, abs=0.000005)
