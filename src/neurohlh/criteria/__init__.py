"""Clinical criteria: HLH-2004 (Henter 2007), CNS involvement (Malik 2021 CSF rule and comprehensive rule),
HScore (Fardet 2014), and explicit unit conversions. See docs/criteria.md."""
from __future__ import annotations

from neurohlh.criteria._core import ItemResult, Status
from neurohlh.criteria.cns import (
    CNSCohortSummary,
    CNSResult,
    cns_cohort,
    cns_involvement,
    cns_involvement_frame,
    csf_abnormal,
    csf_pleocytosis,
    csf_proteinosis,
    imaging_findings,
    neurologic_symptoms,
)
from neurohlh.criteria.hlh2004 import HLH2004Result, hlh2004, hlh2004_frame
from neurohlh.criteria.hscore import HScoreItem, HScoreResult, hscore
from neurohlh.criteria.units import canonical_unit, convert, to_canonical

__all__ = [
    "CNSCohortSummary", "CNSResult", "HLH2004Result", "HScoreItem", "HScoreResult", "ItemResult", "Status",
    "canonical_unit", "cns_cohort", "cns_involvement", "cns_involvement_frame", "convert", "csf_abnormal", "csf_pleocytosis",
    "csf_proteinosis", "hlh2004", "hlh2004_frame", "hscore", "imaging_findings", "neurologic_symptoms", "to_canonical",
]
