"""neurohlh: the MR imaging pattern system of Malik et al. (AJNR 2021) for pediatric CNS HLH cohorts."""
from __future__ import annotations

from neurohlh.errors import InputError, NeurohlhError, Problem, StatisticalWarning

__version__ = "0.1.0"

__all__ = ["InputError", "NeurohlhError", "Problem", "StatisticalWarning", "__version__", "load_cohort"]


def load_cohort(path):  # noqa: ANN001 - thin re-export, documented in neurohlh.io
    """Load and validate a cohort folder (CSV) or workbook (XLSX); see :func:`neurohlh.io.load_cohort`."""
    from neurohlh.io import load_cohort as _load

    return _load(path)
