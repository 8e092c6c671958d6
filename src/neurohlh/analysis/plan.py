"""The analysis plan: which test each comparison uses, and the clinical rules the analysis applies.

An :class:`AnalysisPlan` is typed data, like :class:`~neurohlh.genetics.DisruptivePolicy`: it names the
categorical rule, the continuous rule (with its normality check), the normality significance level, the
CNS-involvement rule and the disruptive-variant policy, describes itself for the report's methods section and
accepts per-variable overrides. Two plans are built in:

* :data:`PAPER_PLAN` reproduces Malik et al. 2021 (SPSS asymptotic tests); ``neurohlh demo`` uses it;
* :data:`EXACT_PLAN` uses exact tests wherever an expected count is small; ``neurohlh analyze`` uses it on a
  user's cohort unless told otherwise.

Examples
--------
>>> plan = PAPER_PLAN.with_overrides(age_at_onset_months=VariableRule(continuous=ContinuousRule.NONPARAMETRIC))
>>> plan.continuous_for("age_at_onset_months"), plan.continuous_for("other")
(<ContinuousRule.NONPARAMETRIC: 'nonparametric'>, <ContinuousRule.PAPER: 'paper'>)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from neurohlh.criteria.cns import RULES as CNS_RULES
from neurohlh.criteria.cns import Rule as CnsRule
from neurohlh.analysis.names import PlanName
from neurohlh.errors import InputError
from neurohlh.genetics import LOF_POLICY, PAPER_POLICY, DisruptivePolicy
from neurohlh.stats import CATEGORICAL_POLICIES, CONTINUOUS_POLICIES


class CategoricalRule(StrEnum):
    """How a groups x categories table is tested (see :func:`neurohlh.stats.compare_categorical`)."""

    EXACT = "exact"
    PAPER = "paper"
    COCHRAN = "cochran"
    FISHER = "fisher"

    @property
    def description(self) -> str:
        return CATEGORICAL_POLICIES[self.value]


class ContinuousRule(StrEnum):
    """How a continuous variable is compared (see :func:`neurohlh.stats.compare_continuous`).

    The rule's normality check (:func:`neurohlh.stats.check_normality`) decides between a mean test and a rank
    test, and the report shows the variable as mean (SD) with a mean test and as median (IQR) with a rank test.
    """

    EXACT = "exact"
    PAPER = "paper"
    NONPARAMETRIC = "nonparametric"
    PARAMETRIC = "parametric"

    @property
    def description(self) -> str:
        return CONTINUOUS_POLICIES[self.value]


@dataclass(frozen=True, slots=True)
class VariableRule:
    """A per-variable departure from the plan; ``None`` keeps the plan's rule."""

    categorical: CategoricalRule | None = None
    continuous: ContinuousRule | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"categorical": self.categorical, "continuous": self.continuous}


@dataclass(frozen=True, slots=True)
class AnalysisPlan:
    """Everything that decides how a cohort is analysed, as one frozen value.

    Parameters
    ----------
    name
        Short name shown in the report (``"paper"``, ``"exact"`` or a name given by the user).
    categorical, continuous
        The test rules; see :class:`CategoricalRule` and :class:`ContinuousRule`.
    alpha
        Significance level of the Shapiro-Wilk normality check.
    cns_rule
        The CNS-involvement rule of :func:`neurohlh.criteria.cns_involvement`.
    disruptive
        Which variant consequences count as disruptive (:mod:`neurohlh.genetics`).
    overrides
        Per-variable departures, keyed by the variable's column (``"age_at_onset_months"``).
    """

    name: str
    categorical: CategoricalRule
    continuous: ContinuousRule
    alpha: float = 0.05
    cns_rule: CnsRule = "comprehensive"
    disruptive: DisruptivePolicy = PAPER_POLICY
    overrides: Mapping[str, VariableRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise InputError(f"`alpha` must be between 0 and 1; got {self.alpha!r}.")
        if self.cns_rule not in CNS_RULES:
            raise InputError(f"`cns_rule` must be one of {list(CNS_RULES)}; got {self.cns_rule!r}.")
        object.__setattr__(self, "categorical", CategoricalRule(self.categorical))
        object.__setattr__(self, "continuous", ContinuousRule(self.continuous))

    def categorical_for(self, variable: str) -> CategoricalRule:
        """The categorical rule for ``variable`` (its override, else the plan's)."""
        rule = self.overrides.get(variable)
        return rule.categorical if rule is not None and rule.categorical is not None else self.categorical

    def continuous_for(self, variable: str) -> ContinuousRule:
        """The continuous rule for ``variable`` (its override, else the plan's)."""
        rule = self.overrides.get(variable)
        return rule.continuous if rule is not None and rule.continuous is not None else self.continuous

    def with_overrides(self, name: str | None = None, **rules: VariableRule) -> AnalysisPlan:
        """A copy in which some variables are compared differently; the name records the change."""
        changed = ", ".join(sorted(rules))
        return replace(self, name=name or f"{self.name} (overrides: {changed})",
                       overrides={**self.overrides, **rules})

    def describe(self) -> str:
        """One sentence for the report's methods section, built from the rules' own descriptions."""
        text = (f"the '{self.name}' plan: categorical variables by {self.categorical.description}; continuous "
                f"variables by {self.continuous.description} (Shapiro-Wilk at alpha = {self.alpha:g}), shown as "
                "mean (SD) when a mean test is used and as median (IQR) when a rank test is used; CNS involvement "
                f"by the {self.cns_rule} rule; disruptive variants by the '{self.disruptive.name}' policy")
        if self.overrides:
            text += "; per-variable rules: " + "; ".join(
                f"{key}: " + ", ".join(f"{k} {v}" for k, v in rule.to_dict().items() if v is not None)
                for key, rule in sorted(self.overrides.items()))
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "categorical": str(self.categorical), "continuous": str(self.continuous),
            "alpha": self.alpha, "cns_rule": self.cns_rule, "disruptive": self.disruptive.name,
            "overrides": {k: v.to_dict() for k, v in sorted(self.overrides.items())},
            "description": self.describe(),
        }


#: Reproduces the paper: uncorrected Pearson chi-square always; variable-level Shapiro-Wilk, then Student t /
#: ANOVA or Mann-Whitney U (SPSS asymptotic) / Kruskal-Wallis.
PAPER_PLAN = AnalysisPlan("paper", CategoricalRule.PAPER, ContinuousRule.PAPER)
#: Exact tests where an expected count is below 5; Shapiro-Wilk per group, Welch t or R's Mann-Whitney rule.
EXACT_PLAN = AnalysisPlan("exact", CategoricalRule.EXACT, ContinuousRule.EXACT)
#: The built-in plans by name.
PLANS: Mapping[PlanName, AnalysisPlan] = {PlanName.PAPER: PAPER_PLAN, PlanName.EXACT: EXACT_PLAN}
#: Disruptive-variant policies by name (``neurohlh criteria --policy``).
DISRUPTIVE_POLICIES: Mapping[str, DisruptivePolicy] = {"paper": PAPER_POLICY, "lof": LOF_POLICY}


def plan_named(name: str | PlanName | AnalysisPlan) -> AnalysisPlan:
    """The built-in plan called ``name`` (a plan passes through unchanged)."""
    if isinstance(name, AnalysisPlan):
        return name
    try:
        return PLANS[PlanName(name)]
    except ValueError:
        raise InputError(f"`policy` must be one of {[p.value for p in PlanName]}; got {name!r}.") from None


__all__ = [
    "AnalysisPlan", "CategoricalRule", "ContinuousRule", "DISRUPTIVE_POLICIES", "EXACT_PLAN", "PAPER_PLAN",
    "PLANS", "PlanName", "VariableRule", "plan_named",
]
