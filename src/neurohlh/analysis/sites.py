"""Multi-centre sensitivity analysis: the pattern 1 vs 2 comparisons stratified by site.

When the patients come from more than one site, each binary row of Table 2 is tested again within sites: a
2 x 2 table (pattern 1 / pattern 2 x yes / no) per site, combined by the exact conditional test of
independence in 2 x 2 x K tables (primary: strata are small) and the Cochran-Mantel-Haenszel chi-square with
the Mantel-Haenszel common odds ratio; the Breslow-Day test says whether the odds ratios differ between
sites. Overall and deficit-free survival are compared with the log-rank test stratified by site. A result
that holds within sites is not explained by the sites differing in case mix and pattern frequency.

Patients without a site, or with an indeterminate pattern, are left out (counted).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from neurohlh.errors import InputError, StatisticalWarning
from neurohlh.stats import TestResult
from neurohlh.stats.stratified import cmh_test, stratified_logrank

PATTERNS = ("1", "2")


@dataclass(frozen=True)
class StratifiedComparison:
    """One binary characteristic, pattern 1 vs 2, within sites.

    ``tables`` holds per site ``((pattern-1 yes, pattern-1 no), (pattern-2 yes, pattern-2 no))``.
    """

    key: str
    label: str
    sites: tuple[str, ...]
    tables: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    exact: TestResult | None
    mantel_haenszel: TestResult | None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.key, "label": self.label, "reason": self.reason,
            "strata": [{"site": s, "pattern_1": list(t[0]), "pattern_2": list(t[1])}
                       for s, t in zip(self.sites, self.tables)],
            "exact": None if self.exact is None else self.exact.to_dict(),
            "mantel_haenszel": None if self.mantel_haenszel is None else self.mantel_haenszel.to_dict(),
        }


@dataclass(frozen=True)
class StratifiedSurvival:
    """One survival endpoint, pattern 1 vs 2, log-rank stratified by site."""

    endpoint: str
    label: str
    result: TestResult | None
    n: int
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "label": self.label, "n": self.n, "reason": self.reason,
                "result": None if self.result is None else self.result.to_dict()}


@dataclass(frozen=True)
class SiteAnalysis:
    """The site-stratified sensitivity analysis (only built with at least two sites)."""

    sites: tuple[str, ...]
    n_per_site: tuple[int, ...]
    n_without_site: int
    comparisons: tuple[StratifiedComparison, ...]
    survival: tuple[StratifiedSurvival, ...]

    def comparison(self, key: str) -> StratifiedComparison:
        for c in self.comparisons:
            if c.key == key:
                return c
        raise KeyError(f"no stratified comparison of {key!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "sites": list(self.sites), "n_per_site": dict(zip(self.sites, self.n_per_site)),
            "n_without_site": self.n_without_site, "comparisons": [c.to_dict() for c in self.comparisons],
            "survival": [s.to_dict() for s in self.survival],
        }


def patient_sites(frame: pd.DataFrame) -> pd.Series:
    """The site of every patient as text, missing (``None``) where unknown."""
    if "site" not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    site = frame["site"].astype(object)
    known = site.notna()
    blank = [v for v in site[known].unique() if str(v).strip() == ""]  # each distinct code looked at once
    return site.where(known & ~site.isin(blank), None)


def site_names(frame: pd.DataFrame) -> tuple[str, ...]:
    """The sites of the frame's patients, sorted."""
    return tuple(sorted({str(s) for s in patient_sites(frame).dropna()}))


def _compare(frame: pd.DataFrame, key: str, label: str, sites: tuple[str, ...]) -> StratifiedComparison:
    values = frame[key].astype("boolean")
    site = patient_sites(frame)
    tables = []
    for s in sites:
        in_site = (site == s) & values.notna()
        rows = []
        for p in PATTERNS:
            v = values[in_site & (frame["pattern"] == p)]
            rows.append((int(v.sum()), int(len(v) - v.sum())))
        tables.append((rows[0], rows[1]))
    counts = np.array(tables)
    if counts[:, :, 0].sum() == 0 or counts[:, :, 1].sum() == 0:
        return StratifiedComparison(key, label, sites, tuple(tables), None, None,
                                    "no variation (all yes or all no); no test")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StatisticalWarning)
            exact = cmh_test(counts, exact=True, reason="exact conditional test of independence given the site "
                             "(strata are small); the sensitivity analysis of the multi-centre cohort")
            mh = cmh_test(counts, correction=True, reason="Cochran-Mantel-Haenszel chi-square given the site, with "
                          "continuity correction (R's default)")
    except InputError as exc:
        return StratifiedComparison(key, label, sites, tuple(tables), None, None, f"no test: {exc}")
    return StratifiedComparison(key, label, sites, tuple(tables), exact, mh)


class EndpointData(Protocol):
    """Time-to-event data of one endpoint, one row per patient of the frame (as :mod:`neurohlh.endpoints` gives)."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def time(self) -> pd.Series: ...
    @property
    def event(self) -> pd.Series: ...
    @property
    def included(self) -> pd.Series: ...


def _survival(frame: pd.DataFrame, endpoints: Sequence[EndpointData]) -> tuple[StratifiedSurvival, ...]:
    site = patient_sites(frame)
    out = []
    for ep in endpoints:
        ok = ep.included.reindex(frame.index).fillna(False).astype(bool) & site.notna()
        t = ep.time.reindex(frame.index)[ok].to_numpy(dtype=float)
        e = ep.event.reindex(frame.index)[ok].to_numpy(dtype=bool)
        g = frame.loc[ok, "pattern"].to_numpy()
        s = site[ok].astype(str).to_numpy()
        if len(set(g)) < 2 or not e.any():
            out.append(StratifiedSurvival(ep.key, ep.label, None, int(ok.sum()),
                                          "fewer than two patterns or no events; no test"))
            continue
        result = stratified_logrank(t, e, g, s, reason="log-rank test stratified by site (each site its own risk "
                                    "sets); the sensitivity analysis of the multi-centre cohort")
        out.append(StratifiedSurvival(ep.key, ep.label, result, int(ok.sum())))
    return tuple(out)


def site_analysis(frame: pd.DataFrame, variables: Sequence[Any],
                  endpoints: Sequence[EndpointData] = ()) -> SiteAnalysis | None:
    """The stratified comparisons of the binary ``variables`` (Table 2 rows) and of the survival ``endpoints``
    (built from the same ``frame``); ``None`` with fewer than two sites.

    ``frame`` is the per-patient analysis frame (``pattern``, ``site`` and the variables' columns).
    """
    compared = frame["pattern"].isin(PATTERNS)
    sites = site_names(frame.loc[compared, ["site"]] if "site" in frame else frame.iloc[:0])
    if len(sites) < 2:
        return None
    in_pattern = frame[compared]
    site = patient_sites(in_pattern)
    comparisons = tuple(_compare(in_pattern, v.key, v.label, sites) for v in variables if v.kind == "binary")
    return SiteAnalysis(
        sites=sites, n_per_site=tuple(int((site == s).sum()) for s in sites),
        n_without_site=int(site.isna().sum()), comparisons=comparisons, survival=_survival(in_pattern, endpoints),
    )


__all__ = ["EndpointData", "SiteAnalysis", "StratifiedComparison", "StratifiedSurvival", "patient_sites", "site_analysis",
           "site_names"]
