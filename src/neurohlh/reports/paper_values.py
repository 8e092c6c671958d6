"""The cells of Tables 1 and 2 as printed in Malik et al., AJNR 2021, to show the demo's reproduction.

On the bundled demo cohort, :func:`mark_paper_values` sets ``Cell.paper`` on every cell whose value differs from
the printed one, so the report shows the printed value beside the reproduced one, and adds a footnote pointing
to the documentation of the demo cohort, which gives the reason for each difference (the paper's internal
inconsistencies, percentages over a different denominator, P values truncated instead of rounded).

Cells are compared by value, not by layout: ``28 (62)`` in the paper and ``28/45 (62%)`` in the report are the
same count and percentage; ``45.4`` and ``45.4 (16.2-80.8)`` the same median.
"""
from __future__ import annotations

import dataclasses
import re

from neurohlh.reports.model import Cell, Row, Table

#: Where each difference is explained.
DEMO_DOC = "docs/demo-cohort.md"

#: Printed cells by table key and row label (the report's labels); ``None`` where the paper prints nothing.
PRINTED: dict[str, dict[str, tuple[str | None, ...]]] = {
    "table1": {
        "Age at onset (mo), median (IQR)": ("36 (5.5–80.8)",),
        "Age at CNS presentation (mo), median (IQR)": ("49.2 (11–96)",),
        "Male:female (ratio)": ("34:23 (1.4:1)",),
        "Fever": ("45/56 (80)",),
        "Hepato-/splenomegaly": ("46/56 (82)",),
        "Abdominal distension": ("14/56 (25)",),
        "CNS symptoms": ("45/57 (79)",),
        "Seizures": ("28 (62)",),
        "Decreased sensorium": ("22 (49)",),
        "Meningismus": ("13 (29)",),
        "Gait ataxia": ("12 (27)",),
        "Hypotonia": ("11 (24)",),
        "Minimal symptoms (mild irritability) or clinically silent": ("12 (21)",),
        "CSF analyzed at presentation": ("50/57 (87)",),
        "Abnormal CSF": ("42/50 (84)",),
        "CSF pleocytosis (> 10 leucocytes/µL)": ("25/50 (50)",),
        "CSF proteinosis (> 45 mg/dL)": ("32/50 (64)",),
        "HLH 1994/2004": ("35/57 (61)",),
        "IT methotrexate": ("17 (30)",),
        "HSCT": ("25 (45)",),
        "Death": ("19 (32)",),
        "Death before 8 weeks": ("7",),
        "Death after 8 weeks": ("12",),
        "Alive at last follow-up": ("36 (63)",),
        "Lost to follow-up": ("2",),
    },
    # columns: 1.1, 1.2, 1.3, P (subpatterns), pattern 1, pattern 2, P (patterns)
    "table2": {
        "Median age at onset (mo)": ("45.4", "66", "80.5", ".5", "55.5", "16", ".004"),
        "Seizures": ("11/21 (52%)", "4/5 (80%)", "4/6 (67%)", ".5", "19/32 (59%)", "9/25 (36%)", ".08"),
        "Encephalopathy": ("11/21 (52%)", "1/5 (20%)", "4/6 (67%)", ".3", "16/32 (50%)", "6/25 (24%)", ".04"),
        "Gait ataxia": ("5/21 (24%)", "3/5 (60%)", "3/6 (50%)", ".08", "12/32 (34%)", "0", ".001"),
        "Limb weakness": ("6/21 (29%)", "1/5 (20%)", "1/6 (17%)", ".8", "8/32 (25%)", "1/25 (4%)", ".03"),
        "Dysarthria": ("0", "2/5 (40%)", "1/6 (17%)", ".01", "3/32 (9%)", "1/25 (4%)", ".4"),
        "Diplopia": ("1/21 (5%)", "2/5 (40%)", "2/6 (33%)", ".06", "5/32 (16%)", "0", ".03"),
        "Abnormal CSF": ("18/20 (90%)", "4/5 (80%)", "5/5 (100%)", ".6", "27/30 (90%)", "15/20 (75%)", ".2"),
        "Proteinosis": ("13 (65%)", "4 (80%)", "4 (80%)", ".5", "21 (70%)", "11 (55%)", ".3"),
        "Pleocytosis": ("10 (50%)", "4 (80%)", "5 (100%)", ".08", "19 (63%)", "6 (30%)", ".04"),
        "Pooled mutation group": ("4/6 (67%)", "2/3 (67%)", "3/3 (100%)", ".32", "9/12 (75%)", "13/13 (100%)",
                                  ".09"),
        "Mortality": ("9/20 (45%)", "3/5 (60%)", "2/6 (33%)", ".3", "14/31 (45%)", "5/24 (21%)", ".06"),
        "Deficit-free at follow-up": ("8/20 (40%)", "1/5 (20%)", "1/6 (17%)", ".1", "10/31 (32%)", "13/25 (52%)",
                                      ".06"),
    },
}

_COUNT = re.compile(r"^\s*(\d+)(?:/(\d+))?(?:[ ,]*\(?(\d+)%?\)?)?\s*$")


def _count_parts(text: str) -> tuple[int, int | None, int | None] | None:
    found = _COUNT.match(text)
    if not found:
        return None
    n, d, pct = found.groups()
    return int(n), None if d is None else int(d), None if pct is None else int(pct)


def _same(printed: str, cell: Cell) -> bool:
    """Whether a report cell carries the printed value (count, percentage, median or P)."""
    shown = cell.text.strip()
    if cell.kind == "count" or (cell.numerator is not None):
        p, c = _count_parts(printed), _count_parts(shown)
        if p is None or c is None:
            return printed.strip() == shown
        return all(a is None or a == b for a, b in zip(p, c))
    norm = printed.strip().replace(" ", "")
    mine = shown.replace(" ", "")
    return mine == norm or mine.startswith(norm + "(")


def mark_table(table: Table) -> Table:
    """The table with ``paper`` set on every cell that differs from the printed one (unchanged if none)."""
    printed = PRINTED.get(table.key)
    if not printed:
        return table
    rows: list[Row] = []
    n_marked = 0
    for row in table.rows:
        values = printed.get(row.label)
        if row.section or values is None:
            rows.append(row)
            continue
        cells = []
        for cell, value in zip(row.cells, values):
            if value is not None and not _same(value, cell):
                cell = dataclasses.replace(cell, paper=value)
                n_marked += 1
            cells.append(cell)
        rows.append(dataclasses.replace(row, cells=tuple(cells)))
    if not n_marked:
        return table
    note = (f"Synthetic demo cohort: {n_marked} cell(s) differ from the value printed in Malik et al. 2021, shown "
            f"under them as 'paper: ...' (the paper's own layout). {DEMO_DOC} gives the reason for each: the paper's "
            "internal inconsistencies, percentages over another denominator, and P values truncated rather than "
            "rounded or computed with another test.")
    return dataclasses.replace(table, rows=tuple(rows), footnotes=(*table.footnotes, note))


def mark_paper_values(tables: tuple[Table, ...]) -> tuple[Table, ...]:
    """Every table of a demo report, Tables 1 and 2 marked where they differ from the paper."""
    return tuple(mark_table(t) for t in tables)
