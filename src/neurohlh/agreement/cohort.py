"""Reader agreement of a cohort: every field of the data-collection sheet and the derived decisions.

Computed on the independent (pre-consensus) reads: each MR study read by both ``reader_1`` and ``reader_2``.

* Yes/no fields are binary; choice fields nominal, except the lesion-number fields, ordinal in the sheet's own
  order (none < single < few < multiple); numeric fields interval (Krippendorff's alpha only); set-valued fields
  (sequences, lesion types, white-matter levels, enhancement patterns) element by element, each element a yes/no
  field ("supra_lesion_type: focal"); dates are compared for the consensus only.
* Decisions, derived from each reader's own reads by the pattern rules: lesional yes/no and the pattern-2 category
  (studies that both readers read as non-lesional) per study; the pattern (1 or 2) and the onset subpattern (1.1,
  1.2, 1.3) per patient, over the patient's double-read studies. An undetermined decision is a missing read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from neurohlh.agreement.bootstrap import N_BOOT, SEED
from neurohlh.agreement.fields import FieldAgreement, FieldReads, field_agreements
from neurohlh.io.consensus import (
    ADJUDICATED,
    CONSENSUS_FIELDS,
    derive_consensus,
    study_reads,
)
from neurohlh.patterns.cohort import classify_studies_frame
from neurohlh.patterns.patient import allocate_patient
from neurohlh.patterns.study import CATEGORIES, INDETERMINATE, LESIONAL, StudyAllocation
from neurohlh.schema import Kind, LesionNumber, Reader, Study, field_specs

_SPECS = field_specs(Study)
ORDINAL_FIELDS = ("supra_lesion_number", "infra_lesion_number")
#: Categories of a study without parenchymal lesions (the pattern rules' vocabulary).
PATTERN_2_CATEGORIES = tuple(c for c in CATEGORIES if c not in (LESIONAL, INDETERMINATE))
DECISIONS = {
    "lesional": "Lesional (study)",
    "pattern_2_category": "Pattern-2 category (study)",
    "pattern": "Pattern 1 or 2 (patient)",
    "onset_subpattern": "Onset subpattern (patient)",
}


@dataclass(frozen=True, slots=True)
class Discordance:
    """One field of one study on which the two readers differ, and how the consensus settled it."""

    study_id: str
    patient_id: str
    field: str
    reader_1: Any
    reader_2: Any
    consensus: Any
    resolved_by: str  # "adjudicator" or "consensus row"

    def to_dict(self) -> dict[str, Any]:
        return {k: _plain(getattr(self, k)) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """How often the readers' decisions differed and how often the consensus decision differs from each."""

    decision: str
    n: int
    discordant: int
    differs_from_reader_1: int
    differs_from_reader_2: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class ReaderAgreement:
    """Agreement of two readers over a cohort, the discordances and what the adjudication changed."""

    n_studies: int
    n_patients: int
    fields: tuple[FieldAgreement, ...]
    decisions: tuple[FieldAgreement, ...]
    discordances: tuple[Discordance, ...]
    studies_discordant: int
    adjudicated_values: int
    consensus_row_values: int
    adjudicated_studies: int
    decision_changes: tuple[DecisionChange, ...]
    confidence: float
    n_boot: int
    seed: int

    @property
    def methods(self) -> str:
        """A methods paragraph in the GRRAS style (Kottner et al. 2011), written from what was computed."""
        from neurohlh.agreement.methods import methods_paragraph
        return methods_paragraph(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_studies": self.n_studies, "n_patients": self.n_patients,
            "fields": [f.to_dict() for f in self.fields], "decisions": [d.to_dict() for d in self.decisions],
            "discordances": [d.to_dict() for d in self.discordances],
            "studies_discordant": self.studies_discordant, "adjudicated_values": self.adjudicated_values,
            "consensus_row_values": self.consensus_row_values, "adjudicated_studies": self.adjudicated_studies,
            "decision_changes": [c.to_dict() for c in self.decision_changes],
            "confidence": self.confidence, "n_boot": self.n_boot, "seed": self.seed, "methods": self.methods,
        }


def _plain(v: Any) -> Any:
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _yes_no(v: Any) -> Any:
    return None if v is None else ("yes" if v else "no")


def _sheet_fields(r1: list[dict[str, Any]], r2: list[dict[str, Any]], ids: list[str]) -> list[FieldReads]:
    out: list[FieldReads] = []
    for name in CONSENSUS_FIELDS:
        spec = _SPECS[name]
        a, b = [r[name] for r in r1], [r[name] for r in r2]
        if spec.kind == Kind.BOOL:
            out.append(FieldReads(name, "binary", [_yes_no(v) for v in a], [_yes_no(v) for v in b], ids,
                                  ("yes", "no"), spec.description))
        elif spec.kind == Kind.ENUM:
            scale = "ordinal" if name in ORDINAL_FIELDS else "nominal"
            cats = tuple(e.value for e in LesionNumber) if scale == "ordinal" else spec.choices
            out.append(FieldReads(name, scale, a, b, ids, cats, spec.description))
        elif spec.kind == Kind.SET:
            for element in spec.choices:
                def has(v: Any, e: str = element) -> Any:
                    return None if v is None else ("yes" if e in v else "no")
                out.append(FieldReads(f"{name}: {element}", "binary", [has(v) for v in a], [has(v) for v in b],
                                      ids, ("yes", "no"), f"{spec.description}: {element}"))
        elif spec.kind in (Kind.INT, Kind.FLOAT):
            out.append(FieldReads(name, "interval", a, b, ids, None, spec.description))
    return out


def _allocations(studies: pd.DataFrame, reader: str, ids: list[str]) -> dict[str, StudyAllocation]:
    frame = studies[(studies["reader"] == reader) & studies["study_id"].isin(ids)]
    return {a.study_id: a for a in classify_studies_frame(frame)}


def _patient_decisions(allocs: dict[str, StudyAllocation], patients: pd.DataFrame
                       ) -> dict[str, tuple[Any, Any]]:
    grouped: dict[str, list[StudyAllocation]] = {}
    for a in allocs.values():
        grouped.setdefault(a.patient_id, []).append(a)
    births = dict(zip(patients["patient_id"], patients["birth_date"]))
    out = {}
    for pid, studies in grouped.items():
        birth = births.get(pid)
        p = allocate_patient(pid, studies, None if birth is None or pd.isna(birth) else birth)
        out[pid] = (None if p.pattern == "indeterminate" else p.pattern, p.onset_subpattern)
    return out


def _study_decisions(a: StudyAllocation | None) -> tuple[Any, Any]:
    if a is None:
        return None, None
    return _yes_no(a.lesional), a.category if a.category in PATTERN_2_CATEGORIES else None


def reader_agreement(cohort: Any, *, confidence: float = 0.95, n_boot: int = N_BOOT, seed: int = SEED
                     ) -> ReaderAgreement | None:
    """Agreement of ``reader_1`` and ``reader_2`` on a loaded cohort; ``None`` when no study was read by both.

    Parameters
    ----------
    cohort : neurohlh.io.Cohort
    confidence, n_boot, seed
        Interval level; bootstrap resamples of studies (patients for patient-level decisions) and their seed.
    """
    studies = cohort.studies
    reads = study_reads(studies, double_read_only=True)
    r1k, r2k, adk, cok = (Reader.READER_1.value, Reader.READER_2.value, Reader.ADJUDICATOR.value,
                          Reader.CONSENSUS.value)
    ids = [sid for sid, r in reads.items() if r1k in r and r2k in r]
    if not ids:
        return None
    r1 = [reads[s][r1k] for s in ids]
    r2 = [reads[s][r2k] for s in ids]
    fields = field_agreements(_sheet_fields(r1, r2, ids), confidence=confidence, n_boot=n_boot, seed=seed)

    alloc = {k: _allocations(studies, k, ids) for k in (r1k, r2k, cok)}
    per_study = {k: [_study_decisions(alloc[k].get(s)) for s in ids] for k in alloc}
    per_patient = {k: _patient_decisions(alloc[k], cohort.patients) for k in alloc}
    pids = sorted(set(per_patient[r1k]) & set(per_patient[r2k]))
    decision_reads = [
        FieldReads("lesional", "binary", [d[0] for d in per_study[r1k]], [d[0] for d in per_study[r2k]], ids,
                   ("yes", "no"), DECISIONS["lesional"], "decision"),
        FieldReads("pattern_2_category", "nominal", [d[1] for d in per_study[r1k]], [d[1] for d in per_study[r2k]],
                   ids, PATTERN_2_CATEGORIES, DECISIONS["pattern_2_category"], "decision"),
        FieldReads("pattern", "binary", [per_patient[r1k][p][0] for p in pids],
                   [per_patient[r2k][p][0] for p in pids], pids, ("1", "2"), DECISIONS["pattern"], "decision",
                   "patient"),
        FieldReads("onset_subpattern", "nominal", [per_patient[r1k][p][1] for p in pids],
                   [per_patient[r2k][p][1] for p in pids], pids, ("1.1", "1.2", "1.3"),
                   DECISIONS["onset_subpattern"], "decision", "patient"),
    ]
    decisions = field_agreements(decision_reads, confidence=confidence, n_boot=n_boot, seed=seed)

    discordances, adjudicated, by_row, adjudicated_studies, discordant_studies = [], 0, 0, 0, 0
    for s, a, b in zip(ids, r1, r2):
        result = derive_consensus(a, b, reads[s].get(adk))
        if result.disagreements:
            discordant_studies += 1
        adjudicated_studies += bool(result.adjudicated)
        final = reads[s].get(cok) or {}
        for name in result.disagreements:
            by = "adjudicator" if result.provenance[name] == ADJUDICATED else "consensus row"
            adjudicated += by == "adjudicator"
            by_row += by == "consensus row"
            discordances.append(Discordance(s, a["patient_id"], name, a[name], b[name], _clean(final.get(name)), by))
    changes = []
    for i, name in enumerate(("lesional", "pattern_2_category")):
        trip = [(x[i], y[i], c[i]) for x, y, c in zip(per_study[r1k], per_study[r2k], per_study[cok])]
        changes.append(_change(name, trip))
    for i, name in enumerate(("pattern", "onset_subpattern")):
        trip = [(per_patient[r1k][p][i], per_patient[r2k][p][i], per_patient[cok].get(p, (None, None))[i])
                for p in pids]
        changes.append(_change(name, trip))
    return ReaderAgreement(len(ids), len({a["patient_id"] for a in r1}), fields, decisions, tuple(discordances),
                           discordant_studies, adjudicated, by_row, adjudicated_studies, tuple(changes), confidence,
                           n_boot, seed)


def _clean(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v


def _change(name: str, triples: list[tuple[Any, Any, Any]]) -> DecisionChange:
    return DecisionChange(name, len(triples), sum(a != b for a, b, _ in triples),
                          sum(c != a for a, _, c in triples), sum(c != b for _, b, c in triples))
