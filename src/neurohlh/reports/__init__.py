"""Manuscript-ready report: tables (Table 1, Table 2, imaging, genotype), figures and their renderers.

``build_report(result)`` turns an :class:`~neurohlh.analysis.AnalysisResult` into a
:class:`~neurohlh.reports.model.Report`; ``write_report(result, folder)`` writes report.html, tables.docx,
tables.xlsx, one CSV per table, results.json and the figures.
"""
from __future__ import annotations

from neurohlh.reports.build import ReportFiles, build_figures, build_report, build_tables, write_report
from neurohlh.reports.html import render_html, write_html
from neurohlh.reports.model import Cell, Figure, Report, Row, Table, TestRef
from neurohlh.reports.render import write_csv, write_csvs, write_docx, write_xlsx

__all__ = [
    "Cell", "Figure", "Report", "ReportFiles", "Row", "Table", "TestRef", "build_figures", "build_report",
    "build_tables", "render_html", "write_csv", "write_csvs", "write_docx", "write_html", "write_report",
    "write_xlsx",
]
