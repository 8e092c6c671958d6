"""The study rules of Malik et al. (AJNR 2021) as named objects: each decides and explains itself.

A :class:`Rule` has a stable name, the value it assigns when met, the :class:`~neurohlh.patterns.evidence.Evidence`
fields it reads, the paper section it implements and a methods-text phrase. Its ``check`` returns a
:class:`Verdict` (met / not met / not evaluable, with the unknown fields that stop it); calling the rule returns
the verdict and its :class:`~neurohlh.patterns.trace.RuleStep` together. Classifying calls ``check`` only; the
trace (``neurohlh classify --explain``) calls the same rules, so the two cannot disagree.

Rules of one decision are ranked in a :class:`RankedRules` group (:data:`SUBPATTERN_RULES`,
:data:`PATTERN_2_RULES`): the first rule met assigns its value, provided every rule ranked above it is known
not met; if a higher-ranked rule is not evaluable, the outcome is undetermined and names its unknown fields.
The last rule of a group is the residual class and always meets. Adding a rule is one edit: write it and put it
in its group at its rank (CONTRIBUTING.md walks through an example).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from neurohlh.patterns import trace as T
from neurohlh.patterns.evidence import (
    CONTRAST_FIELD,
    EFFACEMENT_FIELDS,
    EXTRAPARENCHYMAL_FIELDS,
    LESION_FIELDS,
    LOCATION_COMPARTMENT,
    NONLESIONAL_FIELDS,
    NUMBER_FIELDS,
    OTHER_THAN_PONS,
    POSITIVE_NUMBERS,
    Evidence,
)
from neurohlh.patterns.trace import RuleStep, Status

#: Study categories.
LESIONAL, NORMAL, ATROPHY, ISOLATED_CTT, NONSPECIFIC, EXTRAPARENCHYMAL, INDETERMINATE = (
    "lesional", "normal", "atrophy", "isolated_ctt", "nonspecific", "extraparenchymal_only", "indeterminate")
#: Subpattern 1.2 needs *more than* this many punctate/nodular enhancing pontine lesions ("numerous (> 3)").
PONTINE_LESIONS_ABOVE = 3


class Verdict(NamedTuple):
    """What one rule concluded: its status and, when not evaluable, the unknown fields that would decide it."""

    status: Status
    missing: tuple[str, ...] = ()


_MET, _NOT_EVALUABLE = Status.MET, Status.NOT_EVALUABLE
MET = Verdict(Status.MET)
NOT_MET = Verdict(Status.NOT_MET)


def not_evaluable(missing: tuple[str, ...]) -> Verdict:
    """A verdict that cannot be reached until the ``missing`` fields are known."""
    return Verdict(_NOT_EVALUABLE, missing)


def unknown(ev: Evidence, names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of ``names`` that are unknown in ``ev``."""
    return tuple(n for n in names if getattr(ev, n) is None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One named rule: ``check`` decides, ``explain`` says why in one sentence (for the trace).

    Attributes
    ----------
    name : str
        Stable identifier shown in traces, e.g. ``"subpattern_1_3"``.
    assigns : str
        The category or subpattern the rule gives when met.
    reads : tuple of str
        The evidence fields the rule reads (the trace shows their values).
    section : str
        The paper section (or our documented convention) the rule implements.
    methods : str
        A phrase for the report's methods text, with the rule's thresholds.
    check : callable
        ``check(evidence) -> Verdict``.
    explain : callable
        ``explain(evidence, verdict) -> str``. A rule that is met while a higher-ranked rule of its group is not
        evaluable is explained with a not-evaluable verdict naming the higher-ranked rule's unknown fields.
    shown : callable or None
        ``shown(evidence) -> field names`` when the trace should show only the fields that mattered for this
        study (default: every field of ``reads``).
    """

    name: str
    assigns: str
    reads: tuple[str, ...]
    section: str
    methods: str
    check: Callable[[Evidence], Verdict]
    explain: Callable[[Evidence, Verdict], str]
    shown: Callable[[Evidence], tuple[str, ...]] | None = None

    def step(self, ev: Evidence, verdict: Verdict) -> RuleStep:
        """The trace step of ``verdict`` on ``ev``."""
        names = self.reads if self.shown is None else self.shown(ev)
        return RuleStep(self.name, tuple((n, getattr(ev, n)) for n in names), verdict.status,
                        self.explain(ev, verdict), self.section)

    def __call__(self, ev: Evidence) -> tuple[Verdict, RuleStep]:
        """The decision and its trace step."""
        verdict = self.check(ev)
        return verdict, self.step(ev, verdict)


@dataclass(frozen=True, slots=True)
class RankedRules:
    """Rules tried in rank order; the first met assigns its value if no rule above it is not evaluable."""

    name: str
    rules: tuple[Rule, ...]
    undetermined: str | None
    _checks: tuple[tuple[Callable[[Evidence], Verdict], str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_checks", tuple((r.check, r.assigns) for r in self.rules))

    def decide(self, ev: Evidence) -> tuple[str | None, tuple[str, ...]]:
        """(assigned value, ()) or (``undetermined``, the unknown fields of the higher-ranked rules)."""
        missing: tuple[str, ...] = ()
        for check, assigns in self._checks:
            status, fields = check(ev)
            if status is _MET:
                return (assigns, ()) if not missing else (self.undetermined, missing)
            if status is _NOT_EVALUABLE:
                missing += tuple(f for f in fields if f not in missing)
        return self.undetermined, missing

    def trace(self, ev: Evidence) -> list[RuleStep]:
        """The steps of the rules tried, as :meth:`decide` tries them."""
        steps: list[RuleStep] = []
        missing: tuple[str, ...] = ()
        for rule in self.rules:
            verdict = rule.check(ev)
            if verdict.status is Status.MET and missing:
                steps.append(rule.step(ev, not_evaluable(missing)))
                return steps
            steps.append(rule.step(ev, verdict))
            if verdict.status is Status.MET:
                return steps
            if verdict.status is Status.NOT_EVALUABLE:
                missing += tuple(f for f in verdict.missing if f not in missing)
        return steps

    def methods(self) -> str:
        """The group's rules for the methods text, in rank order."""
        return ", else ".join(r.methods for r in self.rules)


def _listed(fields: tuple[str, ...]) -> str:
    return ", ".join(fields)


# ---------------------------------------------------------------- parenchymal lesions (pattern-1 study)


def _lesions(ev: Evidence) -> Verdict:
    if (ev.supra_lesion_number in POSITIVE_NUMBERS or ev.infra_lesion_number in POSITIVE_NUMBERS
            or ev.loc_cerebral_wm is True or ev.loc_deep_grey is True or ev.loc_cerebellar_wm is True
            or ev.loc_midbrain is True or ev.loc_pons is True or ev.loc_medulla is True
            or ev.cerebellar_diffuse_edema is True):
        return MET
    if ev.supra_lesion_number == "none" and ev.infra_lesion_number == "none":
        return NOT_MET
    missing = unknown(ev, NUMBER_FIELDS)
    missing += tuple(f for f, c in LOCATION_COMPARTMENT.items() if getattr(ev, f) is None and getattr(ev, c) is None)
    return not_evaluable(missing)


def _explain_lesions(ev: Evidence, verdict: Verdict) -> str:
    if verdict.status is Status.MET:
        positive = [f"{k} = {T.show(v)}" for k, v in ev.values(LESION_FIELDS).items()
                    if v is True or v in POSITIVE_NUMBERS]
        outcome = "parenchymal lesions present (" + ", ".join(positive) + ")"
        contradictions = [f for f, c in LOCATION_COMPARTMENT.items() if getattr(ev, f) is True and getattr(ev, c)
                          == "none"]
        if contradictions:
            outcome += "; note: " + ", ".join(f"{f} = yes contradicts {LOCATION_COMPARTMENT[f]} = none"
                                              for f in contradictions) + " (a positive finding wins)"
        return outcome
    if verdict.status is Status.NOT_MET:
        return ("no parenchymal lesions: supratentorial and infratentorial lesion number are both none and no "
                "location field is yes; cranial nerve, optic nerve, cord and cauda equina findings do not count")
    return "cannot tell whether parenchymal lesions are present: unknown " + _listed(verdict.missing)


LESION_RULE = Rule(
    name="parenchymal_lesions", assigns=LESIONAL, reads=LESION_FIELDS, section=T.SEC_PATTERNS,
    methods="it has supratentorial or infratentorial parenchymal lesions or lesions in the cerebral or cerebellar "
            "white matter, deep grey nuclei, midbrain, pons or medulla, or diffuse cerebellar oedema",
    check=_lesions, explain=_explain_lesions)


# ---------------------------------------------------------------- subpatterns of a lesional study


def _cerebellitis(ev: Evidence) -> Verdict:
    swelling, effacement = ev.swelling, ev.effacement
    if swelling is True and effacement is True:
        return MET
    if swelling is False or effacement is False:
        return NOT_MET
    missing: tuple[str, ...] = ("cerebellar_diffuse_edema",) if swelling is None else ()
    return not_evaluable(missing + (unknown(ev, EFFACEMENT_FIELDS) if effacement is None else ()))


def _explain_cerebellitis(ev: Evidence, verdict: Verdict) -> str:
    swelling = ev.swelling
    if verdict.status is Status.MET:
        return ("diffuse cerebellar swelling/oedema with effacement of the cerebellar folia and/or the "
                "cerebellopontine cisterns: subpattern 1.3 takes precedence over 1.2 and 1.1 "
                "(cerebellitis patients with additional white-matter lesions were 1.3)")
    if verdict.status is Status.NOT_EVALUABLE:
        return (("diffuse cerebellar swelling unknown" if swelling is None else
                 "diffuse cerebellar swelling without known effacement")
                + ": 1.3 needs swelling with effacement of the folia or cerebellopontine cisterns, so it cannot be "
                "excluded: unknown " + _listed(verdict.missing) + "; subpattern undetermined")
    if swelling is False:
        return "no diffuse cerebellar swelling" + (
            " (implied by infra_lesion_number = none)" if ev.cerebellar_diffuse_edema is None else "")
    return ("no effacement of the cerebellar folia or cerebellopontine cisterns: not 1.3 (1.3 needs swelling "
            "with effacement)" + (" although diffuse cerebellar swelling is recorded" if swelling else ""))


def pontine_inputs(ev: Evidence) -> tuple[float | None, bool | None]:
    """(enhancing pontine lesion count, pons dominant) as the 1.2 rule reads them: the count is 0 without
    pontine lesions and unknown without contrast; dominance is inferred when only the pons has lesions."""
    count, dominant = ev.pontine_enhancing_lesion_count, ev.pons_dominant_site
    if ev.no_pontine_lesions:
        count = 0 if count is None else count
    elif ev.contrast_given is False:
        count = None
    if dominant is None and ev.pons_only:
        dominant = True
    return count, dominant


def _brainstem(ev: Evidence) -> Verdict:
    count, dominant = pontine_inputs(ev)
    if (count is not None and count <= PONTINE_LESIONS_ABOVE) or dominant is False:
        return NOT_MET
    if count is not None and dominant is True:
        return MET
    missing: tuple[str, ...] = ()
    if count is None:
        missing += (CONTRAST_FIELD,) if ev.contrast_given is False else ("pontine_enhancing_lesion_count",)
    if dominant is None:
        missing += ("pons_dominant_site",)
    return not_evaluable(missing)


def _explain_brainstem(ev: Evidence, verdict: Verdict) -> str:
    count, dominant = pontine_inputs(ev)
    notes = []
    if dominant is True and ev.pons_dominant_site is None:
        notes.append("pons dominant inferred: the pons has lesions and every other compartment and location is "
                     "known lesion-free")
    if count is None and ev.contrast_given is False:
        notes.append("no post-contrast T1 in sequences: enhancing pontine lesions are not evaluable")
    if verdict.status is Status.NOT_EVALUABLE and _brainstem(ev).status is Status.MET:  # a higher rank unknown
        why = [f"more than {PONTINE_LESIONS_ABOVE} enhancing pontine lesions and the pons is the dominant site, but "
               "a higher-ranked subpattern is not evaluable: unknown " + _listed(verdict.missing)]
    elif verdict.status is Status.MET:
        why = [f"more than {PONTINE_LESIONS_ABOVE} enhancing pontine lesions and the pons is the dominant site: "
               "brainstem-predominant"]
    elif verdict.status is Status.NOT_EVALUABLE:
        why = ["1.2 cannot be excluded: unknown " + _listed(verdict.missing)]
    else:
        why = []
        if ev.pontine_enhancing_lesion_count is None and count == 0:
            why.append("no pontine lesions (count taken as 0)")
        elif count is not None and count <= PONTINE_LESIONS_ABOVE:
            why.append(f"{T.show(count)} enhancing pontine lesion(s), not more than {PONTINE_LESIONS_ABOVE}")
        if dominant is False:
            why.append("pons not the dominant site")
    return "; ".join(why + notes)


_BRAINSTEM_FIELDS = ("pontine_enhancing_lesion_count", "pons_dominant_site", "loc_pons", "infra_lesion_number",
                     CONTRAST_FIELD)
_BRAINSTEM_READS = _BRAINSTEM_FIELDS + tuple(f for f in OTHER_THAN_PONS if f not in _BRAINSTEM_FIELDS)


def _brainstem_shown(ev: Evidence) -> tuple[str, ...]:
    """The fields of the inference of pons dominance are shown only when it was inferred."""
    inferred = ev.pons_dominant_site is None and pontine_inputs(ev)[1] is True
    return _BRAINSTEM_READS if inferred else _BRAINSTEM_FIELDS


def _residual(ev: Evidence) -> Verdict:
    return MET


def _explain_white_matter(ev: Evidence, verdict: Verdict) -> str:
    if verdict.status is Status.NOT_EVALUABLE:
        return "1.1 only if neither 1.3 nor 1.2: a higher-ranked subpattern is not evaluable: unknown " + \
            _listed(verdict.missing)
    return ("lesional study that is neither 1.3 nor 1.2: multifocal cerebral/cerebellar white-matter pattern "
            "(residual class, our documented assumption)")


SUBPATTERN_RULES = RankedRules("subpattern", (
    Rule(name="subpattern_1_3", assigns="1.3", section=T.SEC_1_3,
         reads=("cerebellar_diffuse_edema", "infra_lesion_number") + EFFACEMENT_FIELDS,
         methods="subpattern 1.3 with diffuse cerebellar swelling and effacement of the cerebellar folia or the "
                 "cerebellopontine cisterns",
         check=_cerebellitis, explain=_explain_cerebellitis),
    Rule(name="subpattern_1_2", assigns="1.2", section=T.SEC_1_2, reads=_BRAINSTEM_READS,
         methods=f"1.2 with more than {PONTINE_LESIONS_ABOVE} enhancing pontine lesions in a pons-dominant study",
         check=_brainstem, explain=_explain_brainstem, shown=_brainstem_shown),
    Rule(name="subpattern_1_1", assigns="1.1", section=T.SEC_1_1,
         reads=("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey"),
         methods="1.1", check=_residual, explain=_explain_white_matter),
), undetermined=None)


# ---------------------------------------------------------------- pattern-2 category of a study without lesions


def _also_extraparenchymal(ev: Evidence) -> str:
    extra = ev.extraparenchymal_findings
    return ("; extra-parenchymal findings also present: " + ", ".join(f"{f} = yes" for f in extra)) if extra else ""


def _atrophy(ev: Evidence) -> Verdict:
    if ev.atrophy_cerebral is True or ev.atrophy_cerebellar is True:
        return MET
    if ev.atrophy_cerebral is False and ev.atrophy_cerebellar is False:
        return NOT_MET
    return not_evaluable(unknown(ev, ("atrophy_cerebral", "atrophy_cerebellar")))


def _explain_atrophy(ev: Evidence, verdict: Verdict) -> str:
    if verdict.status is Status.MET:
        return "cerebral and/or cerebellar atrophy without parenchymal lesions" + _also_extraparenchymal(ev)
    return f"atrophy {'absent' if verdict.status is Status.NOT_MET else 'unknown'}"


def present(name: str) -> Callable[[Evidence], Verdict]:
    """A check for one yes/no finding: met if yes, not met if no, not evaluable if unknown."""
    def check(ev: Evidence) -> Verdict:
        value = getattr(ev, name)
        return MET if value is True else NOT_MET if value is False else not_evaluable((name,))
    return check


def explain_present(name: str, label: str) -> Callable[[Evidence, Verdict], str]:
    """The explanation of a :func:`present` check in a pattern-2 group ("<label> present / absent / unknown")."""
    def explain(ev: Evidence, verdict: Verdict) -> str:
        value = getattr(ev, name)
        outcome = f"{label} {'present' if value else ('absent' if value is False else 'unknown')}"
        if value is True and verdict.status is Status.NOT_EVALUABLE:
            return outcome + "; cannot call it isolated because a higher-ranked finding is unknown: " + \
                _listed(verdict.missing)
        return outcome + (_also_extraparenchymal(ev) if value is True else "")
    return explain


def _extraparenchymal(ev: Evidence) -> Verdict:
    return MET if ev.extraparenchymal_findings else NOT_MET


def _explain_extraparenchymal(ev: Evidence, verdict: Verdict) -> str:
    found = ", ".join(f"{f} = yes" for f in ev.extraparenchymal_findings)
    if verdict.status is Status.NOT_MET:
        return "no extra-parenchymal finding (cranial nerve, optic nerve, cord, cauda equina)"
    if verdict.status is Status.NOT_EVALUABLE:
        return (f"extra-parenchymal findings ({found}), but a higher-ranked finding is unknown: "
                + _listed(verdict.missing))
    return (f"extra-parenchymal findings only ({found}): no parenchymal lesion, so not pattern 1, but never normal; "
            "the paper lists these findings under pattern 1 and does not classify them alone: reader decision needed")


def _explain_normal(ev: Evidence, verdict: Verdict) -> str:
    if verdict.status is Status.NOT_EVALUABLE:
        return "cannot call the study normal: unknown " + _listed(verdict.missing)
    unread = unknown(ev, EXTRAPARENCHYMAL_FIELDS)
    return ("normal: every pattern-2 finding known absent and no extra-parenchymal finding" +
            (f" (not recorded: {', '.join(unread)}; e.g. the spine not imaged)" if unread else ""))


PATTERN_2_RULES = RankedRules("pattern2_category", (
    Rule(name="pattern2_atrophy", assigns=ATROPHY, section=T.SEC_PATTERNS,
         reads=("atrophy_cerebral", "atrophy_cerebellar"), methods="atrophy (cerebral and/or cerebellar)",
         check=_atrophy, explain=_explain_atrophy),
    Rule(name="pattern2_isolated_ctt", assigns=ISOLATED_CTT, section=T.SEC_PATTERNS,
         reads=("ctt_t2_hyperintensity",), methods="isolated central tegmental tract T2 hyperintensity",
         check=present("ctt_t2_hyperintensity"),
         explain=explain_present("ctt_t2_hyperintensity", "central tegmental tract T2 hyperintensity")),
    Rule(name="pattern2_nonspecific", assigns=NONSPECIFIC, section=T.SEC_PATTERNS,
         reads=("nonspecific_findings",), methods="nonspecific findings",
         check=present("nonspecific_findings"), explain=explain_present("nonspecific_findings", "nonspecific findings")),
    Rule(name="pattern2_extraparenchymal_only", assigns=EXTRAPARENCHYMAL, section=T.SEC_FINDINGS_1,
         reads=EXTRAPARENCHYMAL_FIELDS,
         methods="extra-parenchymal findings only (cranial nerve, optic nerve, cord or cauda equina; a reader decides)",
         check=_extraparenchymal, explain=_explain_extraparenchymal),
    Rule(name="pattern2_normal", assigns=NORMAL, section=T.SEC_PATTERNS,
         reads=NONLESIONAL_FIELDS + EXTRAPARENCHYMAL_FIELDS, methods="normal",
         check=_residual, explain=_explain_normal),
), undetermined=INDETERMINATE)


def methods_text() -> str:
    """How the study rules allocate, for the report's methods (thresholds from the rule constants)."""
    return (f"a study is lesional when {LESION_RULE.methods}; a lesional study is {SUBPATTERN_RULES.methods()}; "
            f"a study without lesions is, in this order of precedence, {PATTERN_2_RULES.methods()}, a category "
            "being given only when every finding ranked above it is known absent")


__all__ = [
    "Rule", "RankedRules", "Verdict", "MET", "NOT_MET", "not_evaluable", "unknown", "present", "explain_present",
    "LESION_RULE",
    "SUBPATTERN_RULES", "PATTERN_2_RULES", "PONTINE_LESIONS_ABOVE", "pontine_inputs", "methods_text",
    "LESIONAL", "NORMAL", "ATROPHY", "ISOLATED_CTT", "NONSPECIFIC", "EXTRAPARENCHYMAL", "INDETERMINATE",
]
