"""What an analysis returns: frozen result types with their provenance.

A :class:`GroupComparison` is one variable compared across groups (the counts or samples per group, the test
and why it ran, the caveats); a :class:`SurvivalComparison` one Kaplan-Meier endpoint by pattern; an
:class:`AnalysisResult` everything :func:`neurohlh.analysis.analyze` computed, with the
:class:`~neurohlh.analysis.plan.AnalysisPlan` it followed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd

from neurohlh.analysis.plan import AnalysisPlan
from neurohlh.analysis.sites import SiteAnalysis
from neurohlh.criteria.cns import CNSResult
from neurohlh.criteria.hlh2004 import HLH2004Result
from neurohlh.errors import Caveat
from neurohlh.genetics.genotype import Genotype
from neurohlh.genetics.recurrence import RecurrentVariant
from neurohlh.patterns.patient import PatientAllocation
from neurohlh.patterns.summary import StudySummary
from neurohlh.stats import TestResult

SUBPATTERNS: tuple[str, ...] = ("1.1", "1.2", "1.3")
PATTERNS: tuple[str, ...] = ("1", "2")


class Shown(StrEnum):
    """How a continuous variable is summarised per group; it goes with the test (mean test / rank test)."""

    MEDIAN_IQR = "median (IQR)"
    MEAN_SD = "mean (SD)"


#: Test names of the mean tests; every other continuous test is a rank test.
MEAN_TESTS = ("Student t", "Welch t", "one-way ANOVA")


@dataclass(frozen=True, slots=True)
class Variable:
    """One compared characteristic: a derived patient column, binary (yes/no) or continuous.

    ``label`` names a continuous variable without its summary ("Age at onset (mo)"); the table row reads
    "Median age at onset (mo)" or "Mean age at onset (mo)" after the test that ran (:meth:`row_label`).
    """

    key: str
    label: str
    kind: Literal["binary", "continuous"]
    section: str = ""
    level: int = 0

    def row_label(self, shown: Shown | None = None) -> str:
        if self.kind == "binary" or shown is None:
            return self.label
        word = "Median" if shown is Shown.MEDIAN_IQR else "Mean"
        return f"{word} {self.label[0].lower()}{self.label[1:]}"


@dataclass(frozen=True)
class GroupComparison:
    """One variable compared across groups: the per-group summaries and the test result.

    ``counts`` holds ``(n_yes, n_known)`` per group for binary variables; ``samples`` the known values
    per group for continuous ones, summarised as ``shown``. ``result`` is the :mod:`neurohlh.stats` result
    (``None`` when no test could run, with the reason in ``reason``).
    """

    variable: Variable
    comparison: str
    groups: tuple[str, ...]
    counts: tuple[tuple[int, int], ...] = ()
    samples: tuple[np.ndarray, ...] = ()
    result: TestResult | None = None
    reason: str = ""
    shown: Shown | None = None
    caveats: tuple[Caveat, ...] = ()

    @property
    def pvalue(self) -> float | None:
        return None if self.result is None else self.result.pvalue

    @property
    def label(self) -> str:
        return self.variable.row_label(self.shown)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "variable": self.variable.key, "label": self.label, "kind": self.variable.kind,
            "comparison": self.comparison, "groups": list(self.groups), "reason": self.reason,
            "result": None if self.result is None else self.result.to_dict(),
        }
        if self.shown is not None:
            out["shown_as"] = str(self.shown)
        if self.counts:
            out["counts"] = [{"group": g, "yes": a, "known": n} for g, (a, n) in zip(self.groups, self.counts)]
        if self.samples:
            out["samples_n"] = {g: int(s.size) for g, s in zip(self.groups, self.samples)}
        return out


#: Kaplan-Meier steps of one group: (times starting at 0, survival starting at 1, number of patients).
Curve = tuple[np.ndarray, np.ndarray, int]


@dataclass(frozen=True)
class SurvivalComparison:
    """Kaplan-Meier curves by pattern and the log-rank test, for one endpoint."""

    endpoint: str
    label: str
    event_definition: str
    curves: dict[str, Curve]
    result: TestResult | None
    n_excluded: int
    censored: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  #: censoring marks
    #: Times (event or censoring) of each group's patients, for the number-at-risk table.
    times: dict[str, np.ndarray] = field(default_factory=dict)
    #: Patients with a deficit but no time of deficit: left out of the deficit-free curve (``n_excluded`` has them).
    n_deficit_without_time: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint, "label": self.label, "event_definition": self.event_definition,
            "n_per_group": {k: v[2] for k, v in self.curves.items()}, "n_excluded": self.n_excluded,
            "n_deficit_without_time": self.n_deficit_without_time,
            "result": None if self.result is None else self.result.to_dict(),
        }


@dataclass(frozen=True)
class AnalysisResult:
    """Everything ``analyze`` computed. ``patients`` is the per-patient analysis frame (one row each)."""

    plan: AnalysisPlan
    source: str
    checksums: dict[str, str]
    patients: pd.DataFrame
    studies: pd.DataFrame
    allocations: tuple[PatientAllocation, ...]
    hlh2004: tuple[HLH2004Result, ...]
    cns: tuple[CNSResult, ...]
    genotypes: Mapping[str, Genotype]
    recurrent_variants: tuple[RecurrentVariant, ...]
    study_summary: StudySummary
    comparisons: tuple[GroupComparison, ...]
    survival: tuple[SurvivalComparison, ...]
    caveats: tuple[Caveat, ...]
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: The pattern 1 vs 2 comparisons stratified by site (:mod:`neurohlh.analysis.sites`); None with one site.
    sites: SiteAnalysis | None = None

    @property
    def policy(self) -> str:
        """The plan's name (``"paper"``, ``"exact"``, ...)."""
        return self.plan.name

    @property
    def warnings(self) -> tuple[str, ...]:
        """The caveats as the sentences a reader sees."""
        return tuple(c.message for c in self.caveats)

    def comparison(self, variable: str, comparison: str) -> GroupComparison:
        for c in self.comparisons:
            if c.variable.key == variable and c.comparison == comparison:
                return c
        raise KeyError(f"no comparison {comparison!r} of {variable!r}")

    def summary(self) -> dict[str, Any]:
        pattern = self.patients["pattern"].value_counts()
        onset = self.patients["onset_subpattern"].value_counts()
        return {
            "patients": int(len(self.patients)), "studies": int(len(self.studies)),
            "pattern": {k: int(pattern.get(k, 0)) for k in ("1", "2", "indeterminate")},
            "onset_subpattern": {k: int(onset.get(k, 0)) for k in SUBPATTERNS},
        }


__all__ = [
    "AnalysisResult", "Curve", "GroupComparison", "MEAN_TESTS", "PATTERNS", "SUBPATTERNS", "Shown",
    "SurvivalComparison", "Variable",
]
