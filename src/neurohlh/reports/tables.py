"""Builders for the paper's Table 1 (cohort profile) and Table 2 (pattern characteristics).

Builders are pure: analysis result in, :class:`~neurohlh.reports.model.Table` out. Every count cell is
``n/N (%)`` over the patients whose value is known, and every P cell has a :class:`TestRef` naming
the test that produced it; the footnotes list the tests per column and any warnings.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from neurohlh.analysis import PATTERNS, SUBPATTERNS, TABLE2_VARIABLES, AnalysisResult, GroupComparison
from neurohlh.criteria.cns import CSF_PLEOCYTOSIS_TEXT, CSF_PROTEINOSIS_TEXT
from neurohlh.reports.format import count_cell, median_cell, number_text, p_cell, ratio_text, summary_cell
from neurohlh.reports.model import Cell, Row, Table, TestRef
from neurohlh.stats.formatting import format_estimate

KNOWN_NOTE = ("n/N (%): patients with the finding / patients in whom it is known (unknown is never counted "
              "as no), so denominators vary by row.")
IQR_NOTE = ("Median (IQR): quartiles by the weighted-average definition x[(n+1)p] (SPSS default), "
            "the paper's software.")
SUMMARY_NOTE = ("A continuous row is shown as median (IQR) when it is compared with a rank test and as mean (SD) "
                "when it is compared with a t test or ANOVA.")


# ---------------------------------------------------------------- Table 1


def _count(series: pd.Series, mask: pd.Series | None = None) -> Cell:
    s = series.astype("boolean")
    if mask is not None:
        s = s[mask]
    return count_cell(int(s.fillna(False).sum()), int(s.notna().sum()))


#: HLH-2004 statuses that are decided; ``could_be_met`` (missing items) is not evaluable.
DECIDED_HLH2004 = ("met", "not_met")


def _status_count(status: pd.Series) -> Cell:
    """Patients with status "met" over the patients whose status is decided (met or not met).

    ``could_be_met`` means items are missing that could still reach the diagnosis: not evaluable, so it is
    left out of the denominator (and counted in the footnote), never counted as "not met".
    """
    decided = status.isin(DECIDED_HLH2004)
    return count_cell(int((status[decided] == "met").sum()), int(decided.sum()))


def _either(a: pd.Series, b: pd.Series) -> pd.Series:
    """Yes if either is yes, no if both are known no, else unknown."""
    a, b = a.astype("boolean"), b.astype("boolean")
    return a | b  # Kleene logic: True | NA = True, False | NA = NA


def table1_rows(f: Any) -> list[Row]:
    """Table 1's rows for the patients of ``f`` (an analysis patient frame), one cell each: the whole cohort, or one
    site."""
    sym = f["cns_symptomatic"].astype("boolean")
    symptomatic = sym.fillna(False).astype(bool)
    sex = f["sex"]
    died = f["died"].astype("boolean")
    weeks = pd.to_numeric(f["death_weeks_after_diagnosis"], errors="coerce").astype(float)
    dead = died.fillna(False).astype(bool)
    protocol = f["hlh_protocol"]
    on_protocol = protocol.isin(["hlh_94", "hlh_2004"]).astype("boolean").where(protocol.notna(), pd.NA)
    rows = [
        Row("Age", section=True),
        Row("Age at onset (mo), median (IQR)", (median_cell(f["age_at_onset_months"]),), 1),
        Row("Age at CNS presentation (mo), median (IQR)", (median_cell(f["age_at_cns_presentation_months"]),), 1),
        Row("Male:female (ratio)", (Cell(ratio_text(int((sex == "male").sum()), int((sex == "female").sum())),
                                         kind="ratio"),)),
        Row("General symptoms", section=True),
        Row("Fever", (_count(f["fever"]),), 1),
        Row("Hepato-/splenomegaly", (_count(_either(f["hepatomegaly"], f["splenomegaly"])),), 1),
        Row("Abdominal distension", (_count(f["abdominal_distension"]),), 1),
        Row("CNS symptoms", (_count(sym),)),
        *[Row(label, (_count(f[col], symptomatic),), 1) for col, label in (
            ("seizures", "Seizures"), ("encephalopathy", "Decreased sensorium"), ("meningismus", "Meningismus"),
            ("gait_ataxia", "Gait ataxia"), ("hypotonia", "Hypotonia"))],
        Row("Minimal symptoms (mild irritability) or clinically silent", (_count(~sym),)),
        Row("CSF findings", section=True),
        Row("CSF analyzed at presentation", (_count(f["csf_done"]),), 1),
        Row("Abnormal CSF", (_count(f["csf_abnormal"]),), 1),
        Row(f"CSF pleocytosis ({CSF_PLEOCYTOSIS_TEXT})", (_count(f["csf_pleocytosis"]),), 1),
        Row(f"CSF proteinosis ({CSF_PROTEINOSIS_TEXT})", (_count(f["csf_proteinosis"]),), 1),
        Row("Treatment", section=True),
        Row("HLH 1994/2004", (_count(on_protocol),), 1),
        Row("IT methotrexate", (_count(f["it_methotrexate"]),), 1),
        Row("HSCT", (_count(f["hsct"]),), 1),
        Row("Outcome", section=True),
        Row("Death", (_count(died),), 1),
        Row("Death before 8 weeks", (_count(weeks < 8, dead & weeks.notna()),), 2),
        Row("Death after 8 weeks", (_count(weeks >= 8, dead & weeks.notna()),), 2),
        Row("Alive at last follow-up", (_count(~died),), 1),
        Row("Lost to follow-up", (_count(f["lost_to_follow_up"]),), 1),
        Row("Criteria (neurohlh.criteria)", section=True),
        Row("HLH-2004 diagnostic criteria met", (_status_count(f["hlh2004_status"]),), 1),
        Row("CNS involvement, comprehensive rule", (_count(f["cns_involved"]),), 1),
    ]
    return rows


def table1(result: AnalysisResult) -> Table:
    """Clinical, CSF, treatment and outcome profile of the whole cohort (the paper's Table 1)."""
    f = result.patients
    n = len(f)
    rows = table1_rows(f)
    notes = (
        KNOWN_NOTE, IQR_NOTE,
        "CNS symptoms: any of seizures, decreased sensorium (encephalopathy), meningismus, gait ataxia, hypotonia, "
        "limb weakness, dysarthria or diplopia; symptom rows are over the symptomatic patients, as in the paper.",
        f"Abnormal CSF: pleocytosis ({CSF_PLEOCYTOSIS_TEXT}) or proteinosis ({CSF_PROTEINOSIS_TEXT}) "
        "(neurohlh.criteria).",
        "Hepato-/splenomegaly: either organ enlarged. Deaths before/after 8 weeks are over deaths with a known time.",
        "HLH-2004 (Henter 2007): met = molecular diagnosis or >= 5 of 8 criteria; over the patients whose "
        "status is decided (met or not met): "
        f"{int((f['hlh2004_status'] == 'could_be_met').sum())} patient(s) whose status 'could be met' (items "
        "missing that could still reach the diagnosis) are not evaluable and left out. CNS involvement, "
        "comprehensive rule: abnormal CSF, neurologic symptoms or imaging findings (paper, Discussion).",
        "IQR indicates interquartile range; IT, intrathecal; HSCT, hematopoietic stem cell transplant.",
    )
    return Table("table1", "Clinical, treatment, and outcome profiles", (f"Total (n = {n})",),
                 tuple(rows), notes, label_header="Profiles")


# ---------------------------------------------------------------- Table 2


def _result_test(c: GroupComparison) -> TestRef:
    r = c.result
    if r is None:
        return TestRef(c.comparison, "no test", None, reason=c.reason)
    return TestRef(c.comparison, r.test, r.pvalue, r.statistic, r.df, r.reason,
                   tuple(w.message for w in c.caveats), effect_text(r), c.caveats)


def effect_text(result: Any) -> str:
    """``"odds ratio 3.1 (95% CI 1.2-8.0)"``: the first effect size of a stats result, or ``""``."""
    effects = getattr(result, "effect_sizes", ()) or ()
    if not effects:
        return ""
    e = effects[0]
    if e.estimate is None or not np.isfinite(e.estimate):
        return f"{e.name} n/a"
    text = f"{e.name} {number_text(float(e.estimate), 2)}"
    ci = e.ci
    if ci is not None and np.isfinite(ci.low) and np.isfinite(ci.high):
        text += f" ({ci.level:.0%} CI {format_estimate(ci.low)}\u2013{format_estimate(ci.high)})"
    return text


def _group_cells(c: GroupComparison) -> list[Cell]:
    if c.variable.kind == "binary":
        return [count_cell(a, n) for a, n in c.counts]
    return [summary_cell(s, str(c.shown)) for s in c.samples]


def _group_sizes(result: AnalysisResult, column: str, groups: Sequence[str]) -> list[int]:
    counts = result.patients[column].value_counts()
    return [int(counts.get(g, 0)) for g in groups]


def _test_footnotes(rows: Sequence[Row], labels: dict[str, str]) -> list[str]:
    notes = []
    for comparison, heading in labels.items():
        by_test: dict[str, list[str]] = {}
        for r in rows:
            for t in r.tests:
                if t.label == comparison:
                    by_test.setdefault(t.test, []).append(r.label)
        parts = [f"{test} ({', '.join(names)})" for test, names in by_test.items()]
        if parts:
            notes.append(f"P values, {heading}: " + "; ".join(parts) + ".")
    no_test: dict[str, list[str]] = {}
    sparse: dict[str, list[str]] = {}
    for r in rows:
        for t in r.tests:
            for w in t.caveats:
                if w.code == "low_expected_count" and w.value is not None:
                    sparse.setdefault(t.label, []).append(f"{r.label} (min {w.value:.2f})")
                else:
                    notes.append(f"Warning, {r.label} ({labels.get(t.label, t.label)}): {w.message}")
            if t.pvalue is None:
                no_test.setdefault(t.reason or "no test", []).append(f"{r.label} ({labels.get(t.label, t.label)})")
    for comparison, where in sparse.items():
        notes.append(f"Expected counts < 5 where the chi-square approximation was used, "
                     f"{labels.get(comparison, comparison)} (the approximation is unreliable there; the 'exact' plan "
                     f"uses Fisher/Fisher-Freeman-Halton): {', '.join(where)}.")
    for reason, where in no_test.items():
        notes.append(f"No P value ({reason}): {', '.join(where)}.")
    return notes


def table2(result: AnalysisResult, extended: bool = False) -> Table:
    """Pattern characteristics and analysis (the paper's Table 2).

    Columns: onset subpatterns 1.1 / 1.2 / 1.3 with the P of their comparison, then pattern 1 overall
    and pattern 2 with theirs. ``extended=True`` gives instead, for both comparisons, the test, its
    statistic (df), P and the effect size with its 95% CI (same rows).
    """
    sub_n = _group_sizes(result, "onset_subpattern", SUBPATTERNS)
    pat_n = _group_sizes(result, "pattern", PATTERNS)
    if extended:
        columns = ["Test", "Statistic (df)", "P", "Effect size (95% CI)"] * 2
        groups: list[tuple[str, int]] = [("Onset subpatterns 1.1 vs 1.2 vs 1.3", 4), ("Pattern 1 vs pattern 2", 4)]
    else:
        columns = [f"{g} (n = {k})" for g, k in zip(SUBPATTERNS, sub_n)] + ["P"]
        columns += [f"Pattern 1 overall (n = {pat_n[0]})", f"Pattern 2 (n = {pat_n[1]})", "P"]
        groups = [("Onset subpatterns", 4), ("Patterns", 3)]
    rows: list[Row] = []
    section = ""
    for v in TABLE2_VARIABLES:
        if v.section and v.section != section:
            rows.append(Row(v.section, section=True))
        section = v.section
        sub = result.comparison(v.key, "subpatterns")
        pat = result.comparison(v.key, "patterns")
        tests = (_result_test(sub), _result_test(pat))
        label = sub.label
        if extended:
            cells = [c for t, comp in zip(tests, (sub, pat)) for c in (
                Cell(t.test if t.pvalue is not None else "no test"), Cell(_stat_text(t)), p_cell(comp.pvalue),
                Cell(t.effect or "n/a"))]
        else:
            cells = [*_group_cells(sub), p_cell(sub.pvalue), *_group_cells(pat), p_cell(pat.pvalue)]
        rows.append(Row(label, tuple(cells), v.level, tests=tests))
    labels = {"subpatterns": "onset subpatterns 1.1 vs 1.2 vs 1.3", "patterns": "pattern 1 vs pattern 2"}
    notes = [
        f"Statistical policy '{result.policy}'. Subpattern = onset subpattern (first lesional MR study).",
        KNOWN_NOTE, IQR_NOTE, SUMMARY_NOTE,
        "Pooled mutation group: at least 1 disruptive variant or missense variants with absent protein expression, "
        "over patients with variant data; mortality and deficit-free over patients with a known outcome.",
        *_test_footnotes(rows, labels),
        *_survival_footnotes(result),
    ]
    title = ("Pattern characteristics: tests and effect sizes behind the P values of Table 2" if extended
             else "Pattern characteristics and analysis")
    return Table("table2_extended" if extended else "table2", title, tuple(columns), tuple(rows), tuple(notes),
                 label_header="Characteristic", column_groups=tuple(groups))


def _survival_footnotes(result: AnalysisResult) -> list[str]:
    """Log-rank P of overall and deficit-free survival (time-to-event), next to the 2 x 2 outcome rows."""
    out = []
    for s in result.survival:
        if s.result is not None:
            out.append(f"{s.label}, pattern 1 vs 2 as time to event (Kaplan-Meier, {s.result.test} test): "
                       f"P = {p_cell(s.result.pvalue).text} (see the survival figures).")
    return out


def _stat_text(t: TestRef) -> str:
    if t.pvalue is None or t.statistic is None or not np.isfinite(t.statistic):
        return "n/a"
    text = number_text(float(t.statistic), 2)
    if t.df is not None and np.isfinite(t.df):
        text += f" ({number_text(float(t.df), 1)})"
    return text
