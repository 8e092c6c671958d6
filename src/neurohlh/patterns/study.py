"""Study level: parenchymal lesions or not, the pattern-2 category, and the onset subpattern of a lesional study.

Rules (agreed in the shared API contract; the paper's supplement with its algorithm was not available,
so the precedence is our documented assumption, consistent with every case the paper describes):

1. **Parenchymal lesions** (pattern-1 study): ``supra_lesion_number`` or ``infra_lesion_number`` is
   single/few/multiple, or any of ``loc_cerebral_wm``, ``loc_cerebellar_wm``, ``loc_deep_grey``,
   ``loc_midbrain``, ``loc_pons``, ``loc_medulla``, ``cerebellar_diffuse_edema`` is yes. Cranial-nerve,
   optic-nerve, cord and cauda-equina findings are not brain parenchyma and never make a study lesional.
   *No* parenchymal lesions needs both compartment lesion numbers to be known ``none`` (a compartment's
   ``none`` covers its location fields); otherwise lesion status is unknown and the study is indeterminate.
2. **Pattern-2 category** of a study without lesions, in this order: atrophy (cerebral or cerebellar
   atrophy yes) > isolated central tegmental tract T2 hyperintensity > nonspecific findings > normal
   (all four known no). A category is only given when every higher-ranked finding is known absent;
   otherwise the study is ``indeterminate`` (still known to be non-lesional: ``lesional`` is False).
3. **Subpattern** of a lesional study: 1.3 if diffuse cerebellar swelling (``cerebellar_diffuse_edema``);
   else 1.2 if more than 3 enhancing pontine lesions and the pons is the dominant site; else 1.1. An
   unknown input that could change the answer leaves the subpattern ``None`` and names the field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from neurohlh.errors import InputError
from neurohlh.patterns import trace as T
from neurohlh.patterns.clippers import ClippersCheck, clippers_from_values, clippers_values_of
from neurohlh.patterns.trace import RuleStep

#: Study categories (contract vocabulary).
LESIONAL, NORMAL, ATROPHY, ISOLATED_CTT, NONSPECIFIC, INDETERMINATE = (
    "lesional", "normal", "atrophy", "isolated_ctt", "nonspecific", "indeterminate")
CATEGORIES = (LESIONAL, NORMAL, ATROPHY, ISOLATED_CTT, NONSPECIFIC, INDETERMINATE)
SUBPATTERNS = ("1.1", "1.2", "1.3")

#: Lesion-number values that mean parenchymal lesions are present.
POSITIVE_NUMBERS = frozenset({"single", "few", "multiple"})
#: Subpattern 1.2 needs *more than* this many punctate/nodular enhancing pontine lesions ("numerous (> 3)").
PONTINE_LESIONS_ABOVE = 3

NUMBER_FIELDS = ("supra_lesion_number", "infra_lesion_number")
#: Location fields and the compartment whose lesion number covers them.
LOCATION_COMPARTMENT = {
    "loc_cerebral_wm": "supra_lesion_number",
    "loc_deep_grey": "supra_lesion_number",
    "loc_cerebellar_wm": "infra_lesion_number",
    "loc_midbrain": "infra_lesion_number",
    "loc_pons": "infra_lesion_number",
    "loc_medulla": "infra_lesion_number",
    "cerebellar_diffuse_edema": "infra_lesion_number",
}
LESION_FIELDS = NUMBER_FIELDS + tuple(LOCATION_COMPARTMENT)
NONLESIONAL_FIELDS = ("atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity", "nonspecific_findings")
SUBPATTERN_FIELDS = ("pontine_enhancing_lesion_count", "pons_dominant_site")
SUPPORTIVE_FIELDS = ("cerebellar_folia_effacement", "cp_cistern_effacement")
#: Every study field the allocation reads, in the order of ``StudyAllocation.evidence``.
EVIDENCE_FIELDS = LESION_FIELDS + NONLESIONAL_FIELDS + SUBPATTERN_FIELDS + SUPPORTIVE_FIELDS
_IDX = {name: i for i, name in enumerate(EVIDENCE_FIELDS)}
_N_DECIDING = len(EVIDENCE_FIELDS) - len(SUPPORTIVE_FIELDS)

evidence_of = attrgetter(*EVIDENCE_FIELDS)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the study rules decided from one evidence tuple (shared between identical tuples)."""

    lesional: bool | None
    category: str
    subpattern: str | None
    missing_fields: tuple[str, ...]


def _lesional(ev: tuple) -> tuple[bool | None, tuple[str, ...]]:
    if ev[0] in POSITIVE_NUMBERS or ev[1] in POSITIVE_NUMBERS or any(v is True for v in ev[2:9]):
        return True, ()
    if ev[0] == "none" and ev[1] == "none":
        return False, ()
    missing = [f for f in NUMBER_FIELDS if ev[_IDX[f]] is None]
    missing += [f for f, c in LOCATION_COMPARTMENT.items() if ev[_IDX[f]] is None and ev[_IDX[c]] is None]
    return None, tuple(missing)


def lesional_status(study: Any) -> bool | None:
    """Parenchymal lesions present (True), known absent (False) or unknown (None): rule 1 of this module.

    Reads only ``LESION_FIELDS`` of ``study`` (a :class:`~neurohlh.schema.Study` or any object with those
    attributes), so callers that need just this answer (e.g. the CNS-involvement imaging rule) share the one
    definition instead of re-deriving it.
    """
    ev = tuple(getattr(study, name) for name in LESION_FIELDS)
    for name, value in zip(LESION_FIELDS, ev):
        problem = value_problem(name, getattr(value, "value", value))
        if problem:
            raise InputError(problem)
    return _lesional(tuple(getattr(v, "value", v) for v in ev))[0]


def _category(ev: tuple) -> tuple[str, tuple[str, ...]]:
    atrophy_cerebral, atrophy_cerebellar, ctt, nonspecific = ev[9:13]
    if atrophy_cerebral is True or atrophy_cerebellar is True:
        return ATROPHY, ()
    ranked = ((ISOLATED_CTT, ctt, ("atrophy_cerebral", "atrophy_cerebellar")),
              (NONSPECIFIC, nonspecific, ("atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity")))
    for category, value, above in ranked:
        if value is True:
            unknown_above = tuple(f for f in above if ev[_IDX[f]] is None)
            return (INDETERMINATE, unknown_above) if unknown_above else (category, ())
    unknown = tuple(f for f in NONLESIONAL_FIELDS if ev[_IDX[f]] is None)
    return (INDETERMINATE, unknown) if unknown else (NORMAL, ())


def _no_pontine_lesions(ev: tuple) -> bool:
    return ev[_IDX["loc_pons"]] is False or ev[_IDX["infra_lesion_number"]] == "none"


def _subpattern(ev: tuple) -> tuple[str | None, tuple[str, ...]]:
    edema = ev[_IDX["cerebellar_diffuse_edema"]]
    if edema is True:
        return "1.3", ()
    if edema is None and ev[_IDX["infra_lesion_number"]] != "none":
        return None, ("cerebellar_diffuse_edema",)
    count, dominant = ev[13], ev[14]
    if count is None and _no_pontine_lesions(ev):
        count = 0
    if (count is not None and count <= PONTINE_LESIONS_ABOVE) or dominant is False:
        return "1.1", ()
    if count is not None and dominant is True:
        return "1.2", ()
    return None, tuple(f for f, v in zip(SUBPATTERN_FIELDS, (count, dominant)) if v is None)


_NUMBER_VALUES = frozenset({"none"}) | POSITIVE_NUMBERS


def value_problem(name: str, value: Any) -> str | None:
    """Why the rules cannot read ``value`` for evidence field ``name`` (``None`` when it is readable)."""
    if value is None:
        return None
    if name in NUMBER_FIELDS:
        ok = isinstance(value, str) and value in _NUMBER_VALUES
        return None if ok else f"`{name}` must be one of none, single, few, multiple (or None for unknown); " \
                               f"got {value!r}"
    if name == "pontine_enhancing_lesion_count":
        ok = type(value) in (int, float) and value >= 0 and value == int(value)
        return None if ok else f"`{name}` must be a whole number >= 0 (or None); got {value!r}"
    return None if value is True or value is False else f"`{name}` must be True, False or None (unknown); " \
                                                          f"got {value!r}"


def _iv_evidence(ev: tuple) -> None:
    """Reject values the rules cannot read (``InputError``), instead of silently treating them as unknown."""
    if len(ev) != len(EVIDENCE_FIELDS):
        raise InputError(f"a study needs {len(EVIDENCE_FIELDS)} evidence values ({', '.join(EVIDENCE_FIELDS)}); "
                         f"got {len(ev)}")
    for name, value in zip(EVIDENCE_FIELDS, ev):
        problem = value_problem(name, value)
        if problem:
            raise InputError(problem)


_CACHE: dict[tuple, Decision] = {}
_CACHE_LIMIT = 20_000  #: bounded memo: real cohorts repeat few evidence tuples, random ones never


def decide(evidence: tuple, validated: bool = False) -> Decision:
    """Apply the study rules to an evidence tuple (values of ``EVIDENCE_FIELDS``, ``None`` = unknown).

    The tuple is checked first unless the caller already ``validated`` its values (the cohort path checks
    whole columns at once). Decisions are memoised per tuple.
    """
    if not validated:
        _iv_evidence(evidence)
    found = _CACHE.get(evidence)
    if found is not None:
        return found
    key = evidence[:_N_DECIDING]
    lesional, missing = _lesional(key)
    if lesional is None:
        decision = Decision(None, INDETERMINATE, None, missing)
    elif lesional:
        subpattern, missing = _subpattern(key)
        decision = Decision(True, LESIONAL, subpattern, missing)
    else:
        category, missing = _category(key)
        decision = Decision(False, category, None, missing)
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[evidence] = decision
    return decision


@dataclass(frozen=True, slots=True)
class StudyAllocation:
    """The allocation of one MR study read.

    Attributes
    ----------
    study_id, patient_id : str
    category : str
        ``lesional``, ``normal``, ``atrophy``, ``isolated_ctt``, ``nonspecific`` or ``indeterminate``.
    subpattern : str or None
        ``1.1``, ``1.2`` or ``1.3`` for lesional studies when decidable, else ``None``.
    missing_fields : tuple of str
        Unknown fields that prevented a decision (empty when the allocation is complete).
    lesional : bool or None
        Parenchymal lesions present (True), known absent (False) or unknown (None). Decides the patient pattern.
    study_date, age_at_study_months
        Timing used to put the patient's studies in order.
    evidence : tuple
        Values of ``EVIDENCE_FIELDS`` the rules used; ``trace`` is rendered from them.
    clippers_values : tuple or None
        Values of ``CLIPPERS_FIELDS`` for studies allocated 1.2; ``clippers`` is rendered from them.
    """

    study_id: str
    patient_id: str
    category: str
    subpattern: str | None
    missing_fields: tuple[str, ...]
    lesional: bool | None
    study_date: dt.date | None
    age_at_study_months: float | None
    evidence: tuple
    clippers_values: tuple | None = None

    @property
    def clippers(self) -> ClippersCheck | None:
        """CLIPPERS radiologic check (Tobin 2017) for studies allocated 1.2, else ``None``."""
        if self.clippers_values is None:
            return None
        return clippers_from_values(self.study_id, self.clippers_values)

    @property
    def trace(self) -> tuple[RuleStep, ...]:
        """The rules tried in order, with the values each used, the outcome and the paper section."""
        return study_trace(self.evidence)

    def value(self, field_name: str) -> Any:
        """The value of one evidence field (``None`` = unknown)."""
        return self.evidence[_IDX[field_name]]

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "study_id": self.study_id,
            "patient_id": self.patient_id,
            "study_date": self.study_date.isoformat() if self.study_date else None,
            "age_at_study_months": self.age_at_study_months,
            "category": self.category,
            "lesional": self.lesional,
            "subpattern": self.subpattern,
            "missing_fields": list(self.missing_fields),
            "clippers": self.clippers.to_dict() if self.clippers else None,
        }
        if trace:
            out["trace"] = [s.to_dict() for s in self.trace]
        return out


def classify_study(study: Any) -> StudyAllocation:
    """Allocate one MR study read (a :class:`neurohlh.schema.Study`).

    Returns
    -------
    StudyAllocation
        Category, subpattern (lesional studies), missing fields and the rule trace.

    Examples
    --------
    >>> from neurohlh.schema import Study
    >>> s = Study(study_id="S1", patient_id="P1", reader="consensus", supra_lesion_number="multiple",
    ...           infra_lesion_number="few", loc_cerebral_wm=True, cerebellar_diffuse_edema=False,
    ...           pontine_enhancing_lesion_count=0)
    >>> a = classify_study(s)
    >>> a.category, a.subpattern
    ('lesional', '1.1')
    """
    return allocation_from_values(study.study_id, study.patient_id, study.study_date,
                                  study.age_at_study_months, evidence_of(study), clippers_values_of(study))


def allocation_from_values(study_id: str, patient_id: str, study_date: dt.date | None, age: float | None,
                           evidence: tuple, clippers_values: tuple | None = None,
                           validated: bool = False) -> StudyAllocation:
    """Build a :class:`StudyAllocation` from raw values (used by the fast cohort path too).

    ``clippers_values`` (values of ``CLIPPERS_FIELDS``) are kept only when the study is allocated 1.2.
    """
    try:
        d = decide(evidence, validated)
    except InputError as exc:
        raise InputError(f"study {study_id!r} (patient {patient_id!r}): {exc}") from None
    return StudyAllocation(study_id, patient_id, d.category, d.subpattern, d.missing_fields, d.lesional,
                           study_date, age, evidence, clippers_values if d.subpattern == "1.2" else None)


# ---------------------------------------------------------------- trace


def _values(ev: tuple, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {n: ev[_IDX[n]] for n in names}


def _lesion_step(ev: tuple) -> RuleStep:
    values = _values(ev, LESION_FIELDS)
    lesional, missing = _lesional(ev)
    if lesional:
        positive = [f"{k} = {T.show(v)}" for k, v in values.items() if v is True or v in POSITIVE_NUMBERS]
        outcome = "parenchymal lesions present (" + ", ".join(positive) + ")"
        contradictions = [f for f in LOCATION_COMPARTMENT if values[f] is True and values[LOCATION_COMPARTMENT[f]]
                          == "none"]
        if contradictions:
            outcome += "; note: " + ", ".join(f"{f} = yes contradicts {LOCATION_COMPARTMENT[f]} = none"
                                              for f in contradictions) + " (a positive finding wins)"
        status = T.MET
    elif lesional is False:
        outcome = ("no parenchymal lesions: supratentorial and infratentorial lesion number are both none and no "
                   "location field is yes; cranial nerve, optic nerve, cord and cauda equina findings do not count")
        status = T.NOT_MET
    else:
        outcome = "cannot tell whether parenchymal lesions are present: unknown " + ", ".join(missing)
        status = T.NOT_EVALUABLE
    return RuleStep.make("parenchymal_lesions", values, status, outcome, T.SEC_PATTERNS)


def _category_steps(ev: tuple) -> list[RuleStep]:
    category, missing = _category(ev)
    atrophy = _values(ev, ("atrophy_cerebral", "atrophy_cerebellar"))
    steps = []
    a_status = T.MET if True in atrophy.values() else (T.NOT_MET if all(v is False for v in atrophy.values())
                                                          else T.NOT_EVALUABLE)
    steps.append(RuleStep.make("pattern2_atrophy", atrophy, a_status,
                               "cerebral and/or cerebellar atrophy without parenchymal lesions" if a_status == T.MET
                               else f"atrophy {'absent' if a_status == T.NOT_MET else 'unknown'}", T.SEC_PATTERNS))
    if a_status == T.MET:
        return steps
    for rule, name, label in (("pattern2_isolated_ctt", "ctt_t2_hyperintensity",
                               "central tegmental tract T2 hyperintensity"),
                              ("pattern2_nonspecific", "nonspecific_findings", "nonspecific findings")):
        v = ev[_IDX[name]]
        status = T.MET if v is True else (T.NOT_MET if v is False else T.NOT_EVALUABLE)
        outcome = f"{label} {'present' if v else ('absent' if v is False else 'unknown')}"
        if v is True and category == INDETERMINATE:
            outcome += "; cannot call it isolated because a higher-ranked finding is unknown: " + ", ".join(missing)
        steps.append(RuleStep.make(rule, {name: v}, status, outcome, T.SEC_PATTERNS))
        if v is True:
            return steps
    status = T.MET if category == NORMAL else T.NOT_EVALUABLE
    outcome = ("normal: every pattern-2 finding known absent" if category == NORMAL else
               "cannot call the study normal: unknown " + ", ".join(missing))
    steps.append(RuleStep.make("pattern2_normal", _values(ev, NONLESIONAL_FIELDS), status, outcome, T.SEC_PATTERNS))
    return steps


def _subpattern_steps(ev: tuple) -> list[RuleStep]:
    steps = []
    edema = ev[_IDX["cerebellar_diffuse_edema"]]
    values = _values(ev, ("cerebellar_diffuse_edema", "infra_lesion_number") + SUPPORTIVE_FIELDS)
    if edema is True:
        return [RuleStep.make("subpattern_1_3", values, T.MET,
                              "diffuse cerebellar swelling/oedema: subpattern 1.3 takes precedence over 1.2 and 1.1 "
                              "(cerebellitis patients with additional white-matter lesions were 1.3)", T.SEC_1_3)]
    no_edema = edema is False or ev[_IDX["infra_lesion_number"]] == "none"
    steps.append(RuleStep.make(
        "subpattern_1_3", values, T.NOT_MET if no_edema else T.NOT_EVALUABLE,
        ("no diffuse cerebellar swelling" + (" (implied by infra_lesion_number = none)" if edema is None else ""))
        if no_edema else "diffuse cerebellar swelling unknown: 1.3 cannot be excluded; subpattern undetermined",
        T.SEC_1_3))
    if not no_edema:
        return steps
    values = _values(ev, ("pontine_enhancing_lesion_count", "pons_dominant_site", "loc_pons", "infra_lesion_number"))
    sub, missing = _subpattern(ev)
    if sub == "1.2":
        status, outcome = T.MET, (f"more than {PONTINE_LESIONS_ABOVE} enhancing pontine lesions and the pons is the "
                                  "dominant site: brainstem-predominant")
    elif sub is None:
        status, outcome = T.NOT_EVALUABLE, "1.2 cannot be excluded: unknown " + ", ".join(missing)
    else:
        count = ev[_IDX["pontine_enhancing_lesion_count"]]
        why = []
        if count is None:
            why.append("no pontine lesions (count taken as 0)")
        elif count <= PONTINE_LESIONS_ABOVE:
            why.append(f"{T.show(count)} enhancing pontine lesion(s), not more than {PONTINE_LESIONS_ABOVE}")
        if ev[_IDX["pons_dominant_site"]] is False:
            why.append("pons not the dominant site")
        status, outcome = T.NOT_MET, "; ".join(why)
    steps.append(RuleStep.make("subpattern_1_2", values, status, outcome, T.SEC_1_2))
    if sub == "1.1":
        steps.append(RuleStep.make(
            "subpattern_1_1", _values(ev, ("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey")), T.MET,
            "lesional study that is neither 1.3 nor 1.2: multifocal cerebral/cerebellar white-matter pattern "
            "(residual class, our documented assumption)", T.SEC_1_1))
    return steps


def study_trace(evidence: tuple) -> tuple[RuleStep, ...]:
    """Rebuild the rule trace of a study from its evidence tuple."""
    steps = [_lesion_step(evidence)]
    d = decide(evidence)
    if d.lesional:
        steps += _subpattern_steps(evidence)
    elif d.lesional is False:
        steps += _category_steps(evidence)
    final = d.category + (f", subpattern {d.subpattern}" if d.subpattern else "")
    if d.missing_fields:
        final += " (undetermined because of unknown " + ", ".join(d.missing_fields) + ")"
    steps.append(RuleStep.make("study_allocation", {}, T.APPLIED, final,
                               T.SEC_SUBPATTERNS if d.lesional else T.SEC_PATTERNS))
    return tuple(steps)


__all__ = [
    "StudyAllocation", "Decision", "classify_study", "decide", "study_trace", "allocation_from_values",
    "value_problem", "lesional_status",
    "CATEGORIES", "SUBPATTERNS", "EVIDENCE_FIELDS", "LESION_FIELDS", "NONLESIONAL_FIELDS",
    "PONTINE_LESIONS_ABOVE",
]
