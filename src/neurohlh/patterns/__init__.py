"""Imaging pattern engine of Malik et al., "MRI Patterns in Pediatric CNS HLH" (AJNR 2021).

Study level (:func:`classify_study`), patient level (:func:`classify_patient`), whole cohort
(:func:`classify_cohort`) and the paper-style study-level summary (:func:`summarise_studies`). Every
allocation carries a rule ``trace``; the rules and our assumptions are documented in ``docs/patterns.md``.
The rules are named objects in :mod:`neurohlh.patterns.rules`, reading an :class:`Evidence` record.
"""
from __future__ import annotations

from neurohlh.patterns.clippers import ClippersCheck, ClippersItem, check_clippers
from neurohlh.patterns.cohort import allocate_patients, classify_cohort, classify_studies_frame
from neurohlh.patterns.evidence import Evidence
from neurohlh.patterns.patient import PatientAllocation, classify_patient
from neurohlh.patterns.red_flag import RedFlag, assess_red_flag
from neurohlh.patterns.study import StudyAllocation, classify_study
from neurohlh.patterns.summary import Count, StudySummary, summarise_studies
from neurohlh.patterns.trace import RuleStep, Status

__all__ = [
    "classify_study", "classify_patient", "classify_cohort", "classify_studies_frame", "allocate_patients",
    "summarise_studies",
    "check_clippers", "assess_red_flag",
    "StudyAllocation", "PatientAllocation", "StudySummary", "Count", "ClippersCheck", "ClippersItem", "RedFlag",
    "RuleStep", "Status", "Evidence",
]
