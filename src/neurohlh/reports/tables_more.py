"""Builders for the imaging and genotype tables: pattern-2 study categories, subpattern evolution,
CLIPPERS check, genotype correlation (purely disruptive; pooled vs residual expression)."""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.analysis import PATTERNS, SUBPATTERNS, AnalysisResult
from neurohlh.patterns.clippers import ITEMS as CLIPPERS_ITEMS
from neurohlh.patterns.clippers import clippers_statuses
from neurohlh.reports.format import count_cell, p_cell, summary_cell
from neurohlh.reports.model import EMPTY, Cell, Row, Table
from neurohlh.reports.results_tables import FULL_DETAIL_MAX_PATIENTS
from neurohlh.reports.tables import KNOWN_NOTE, IQR_NOTE, _result_test

PATTERN2_CATEGORIES = (
    ("normal", "Normal findings"),
    ("atrophy", "Cerebral atrophy with or without cerebellar atrophy"),
    ("isolated_ctt", "Isolated central tegmental tract T2 hyperintensity"),
    ("nonspecific", "Nonspecific findings"),
    ("extraparenchymal_only", "Extra-parenchymal findings only (cranial nerve, optic nerve, cord, cauda equina): "
                              "reader decision needed, not counted as normal"),
)


def pattern2_table(result: AnalysisResult) -> Table:
    """MR studies of pattern-2 patients by category (Imaging Pattern Definitions: 10 / 15 / 3 / 2 of 30)."""
    p2 = set(result.patients.loc[result.patients["pattern"] == "2", "patient_id"])
    studies = result.studies[result.studies["patient_id"].isin(p2)]
    total = len(studies)
    counts = studies["category"].value_counts()
    decided = sum(int(counts.get(k, 0)) for k, _ in PATTERN2_CATEGORIES)
    rows = [Row(label, (count_cell(int(counts.get(key, 0)), decided),)) for key, label in PATTERN2_CATEGORIES]
    undetermined = total - decided
    if undetermined:
        rows.append(Row("Category not determinable (unknown findings)",
                        (Cell(str(undetermined), float(undetermined), kind="number"),)))
    notes = (
        "Category of each study of a pattern-2 patient (neurohlh.patterns, in this order): atrophy if cerebral or "
        "cerebellar atrophy; else isolated CTT if central tegmental tract T2 hyperintensity; else nonspecific; "
        "else extra-parenchymal findings only when a cranial nerve, optic nerve, cord or cauda equina finding is "
        "the only finding (the paper does not classify such a study); else normal when every deciding field is "
        "known to be no.",
        f"{len(p2)} pattern-2 patients with {total} MR studies; percentages over the {decided} studies whose "
        "category could be decided" + (f" ({undetermined} not determinable: a deciding finding is unknown)."
                                       if undetermined else "."),
    )
    return Table("pattern2_categories", "Pattern 2: MR study categories",
                 (f"Studies (n = {total})",), tuple(rows), notes, label_header="Category")


def evolution_flows(result: AnalysisResult) -> dict[tuple[str, str], int]:
    """Patients per (onset subpattern, last subpattern) among pattern-1 patients with both known."""
    f = result.patients
    both = ["onset_subpattern", "last_subpattern"]
    sel = f.loc[(f["pattern"] == "1") & f["onset_subpattern"].notna() & f["last_subpattern"].notna(), both]
    counts = sel.groupby(both).size()
    return {(str(a), str(b)): int(n) for (a, b), n in counts.items()}


def _ever_showing(allocations: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Pattern-1 patients who ever showed each subpattern, and those in whom it is known whether they did.

    "Never showed s" is known only if no study could have been an s study: each study is known non-lesional, or
    lesional with a decided subpattern. A patient who showed s is known to have shown it."""
    shown: dict[frozenset[str], int] = {}  # patients per set of subpatterns shown
    shown_undecided: dict[frozenset[str], int] = {}  # the same, of patients with a study that could be any
    n_decided = 0
    for a in allocations:
        if a.pattern != "1":
            continue
        ever = frozenset(a.ever_subpatterns or ())
        shown[ever] = shown.get(ever, 0) + 1
        for st in a.studies:
            if st.lesional is not False and not (st.lesional and st.subpattern is not None):
                shown_undecided[ever] = shown_undecided.get(ever, 0) + 1
                break
        else:
            n_decided += 1
    return ({s: sum(n for ever, n in shown.items() if s in ever) for s in SUBPATTERNS},
            {s: n_decided + sum(n for ever, n in shown_undecided.items() if s in ever) for s in SUBPATTERNS})


def evolution_table(result: AnalysisResult) -> Table:
    """Onset subpattern (rows) by subpattern of the last lesional study (columns), plus transitions seen."""
    flows = evolution_flows(result)
    columns = tuple(f"Last {s}" for s in SUBPATTERNS) + ("Total",)
    rows = []
    for a in SUBPATTERNS:
        cells = [Cell(str(flows.get((a, b), 0)), float(flows.get((a, b), 0)), kind="number") for b in SUBPATTERNS]
        total = sum(flows.get((a, b), 0) for b in SUBPATTERNS)
        rows.append(Row(f"Onset {a}", (*cells, Cell(str(total), float(total), kind="number"))))
    col_totals = [sum(flows.get((a, b), 0) for a in SUBPATTERNS) for b in SUBPATTERNS]
    rows.append(Row("Total", (*[Cell(str(t), float(t), kind="number") for t in col_totals],
                              Cell(str(sum(col_totals)), float(sum(col_totals)), kind="number"))))
    transitions = Counter(t for a in result.allocations if a.transitions for t in set(a.transitions))
    ever, known = _ever_showing(result.allocations)
    rows.append(Row("Patients ever showing the subpattern", section=True))
    rows.append(Row("Any study", (*[count_cell(ever[s], known[s]) for s in SUBPATTERNS], EMPTY), 1))
    notes = [
        "Onset = subpattern of the first lesional MR study; last = subpattern of the last lesional study "
        "(equal to onset when there is a single lesional study). Pattern-1 patients only.",
        "Ever showing the subpattern: over the pattern-1 patients in whom it is known (a patient with a study "
        "of unknown lesion status or undetermined subpattern counts only if the subpattern was seen).",
        "Transitions between consecutive lesional studies (patients): "
        + (", ".join(f"{k} ({v})" for k, v in sorted(transitions.items())) or "none") + ".",
    ]
    return Table("evolution", "Evolution of pattern-1 subpatterns (onset \u2192 last study)", columns,
                 tuple(rows), tuple(notes), label_header="Onset subpattern")


def _item_text(item: Any) -> str:
    """``met``, ``not met (4.5 mm)``: the status and any numeric value used."""
    numbers = [f"{v:g} mm" if "mm" in k else f"{v:g}" for k, v in item.values
               if isinstance(v, (int, float)) and not isinstance(v, bool)]
    text = _STATUS.get(item.status, item.status)
    return f"{text} ({', '.join(numbers)})" if numbers else text


def _checked_values(a: Any) -> tuple[Any, ...] | None:
    """The CLIPPERS values of the patient's checked (first 1.2) study (``a.clippers_study_id``), if kept."""
    sid = a.clippers_study_id
    return next(s.clippers_values for s in a.studies if s.study_id == sid)


def clippers_table(result: AnalysisResult) -> Table:
    """CLIPPERS radiologic items (rows) for each patient with a brainstem-predominant (1.2) study (columns)."""
    # every patient's item statuses (no explanation texts); the full check only for the patients shown
    checked = [(a, v) for a in result.allocations
               if a.clippers_study_id is not None and (v := _checked_values(a)) is not None]
    decided = [clippers_statuses(v) for _, v in checked]
    shown = [(a, a.clippers) for a, _ in checked[:MAX_PATIENT_COLUMNS]]
    columns = (*[a.patient_id for a, _ in shown], "Met / evaluable")
    rows = [
        Row("Onset subpattern", (*[Cell(a.onset_subpattern or "n/a") for a, _ in shown], EMPTY)),
        Row("Study checked", (*[Cell(c.study_id, kind="id") for _, c in shown], EMPTY)),
    ]
    for at, (key, description, _) in enumerate(CLIPPERS_ITEMS if checked else ()):
        cells = []
        for _, c in shown:
            item = next((i for i in c.items if i.item == key), None)
            cells.append(Cell("n/a" if item is None else _item_text(item)))
        met = sum(1 for statuses, _ in decided if statuses[at] == "met")
        known = sum(1 for statuses, _ in decided if statuses[at] != "not_evaluable")
        rows.append(Row(description, (*cells, count_cell(met, known))))
    verdict = {True: "yes", False: "no", None: "not evaluable"}
    met_all = sum(all_met is True for _, all_met in decided)
    known_all = sum(all_met is not None for _, all_met in decided)
    rows.append(Row("All required radiologic items met", (*[Cell(verdict[c.all_radiologic_met]) for _, c in shown],
                                                           count_cell(met_all, known_all))))
    note = shown[0][1].note if shown else ""
    source = shown[0][1].source if shown else ""
    notes = tuple(n for n in (
        "Patients with a brainstem-predominant (subpattern 1.2) study at onset or follow-up; the first such study "
        "is checked (neurohlh.patterns.clippers). Each item's status per patient is in results/allocations.csv, "
        f"and its explanation in results/details.jsonl (cohorts of up to {FULL_DETAIL_MAX_PATIENTS:,} patients).",
        f"Criteria: {source}." if source else "",
        f"Not evaluated: {note}." if note else "",
        "No patient had a brainstem-predominant study." if not checked else "",
        f"{len(checked)} patients: the first {MAX_PATIENT_COLUMNS} are shown; the last column covers all."
        if len(checked) > MAX_PATIENT_COLUMNS else "",
    ) if n)
    return Table("clippers", "CLIPPERS radiologic criteria in brainstem-predominant patients", columns,
                 tuple(rows), notes, label_header="Radiologic item")


#: Patients shown as columns at most (the last column always covers every patient).
MAX_PATIENT_COLUMNS = 10
_STATUS = {"met": "met", "not_met": "not met", "not_evaluable": "not evaluable"}


def _share(hit: np.ndarray, known: np.ndarray, mask: np.ndarray) -> Cell:
    """n/N of the patients in ``mask``: ``hit`` among those whose value is ``known``."""
    return count_cell(int(np.count_nonzero(hit & mask)), int(np.count_nonzero(known & mask)))


def _known_and_hit(values: pd.Series, value: Any, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where ``values`` is known (and ``among``, if given), and where it is also ``value``."""
    known = values.notna().to_numpy(dtype=bool)
    if among is not None:
        known = known & among
    return (values == value).to_numpy(dtype=bool, na_value=False) & known, known


def _unplaced_note(result: AnalysisResult) -> str:
    """How many patients with variant data fall in neither column of a comparison (group unknown), and why."""
    genotypes = list(result.genotypes.values())
    purely = sum(g.purely_disruptive is None for g in genotypes)
    pooled = sum(g.pooled_group is None for g in genotypes)
    return (f"{len(genotypes)} patients with variant data; group not classifiable (left out, not counted as "
            f"either side): purely disruptive or not {purely}, pooled or residual expression {pooled} "
            "(reasons per patient in results/genotypes.csv).")


def genotype_table(result: AnalysisResult) -> Table:
    """Genotype correlation (Genotype Correlations section): onset age and pattern by genotype group."""
    f = result.patients
    groups = (
        ("purely disruptive", f["purely_disruptive"] == True),  # noqa: E712 - nullable boolean mask
        ("not purely disruptive", f["purely_disruptive"] == False),  # noqa: E712
        ("pooled", f["pooled_group"] == True),  # noqa: E712
        ("residual-expression missense", f["pooled_group"] == False),  # noqa: E712
    )
    masks = [m.fillna(False).to_numpy(dtype=bool) for _, m in groups]
    age = pd.to_numeric(f["age_at_onset_months"], errors="coerce").astype(float)
    purely = result.comparison("age_at_onset_months", "purely disruptive")
    pooled = result.comparison("age_at_onset_months", "pooled vs residual")
    t_purely, t_pooled = _result_test(purely), _result_test(pooled)
    columns = ("Purely disruptive", "Not purely disruptive", "P", "Pooled group", "Residual-expression missense", "P")

    def row(label: str, make, p_purely: Cell = EMPTY, p_pooled: Cell = EMPTY, tests=(), level: int = 0) -> Row:
        c = [make(m) for m in masks]
        return Row(label, (c[0], c[1], p_purely, c[2], c[3], p_pooled), level, tests=tests)

    older = _known_and_hit(age > 12, True, age.notna().to_numpy())
    pattern = f["pattern"]
    in_patterns, in_pattern_1 = pattern.isin(PATTERNS).to_numpy(dtype=bool), (pattern == "1").to_numpy(dtype=bool)
    pattern_1, pattern_2 = _known_and_hit(pattern, "1", in_patterns), _known_and_hit(pattern, "2", in_patterns)
    onsets = {s: _known_and_hit(f["onset_subpattern"], s, in_pattern_1) for s in SUBPATTERNS}
    rows = [
        row("Patients", lambda m: Cell(str(int(m.sum())), float(m.sum()), kind="number")),
        row(purely.label, lambda m: summary_cell(age[m], str(purely.shown)), p_cell(purely.pvalue),
            p_cell(pooled.pvalue), tests=(t_purely, t_pooled)),
        row("Onset after 12 months", lambda m: _share(*older, m)),
        row("Pattern 1", lambda m: _share(*pattern_1, m)),
        *[row(f"Onset subpattern {s}", lambda m, s=s: _share(*onsets[s], m), level=1) for s in SUBPATTERNS],
        row("Pattern 2", lambda m: _share(*pattern_2, m)),
    ]
    notes = (
        "Purely disruptive: every allele disruptive (nonsense, frameshift or deletion); pooled group: at least 1 "
        "disruptive allele or missense with absent protein expression; comparator: missense with residual "
        "expression (neurohlh.genetics). Patients with variant data only.",
        KNOWN_NOTE, IQR_NOTE,
        f"{purely.label}, purely disruptive vs not: {t_purely.test}"
        + (f" ({t_purely.reason})" if t_purely.reason else "") + ".",
        f"{pooled.label}, pooled vs residual expression: {t_pooled.test}"
        + (f" ({t_pooled.reason})" if t_pooled.reason else "") + ".",
        "Subpattern rows are over pattern-1 patients of the group.",
        _unplaced_note(result),
    )
    return Table("genotype", "Genotype correlation: onset age and imaging pattern", columns, tuple(rows), notes,
                 label_header="Characteristic", column_groups=(("Purely disruptive group", 3), ("Pooled mutation group", 3)))
