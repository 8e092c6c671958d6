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
   effacement of the cerebellar folia or the cerebellopontine cisterns; else 1.2 if more than
   ``PONTINE_LESIONS_ABOVE`` enhancing pontine lesions and the pons is the dominant site (inferred when every other compartment and location is
   known lesion-free); else 1.1. Enhancing lesions are not evaluable when ``sequences`` is known and has no
   post-contrast T1. An unknown input that could change the answer leaves the subpattern ``None`` and names
   the field.

The rules themselves are named objects in :mod:`neurohlh.patterns.rules`, reading an
:class:`~neurohlh.patterns.evidence.Evidence`; this module applies them to a study and keeps the result.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from neurohlh.errors import InputError
from neurohlh.patterns import trace as T
from neurohlh.patterns.clippers import CLIPPERS_FIELDS, ClippersCheck, clippers_from_values, clippers_values_of
from neurohlh.patterns.evidence import (
    CONTRAST_FIELD,
    EFFACEMENT_FIELDS,
    EVIDENCE_FIELDS,
    EXTRAPARENCHYMAL_FIELDS,
    LESION_FIELDS,
    LOCATION_COMPARTMENT,
    NONLESIONAL_FIELDS,
    NUMBER_FIELDS,
    POSITIVE_NUMBERS,
    SUPPORTIVE_FIELDS,
    Evidence,
    check_evidence,
    plain_value,
    value_problem,
)
from neurohlh.patterns.rules import (
    ATROPHY,
    EXTRAPARENCHYMAL,
    INDETERMINATE,
    ISOLATED_CTT,
    LESION_RULE,
    LESIONAL,
    NONSPECIFIC,
    NORMAL,
    PATTERN_2_RULES,
    PONTINE_LESIONS_ABOVE,
    SUBPATTERN_RULES,
)
from neurohlh.patterns.trace import RuleStep, Status

CATEGORIES = (LESIONAL, NORMAL, ATROPHY, ISOLATED_CTT, NONSPECIFIC, EXTRAPARENCHYMAL, INDETERMINATE)
#: Categories that ask a reader to decide: the paper gives no rule for them.
NEEDS_READER_DECISION = frozenset({EXTRAPARENCHYMAL})
SUBPATTERNS = ("1.1", "1.2", "1.3")
_DOMINANT_IN_CLIPPERS = CLIPPERS_FIELDS.index("pons_dominant_site")
_LESIONAL = {Status.MET: True, Status.NOT_MET: False, Status.NOT_EVALUABLE: None}


@dataclass(frozen=True, slots=True)
class Decision:
    """What the study rules decided from one :class:`Evidence` (one shared object per distinct decision).

    Besides the allocation itself it holds the two study facts the patient level reads: ``could_trigger``, for a
    study of unknown lesion status, whether it would be 1.2 or 1.3 (or undetermined) were it lesional, so the
    red flag cannot be excluded for it; ``reader_findings``, for a category that needs a reader decision, the
    extra-parenchymal findings read yes.
    """

    lesional: bool | None
    category: str
    subpattern: str | None
    missing_fields: tuple[str, ...]
    could_trigger: bool = False
    reader_findings: tuple[str, ...] = ()


_MET, _NOT_MET = Status.MET, Status.NOT_MET  # enum attribute look-ups are slow on the hot path
_DECISIONS: dict[tuple[Any, ...], Decision] = {}
_DECISIONS_LIMIT = 50_000  #: distinct decisions are few (categories x unknown fields); bounded all the same


def _decision(lesional: bool | None, category: str, subpattern: str | None, missing: tuple[str, ...],
              could_trigger: bool = False, reader_findings: tuple[str, ...] = ()) -> Decision:
    """The one shared :class:`Decision` of these values (studies with the same decision share it)."""
    key = (lesional, category, subpattern, missing, could_trigger, reader_findings)
    found = _DECISIONS.get(key)
    if found is None:
        found = Decision(*key)
        if len(_DECISIONS) < _DECISIONS_LIMIT:
            _DECISIONS[key] = found
    return found


def _decide(ev: Evidence) -> Decision:
    status, missing = LESION_RULE.check(ev)
    if status is _MET:
        subpattern, missing = SUBPATTERN_RULES.decide(ev)
        return _decision(True, LESIONAL, subpattern, missing)
    if status is _NOT_MET:
        category, missing = PATTERN_2_RULES.decide(ev)
        category = category or INDETERMINATE
        findings = ev.extraparenchymal_findings if category in NEEDS_READER_DECISION else ()
        return _decision(False, category, None, missing, reader_findings=findings)
    return _decision(None, INDETERMINATE, None, missing, could_trigger=subpattern_if_lesional(ev) != "1.1")


def subpattern_if_lesional(evidence: Evidence) -> str | None:
    """The subpattern the study would have were it lesional (``None`` = undetermined)."""
    return SUBPATTERN_RULES.decide(evidence)[0]


def lesional_status(study: Any) -> bool | None:
    """Parenchymal lesions present (True), known absent (False) or unknown (None): the lesion rule.

    Reads only ``LESION_FIELDS`` of ``study`` (a :class:`~neurohlh.schema.Study` or any object with those
    attributes), so callers that need just this answer (e.g. the CNS-involvement imaging rule) share the one
    definition instead of re-deriving it. A classified study already carries it: ``StudyAllocation.lesional``.
    """
    values = {name: plain_value(getattr(study, name)) for name in LESION_FIELDS}
    for name, value in values.items():
        problem = value_problem(name, value)
        if problem:
            raise InputError(problem)
    return _LESIONAL[LESION_RULE.check(Evidence(**values)).status]


_new = tuple.__new__  # Evidence from checked values without the per-call length check of Evidence._make
_CACHE: dict[tuple[Any, ...], tuple[Evidence, Decision]] = {}
_CACHE_LIMIT = 20_000  #: bounded memo: real cohorts repeat few evidence tuples, random ones never


def decided(values: tuple[Any, ...], validated: bool = False) -> tuple[Evidence, Decision]:
    """The :class:`Evidence` of ``values`` (of ``EVIDENCE_FIELDS``, in that order) and the rules' decision.

    The values are checked first unless the caller already ``validated`` them (the cohort path checks whole
    columns at once). Identical reads share one evidence record and one decision (a bounded memo).
    """
    if not validated:
        check_evidence(values)  # before the memo: 1 == True, so an unchecked 1 would find the decision of True
    found = _CACHE.get(values)
    if found is not None:
        return found
    ev = values if type(values) is Evidence else _new(Evidence, values)
    pair = ev, _decide(ev)
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[ev] = pair
    return pair


def decide(evidence: tuple[Any, ...], validated: bool = False) -> Decision:
    """Apply the study rules to an :class:`Evidence` (or the values of ``EVIDENCE_FIELDS``, ``None`` = unknown)."""
    return decided(evidence, validated)[1]


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
    decision : Decision
        The rules' decision (category, subpattern, missing fields, lesional), shared by studies decided alike.
    study_date, age_at_study_months
        Timing used to put the patient's studies in order.
    evidence : Evidence
        The values the rules read; ``trace`` is rendered from them by the same rules.
    clippers_values : tuple or None
        Values of ``CLIPPERS_FIELDS`` for studies allocated 1.2; ``clippers`` is rendered from them.
    """

    study_id: str
    patient_id: str
    decision: Decision
    study_date: dt.date | None
    age_at_study_months: float | None
    evidence: Evidence
    clippers_values: tuple[Any, ...] | None = None

    @property
    def category(self) -> str:
        return self.decision.category

    @property
    def subpattern(self) -> str | None:
        return self.decision.subpattern

    @property
    def missing_fields(self) -> tuple[str, ...]:
        return self.decision.missing_fields

    @property
    def lesional(self) -> bool | None:
        return self.decision.lesional

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
        return getattr(self.evidence, field_name)

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
                                  study.age_at_study_months, Evidence.of(study), clippers_values_of(study))


def allocation_from_values(study_id: str, patient_id: str, study_date: dt.date | None, age: float | None,
                           evidence: tuple[Any, ...], clippers_values: tuple[Any, ...] | None = None,
                           validated: bool = False) -> StudyAllocation:
    """Build a :class:`StudyAllocation` from raw values.

    ``clippers_values`` (values of ``CLIPPERS_FIELDS``) are kept only when the study is allocated 1.2.
    """
    try:
        ev, d = decided(evidence, validated)
    except InputError as exc:
        raise InputError(f"study {study_id!r} (patient {patient_id!r}): {exc}") from None
    return StudyAllocation(study_id, patient_id, d, study_date, age, ev, checked_clippers_values(d, clippers_values))


def checked_clippers_values(decision: Decision, values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """The values of ``CLIPPERS_FIELDS`` a study keeps: ``None`` unless it is allocated 1.2; a pons dominance
    left blank but inferred by the 1.2 rule (only the pons has lesions) is read as yes by the check too."""
    if decision.subpattern != "1.2" or values is None:
        return None
    if values[_DOMINANT_IN_CLIPPERS] is None:
        return (*values[:_DOMINANT_IN_CLIPPERS], True, *values[_DOMINANT_IN_CLIPPERS + 1:])
    return values


def allocate_rows(study_ids: Sequence[str], patient_ids: Sequence[str], dates: Sequence[dt.date | None],
                  ages: Sequence[float | None], evidence_rows: Iterable[tuple[Any, ...]],
                  clippers_values: Callable[[list[int]], list[tuple[Any, ...]]]) -> list[StudyAllocation]:
    """Allocate many studies from checked values (rows of ``EVIDENCE_FIELDS``), as :func:`allocation_from_values`
    does one by one; ``clippers_values(rows)`` gives the CLIPPERS values of the rows allocated 1.2 only."""
    evidence = [_new(Evidence, values) for values in evidence_rows]
    decisions = list(map(_decide, evidence))
    brainstem = [i for i, d in enumerate(decisions) if d.subpattern == "1.2"]
    kept: list[tuple[Any, ...] | None] = [None] * len(decisions)
    for i, values in zip(brainstem, clippers_values(brainstem)):
        kept[i] = checked_clippers_values(decisions[i], values)
    return list(map(StudyAllocation, study_ids, patient_ids, decisions, dates, ages, evidence, kept))


# ---------------------------------------------------------------- trace


def study_trace(evidence: tuple[Any, ...]) -> tuple[RuleStep, ...]:
    """The rule trace of a study: the rules tried, in order, by the rules that decided it."""
    ev, d = decided(evidence)
    verdict, step = LESION_RULE(ev)
    steps = [step]
    if verdict.status is Status.MET:
        steps += SUBPATTERN_RULES.trace(ev)
    elif verdict.status is Status.NOT_MET:
        steps += PATTERN_2_RULES.trace(ev)
    final = d.category + (f", subpattern {d.subpattern}" if d.subpattern else "")
    if d.missing_fields:
        final += " (undetermined because of unknown " + ", ".join(d.missing_fields) + ")"
    steps.append(RuleStep.make("study_allocation", {}, Status.APPLIED, final,
                               T.SEC_SUBPATTERNS if d.lesional else T.SEC_PATTERNS))
    return tuple(steps)


__all__ = [
    "StudyAllocation", "Decision", "Evidence", "classify_study", "decide", "decided", "study_trace",
    "allocation_from_values", "allocate_rows", "checked_clippers_values", "value_problem", "lesional_status", "subpattern_if_lesional",
    "CATEGORIES", "SUBPATTERNS", "EVIDENCE_FIELDS", "SUPPORTIVE_FIELDS", "LESION_FIELDS", "NUMBER_FIELDS",
    "NONLESIONAL_FIELDS", "EFFACEMENT_FIELDS", "EXTRAPARENCHYMAL_FIELDS", "LOCATION_COMPARTMENT", "POSITIVE_NUMBERS",
    "CONTRAST_FIELD", "NEEDS_READER_DECISION", "LESIONAL", "INDETERMINATE", "EXTRAPARENCHYMAL",
    "PONTINE_LESIONS_ABOVE",
]
