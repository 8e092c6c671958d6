"""Cells of the CSV files neurohlh writes, made safe to open in a spreadsheet program.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so an id such as
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` in a CSV file would run when the file is opened. As the OWASP
guidance on CSV injection recommends, such a cell (and one starting with a tab or a carriage return) is
written with a leading apostrophe, which spreadsheet programs show as plain text; a number such as ``-1.5``
is left as it is. The cohort loader removes that apostrophe again, so cohort files written by neurohlh read
back unchanged.
"""
from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def neutralise(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet program shows and never runs.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-1.5"), neutralise("-"), neutralise("EX01")
    ('\\'=HYPERLINK("http://x")', '-1.5', "'-", 'EX01')
    """
    if text.startswith("'"):  # only when the loader would otherwise take this apostrophe away
        return "'" + text if text[1:].startswith(FORMULA_STARTS + ("'",)) else text
    if not text.startswith(FORMULA_STARTS) or (text[0] in "+-" and _NUMBER.fullmatch(text)):
        return text
    return "'" + text


def unneutralise(text: str) -> str:
    """The inverse of :func:`neutralise` (the loader's reading of a cell written by it)."""
    if text.startswith("'") and len(text) > 1 and text[1:].startswith(FORMULA_STARTS + ("'",)):
        return text[1:]
    return text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and column name of ``frame`` neutralised (numbers and missing values unchanged)."""
    out = frame.copy()
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    # text columns are object columns (pandas 2) or str columns (pandas 3 infers them)
    text = [pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype) for dtype in out.dtypes]
    for name in out.columns[text]:
        out[name] = out[name].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out
