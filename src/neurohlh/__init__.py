"""neurohlh: the MR imaging pattern system of Malik et al. (AJNR 2021) for pediatric CNS HLH cohorts.

The four calls of a whole analysis, typed; each loads its machinery on first use::

    import neurohlh

    report = neurohlh.validate("my-cohort.xlsx")        # every problem, located; never raises for bad cells
    cohort = neurohlh.load_cohort("my-cohort.xlsx")     # or neurohlh.InputError listing every problem
    result = neurohlh.analyze(cohort)                   # the "exact" plan; analyze(cohort, "paper") for the paper's
    files = neurohlh.write_report(result, "report/")    # report.html, tables.docx/.xlsx, CSVs, results.json, figures
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from neurohlh.errors import Caveat, InputError, NeurohlhError, Problem, StatisticalWarning

if TYPE_CHECKING:
    from neurohlh.analysis import AnalysisPlan, AnalysisResult, PlanName
    from neurohlh.io import Cohort, ValidationReport
    from neurohlh.reports import ReportFiles

#: The version of neurohlh, set here only (the package metadata reads it from this line).
__version__ = "0.1.0"

__all__ = [
    "Caveat", "InputError", "NeurohlhError", "Problem", "StatisticalWarning", "__version__", "analyze",
    "load_cohort", "validate", "write_report",
]


def load_cohort(path: str | Path) -> Cohort:
    """Load and validate a cohort folder (CSV), workbook (XLSX) or REDCap export, with every check an analysis
    relies on (the domain checks too); see :func:`neurohlh.service.load_cohort`.

    Raises
    ------
    InputError
        Listing every problem found, each located by file, row and column; nothing is loaded.
    """
    from neurohlh.service import load_cohort as _load

    return _load(path)


def validate(path: str | Path) -> ValidationReport:
    """Every problem of a cohort in one pass (the domain checks too), without raising for bad cells; see
    :func:`neurohlh.service.validate`."""
    from neurohlh.service import validate as _validate

    return _validate(path)


def analyze(cohort: Cohort | str | Path, plan: AnalysisPlan | PlanName | str = "exact") -> AnalysisResult:
    """Classify, apply criteria and genetics, and compare groups under ``plan`` (``"exact"`` or ``"paper"``).

    ``cohort`` is a loaded :class:`~neurohlh.io.Cohort` or a path, loaded with :func:`load_cohort` first.
    """
    from neurohlh.analysis import analyze as _analyze

    loaded = load_cohort(cohort) if isinstance(cohort, (str, Path)) else cohort
    return _analyze(loaded, plan)


def write_report(result: AnalysisResult, folder: str | Path, *, title: str = "CNS HLH MRI pattern analysis",
                 notice: str = "") -> ReportFiles:
    """Write report.html, tables.docx, tables.xlsx, one CSV per table, results.json and the figures."""
    from neurohlh.reports import build_report
    from neurohlh.reports import write_report as _write

    return _write(result, folder, build_report(result, title=title, notice=notice))
