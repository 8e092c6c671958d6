"""Number formatting against hand calculations and the paper's printed cells."""
from __future__ import annotations

import math

import numpy as np
import pytest

from neurohlh.reports.format import count_cell, median_cell, number_text, percent_text, quartiles, ratio_text


@pytest.mark.parametrize("n, d, printed", [
    (11, 21, "11/21 (52%)"),   # Table 2, seizures 1.1: 52.38% -> 52%
    (4, 6, "4/6 (67%)"),       # Table 2, seizures 1.3: 66.67% -> 67%
    (27, 30, "27/30 (90%)"),   # Table 2, abnormal CSF pattern 1
    (13, 13, "13/13 (100%)"),  # Table 2, pooled mutation group pattern 2
    (1, 8, "1/8 (13%)"),       # 12.5% rounds half up to 13 (Python's round() would give 12)
    (0, 25, "0/25 (0%)"),
])
def test_count_cell_prints_n_over_n_and_half_up_percent(n, d, printed):
    cell = count_cell(n, d)
    assert cell.text == printed
    assert (cell.numerator, cell.denominator) == (n, d)
    assert cell.value == pytest.approx(n / d)


def test_count_cell_with_no_known_values_has_no_percentage():
    assert count_cell(0, 0).text == "0/0"
    assert percent_text(0, 0) == "n/a"


def test_quartiles_use_the_spss_weighted_average_definition():
    # x[(n+1)p] with n = 4: Q1 at position 1.25 -> 1 + 0.25*(2-1) = 1.25; median 2.5; Q3 at 3.75 -> 3.75
    assert quartiles([4, 1, 3, 2]) == (1.25, 2.5, 3.75)
    # n = 7: Q1 at position 2 -> 2nd value exactly; Q3 at position 6 -> 6th value
    assert quartiles([10, 20, 30, 40, 50, 60, 70]) == (20.0, 40.0, 60.0)


def test_median_cell_drops_missing_values_and_trailing_zero():
    cell = median_cell(np.array([1.0, 2.0, 3.0, 4.0, math.nan]))
    assert cell.text == "2.5 (1.3\u20133.8)"  # 1.25 and 3.75 round half up to one decimal
    assert cell.value == 2.5 and cell.denominator == 4
    assert median_cell([]).text == "n/a"


def test_number_text():
    assert number_text(66.0) == "66"
    assert number_text(80.45) == "80.5"
    assert number_text(None) == "n/a"


def test_ratio_text_matches_table1_layout():
    assert ratio_text(34, 23) == "34:23 (1.5:1)"  # 34/23 = 1.478
