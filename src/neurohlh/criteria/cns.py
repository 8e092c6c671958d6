"""CNS involvement: the paper's CSF rule and the comprehensive rule its cohort actually satisfies.

Two rules, and every result says which one was applied:

``"csf"`` (paper, Methods and Table 1)
    CNS involvement = CSF pleocytosis (> 10 leucocytes/uL) and/or proteinosis (> 45 mg/dL).
``"comprehensive"`` (paper, Discussion: "a comprehensive definition, including CSF, clinical, and imaging
findings"; Koh et al. 2015)
    abnormal CSF **or** neurologic symptoms **or** imaging findings.

The paper included all 57 patients although CSF was analysed in 50 and abnormal in 42: the cohort meets the
comprehensive rule, not the CSF rule (clinical.md section 0.1). ``cns_cohort`` lists who fails a rule.

Unknown is never "no": a flag is ``None`` when the deciding values are missing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from neurohlh.errors import InputError
from neurohlh.patterns.study import LESION_FIELDS, NUMBER_FIELDS, lesional_status
from neurohlh.schema import Patient, Study

if TYPE_CHECKING:
    import pandas as pd

#: CSF pleocytosis: more than 10 leucocytes/uL (paper, Table 1; printed "> 10 leucocytes/mL", a lost mu).
CSF_PLEOCYTOSIS_ABOVE_PER_UL = 10.0
#: CSF proteinosis: more than 45 mg/dL (paper, Table 1).
CSF_PROTEINOSIS_ABOVE_MG_DL = 45.0
#: The two thresholds as printed in tables and methods text (one source for every label).
CSF_PLEOCYTOSIS_TEXT = f"> {CSF_PLEOCYTOSIS_ABOVE_PER_UL:g} leucocytes/\u00b5L"
CSF_PROTEINOSIS_TEXT = f"> {CSF_PROTEINOSIS_ABOVE_MG_DL:g} mg/dL"
#: Symptom fields that count as neurologic symptoms. Irritability alone is the paper's "no neurologic
#: symptoms or only mild irritability" group (Results: 45 with symptoms + 12 CSF-only = 57), so it is
#: excluded unless ``count_irritability=True``.
NEUROLOGIC_SYMPTOM_FIELDS = ("seizures", "encephalopathy", "meningismus", "gait_ataxia", "hypotonia",
                             "limb_weakness", "dysarthria", "diplopia")
#: Imaging findings besides parenchymal lesions (whose status comes from neurohlh.patterns, the one owner of
#: "is this study lesional"): a "yes" in any of these counts as an imaging finding.
OTHER_IMAGING_FINDING_FIELDS = ("loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina",
                                "atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity")
#: Every study field the imaging rule reads: the parenchymal-lesion fields of neurohlh.patterns plus the others.
IMAGING_FINDING_FIELDS = tuple(f for f in LESION_FIELDS if f not in NUMBER_FIELDS) + OTHER_IMAGING_FINDING_FIELDS
IMAGING_LESION_NUMBER_FIELDS = NUMBER_FIELDS
RULES = ("comprehensive", "csf")
Rule = Literal["comprehensive", "csf"]

RULE_TEXT = {
    "csf": f"CSF rule (paper Methods/Table 1): pleocytosis {CSF_PLEOCYTOSIS_TEXT} and/or protein "
           f"{CSF_PROTEINOSIS_TEXT}",
    "comprehensive": "comprehensive rule (paper Discussion; Koh 2015): abnormal CSF or neurologic symptoms "
                     "or imaging findings",
}


def _csf_value(patient: Patient, name: str) -> float | None:
    if patient.csf_done is False:
        return None
    return getattr(patient, name)


def csf_pleocytosis(patient: Patient) -> bool | None:
    """CSF leucocytes > 10 /uL; ``None`` if unknown or CSF not analysed."""
    wbc = _csf_value(patient, "csf_wbc_per_ul")
    return None if wbc is None else wbc > CSF_PLEOCYTOSIS_ABOVE_PER_UL


def csf_proteinosis(patient: Patient) -> bool | None:
    """CSF protein > 45 mg/dL; ``None`` if unknown or CSF not analysed."""
    protein = _csf_value(patient, "csf_protein_mg_dl")
    return None if protein is None else protein > CSF_PROTEINOSIS_ABOVE_MG_DL


def _any_of(flags: Iterable[bool | None]) -> bool | None:
    flags = list(flags)
    if any(f is True for f in flags):
        return True
    if flags and all(f is False for f in flags):
        return False
    return None


def csf_abnormal(patient: Patient) -> bool | None:
    """Pleocytosis and/or proteinosis: True if either is present, False only if both are known absent."""
    return _any_of([csf_pleocytosis(patient), csf_proteinosis(patient)])


def neurologic_symptoms(patient: Patient, count_irritability: bool = False) -> bool | None:
    """Any neurologic symptom (see ``NEUROLOGIC_SYMPTOM_FIELDS``); None unless all are known."""
    names = NEUROLOGIC_SYMPTOM_FIELDS + (("irritability",) if count_irritability else ())
    return _any_of(getattr(patient, n) for n in names)


def _study_finding(study: Study, lesional: bool | None) -> bool | None:
    flags: list[bool | None] = [lesional]
    flags += [getattr(study, n) for n in OTHER_IMAGING_FINDING_FIELDS]
    return _any_of(flags)


def imaging_findings(studies: Sequence[Study], lesional: Sequence[bool | None] | None = None) -> bool | None:
    """Any MR study with parenchymal lesions, cranial/optic nerve, cord or cauda equina findings, atrophy or
    CTT hyperintensity.

    Parenchymal lesions are decided by :func:`neurohlh.patterns.study.lesional_status` (a compartment whose
    lesion number is ``none`` covers its location fields), or given as ``lesional`` (one status per study, in
    the same order) when classification already decided them (``StudyAllocation.lesional``). True if any study
    has a finding, False if studies were given and every one is known to have none, else None.
    """
    if not studies:
        return None
    if lesional is None:
        lesional = [lesional_status(s) for s in studies]
    elif len(lesional) != len(studies):
        raise InputError(f"{len(lesional)} lesional statuses were given for {len(studies)} studies.")
    return _any_of(_study_finding(s, flag) for s, flag in zip(studies, lesional))


@dataclass(frozen=True, slots=True)
class CNSResult:
    """CNS involvement of one patient under one rule, with the values that decided it.

    ``reasons`` (one sentence per input of the rule) is built from ``patient`` when read.
    """

    patient_id: str
    involved: bool | None
    rule: str
    rule_text: str
    csf_pleocytosis: bool | None
    csf_proteinosis: bool | None
    csf_abnormal: bool | None
    neurologic_symptoms: bool | None
    imaging_findings: bool | None
    n_studies: int = 0
    patient: Any = field(default=None, repr=False, compare=False)

    @property
    def reasons(self) -> tuple[str, ...]:
        return (_csf_reason(self.patient),
                *_flag_reasons(self.rule, self.csf_abnormal, self.neurologic_symptoms, self.n_studies,
                               self.imaging_findings))

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in (
            ("patient_id", self.patient_id), ("involved", self.involved), ("rule", self.rule),
            ("rule_text", self.rule_text), ("reasons", self.reasons),
            ("csf_pleocytosis", self.csf_pleocytosis), ("csf_proteinosis", self.csf_proteinosis),
            ("csf_abnormal", self.csf_abnormal), ("neurologic_symptoms", self.neurologic_symptoms),
            ("imaging_findings", self.imaging_findings))}


def _flag_text(name: str, flag: bool | None) -> str:
    return f"{name}: {'yes' if flag else 'no' if flag is False else 'unknown'}"


@lru_cache(maxsize=4096, typed=True)  # typed: 0 is not read as False
def _flag_reasons(rule: str, csf_abnormal: bool | None, symptoms: bool | None, n_studies: int,
                  imaging: bool | None) -> tuple[str, ...]:
    """The reasons after the CSF values: the same few sentences for most patients, so each is made once."""
    reasons = [_flag_text("abnormal CSF", csf_abnormal)]
    if rule != "csf":
        reasons += [_flag_text("neurologic symptoms", symptoms),
                    _flag_text(f"imaging findings ({n_studies} consensus studies)", imaging)]
    return tuple(reasons)


_PLEOCYTOSIS_TEXT = f" (> {CSF_PLEOCYTOSIS_ABOVE_PER_UL:g} = pleocytosis), protein "
_PROTEINOSIS_TEXT = f" (> {CSF_PROTEINOSIS_ABOVE_MG_DL:g} = proteinosis)"


def _csf_reason(patient: Patient) -> str:
    if patient.csf_done is False:
        return "CSF not analysed"
    wbc, protein = patient.csf_wbc_per_ul, patient.csf_protein_mg_dl
    wbc_text = "unknown" if wbc is None else f"{wbc:g}/uL"
    prot_text = "unknown" if protein is None else f"{protein:g} mg/dL"
    return f"CSF leucocytes {wbc_text}{_PLEOCYTOSIS_TEXT}{prot_text}{_PROTEINOSIS_TEXT}"


def cns_involvement(patient: Patient, studies: Sequence[Study] = (), rule: Rule = "comprehensive",
                    count_irritability: bool = False, *, lesional: Sequence[bool | None] | None = None
                    ) -> CNSResult:
    """CNS involvement of ``patient`` under ``rule`` ("comprehensive" or "csf").

    Parameters
    ----------
    patient : Patient
    studies : sequence of Study
        The patient's consensus MR reads; used by the comprehensive rule only (imaging findings).
    rule : {"comprehensive", "csf"}
    count_irritability : bool
        Count irritability alone as a neurologic symptom (default False, as the paper did).
    lesional : sequence of bool or None, optional
        The lesional status of each study (same order) when classification already decided it
        (``StudyAllocation.lesional``); otherwise it is decided here by the same rule.
    """
    if rule not in RULES:
        raise InputError(f"`rule` must be one of {list(RULES)}; got {rule!r}.")
    foreign = sorted({s.patient_id for s in studies} - {patient.patient_id})
    if foreign:
        raise InputError(f"Studies of patient(s) {foreign} were passed for patient {patient.patient_id!r}.")
    pleo, prot = csf_pleocytosis(patient), csf_proteinosis(patient)
    csf = _any_of([pleo, prot])
    symptoms = neurologic_symptoms(patient, count_irritability)
    imaging = imaging_findings(studies, lesional)
    involved = csf if rule == "csf" else _any_of([csf, symptoms, imaging])
    return CNSResult(patient.patient_id, involved, rule, RULE_TEXT[rule], pleo, prot, csf, symptoms, imaging,
                     len(studies), patient)


def kleene_any(columns: Sequence[Any]) -> Any:
    """Column-wise :func:`_any_of`: True where any column is True, False where every column is False, else
    missing (``pd.NA``) - the three-valued ("Kleene") or of nullable boolean columns of equal length."""
    import pandas as pd

    out = pd.array(columns[0], dtype="boolean")
    for column in columns[1:]:
        out = out | pd.array(column, dtype="boolean")
    return out


def _flags(column: Any) -> list[bool | None]:
    return column.to_numpy(dtype=object, na_value=None).tolist()


def cns_involvement_frame(patients: pd.DataFrame, records: Sequence[Patient], studies: pd.DataFrame,
                          lesional: Sequence[bool | None], rule: Rule = "comprehensive",
                          count_irritability: bool = False) -> tuple[CNSResult, ...]:
    """:func:`cns_involvement` of every patient at once, from the cohort's columns.

    ``patients`` is the patients table (one row per patient, the order of ``records``, its
    :class:`~neurohlh.schema.Patient` records); ``studies`` the consensus studies table and ``lesional`` the
    lesional status classification decided for each of its rows (``StudyAllocation.lesional``). Every flag is
    decided as :func:`cns_involvement` decides it (unknown is never "no"), column-wise instead of patient by
    patient.
    """
    import numpy as np
    import pandas as pd

    if rule not in RULES:
        raise InputError(f"`rule` must be one of {list(RULES)}; got {rule!r}.")
    if len(lesional) != len(studies):
        raise InputError(f"{len(lesional)} lesional statuses were given for {len(studies)} studies.")
    analysed = patients["csf_done"].astype("boolean").fillna(True).to_numpy(dtype=bool)  # False = not analysed
    pleo = (patients["csf_wbc_per_ul"].astype("Float64") > CSF_PLEOCYTOSIS_ABOVE_PER_UL).array
    prot = (patients["csf_protein_mg_dl"].astype("Float64") > CSF_PROTEINOSIS_ABOVE_MG_DL).array
    pleo[~analysed], prot[~analysed] = pd.NA, pd.NA
    csf = kleene_any([pleo, prot])
    names = NEUROLOGIC_SYMPTOM_FIELDS + (("irritability",) if count_irritability else ())
    symptoms = kleene_any([patients[n].astype("boolean").array for n in names])
    # imaging: per study, lesional or any other finding; per patient, any study (no study: unknown)
    per_study = kleene_any([pd.array(list(lesional), dtype="boolean"),
                            *[studies[n].astype("boolean").array for n in OTHER_IMAGING_FINDING_FIELDS]])
    owner = pd.Index(patients["patient_id"]).get_indexer(studies["patient_id"])
    if (owner < 0).any():
        raise InputError("studies name patients that are not in the patients table: "
                         + ", ".join(map(str, studies["patient_id"][owner < 0].head(20))))
    n = len(patients)
    n_studies = np.bincount(owner, minlength=n)
    n_yes = np.bincount(owner[per_study.fillna(False).to_numpy(dtype=bool)], minlength=n)
    n_no = np.bincount(owner[(~per_study).fillna(False).to_numpy(dtype=bool)], minlength=n)
    yes, no = n_yes > 0, (n_studies > 0) & (n_no == n_studies)
    imaging = pd.arrays.BooleanArray(yes, ~(yes | no))
    involved = csf if rule == "csf" else kleene_any([csf, symptoms, imaging])
    text = RULE_TEXT[rule]
    columns = (_flags(involved), _flags(pleo), _flags(prot), _flags(csf), _flags(symptoms), _flags(imaging))
    return tuple(CNSResult(pid, inv, rule, text, pl, pr, c, sy, im, k, p)
                 for pid, p, inv, pl, pr, c, sy, im, k in zip(patients["patient_id"].tolist(), records, *columns,
                                                             n_studies.tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class CNSCohortSummary:
    """Who meets a CNS-involvement rule in a cohort: counts, and the patients failing or undecided."""

    rule: str
    rule_text: str
    n_patients: int
    n_involved: int
    failing: tuple[str, ...]
    undetermined: tuple[str, ...]
    results: tuple[CNSResult, ...]

    @property
    def sentence(self) -> str:
        text = f"Rule applied: {self.rule_text}. {self.n_involved}/{self.n_patients} patients meet it"
        text += f"; fail: {', '.join(self.failing) if self.failing else 'none'}"
        if self.undetermined:
            text += f"; undetermined (missing data): {', '.join(self.undetermined)}"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "rule_text": self.rule_text, "n_patients": self.n_patients,
                "n_involved": self.n_involved, "failing": list(self.failing),
                "undetermined": list(self.undetermined), "sentence": self.sentence,
                "results": [r.to_dict() for r in self.results]}


def cns_cohort(patients: Sequence[Patient], studies: Sequence[Study] | Mapping[str, Sequence[Study]] = (),
               rule: Rule = "comprehensive", count_irritability: bool = False) -> CNSCohortSummary:
    """Apply one rule to every patient; report who meets it, who fails it and who cannot be decided."""
    if isinstance(studies, Mapping):
        by_patient = {k: list(v) for k, v in studies.items()}
    else:
        by_patient = {}
        for s in studies:
            by_patient.setdefault(s.patient_id, []).append(s)
    results = tuple(cns_involvement(p, by_patient.get(p.patient_id, ()), rule, count_irritability)
                    for p in patients)
    return CNSCohortSummary(
        rule, RULE_TEXT[rule], len(results), sum(r.involved is True for r in results),
        tuple(r.patient_id for r in results if r.involved is False),
        tuple(r.patient_id for r in results if r.involved is None), results)
