"""Manuscript-ready report: tables (Table 1, Table 2, imaging, genotype), figures and their renderers.

``build_report(result)`` turns an :class:`~neurohlh.analysis.AnalysisResult` into a
:class:`~neurohlh.reports.model.Report`; ``write_report(result, folder)`` writes report.html, tables.docx,
tables.xlsx, one CSV per table, results.json and the figures.

The names below are imported on first use, so ``neurohlh.reports.format`` (cell formatting, used by the
lightweight commands) does not pull in matplotlib, python-docx and the analysis pipeline.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "ReportFiles": "build", "build_figures": "build", "build_report": "build", "build_tables": "build",
    "write_report": "build",
    "render_html": "html", "write_html": "html",
    "Cell": "model", "Figure": "model", "Report": "model", "Row": "model", "Table": "model", "TestRef": "model",
    "write_csv": "render", "write_csvs": "render", "write_docx": "word", "write_xlsx": "render",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
