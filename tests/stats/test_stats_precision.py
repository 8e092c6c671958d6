"""Numerical trouble inside SciPy is reported on the result, never leaked as a console warning."""
from __future__ import annotations

import warnings

import pytest

from neurohlh.stats import anova, t_test


def test_precision_loss_is_a_result_warning_not_a_console_warning():
    # x = 1e9 + [0, 0, 1e-6] and y = 1e9 + [1e-6, 1e-6, 0]: by hand, on the centred data (units of 1e-6)
    # means 1/3 vs 2/3, both variances 1/3, SE = sqrt(1/3 * 2/3) = 0.471, t = -0.707 on 4 df, P = .52.
    # Double precision cannot resolve 1e-6 against 1e9, so SciPy's answer is unreliable and must say so.
    x, y = [1e9, 1e9, 1e9 + 1e-6], [1e9 + 1e-6, 1e9 + 1e-6, 1e9]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        student = t_test(x, y)
        oneway = anova(x, y)
    assert len(student.warnings) == 1 and "Precision loss" in student.warnings[0]
    # ANOVA's sums of squares survive here: F = t^2 = 0.5 and P = .5185 exactly as by hand, and no warning
    assert oneway.statistic == pytest.approx(0.5) and oneway.pvalue == pytest.approx(0.51852, abs=1e-5)
    assert oneway.warnings == ()
