"""Multiple-comparison adjustment of P values (Holm, Benjamini-Hochberg)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from neurohlh.errors import InputError

__all__ = ["adjust_pvalues"]

_METHODS = {"holm": "holm", "bh": "fdr_bh"}


def adjust_pvalues(pvals: Sequence[float], method: Literal["holm", "bh"] = "holm") -> tuple[float, ...]:
    """Adjusted P values, in the input order (R ``p.adjust(method = "holm" | "BH")``).

    Holm controls the family-wise error rate (Holm 1979); Benjamini-Hochberg the false
    discovery rate (Benjamini & Hochberg 1995).

    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm")
    (0.03, 0.06, 0.06)
    """
    if method not in _METHODS:
        raise InputError(f"`method` must be one of {sorted(_METHODS)}; got {method!r}.")
    p = np.asarray(pvals, dtype=float)
    if p.ndim != 1:
        raise InputError("`pvals` must be a 1-D sequence of P values.")
    if len(p) == 0:
        return ()
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise InputError("`pvals` must all lie in [0, 1] (no NaN).")
    from statsmodels.stats.multitest import multipletests  # statsmodels loads only when P values are adjusted

    adjusted = multipletests(p, method=_METHODS[method])[1]
    return tuple(float(v) for v in np.minimum(adjusted, 1.0))
