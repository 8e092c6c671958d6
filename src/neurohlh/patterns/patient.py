"""Patient level: pattern 1 or 2, onset subpattern, evolution, CLIPPERS check and red flag.

* Pattern 1 if any study has parenchymal lesions; pattern 2 only when every study is known to have none
  ("no parenchymal lesions at onset and follow-up", paper, Imaging Pattern Definitions); otherwise
  indeterminate, naming the fields that would decide it.
* Studies are put in time order by ``study_date``; when not every study has a date, by
  ``age_at_study_months``; when neither covers every study, dates are converted to ages with the patient's
  ``birth_date``; ties are broken by ``study_id``. If no complete order exists the evolution is not reported.
* Onset subpattern = subpattern of the first lesional study (undetermined when an earlier study has unknown
  lesion status, because that study may have been the onset).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from neurohlh.errors import InputError
from neurohlh.patterns import trace as T
from neurohlh.patterns.clippers import ClippersCheck
from neurohlh.patterns.red_flag import NOT_RAISED, RedFlag, assess_red_flag
from neurohlh.patterns.study import NEEDS_READER_DECISION, StudyAllocation, classify_study
from neurohlh.patterns.trace import RuleStep, Status

PATTERNS = ("1", "2", "indeterminate")
DAYS_PER_MONTH = 365.25 / 12
BY_DATE, BY_AGE, BY_BIRTH_DATE, SINGLE, NO_STUDY, UNKNOWN = (
    "study_date", "age_at_study_months", "age from study_date and birth_date", "single study", "no study", "unknown")


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientAllocation:
    """Pattern allocation of one patient over all of their (consensus) studies (fields given by name).

    Attributes
    ----------
    pattern : str
        ``"1"``, ``"2"`` or ``"indeterminate"``.
    onset_subpattern, last_subpattern : str or None
        Subpattern of the first / last lesional study.
    studies : tuple of StudyAllocation
        In time order.
    evolution : tuple
        Subpatterns of the lesional studies in time order (``None`` = undetermined).
    transitions : tuple of str
        Changes between consecutive lesional studies, e.g. ``"1.3->1.1"``.
    ever_subpatterns : frozenset of str
    clippers_study_id : str or None
        The first 1.2 study; ``clippers`` is its CLIPPERS radiologic check.
    red_flag : RedFlag or None
        ``None`` when the flag does not apply; ``not_evaluable`` when the patient has no MR study.
    missing_fields : tuple of str
        ``"study_id.field"`` entries that prevented a patient-level decision.
    order_basis : str
        How the studies were ordered.
    onset_study_id : str or None
        The first lesional study (the one the onset subpattern comes from).
    notes : tuple of str
        Caveats (unknown order, undetermined onset, ...).
    """

    patient_id: str
    pattern: str
    order_basis: str
    studies: tuple[StudyAllocation, ...] = ()
    onset_subpattern: str | None = None
    onset_study_id: str | None = None
    evolution: tuple[str | None, ...] = ()
    transitions: tuple[str, ...] = ()
    last_subpattern: str | None = None
    ever_subpatterns: frozenset[str] = frozenset()
    clippers_study_id: str | None = None
    red_flag: RedFlag | None = None
    missing_fields: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    etiologic_workup: str | None = None

    @property
    def clippers(self) -> ClippersCheck | None:
        """CLIPPERS radiologic check (Tobin 2017) of the first brainstem-predominant (1.2) study, or ``None``."""
        if self.clippers_study_id is None:
            return None
        return next(s.clippers for s in self.studies if s.study_id == self.clippers_study_id)

    @property
    def trace(self) -> tuple[RuleStep, ...]:
        """Patient-level rules in order, with values, outcome and paper section (study traces are per study)."""
        return patient_trace(self)

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "patient_id": self.patient_id,
            "pattern": self.pattern,
            "onset_subpattern": self.onset_subpattern,
            "last_subpattern": self.last_subpattern,
            "evolution": list(self.evolution),
            "transitions": list(self.transitions),
            "ever_subpatterns": sorted(self.ever_subpatterns),
            "order_basis": self.order_basis,
            "onset_study_id": self.onset_study_id,
            "missing_fields": list(self.missing_fields),
            "notes": list(self.notes),
            "clippers": self.clippers.to_dict() if self.clippers else None,
            "red_flag": self.red_flag.to_dict() if self.red_flag else None,
            "studies": [s.to_dict(trace=trace) for s in self.studies],
        }
        if trace:
            out["trace"] = [s.to_dict() for s in self.trace]
        return out


def _months(study: StudyAllocation, birth_date: dt.date | None) -> float | None:
    if study.age_at_study_months is not None:
        return float(study.age_at_study_months)
    if study.study_date is not None and birth_date is not None:
        return (study.study_date - birth_date).days / DAYS_PER_MONTH
    return None


def order_studies(studies: Sequence[StudyAllocation], birth_date: dt.date | None = None
                  ) -> tuple[tuple[StudyAllocation, ...], str]:
    """Studies in time order and the basis used (``unknown`` when no complete order exists)."""
    if not studies:
        return (), NO_STUDY
    if len(studies) == 1:
        return tuple(studies), SINGLE
    if all(s.study_date is not None for s in studies):
        return tuple(sorted(studies, key=lambda s: (s.study_date, s.study_id))), BY_DATE
    if all(s.age_at_study_months is not None for s in studies):
        return tuple(sorted(studies, key=lambda s: (s.age_at_study_months, s.study_id))), BY_AGE
    months = [_months(s, birth_date) for s in studies]
    if all(m is not None for m in months):
        pairs = sorted(zip(months, studies), key=lambda p: (p[0], p[1].study_id))
        return tuple(s for _, s in pairs), BY_BIRTH_DATE
    return tuple(sorted(studies, key=lambda s: s.study_id)), UNKNOWN


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items)) if items else ()


def _order_gap(studies: Sequence[StudyAllocation], birth_date: dt.date | None) -> str:
    no_date = [s.study_id for s in studies if s.study_date is None]
    no_age = [s.study_id for s in studies if s.age_at_study_months is None]
    return ("study order unknown: no study_date for " + ", ".join(no_date) + "; no age_at_study_months for " +
            ", ".join(no_age) +
            ("; no birth_date to convert dates to ages" if birth_date is None else ""))


_NO_STUDY_NOTE = ("no consensus MR study for this patient",)
_NO_STUDY_FLAG = ("no MR study: a brainstem or cerebellitis pattern cannot be excluded (as for an unreadable "
                  "study), so the red flag is not evaluable")


def _reader_notes(studies: Sequence[StudyAllocation]) -> list[str]:
    """One note per study whose category the paper gives no rule for (extra-parenchymal findings only)."""
    return [f"{s.study_id}: extra-parenchymal findings only (" + ", ".join(s.decision.reader_findings)
            + "), no parenchymal lesion; the paper does not classify such a study: reader decision needed"
            for s in studies if s.category in NEEDS_READER_DECISION]


def allocate_patient(patient_id: str, studies: Sequence[StudyAllocation], birth_date: dt.date | None = None,
                     workup: str | None = None, patient_known: bool = True) -> PatientAllocation:
    """Patient allocation from already classified studies (shared by the record and the cohort paths).

    Reads of each study its ``study_id``, its timing and its :class:`~neurohlh.patterns.study.Decision`.
    """
    ordered, basis = order_studies(studies, birth_date)
    if not ordered:
        assess_red_flag((), workup)  # checks the work-up value
        no_study = RedFlag(Status.NOT_EVALUABLE, (), workup, _NO_STUDY_FLAG, None)
        return PatientAllocation(patient_id=patient_id, pattern="indeterminate", order_basis=basis,
                                 red_flag=no_study, notes=_NO_STUDY_NOTE, etiologic_workup=workup)
    flags = [s.lesional for s in ordered]
    if True not in flags:
        reader_notes = tuple(_reader_notes(ordered))
        if None not in flags:
            return PatientAllocation(patient_id=patient_id, pattern="2", order_basis=basis, studies=ordered,
                                     notes=reader_notes, etiologic_workup=workup)
        missing = [f"{s.study_id}.{f}" for s in ordered if s.lesional is None for f in s.missing_fields]
        open_studies = _possible_triggers(ordered)
        red_flag = assess_red_flag(open_studies, workup, patient_known) if open_studies else None
        return PatientAllocation(patient_id=patient_id, pattern="indeterminate", order_basis=basis, studies=ordered,
                                 red_flag=red_flag, missing_fields=_dedupe(missing), notes=reader_notes,
                                 etiologic_workup=workup)
    return _pattern_1(patient_id, ordered, basis, birth_date, workup, patient_known)


def _possible_triggers(studies: Sequence[StudyAllocation]) -> list[None]:
    """One undetermined subpattern (``None``) per study of unknown lesion status that, were it lesional, could be
    1.2 or 1.3: the red flag cannot be excluded for it. (A study whose infratentorial compartment reads ``none``
    could only be 1.1.)"""
    return [None for s in studies if s.lesional is None and s.decision.could_trigger]


def _pattern_1(patient_id: str, ordered: tuple[StudyAllocation, ...], basis: str, birth_date: dt.date | None,
               workup: str | None, patient_known: bool) -> PatientAllocation:
    notes: list[str] = []
    missing: list[str] = []
    # Only studies that are or may be lesional matter for onset and evolution: order those.
    relevant: Sequence[StudyAllocation] = [s for s in ordered if s.lesional is not False]
    relevant_basis = basis
    if basis == UNKNOWN:
        relevant, relevant_basis = order_studies(relevant, birth_date)
        if relevant_basis != UNKNOWN:
            notes.append(_order_gap(ordered, birth_date) + "; the studies with (possible) lesions could be "
                         "ordered, so onset and evolution are reported")
    lesional = [s for s in relevant if s.lesional]
    subpatterns = [s.subpattern for s in lesional]
    ever = frozenset(s for s in subpatterns if s is not None)
    if relevant_basis == UNKNOWN:
        untimed = [f"{s.study_id}.study_date" for s in relevant if s.study_date is None and
                   s.age_at_study_months is None]
        missing += untimed or ["birth_date"]  # no timing at all, or dates and ages that cannot be compared
        notes.append(_order_gap(relevant, birth_date) + ": onset and evolution not reported")
        onset = last = subpatterns[0] if len(set(subpatterns)) == 1 else None
        evolution: tuple[str | None, ...] = ()
        transitions: tuple[str, ...] = ()
        onset_study = None
    else:
        first = 0 if relevant[0].lesional else next(i for i, s in enumerate(relevant) if s.lesional)
        onset, onset_study = lesional[0].subpattern, lesional[0].study_id
        if first:
            unknown_before = relevant[:first]  # every study before the first lesional one has unknown status
            onset = None
            missing += [f"{s.study_id}.{f}" for s in unknown_before for f in s.missing_fields]
            notes.append("onset subpattern undetermined: earlier study " + ", ".join(s.study_id for s in unknown_before)
                         + " has unknown lesion status and may have been the onset")
        evolution = tuple(subpatterns)
        transitions = tuple(f"{a}->{b}" for a, b in zip(evolution, evolution[1:])
                            if a is not None and b is not None and a != b) if len(evolution) > 1 else ()
        last = subpatterns[-1]
    if None in subpatterns:  # an undetermined subpattern leaves onset, evolution or last subpattern incomplete
        missing += [f"{s.study_id}.{f}" for s in lesional if s.subpattern is None for f in s.missing_fields]
    clippers_study = next((s.study_id for s in lesional if s.subpattern == "1.2"), None) if "1.2" in subpatterns \
        else None
    red_flag = assess_red_flag([*subpatterns, *_possible_triggers(ordered)], workup, patient_known)
    notes += _reader_notes(ordered)
    return PatientAllocation(patient_id=patient_id, pattern="1", order_basis=basis, studies=ordered,
                             onset_subpattern=onset, onset_study_id=onset_study, evolution=evolution,
                             transitions=transitions, last_subpattern=last, ever_subpatterns=ever,
                             clippers_study_id=clippers_study, red_flag=red_flag, missing_fields=_dedupe(missing),
                             notes=tuple(notes), etiologic_workup=workup)


def classify_patient(studies: Sequence[Any], patient: Any | None = None) -> PatientAllocation:
    """Allocate one patient from their study reads (:class:`neurohlh.schema.Study`) and optional ``Patient``.

    Raises
    ------
    InputError
        If the studies belong to different patients, a ``study_id`` repeats, or there is neither a study nor a
        patient to name.

    Examples
    --------
    >>> from neurohlh.schema import Study
    >>> base = dict(patient_id="P1", reader="consensus", supra_lesion_number="none", infra_lesion_number="none",
    ...             atrophy_cerebral=False, atrophy_cerebellar=False, ctt_t2_hyperintensity=False,
    ...             nonspecific_findings=False)
    >>> onset = Study(study_id="S1", age_at_study_months=30, **{**base, "infra_lesion_number": "multiple",
    ...               "cerebellar_diffuse_edema": True, "cerebellar_folia_effacement": True})
    >>> later = Study(study_id="S2", age_at_study_months=36, **{**base, "supra_lesion_number": "multiple",
    ...               "loc_cerebral_wm": True, "cerebellar_diffuse_edema": False})
    >>> a = classify_patient([later, onset])
    >>> a.pattern, a.onset_subpattern, a.transitions
    ('1', '1.3', ('1.3->1.1',))
    """
    ids = {s.patient_id for s in studies}
    if patient is not None:
        ids.add(patient.patient_id)
    if len(ids) > 1:
        raise InputError("`studies` and `patient` must belong to one patient; got patient_id values "
                         + ", ".join(sorted(ids)))
    if not ids:
        raise InputError("`classify_patient` needs at least one study or a `patient` to name the patient")
    seen: set[str] = set()
    for s in studies:
        if s.study_id in seen:
            raise InputError(f"study_id {s.study_id!r} is given twice; pass one read per study (the consensus read)")
        seen.add(s.study_id)
    allocations = [classify_study(s) for s in studies]
    return allocate_patient(ids.pop(), allocations, getattr(patient, "birth_date", None),
                            getattr(patient, "etiologic_workup", None), patient is not None)


# ---------------------------------------------------------------- trace


def _timing(s: StudyAllocation) -> str:
    if s.study_date is not None:
        return s.study_date.isoformat()
    if s.age_at_study_months is not None:
        return f"{T.show(s.age_at_study_months)} months"
    return "unknown"


def patient_trace(a: PatientAllocation) -> tuple[RuleStep, ...]:
    """Rebuild the patient-level rule trace from a :class:`PatientAllocation`."""
    steps = [RuleStep.make("study_order", {s.study_id: _timing(s) for s in a.studies},
                           Status.NOT_EVALUABLE if a.order_basis == UNKNOWN else Status.APPLIED,
                           f"studies ordered by {a.order_basis}, ties by study_id", T.SEC_OURS)]
    lesional = {s.study_id: s.lesional for s in a.studies}
    if a.pattern == "1":
        hits = [sid for sid, v in lesional.items() if v]
        outcome, status = "pattern 1: parenchymal lesions on " + ", ".join(hits), Status.MET
    elif a.pattern == "2":
        outcome, status = "pattern 2: no parenchymal lesions at onset or on follow-up", Status.NOT_MET
    elif not a.studies:
        outcome, status = "indeterminate: no consensus MR study", Status.NOT_EVALUABLE
    else:
        outcome, status = ("indeterminate: no study shows lesions but lesion status is unknown on " +
                           ", ".join(sid for sid, v in lesional.items() if v is None)), Status.NOT_EVALUABLE
    steps.append(RuleStep.make("patient_pattern", lesional, status, outcome, T.SEC_PATTERNS))
    if a.pattern == "1":
        first = {s.study_id: s.subpattern for s in a.studies if s.study_id == a.onset_study_id}
        steps.append(RuleStep.make(
            "onset_subpattern", first, Status.APPLIED if a.onset_subpattern else
            Status.NOT_EVALUABLE, f"onset subpattern {a.onset_subpattern or 'undetermined'} (first lesional study)",
            T.SEC_SUBPATTERNS))
        steps.append(RuleStep.make(
            "evolution", {s.study_id: s.subpattern for s in a.studies if s.lesional}, Status.APPLIED,
            ("evolution " + " -> ".join(str(e) for e in a.evolution) + "; transitions: " +
             (", ".join(a.transitions) or "none") + f"; last subpattern {a.last_subpattern}")
            if a.evolution or not a.studies else "evolution not reported: study order unknown", T.SEC_1_1))
        if a.clippers is not None:
            steps.append(RuleStep.make("clippers_radiologic", {i.item: i.status for i in a.clippers.items},
                                       Status.APPLIED, f"{a.clippers.study_id}: {a.clippers.summary}", T.SEC_CLIPPERS))
    if a.red_flag is not None:
        steps.append(RuleStep.make("red_flag", {"etiologic_workup": a.etiologic_workup,
                                                "trigger_subpatterns": ",".join(a.red_flag.trigger_subpatterns)},
                                   Status.MET if a.red_flag.raised else Status.NOT_MET if a.red_flag.status ==
                                   NOT_RAISED else Status.NOT_EVALUABLE,
                                   f"{a.red_flag.status}: {a.red_flag.reason}", T.SEC_CONCLUSIONS))
    for note in a.notes:
        steps.append(RuleStep.make("note", {}, Status.APPLIED, note, T.SEC_OURS))
    return tuple(steps)


__all__ = ["PatientAllocation", "classify_patient", "allocate_patient", "order_studies", "patient_trace",
           "PATTERNS"]
