"""Tables of a multi-centre cohort: Table 1 by site, and the pattern 1 vs 2 comparisons stratified by site.

Both are built only when the patients come from more than one site (the ``site`` field; in REDCap, the data
access group). The stratified table is a sensitivity analysis: next to the crude P of Table 2 it gives the
exact conditional test given the site, the common odds ratio, the Cochran-Mantel-Haenszel chi-square and the
Breslow-Day test of equal odds ratios across sites, and the log-rank tests stratified by site.
"""
from __future__ import annotations

import math

import pandas as pd

from neurohlh.analysis import AnalysisResult
from neurohlh.analysis.sites import patient_sites, site_names
from neurohlh.reports.format import number_text, p_cell
from neurohlh.reports.model import Cell, Row, Table, TestRef
from neurohlh.reports.tables import KNOWN_NOTE, effect_text, table1_rows
from neurohlh.stats import TestResult


def table1_by_site(result: AnalysisResult) -> Table | None:
    """Table 1 with one column per site (and one for patients without a site), then the total; ``None`` with
    fewer than two sites."""
    f = result.patients
    sites = site_names(f)
    if len(sites) < 2:
        return None
    site = patient_sites(f)
    groups: list[tuple[str, pd.DataFrame]] = [(f"{s} (n = {int((site == s).sum())})", f[site == s]) for s in sites]
    if site.isna().any():
        groups.append((f"Site unknown (n = {int(site.isna().sum())})", f[site.isna()]))
    groups.append((f"Total (n = {len(f)})", f))
    per_group = [table1_rows(frame) for _, frame in groups]
    rows = tuple(Row(r.label, () if r.section else tuple(g[i].cells[0] for g in per_group), r.level, r.section)
                 for i, r in enumerate(per_group[-1]))
    notes = (
        KNOWN_NOTE,
        ("Sites are the patients' site codes (in a REDCap export, the data access group). Descriptive only: the "
         "sites are not compared by a test. Row definitions as in Table 1."),
    )
    return Table("table1_by_site", "Table 1 by site: Clinical, treatment, and outcome profiles",
                 tuple(name for name, _ in groups), rows, notes, label_header="Profiles",
                 column_groups=((f"Sites ({len(sites)})", len(groups) - 1), ("", 1)))


def _odds_ratio_text(result: TestResult) -> str:
    """``2.58 (0.79-8.92)``; an infinite or zero estimate (a zero cell in every site) is written out."""
    e = result.effect_size
    if e is None or e.ci is None or math.isnan(e.estimate):
        return "n/a"

    def num(x: float) -> str:
        return "\u221e" if math.isinf(x) else number_text(float(x), 2)

    return f"{num(e.estimate)} ({num(e.ci.low)}\u2013{num(e.ci.high)})"


def _crude(result: AnalysisResult, key: str, comparison: str = "patterns") -> TestRef:
    c = result.comparison(key, comparison)
    r = c.result
    if r is None:
        return TestRef("crude", "no test", None, reason=c.reason)
    return TestRef("crude", r.test, r.pvalue, r.statistic, r.df, r.reason)


def _ref(label: str, r: TestResult | None, reason: str) -> TestRef:
    if r is None:
        return TestRef(label, "no test", None, reason=reason)
    return TestRef(label, r.test, r.pvalue, r.statistic, r.df, r.reason, tuple(r.warnings), effect_text(r))


def site_sensitivity_table(result: AnalysisResult) -> Table | None:
    """Pattern 1 vs 2 within sites; ``None`` when the analysis has fewer than two sites."""
    by_site = getattr(result, "sites", None)
    if by_site is None:
        return None
    columns = ("Crude P", "Stratified exact P", "Common odds ratio (exact 95% CI)", "Cochran-Mantel-Haenszel P",
               "Breslow-Day P")
    rows = [Row("Pattern 1 vs pattern 2, characteristics", section=True)]
    for c in by_site.comparisons:
        crude = _crude(result, c.key)
        exact = _ref("stratified exact", c.exact, c.reason)
        mh = _ref("Cochran-Mantel-Haenszel", c.mantel_haenszel, c.reason)
        bd = math.nan if c.mantel_haenszel is None else c.mantel_haenszel.detail("breslow_day_p")
        cells = (p_cell(crude.pvalue), p_cell(exact.pvalue),
                 Cell(_odds_ratio_text(c.exact) if c.exact is not None else "n/a"), p_cell(mh.pvalue),
                 p_cell(None if math.isnan(bd) else bd))
        rows.append(Row(c.label, cells, 1, tests=(crude, exact, mh)))
    if by_site.survival:
        rows.append(Row("Pattern 1 vs pattern 2, survival", section=True))
    crude_survival = {s.endpoint: s for s in result.survival}
    for s in by_site.survival:
        crude_s = crude_survival.get(s.endpoint)
        crude_r = None if crude_s is None else crude_s.result
        crude_ref = _ref("crude", crude_r, "no crude log-rank test")
        strat = _ref("stratified log-rank", s.result, s.reason)
        rows.append(Row(s.label, (p_cell(crude_ref.pvalue), p_cell(strat.pvalue), Cell("n/a"), Cell("n/a"),
                                  Cell("n/a")), 1, tests=(crude_ref, strat)))
    sizes = ", ".join(f"{s} {n}" for s, n in zip(by_site.sites, by_site.n_per_site))
    notes = [
        ("Sensitivity analysis of a multi-centre cohort: is the pattern 1 vs 2 difference also there within sites? "
         f"Patients with pattern 1 or 2 per site: {sizes}"
         + (f"; {by_site.n_without_site} without a site are left out." if by_site.n_without_site else ".")),
        "Crude P: the pattern 1 vs 2 test of Table 2 (survival: the log-rank test of the survival figures).",
        ("Stratified exact P: exact conditional test of independence in 2 x 2 x K tables given the site (as R "
         "mantelhaen.test(exact = TRUE)); common odds ratio: its conditional maximum-likelihood estimate with the "
         "exact 95% CI (odds of the characteristic in pattern 1 over pattern 2). Cochran-Mantel-Haenszel P: the "
         "chi-square with continuity correction (df 1). Breslow-Day P: test of equal odds ratios across sites "
         "(a small P says the association differs between sites)."),
        ("Survival rows: log-rank test stratified by site (each site with its own risk sets; as R "
         "survdiff(Surv(time, event) ~ pattern + strata(site)))."),
    ]
    for c in by_site.comparisons:
        if c.reason:
            notes.append(f"{c.label}: {c.reason}.")
        for w in () if c.exact is None else c.exact.warnings:
            notes.append(f"{c.label}: {w}.")
    for s in by_site.survival:
        if s.reason:
            notes.append(f"{s.label}: {s.reason}.")
        elif s.result is not None:
            notes.append(f"{s.label}: stratified log-rank chi-square {number_text(float(s.result.statistic or 0), 2)} "
                         f"(df {number_text(float(s.result.df or 0), 0)}), n = {s.n}.")
    return Table("site_sensitivity", "Sensitivity analysis: pattern 1 vs pattern 2 stratified by site", columns,
                 tuple(rows), tuple(notes), label_header="Characteristic")


def site_tables(result: AnalysisResult) -> tuple[Table, ...]:
    """The multi-centre tables that apply (none for a single-site cohort)."""
    return tuple(t for t in (table1_by_site(result), site_sensitivity_table(result)) if t is not None)


__all__ = ["site_sensitivity_table", "site_tables", "table1_by_site"]
