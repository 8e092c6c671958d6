"""CLIPPERS radiologic check (Tobin et al., Brain 2017) for brainstem-predominant (subpattern 1.2) studies.

The paper assessed its brainstem-predominant studies "for radiologic criteria proposed for CLIPPERS":
size of the largest T1-enhancing nodule, T2 signal extension beyond the enhancing nodule (T2-T1 mismatch)
and symmetric or asymmetric pontine involvement; none of its 6 patients met all radiologic criteria.

Items and their status (Tobin et al. 2017 radiologic criteria):

* verified from the Tobin 2017 abstract: homogeneous enhancing nodules without ring enhancement or mass
  effect; nodules < 3 mm in diameter; homogeneous T2 abnormality not significantly exceeding the T1
  enhancement;
* reconstructed from secondary summaries: predominance in the pons and cerebellum;
* supportive only (not a formal item): symmetric pontine involvement (Pittock 2010 described symmetric
  curvilinear enhancement "peppering the pons").

Clinical, steroid-response and pathology items of the criteria cannot be judged from an MR read and are
not evaluated here.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from neurohlh.patterns.trace import SEC_CLIPPERS, Status, show

MET, NOT_MET, NOT_EVALUABLE = Status.MET, Status.NOT_MET, Status.NOT_EVALUABLE

#: Tobin 2017: enhancing nodules must be smaller than this diameter (strict "<").
MAX_NODULE_MM = 3.0
#: Enhancement patterns (paper vocabulary) incompatible with homogeneous enhancing nodules.
NON_HOMOGENEOUS_PATTERNS = frozenset({"ring", "heterogeneous"})
CLIPPERS_FIELDS = ("infra_enhancement_pattern", "mass_effect", "largest_enhancing_nodule_mm", "t2_beyond_enhancement",
                   "pons_dominant_site", "loc_pons", "pons_symmetric_at_mcp")
clippers_values_of = attrgetter(*CLIPPERS_FIELDS)
SOURCE = ("Tobin WO, et al. Diagnostic criteria for CLIPPERS. Brain 2017;140:2415-25 (radiologic items); "
          "symmetry as a supportive feature after Pittock SJ, et al. Brain 2010;133:2626-34")
NOT_FROM_MRI = ("clinical items (subacute pontocerebellar syndrome, no peripheral nervous system disease), "
                "clinical and radiologic corticosteroid response, neuropathology and exclusion of alternative "
                "diagnoses are not evaluable from an MR read")


@dataclass(frozen=True, slots=True)
class ClippersItem:
    """One radiologic item: ``met``, ``not_met`` or ``not_evaluable``, with the values used."""

    item: str
    description: str
    status: Status
    values: tuple[tuple[str, Any], ...]
    explanation: str
    supportive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item, "description": self.description, "status": self.status.value,
            "values": {k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in self.values},
            "explanation": self.explanation, "supportive": self.supportive,
        }


@dataclass(frozen=True, slots=True)
class ClippersCheck:
    """CLIPPERS radiologic check of one study.

    ``all_radiologic_met`` is True when every required radiologic item is met, False when at least one is
    not met, and None when none failed but some could not be evaluated. Supportive items never count.
    """

    study_id: str
    items: tuple[ClippersItem, ...]
    all_radiologic_met: bool | None
    note: str = NOT_FROM_MRI
    source: str = SOURCE
    section: str = SEC_CLIPPERS

    @property
    def summary(self) -> str:
        required = [i for i in self.items if not i.supportive]
        met = sum(i.status == MET for i in required)
        verdict = {True: "all radiologic items met", False: "not all radiologic items met",
                   None: "not evaluable (missing values)"}[self.all_radiologic_met]
        return f"{verdict} ({met}/{len(required)} required items met)"

    def to_dict(self) -> dict[str, Any]:
        return {"study_id": self.study_id, "all_radiologic_met": self.all_radiologic_met, "summary": self.summary,
                "items": [i.to_dict() for i in self.items], "note": self.note, "source": self.source,
                "section": self.section}


def _status(value: bool | None, good: bool) -> Status:
    return NOT_EVALUABLE if value is None else (MET if value is good else NOT_MET)


#: The radiologic items in the order checked: (item, description, supportive).
ITEMS: tuple[tuple[str, str, bool], ...] = (
    ("homogeneous_nodules", "Homogeneous enhancing nodules without ring enhancement or mass effect", False),
    ("nodules_under_3mm", f"Largest enhancing nodule < {MAX_NODULE_MM:g} mm", False),
    ("t2_not_exceeding_enhancement", "T2 abnormality not significantly exceeding the T1 enhancement", False),
    ("pontocerebellar_predominance", "Lesions predominate in the pons (and cerebellum)", False),
    ("symmetric_pontine_involvement", "Symmetric pontine involvement at the middle cerebellar peduncle level "
                                      "(supportive feature, not required)", True),
)


def _homogeneous_status(pattern: frozenset[str] | None, mass_effect: bool | None) -> Status:
    if (pattern and pattern & NON_HOMOGENEOUS_PATTERNS) or mass_effect is True:
        return NOT_MET
    return NOT_EVALUABLE if not pattern or mass_effect is None else MET


def clippers_statuses(values: tuple) -> tuple[tuple[Status, ...], bool | None]:
    """The status of each item of :data:`ITEMS` and ``all_radiologic_met``, from the values of ``CLIPPERS_FIELDS``
    (what :func:`clippers_from_values` decides, without the explanations)."""
    pattern, mass, size, t2_beyond, dominant, _loc_pons, symmetric = values
    statuses = (_homogeneous_status(pattern, mass), _status(None if size is None else size < MAX_NODULE_MM, True),
                _status(t2_beyond, False), _status(dominant, True), _status(symmetric, True))
    required = statuses[:-1]  # the last item is supportive
    return statuses, False if NOT_MET in required else (None if NOT_EVALUABLE in required else True)


def _homogeneous_nodules(pattern: frozenset[str] | None, mass_effect: bool | None) -> tuple[Status, str]:
    bad = sorted(pattern & NON_HOMOGENEOUS_PATTERNS) if pattern else []
    reasons = []
    if bad:
        reasons.append(f"{'/'.join(bad)} enhancement")
    if mass_effect is True:
        reasons.append("mass effect")
    if reasons:
        return NOT_MET, "not met: " + " and ".join(reasons)
    if not pattern or mass_effect is None:
        unknown = [n for n, v in (("infra_enhancement_pattern", pattern or None), ("mass_effect", mass_effect))
                   if v is None]
        return NOT_EVALUABLE, "unknown " + ", ".join(unknown)
    return MET, f"{show(pattern)} enhancement, no ring or heterogeneous enhancement, no mass effect"


def check_clippers(study: Any, study_id: str | None = None) -> ClippersCheck:
    """Check the CLIPPERS radiologic items on one study (any object with the ``CLIPPERS_FIELDS`` attributes).

    Examples
    --------
    >>> from neurohlh.schema import Study
    >>> s = Study(study_id="S1", patient_id="P1", reader="consensus", infra_enhancement_pattern=frozenset({"nodular"}),
    ...           mass_effect=False, largest_enhancing_nodule_mm=4.0, t2_beyond_enhancement=True,
    ...           pons_dominant_site=True, pons_symmetric_at_mcp=False)
    >>> check_clippers(s).summary
    'not all radiologic items met (2/4 required items met)'
    """
    sid = study_id if study_id is not None else study.study_id
    return clippers_from_values(sid, clippers_values_of(study))


def clippers_from_values(study_id: str, values: tuple) -> ClippersCheck:
    """The CLIPPERS check from the values of ``CLIPPERS_FIELDS`` (in that order)."""
    pattern, mass, size, t2_beyond, dominant, _loc_pons, symmetric = values
    statuses, all_met = clippers_statuses(values)
    h_expl = _homogeneous_nodules(pattern, mass)[1]
    small = None if size is None else size < MAX_NODULE_MM
    parts = (
        ((("infra_enhancement_pattern", pattern), ("mass_effect", mass)), h_expl),
        ((("largest_enhancing_nodule_mm", size),), "unknown size" if size is None else
         f"largest nodule {show(size)} mm {'<' if small else '>='} {MAX_NODULE_MM:g} mm"),
        ((("t2_beyond_enhancement", t2_beyond),), {None: "unknown", True: "T2 signal extends beyond the enhancing "
                                                    "nodules (T2-T1 mismatch)", False: "no T2-T1 mismatch"}[t2_beyond]),
        ((("pons_dominant_site", dominant),), {None: "unknown", True: "pons is the dominant site",
                                               False: "pons is not the dominant site"}[dominant]),
        ((("pons_symmetric_at_mcp", symmetric),), {None: "unknown", True: "symmetric", False: "asymmetric"}[symmetric]),
    )
    items = tuple(ClippersItem(item, description, status, used, explanation, supportive)
                  for (item, description, supportive), status, (used, explanation) in zip(ITEMS, statuses, parts))
    return ClippersCheck(study_id, items, all_met)


__all__ = ["ClippersCheck", "ClippersItem", "check_clippers", "clippers_from_values", "clippers_statuses", "ITEMS",
           "MAX_NODULE_MM", "CLIPPERS_FIELDS"]
