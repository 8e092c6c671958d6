"""Red flag from the paper's conclusion: brainstem or cerebellitis pattern with a negative etiologic work-up.

"HLH should be considered in patients with atypical imaging presentations such as brainstem lesions or
cerebellar edema and negative findings on work-up for other etiologies" (Malik et al. 2021, Conclusions);
"After a negative etiologic work-up in this brainstem pattern, CNS HLH evaluation remains imperative"
(Discussion).

Rule (ours, documented): the flag applies when the onset or any later subpattern is 1.2 or 1.3. Work-up
``negative`` raises it; ``not_done`` or not recorded raises it with that reason (absence of a work-up is not
reassurance); ``pending`` raises it as provisional; ``positive`` does not raise it and says why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from neurohlh.errors import InputError
from neurohlh.patterns.trace import SEC_CONCLUSIONS, Status

TRIGGER_SUBPATTERNS = {"1.2": "brainstem-predominant (1.2)", "1.3": "cerebellitis (1.3)"}
RECOMMENDATION = ("Assess for CNS HLH: NK-cell perforin expression (flow cytometry), cytotoxic lymphocyte "
                  "degranulation (CD107a), and a genetic panel for HLH genes (PRF1, UNC13D, STX11, STXBP2 and "
                  "related genes).")

WORKUP_VALUES = frozenset({None, "negative", "positive", "pending", "not_done"})
#: Flag states; "not evaluable" is the rules' own :class:`~neurohlh.patterns.trace.Status` member.
RAISED, PROVISIONAL, NOT_RAISED = "raised", "provisional", "not_raised"
NOT_EVALUABLE = Status.NOT_EVALUABLE


@dataclass(frozen=True, slots=True)
class RedFlag:
    """Whether to recommend a directed CNS HLH assessment, and why.

    ``status`` is ``raised``, ``provisional`` (work-up pending), ``not_raised`` (work-up positive for another
    etiology) or ``not_evaluable`` (a lesional study's subpattern is unknown, so 1.2/1.3 cannot be excluded).
    """

    status: str
    trigger_subpatterns: tuple[str, ...]
    etiologic_workup: str | None
    reason: str
    recommendation: str | None
    section: str = SEC_CONCLUSIONS

    @property
    def raised(self) -> bool:
        return self.status in (RAISED, PROVISIONAL)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "raised": self.raised, "trigger_subpatterns": list(self.trigger_subpatterns),
                "etiologic_workup": self.etiologic_workup, "reason": self.reason,
                "recommendation": self.recommendation, "section": self.section}


def assess_red_flag(subpatterns: Iterable[str | None], workup: str | None, patient_known: bool = True) -> RedFlag | None:
    """Red flag for a patient whose lesional studies had ``subpatterns`` (onset first; ``None`` = undetermined,
    also passed for a study of unknown lesion status that could be 1.2 or 1.3).

    Returns ``None`` when the flag does not apply (no 1.2/1.3 study and no undetermined subpattern).

    Examples
    --------
    >>> assess_red_flag(["1.3", "1.1"], "negative").status
    'raised'
    >>> assess_red_flag(["1.1"], "negative") is None
    True
    """
    if workup not in WORKUP_VALUES:
        raise InputError("`etiologic_workup` must be one of negative, positive, pending, not_done (or None for not "
                         f"recorded); got {workup!r}")
    subs = list(subpatterns)
    triggers = tuple(sorted({s for s in subs if s in TRIGGER_SUBPATTERNS}))
    key = (triggers, None in subs, type(workup), workup, patient_known)
    if key in _DECIDED:  # a red flag is immutable: patients with the same inputs share one
        return _DECIDED[key]
    flag = _red_flag(triggers, subs, workup, patient_known)
    if len(_DECIDED) < 1000:
        _DECIDED[key] = flag
    return flag


_DECIDED: dict[tuple[Any, ...], RedFlag | None] = {}


def _red_flag(triggers: tuple[str, ...], subs: list[str | None], workup: str | None, patient_known: bool
              ) -> RedFlag | None:
    if not triggers:
        if any(s is None for s in subs):
            return RedFlag(NOT_EVALUABLE, (), workup, "a lesional study has an undetermined subpattern, or a "
                           "study of unknown lesion status could be one, so a brainstem or cerebellitis pattern "
                           "cannot be excluded", None)
        return None
    pattern = " and ".join(TRIGGER_SUBPATTERNS[t] for t in triggers) + " pattern"
    if workup == "positive":
        return RedFlag(NOT_RAISED, triggers, workup, f"{pattern}, but the etiologic work-up found another cause; "
                       "the red flag applies to a negative work-up (review if the alternative diagnosis is doubtful)",
                       None)
    if workup == "pending":
        return RedFlag(PROVISIONAL, triggers, workup, f"{pattern} with the etiologic work-up still pending: "
                       "provisional until the work-up is negative", RECOMMENDATION)
    if workup == "negative":
        why = "a negative etiologic work-up"
    elif workup == "not_done":
        why = "no etiologic work-up done"
    else:
        why = "the etiologic work-up not recorded" + ("" if patient_known else " (no patient record given)")
    return RedFlag(RAISED, triggers, workup, f"{pattern} with {why}", RECOMMENDATION)


__all__ = ["RedFlag", "assess_red_flag", "RECOMMENDATION", "TRIGGER_SUBPATTERNS", "RAISED", "PROVISIONAL",
           "NOT_RAISED", "NOT_EVALUABLE"]
