"""Study level: parenchymal lesions or not, the pattern-2 category, and the onset subpattern of a lesional study.

Rules (the paper's supplement with its algorithm was not available,
so the precedence is our documented assumption, consistent with every case the paper describes):

1. **Parenchymal lesions** (pattern-1 study): ``supra_lesion_number`` or ``infra_lesion_number`` is
   single/few/multiple, or any of ``loc_cerebral_wm``, ``loc_cerebellar_wm``, ``loc_deep_grey``,
   ``loc_midbrain``, ``loc_pons``, ``loc_medulla``, ``cerebellar_diffuse_edema`` is yes. Cranial-nerve,
   optic-nerve, cord and cauda-equina findings are not brain parenchyma and never make a study lesional.
   *No* parenchymal lesions needs both compartment lesion numbers to be known ``none`` (a compartment's
   ``none`` covers its location fields); otherwise lesion status is unknown and the study is indeterminate.
2. **Pattern-2 category** of a study without lesions, in this order: atrophy (cerebral or cerebellar
   atrophy yes) > isolated central tegmental tract T2 hyperintensity > nonspecific findings > extra-parenchymal
   findings only (cranial nerve, optic nerve, cord or cauda equina finding yes, none of the three before) >
   normal (all four known no, no extra-parenchymal finding). A category is only given when every
   higher-ranked finding is known absent; otherwise the study is ``indeterminate`` (still known to be
   non-lesional: ``lesional`` is False). A study with extra-parenchymal findings only is never normal: the
   paper does not classify it, so it asks for a reader decision.
3. **Subpattern** of a lesional study: 1.3 if diffuse cerebellar swelling (``cerebellar_diffuse_edema``) *with*
   effacement of the cerebellar folia or the cerebellopontine cisterns; else 1.2 if more than 3 enhancing
   pontine lesions and the pons is the dominant site (inferred when every other compartment and location is
   known lesion-free); else 1.1. Enhancing lesions are not evaluable when ``sequences`` is known and has no
   post-contrast T1. An unknown input that could change the answer leaves the subpattern ``None`` and names
   the field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from neurohlh.errors import InputError
from neurohlh.patterns import trace as T
from neurohlh.patterns.clippers import CLIPPERS_FIELDS, ClippersCheck, clippers_from_values, clippers_values_of
from neurohlh.patterns.trace import RuleStep

#: Study categories.
LESIONAL, NORMAL, ATROPHY, ISOLATED_CTT, NONSPECIFIC, EXTRAPARENCHYMAL, INDETERMINATE = (
    "lesional", "normal", "atrophy", "isolated_ctt", "nonspecific", "extraparenchymal_only", "indeterminate")
CATEGORIES = (LESIONAL, NORMAL, ATROPHY, ISOLATED_CTT, NONSPECIFIC, EXTRAPARENCHYMAL, INDETERMINATE)
#: Categories that ask a reader to decide: the paper gives no rule for them.
NEEDS_READER_DECISION = frozenset({EXTRAPARENCHYMAL})
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
#: Subpattern 1.3 needs effacement of the cerebellar folia and/or the cerebellopontine cisterns (Results).
EFFACEMENT_FIELDS = ("cerebellar_folia_effacement", "cp_cistern_effacement")
#: Findings outside the brain parenchyma (listed by the paper under "Imaging Findings in Pattern 1").
EXTRAPARENCHYMAL_FIELDS = ("loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina")
#: ``sequences`` tells whether a post-contrast T1 was acquired (enhancement is not evaluable without it).
CONTRAST_FIELD, CONTRAST_SEQUENCE = "sequences", "t1_postcontrast"
#: Fields whose values only support a decision and never change it (kept for the trace).
SUPPORTIVE_FIELDS: tuple[str, ...] = ()
#: Every study field the allocation reads, in the order of ``StudyAllocation.evidence``.
EVIDENCE_FIELDS = (LESION_FIELDS + NONLESIONAL_FIELDS + SUBPATTERN_FIELDS + EFFACEMENT_FIELDS
                   + EXTRAPARENCHYMAL_FIELDS + (CONTRAST_FIELD,))
_IDX = {name: i for i, name in enumerate(EVIDENCE_FIELDS)}
_DOMINANT_IN_CLIPPERS = CLIPPERS_FIELDS.index("pons_dominant_site")
_N_DECIDING = len(EVIDENCE_FIELDS) - len(SUPPORTIVE_FIELDS)
#: Fields read to infer pons dominance: all known lesion-free -> the pons is the dominant site.
OTHER_THAN_PONS = ("supra_lesion_number", "loc_cerebral_wm", "loc_deep_grey", "loc_cerebellar_wm", "loc_midbrain",
                   "loc_medulla", "cerebellar_diffuse_edema")

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
        problem = value_problem(name, value)
        if problem:
            raise InputError(problem)
    return _lesional(ev)[0]


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
    if unknown:
        return INDETERMINATE, unknown
    return (EXTRAPARENCHYMAL, ()) if extraparenchymal_findings(ev) else (NORMAL, ())


def extraparenchymal_findings(ev: tuple) -> tuple[str, ...]:
    """The extra-parenchymal fields (cranial nerves, optic nerve, cord, cauda equina) read yes."""
    return tuple(f for f in EXTRAPARENCHYMAL_FIELDS if ev[_IDX[f]] is True)


def contrast_given(ev: tuple) -> bool | None:
    """Post-contrast T1 acquired (True), known not acquired (False: ``sequences`` given without it) or unknown."""
    sequences = ev[_IDX[CONTRAST_FIELD]]
    return None if sequences is None else CONTRAST_SEQUENCE in sequences


def _no_pontine_lesions(ev: tuple) -> bool:
    return ev[_IDX["loc_pons"]] is False or ev[_IDX["infra_lesion_number"]] == "none"


def _effacement(ev: tuple) -> bool | None:
    values = [ev[_IDX[f]] for f in EFFACEMENT_FIELDS]
    return True if True in values else (False if all(v is False for v in values) else None)


def _swelling(ev: tuple) -> bool | None:
    """Diffuse cerebellar swelling, implied absent by an infratentorial lesion number of none."""
    edema = ev[_IDX["cerebellar_diffuse_edema"]]
    return False if edema is None and ev[_IDX["infra_lesion_number"]] == "none" else edema


def _rule_1_3(ev: tuple) -> tuple[bool | None, tuple[str, ...]]:
    """1.3 met (True), excluded (False) or not evaluable (None, with the unknown fields that would decide)."""
    swelling, effacement = _swelling(ev), _effacement(ev)
    if swelling is True and effacement is True:
        return True, ()
    if swelling is False or effacement is False:
        return False, ()
    missing: tuple[str, ...] = ("cerebellar_diffuse_edema",) if swelling is None else ()
    if effacement is None:
        missing += tuple(f for f in EFFACEMENT_FIELDS if ev[_IDX[f]] is None)
    return None, missing


def pons_only(ev: tuple) -> bool:
    """The pons has lesions and every other compartment and location is known lesion-free (pons dominant).

    A supratentorial lesion number of ``none`` covers the cerebral and deep grey locations; in the posterior
    fossa the cerebellum, midbrain, medulla and diffuse swelling must each be known no.
    """
    pons = ev[_IDX["loc_pons"]] is True or (ev[_IDX["pontine_enhancing_lesion_count"]] or 0) > 0
    supra_free = (ev[_IDX["supra_lesion_number"]] == "none" and ev[_IDX["loc_cerebral_wm"]] is not True
                  and ev[_IDX["loc_deep_grey"]] is not True)
    infra_free = all(ev[_IDX[f]] is False for f in ("loc_cerebellar_wm", "loc_midbrain", "loc_medulla"))
    return pons and supra_free and infra_free and _swelling(ev) is False


def _rule_1_2_inputs(ev: tuple) -> tuple[Any, bool | None]:
    """(enhancing pontine lesion count, pons dominant) as the 1.2 rule reads them: the count is 0 without
    pontine lesions and unknown without contrast; dominance is inferred when only the pons has lesions."""
    count, dominant = ev[_IDX["pontine_enhancing_lesion_count"]], ev[_IDX["pons_dominant_site"]]
    if _no_pontine_lesions(ev):
        count = 0 if count is None else count
    elif contrast_given(ev) is False:
        count = None
    if dominant is None and pons_only(ev):
        dominant = True
    return count, dominant


def _subpattern(ev: tuple) -> tuple[str | None, tuple[str, ...]]:
    met, missing = _rule_1_3(ev)
    if met:
        return "1.3", ()
    if met is None:
        return None, missing
    count, dominant = _rule_1_2_inputs(ev)
    if (count is not None and count <= PONTINE_LESIONS_ABOVE) or dominant is False:
        return "1.1", ()
    if count is not None and dominant is True:
        return "1.2", ()
    missing = ()
    if count is None:
        missing += (CONTRAST_FIELD,) if contrast_given(ev) is False else ("pontine_enhancing_lesion_count",)
    if dominant is None:
        missing += ("pons_dominant_site",)
    return None, missing


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
    if name == CONTRAST_FIELD:
        ok = isinstance(value, frozenset) and all(isinstance(v, str) for v in value)
        return None if ok else f"`{name}` must be a frozenset of sequence names (or None); got {value!r}"
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
        ``lesional``, ``normal``, ``atrophy``, ``isolated_ctt``, ``nonspecific``, ``extraparenchymal_only``
        (no parenchymal lesion, only cranial nerve / optic nerve / cord / cauda equina findings: never normal,
        ``needs_reader_decision``) or ``indeterminate``.
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

    @property
    def needs_reader_decision(self) -> bool:
        """True for a category the paper gives no rule for (extra-parenchymal findings only): a reader decides."""
        return self.category in NEEDS_READER_DECISION

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
            "needs_reader_decision": self.needs_reader_decision,
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
    if d.subpattern != "1.2":
        clippers_values = None
    elif clippers_values is not None and clippers_values[_DOMINANT_IN_CLIPPERS] is None:
        # 1.2 was reached with the pons dominance inferred (only the pons has lesions): the check reads it too
        clippers_values = (*clippers_values[:_DOMINANT_IN_CLIPPERS], True, *clippers_values[_DOMINANT_IN_CLIPPERS + 1:])
    return StudyAllocation(study_id, patient_id, d.category, d.subpattern, d.missing_fields, d.lesional,
                           study_date, age, evidence, clippers_values)


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
    extra = extraparenchymal_findings(ev)
    also = ("; extra-parenchymal findings also present: " + ", ".join(f"{f} = yes" for f in extra)) if extra else ""
    steps = []
    a_status = T.MET if True in atrophy.values() else (T.NOT_MET if all(v is False for v in atrophy.values())
                                                          else T.NOT_EVALUABLE)
    steps.append(RuleStep.make("pattern2_atrophy", atrophy, a_status,
                               ("cerebral and/or cerebellar atrophy without parenchymal lesions" + also)
                               if a_status == T.MET
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
        elif v is True:
            outcome += also
        steps.append(RuleStep.make(rule, {name: v}, status, outcome, T.SEC_PATTERNS))
        if v is True:
            return steps
    if category == INDETERMINATE:
        steps.append(RuleStep.make("pattern2_normal", _values(ev, NONLESIONAL_FIELDS + EXTRAPARENCHYMAL_FIELDS),
                                   T.NOT_EVALUABLE, "cannot call the study normal: unknown " + ", ".join(missing),
                                   T.SEC_PATTERNS))
        return steps
    extra_values = _values(ev, EXTRAPARENCHYMAL_FIELDS)
    if extra:
        steps.append(RuleStep.make(
            "pattern2_extraparenchymal_only", extra_values, T.MET,
            "extra-parenchymal findings only (" + ", ".join(f"{f} = yes" for f in extra) + "): no parenchymal "
            "lesion, so not pattern 1, but never normal; the paper lists these findings under pattern 1 and does "
            "not classify them alone: reader decision needed", T.SEC_FINDINGS_1))
        return steps
    unread = [f for f, v in extra_values.items() if v is None]
    steps.append(RuleStep.make(
        "pattern2_normal", _values(ev, NONLESIONAL_FIELDS + EXTRAPARENCHYMAL_FIELDS), T.MET,
        "normal: every pattern-2 finding known absent and no extra-parenchymal finding" +
        (f" (not recorded: {', '.join(unread)}; e.g. the spine not imaged)" if unread else ""), T.SEC_PATTERNS))
    return steps


def _subpattern_steps(ev: tuple) -> list[RuleStep]:
    steps = []
    met, missing = _rule_1_3(ev)
    values = _values(ev, ("cerebellar_diffuse_edema", "infra_lesion_number") + EFFACEMENT_FIELDS)
    swelling = _swelling(ev)
    if met:
        return [RuleStep.make("subpattern_1_3", values, T.MET,
                              "diffuse cerebellar swelling/oedema with effacement of the cerebellar folia and/or the "
                              "cerebellopontine cisterns: subpattern 1.3 takes precedence over 1.2 and 1.1 "
                              "(cerebellitis patients with additional white-matter lesions were 1.3)", T.SEC_1_3)]
    if met is None:
        outcome = ("diffuse cerebellar swelling unknown" if swelling is None else
                   "diffuse cerebellar swelling without known effacement") + \
            ": 1.3 needs swelling with effacement of the folia or cerebellopontine cisterns, so it cannot be " \
            "excluded: unknown " + ", ".join(missing) + "; subpattern undetermined"
        steps.append(RuleStep.make("subpattern_1_3", values, T.NOT_EVALUABLE, outcome, T.SEC_1_3))
        return steps
    if swelling is False:
        outcome = "no diffuse cerebellar swelling" + (
            " (implied by infra_lesion_number = none)" if ev[_IDX["cerebellar_diffuse_edema"]] is None else "")
    else:
        outcome = ("no effacement of the cerebellar folia or cerebellopontine cisterns: not 1.3 (1.3 needs swelling "
                   "with effacement)" + (" although diffuse cerebellar swelling is recorded" if swelling else ""))
    steps.append(RuleStep.make("subpattern_1_3", values, T.NOT_MET, outcome, T.SEC_1_3))
    values = _values(ev, ("pontine_enhancing_lesion_count", "pons_dominant_site", "loc_pons", "infra_lesion_number",
                          CONTRAST_FIELD))
    sub, missing = _subpattern(ev)
    count, dominant = _rule_1_2_inputs(ev)
    notes = []
    if dominant is True and ev[_IDX["pons_dominant_site"]] is None:
        values.update(_values(ev, OTHER_THAN_PONS))
        notes.append("pons dominant inferred: the pons has lesions and every other compartment and location is "
                     "known lesion-free")
    if count is None and contrast_given(ev) is False:
        notes.append("no post-contrast T1 in sequences: enhancing pontine lesions are not evaluable")
    if sub == "1.2":
        status, why = T.MET, [(f"more than {PONTINE_LESIONS_ABOVE} enhancing pontine lesions and the pons is the "
                               "dominant site: brainstem-predominant")]
    elif sub is None:
        status, why = T.NOT_EVALUABLE, ["1.2 cannot be excluded: unknown " + ", ".join(missing)]
    else:
        status, why = T.NOT_MET, []
        if ev[_IDX["pontine_enhancing_lesion_count"]] is None and count == 0:
            why.append("no pontine lesions (count taken as 0)")
        elif count is not None and count <= PONTINE_LESIONS_ABOVE:
            why.append(f"{T.show(count)} enhancing pontine lesion(s), not more than {PONTINE_LESIONS_ABOVE}")
        if dominant is False:
            why.append("pons not the dominant site")
    steps.append(RuleStep.make("subpattern_1_2", values, status, "; ".join(why + notes), T.SEC_1_2))
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
    "value_problem", "lesional_status", "contrast_given", "extraparenchymal_findings", "pons_only",
    "CATEGORIES", "SUBPATTERNS", "EVIDENCE_FIELDS", "LESION_FIELDS", "NONLESIONAL_FIELDS", "EFFACEMENT_FIELDS",
    "EXTRAPARENCHYMAL_FIELDS", "NEEDS_READER_DECISION", "EXTRAPARENCHYMAL",
    "PONTINE_LESIONS_ABOVE",
]
