"""Cohort records: patients, MR study reads and genetic variants.

The frozen dataclasses below are the single source of truth for the on-disk format: the loader,
the validator, the data dictionary, the JSON Schema and the templates are all generated from the
``FieldSpec`` attached to each field. Conventions:

* units are part of field names (``csf_protein_mg_dl``, ``age_at_onset_months``);
* every clinical item is optional and ``None`` means *unknown / not evaluable*, never *no*;
* yes/no items are tri-state (``True`` / ``False`` / ``None``);
* one row of ``studies.csv`` is one *read* of one MR study: ``(study_id, reader)`` is the key, so
  reader 1, reader 2 and the consensus read of the same study can live side by side. Analyses use the
  ``consensus`` read.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class HLHType(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class SecondaryEtiology(StrEnum):
    INFECTION = "infection"
    AUTOIMMUNE = "autoimmune"
    MALIGNANCY = "malignancy"
    OTHER = "other"


class CNSTiming(StrEnum):
    """When CNS involvement appeared relative to systemic HLH (paper, Results and Table 3)."""

    PRECEDED_SYSTEMIC = "preceded_systemic"
    WITH_SYSTEMIC = "with_systemic"
    AFTER_SYSTEMIC = "after_systemic"
    CNS_RESTRICTED = "cns_restricted"


class WorkupResult(StrEnum):
    """Result of the etiologic work-up for other causes (infection, demyelination, MOG, ...)."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    PENDING = "pending"
    NOT_DONE = "not_done"


class GeneticResult(StrEnum):
    PATHOGENIC = "pathogenic"
    LIKELY_PATHOGENIC = "likely_pathogenic"
    VUS = "vus"
    NEGATIVE = "negative"
    NOT_TESTED = "not_tested"


class ExpressionVerdict(StrEnum):
    """Laboratory verdict on protein expression (e.g. NK-cell perforin by flow cytometry)."""

    ABSENT = "absent"
    RESIDUAL = "residual"
    NORMAL = "normal"


class DegranulationVerdict(StrEnum):
    ABSENT = "absent"
    REDUCED = "reduced"
    NORMAL = "normal"


class ExpressionAssay(StrEnum):
    PERFORIN = "perforin"
    MUNC13_4 = "munc13_4"
    SYNTAXIN_11 = "syntaxin_11"
    MUNC18_2 = "munc18_2"
    SAP = "sap"
    XIAP = "xiap"
    OTHER = "other"


class NKActivity(StrEnum):
    LOW_OR_ABSENT = "low_or_absent"
    NORMAL = "normal"


class HLHProtocol(StrEnum):
    HLH_94 = "hlh_94"
    HLH_2004 = "hlh_2004"
    STEROIDS_ONLY = "steroids_only"
    OTHER = "other"
    NONE = "none"


class Reader(StrEnum):
    CONSENSUS = "consensus"
    READER_1 = "reader_1"
    READER_2 = "reader_2"
    ADJUDICATOR = "adjudicator"


class LesionNumber(StrEnum):
    """Lesion number per compartment; the paper gives no numeric cut-off between few and multiple."""

    NONE = "none"
    SINGLE = "single"
    FEW = "few"
    MULTIPLE = "multiple"


class LesionType(StrEnum):
    DIFFUSE = "diffuse"
    FOCAL = "focal"


class WhiteMatterLevel(StrEnum):
    SUBCORTICAL = "subcortical"
    DEEP = "deep"
    PERIVENTRICULAR = "periventricular"


class T2Signal(StrEnum):
    HYPERINTENSE = "hyperintense"
    HYPOINTENSE = "hypointense"
    MIXED = "mixed"


class EnhancementPattern(StrEnum):
    NODULAR = "nodular"
    HOMOGENEOUS = "homogeneous"
    PERIVASCULAR = "perivascular"
    RING = "ring"
    HETEROGENEOUS = "heterogeneous"


class Laterality(StrEnum):
    UNILATERAL = "unilateral"
    BILATERAL_SYMMETRIC = "bilateral_symmetric"
    BILATERAL_ASYMMETRIC = "bilateral_asymmetric"


class Sequence(StrEnum):
    T1 = "t1"
    T2 = "t2"
    FLAIR = "flair"
    DWI = "dwi"
    T1_POSTCONTRAST = "t1_postcontrast"
    SWI = "swi"


class Zygosity(StrEnum):
    """Zygosity of one variant as reported by the laboratory."""

    HETEROZYGOUS = "heterozygous"
    HOMOZYGOUS = "homozygous"
    HEMIZYGOUS = "hemizygous"


class Kind(StrEnum):
    """Cell type of a field in the files."""

    ID = "id"
    TEXT = "text"
    BOOL = "yes/no"
    INT = "integer"
    FLOAT = "number"
    DATE = "date"
    ENUM = "one of"
    SET = "set of"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Everything the loader, validator and data dictionary need to know about one column."""

    description: str
    kind: Kind
    unit: str | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    paper: str | None = None
    group: str = ""


def _spec(description: str, kind: Kind, *, enum: type[StrEnum] | None = None, **kw: Any) -> Any:
    choices = tuple(e.value for e in enum) if enum is not None else ()
    spec = FieldSpec(description=description, kind=kind, choices=choices, **kw)
    default = dataclasses.MISSING if spec.required else None
    return field(default=default, metadata={"spec": spec, "enum": enum})


def ident(description: str, **kw: Any) -> Any:
    return _spec(description, Kind.ID, required=True, **kw)


def yesno(description: str, **kw: Any) -> Any:
    return _spec(description, Kind.BOOL, **kw)


def number(description: str, unit: str, minimum: float | None = None, maximum: float | None = None, **kw: Any) -> Any:
    return _spec(description, Kind.FLOAT, unit=unit, minimum=minimum, maximum=maximum, **kw)


def integer(description: str, minimum: float | None = None, maximum: float | None = None, **kw: Any) -> Any:
    return _spec(description, Kind.INT, minimum=minimum, maximum=maximum, **kw)


def one_of(description: str, enum: type[StrEnum], **kw: Any) -> Any:
    return _spec(description, Kind.ENUM, enum=enum, **kw)


def set_of(description: str, enum: type[StrEnum], **kw: Any) -> Any:
    return _spec(description, Kind.SET, enum=enum, **kw)


def text(description: str, **kw: Any) -> Any:
    return _spec(description, Kind.TEXT, **kw)


def date(description: str, **kw: Any) -> Any:
    return _spec(description, Kind.DATE, **kw)


MAX_AGE_MONTHS = 18 * 12 + 11  # pediatric cohort; an age above this is treated as an entry error


@dataclass(frozen=True, slots=True)
class Patient:
    """One patient: demographics, symptoms, CSF, HLH-2004 items, work-up, treatment and outcome."""

    patient_id: str = ident("Pseudonymised patient identifier (never a hospital number or name)", group="identity")
    site: str | None = text(
        "Contributing site (centre) code; in REDCap, the data access group. With more than one site the pattern 1 "
        "vs 2 comparisons are repeated stratified by site", group="identity",
        paper="2 pediatric neurology centers (Materials and Methods)",
    )
    sex: Sex | None = one_of("Sex", Sex, group="identity")
    birth_date: dt.date | None = date(
        "Date of birth, or a pseudonymised (shifted) date consistent with the study dates", group="identity"
    )
    hlh_type: HLHType | None = one_of(
        "Primary (familial/genetic) or secondary HLH", HLHType, group="etiology",
        paper="Primary HLH: mutations along the perforin-dependent granule exocytosis pathway (Introduction)",
    )
    secondary_etiology: SecondaryEtiology | None = one_of(
        "Trigger of secondary HLH", SecondaryEtiology, group="etiology",
        paper="Secondary cohort: infections 10/17, autoimmune 6/17 (Results, Etiology)",
    )
    secondary_etiology_detail: str | None = text("Free-text detail of the secondary trigger", group="etiology")
    age_at_onset_months: float | None = number(
        "Age at HLH onset", "months", 0, MAX_AGE_MONTHS, group="ages", paper="Median 36 (IQR 5.5-80.8) (Table 1)"
    )
    age_at_cns_presentation_months: float | None = number(
        "Age at presentation of CNS involvement", "months", 0, MAX_AGE_MONTHS, group="ages",
        paper="Median 49.2 (IQR 11-96) (Table 1)",
    )
    cns_timing: CNSTiming | None = one_of(
        "Timing of CNS involvement relative to systemic HLH", CNSTiming, group="ages"
    )
    fever: bool | None = yesno("Fever (HLH-2004 criterion 1)", group="general symptoms")
    max_temperature_c: float | None = number("Highest recorded temperature", "degC", 30, 45, group="general symptoms")
    hepatomegaly: bool | None = yesno("Hepatomegaly", group="general symptoms")
    splenomegaly: bool | None = yesno("Splenomegaly (HLH-2004 criterion 2)", group="general symptoms")
    abdominal_distension: bool | None = yesno("Abdominal distension", group="general symptoms")
    seizures: bool | None = yesno("Seizures", group="neurologic symptoms")
    encephalopathy: bool | None = yesno(
        "Encephalopathy / decreased sensorium", group="neurologic symptoms", paper="'Decreased sensorium' (Table 1)"
    )
    meningismus: bool | None = yesno("Meningismus", group="neurologic symptoms")
    gait_ataxia: bool | None = yesno("Gait ataxia", group="neurologic symptoms")
    hypotonia: bool | None = yesno("Hypotonia", group="neurologic symptoms")
    limb_weakness: bool | None = yesno("Limb weakness", group="neurologic symptoms")
    dysarthria: bool | None = yesno("Dysarthria", group="neurologic symptoms")
    diplopia: bool | None = yesno("Diplopia", group="neurologic symptoms")
    irritability: bool | None = yesno(
        "Irritability", group="neurologic symptoms",
        paper="Mild irritability alone counts as 'minimal symptoms' (Table 1)",
    )
    csf_done: bool | None = yesno("CSF analysed at presentation", group="CSF", paper="50/57 (Table 1)")
    csf_wbc_per_ul: float | None = number(
        "CSF leucocytes", "cells/uL", 0, 100000, group="CSF", paper="Pleocytosis: > 10 leucocytes/uL (Table 1)"
    )
    csf_protein_mg_dl: float | None = number(
        "CSF protein", "mg/dL", 0, 5000, group="CSF", paper="Proteinosis: > 45 mg/dL (Table 1)"
    )
    age_at_labs_days: float | None = number(
        "Age when the HLH-2004 laboratory values were taken (for the < 4 weeks haemoglobin rule)", "days",
        0, 7000, group="HLH-2004",
    )
    hemoglobin_g_l: float | None = number("Haemoglobin", "g/L", 0, 250, group="HLH-2004")
    platelets_10e9_l: float | None = number("Platelets", "10^9/L", 0, 2000, group="HLH-2004")
    neutrophils_10e9_l: float | None = number("Absolute neutrophil count", "10^9/L", 0, 200, group="HLH-2004")
    leukocytes_10e9_l: float | None = number("White cell count (HScore)", "10^9/L", 0, 500, group="HLH-2004")
    triglycerides_mmol_l: float | None = number("Fasting triglycerides", "mmol/L", 0, 100, group="HLH-2004")
    fibrinogen_g_l: float | None = number("Fibrinogen", "g/L", 0, 20, group="HLH-2004")
    ferritin_ug_l: float | None = number("Ferritin", "ug/L", 0, 1000000, group="HLH-2004")
    scd25_u_ml: float | None = number("Soluble CD25 (sIL-2 receptor)", "U/mL", 0, 1000000, group="HLH-2004")
    ast_u_l: float | None = number("Aspartate aminotransferase (HScore)", "U/L", 0, 100000, group="HLH-2004")
    hemophagocytosis: bool | None = yesno(
        "Haemophagocytosis in bone marrow, spleen or lymph nodes", group="HLH-2004"
    )
    nk_activity: NKActivity | None = one_of(
        "NK-cell activity per local laboratory reference", NKActivity, group="HLH-2004"
    )
    known_immunosuppression: bool | None = yesno(
        "Known underlying immunosuppression: HIV or long-term immunosuppressive therapy (HScore)", group="HLH-2004"
    )
    etiologic_workup: WorkupResult | None = one_of(
        "Work-up for other etiologies (infection, demyelination incl. MOG, ...)", WorkupResult, group="work-up",
        paper="Red flag: brainstem or cerebellitis pattern with a negative work-up (Conclusions)",
    )
    genetic_result: GeneticResult | None = one_of(
        "Result of genetic testing for HLH genes", GeneticResult, group="genetics",
        paper="Pathogenic mutation in 31/40 primary HLH (Results, Etiology)",
    )
    mutated_genes: str | None = text(
        "Gene(s) with a pathogenic variant, HGNC symbols separated by ';' (also when variant details are not "
        "available; the variants themselves go in variants)", group="genetics",
        paper="PRF1 14, UNC13D 8 of 31 with a pathogenic mutation; variant details for 25 (Results, Etiology)",
    )
    protein_expression_assay: ExpressionAssay | None = one_of(
        "Protein measured by flow cytometry", ExpressionAssay, group="genetics"
    )
    protein_expression_pct: float | None = number(
        "Protein expression, raw value (% of cells or % of control)", "%", 0, 100, group="genetics",
        paper="Absent (e.g. perforin 0%) vs residual (e.g. 25%, 38%) expression (Table 3)",
    )
    protein_expression_verdict: ExpressionVerdict | None = one_of(
        "Laboratory verdict on protein expression", ExpressionVerdict, group="genetics"
    )
    degranulation_pct: float | None = number(
        "Cytotoxic lymphocyte degranulation (CD107a), raw value", "%", 0, 100, group="genetics"
    )
    degranulation_verdict: DegranulationVerdict | None = one_of(
        "Laboratory verdict on degranulation", DegranulationVerdict, group="genetics"
    )
    hlh_protocol: HLHProtocol | None = one_of(
        "Systemic HLH treatment protocol", HLHProtocol, group="treatment", paper="HLH 1994/2004 35/57 (Table 1)"
    )
    it_methotrexate: bool | None = yesno("Intrathecal methotrexate", group="treatment", paper="17/57 (Table 1)")
    steroids: bool | None = yesno("Corticosteroids", group="treatment")
    hsct: bool | None = yesno(
        "Haematopoietic stem cell transplant", group="treatment", paper="25 (Table 1)"
    )
    died: bool | None = yesno("Died", group="outcome", paper="19/57 (Table 1)")
    death_weeks_after_diagnosis: float | None = number(
        "Time from HLH diagnosis to death", "weeks", 0, 1000, group="outcome",
        paper="Death before 8 weeks 7, after 8 weeks 12 (Table 1)",
    )
    deficit_free: bool | None = yesno(
        "Alive and free of neurologic deficit at last follow-up", group="outcome", paper="Table 2"
    )
    deficit_months_after_diagnosis: float | None = number(
        "Time from HLH diagnosis to the first persistent neurologic deficit (blank when deficit-free, or when the "
        "time is not known)", "months", 0, 240, group="outcome",
        paper="Deficit-free survival by pattern, lower in pattern 1, P = .06 (Results)",
    )
    follow_up_months: float | None = number(
        "Time from HLH diagnosis to last follow-up or death", "months", 0, 240, group="outcome",
        paper="Mean 3.7 years (SD 3.9, range 0-15) (Results)",
    )
    lost_to_follow_up: bool | None = yesno("Lost to follow-up", group="outcome", paper="2 (Table 1)")
    notes: str | None = text("Free-text notes (no identifying information)", group="notes")


class _Compartment:
    """The per-compartment block of the paper's data-collection sheet (Methods), asked once for the
    supratentorial and once for the infratentorial compartment: each method is the field spec of one item."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.group = f"{name} lesions"

    def lesion_number(self) -> Any:
        return one_of(f"{self.name} lesion number", LesionNumber, group=self.group,
                      paper="single, few, multiple (Methods)")

    def lesion_type(self) -> Any:
        return set_of(f"{self.name} lesion type(s)", LesionType, group=self.group,
                      paper="Diffuse >= 2 cm, focal < 2 cm (Lesion Definitions)")

    def wm_level(self) -> Any:
        return set_of(f"{self.name} white-matter level(s) involved", WhiteMatterLevel, group=self.group)

    def t2_signal(self) -> Any:
        return one_of(
            f"{self.name} lesion T2/FLAIR signal", T2Signal, group=self.group,
            paper="Hyperintense: more than normal grey matter; hypointense: equal to or darker (Lesion Definitions)",
        )

    def dwi_restriction(self) -> Any:
        return yesno(f"{self.name} lesions restrict diffusion", group=self.group)

    def enhancement(self) -> Any:
        return yesno(f"{self.name} lesions enhance after contrast", group=self.group)

    def enhancement_pattern(self) -> Any:
        return set_of(
            f"{self.name} enhancement pattern(s)", EnhancementPattern, group=self.group,
            paper="Nodular < 10 mm; homogeneous >= 10 mm; perivascular punctate (< 3 mm) to nodular foci; "
            "ring = enhancing middle rim of a target lesion (Lesion Definitions)",
        )

    def target_lesions(self) -> Any:
        return yesno(f"{self.name} target lesions (trilaminar)", group=self.group,
                     paper="T2-hypointense middle rim between central and peripheral hyperintensity")

    def target_variants(self) -> Any:
        return yesno(f"{self.name} target variants", group=self.group,
                     paper="T2-hypointense central core surrounded by hyperintensity")


_SUPRA = _Compartment("Supratentorial")
_INFRA = _Compartment("Infratentorial")


@dataclass(frozen=True, slots=True)
class Study:
    """One read of one MR study: the paper's structured data-collection sheet (Methods)."""

    study_id: str = ident("Identifier of the MR study (one study may have several reads)", group="identity")
    patient_id: str = ident("Patient the study belongs to (must exist in patients)", group="identity")
    reader: Reader = _spec(
        "Who produced this read: consensus (used for analysis), reader_1, reader_2, adjudicator",
        Kind.ENUM, enum=Reader, required=True, group="identity",
    )
    study_date: dt.date | None = date("Date of the study (or a consistently shifted date)", group="timing")
    age_at_study_months: float | None = number("Age at the study", "months", 0, MAX_AGE_MONTHS, group="timing")
    field_strength_t: float | None = number("Magnet field strength", "T", 0.2, 7.0, group="technique")
    sequences: frozenset[Sequence] | None = set_of("Sequences available", Sequence, group="technique")
    supra_lesion_number: LesionNumber | None = _SUPRA.lesion_number()
    supra_lesion_type: frozenset[LesionType] | None = _SUPRA.lesion_type()
    supra_wm_level: frozenset[WhiteMatterLevel] | None = _SUPRA.wm_level()
    supra_t2_signal: T2Signal | None = _SUPRA.t2_signal()
    supra_dwi_restriction: bool | None = _SUPRA.dwi_restriction()
    supra_enhancement: bool | None = _SUPRA.enhancement()
    supra_enhancement_pattern: frozenset[EnhancementPattern] | None = _SUPRA.enhancement_pattern()
    supra_target_lesions: bool | None = _SUPRA.target_lesions()
    supra_target_variants: bool | None = _SUPRA.target_variants()
    infra_lesion_number: LesionNumber | None = _INFRA.lesion_number()
    infra_lesion_type: frozenset[LesionType] | None = _INFRA.lesion_type()
    infra_wm_level: frozenset[WhiteMatterLevel] | None = _INFRA.wm_level()
    infra_t2_signal: T2Signal | None = _INFRA.t2_signal()
    infra_dwi_restriction: bool | None = _INFRA.dwi_restriction()
    infra_enhancement: bool | None = _INFRA.enhancement()
    infra_enhancement_pattern: frozenset[EnhancementPattern] | None = _INFRA.enhancement_pattern()
    infra_target_lesions: bool | None = _INFRA.target_lesions()
    infra_target_variants: bool | None = _INFRA.target_variants()
    loc_cerebral_wm: bool | None = yesno("Cerebral white-matter lesions", group="locations", paper="Cerebral 77/123 studies")
    loc_cerebellar_wm: bool | None = yesno(
        "Cerebellar lesions (white matter or cortex)", group="locations", paper="Cerebellar 71/123 studies"
    )
    loc_deep_grey: bool | None = yesno(
        "Deep grey nuclei / thalamic lesions", group="locations", paper="35/123 studies, bilateral asymmetric 24/35"
    )
    deep_grey_laterality: Laterality | None = one_of("Laterality of deep grey involvement", Laterality, group="locations")
    loc_midbrain: bool | None = yesno("Midbrain lesions", group="locations", paper="32/34 brainstem studies")
    loc_pons: bool | None = yesno("Pontine lesions", group="locations", paper="Brainstem 34/123, predilection for dorsal pons")
    loc_pons_dorsal: bool | None = yesno("Dorsal pontine involvement", group="locations")
    loc_medulla: bool | None = yesno("Medullary lesions", group="locations", paper="9/34 brainstem studies")
    loc_cranial_nerves: bool | None = yesno(
        "Cranial nerve enhancement", group="locations", paper="Bilateral nodular, multiple nerves, 5 studies"
    )
    loc_optic_nerve: bool | None = yesno("Optic nerve swelling/enhancement", group="locations", paper="1 study")
    loc_cord: bool | None = yesno("Spinal cord lesions", group="locations", paper="Short-segment enhancing, 3 studies")
    loc_cauda_equina: bool | None = yesno("Cauda equina thickening", group="locations", paper="1 study")
    atrophy_cerebral: bool | None = yesno("Cerebral (cortical) atrophy", group="other findings", paper="32/123 with lesions")
    atrophy_cerebellar: bool | None = yesno("Cerebellar atrophy", group="other findings")
    ctt_t2_hyperintensity: bool | None = yesno(
        "Central tegmental tract T2 hyperintensity", group="other findings",
        paper="Isolated in 3 pattern-2 studies",
    )
    nonspecific_findings: bool | None = yesno(
        "Nonspecific findings (e.g. small pons, under-opercularisation, germinal matrix cysts, remote haemosiderin)",
        group="other findings", paper="2 pattern-2 studies",
    )
    nonspecific_findings_text: str | None = text("Description of the nonspecific findings", group="other findings")
    swi_blooming: bool | None = yesno("SWI blooming within lesions", group="other findings", paper="18 studies")
    ventriculomegaly: bool | None = yesno("Ventriculomegaly", group="other findings", paper="19 studies")
    ventriculomegaly_obstructive: bool | None = yesno(
        "Ventriculomegaly is obstructive", group="other findings", paper="3 (cerebellar oedema)"
    )
    cerebellar_diffuse_edema: bool | None = yesno(
        "Diffuse cerebellar swelling / oedema", group="cerebellar swelling",
        paper="Subpattern 1.3: diffuse cerebellar cortical swelling/edema",
    )
    cerebellar_folia_effacement: bool | None = yesno("Diffuse effacement of cerebellar folia", group="cerebellar swelling")
    cp_cistern_effacement: bool | None = yesno("Cerebellopontine cistern effacement", group="cerebellar swelling")
    tonsillar_descent: bool | None = yesno("Tonsillar descent", group="cerebellar swelling", paper="5/6 in subpattern 1.3")
    fourth_ventricle_obstruction: bool | None = yesno(
        "Fourth-ventricle outflow obstruction", group="cerebellar swelling"
    )
    hydrocephalus: bool | None = yesno("Hydrocephalus", group="cerebellar swelling", paper="3/6 in subpattern 1.3")
    pontine_enhancing_lesion_count: int | None = integer(
        "Number of punctate/nodular enhancing pontine lesions", 0, 500, group="brainstem (CLIPPERS)",
        paper="Subpattern 1.2: numerous (> 3) punctate to nodular enhancing pontine lesions",
    )
    pons_dominant_site: bool | None = yesno(
        "The pons is the dominant site of disease", group="brainstem (CLIPPERS)"
    )
    largest_enhancing_nodule_mm: float | None = number(
        "Largest T1-enhancing nodule", "mm", 0, 100, group="brainstem (CLIPPERS)",
        paper="> 3 mm in 5/6 brainstem-predominant patients",
    )
    t2_beyond_enhancement: bool | None = yesno(
        "T2 signal abnormality extends beyond the enhancing nodules", group="brainstem (CLIPPERS)",
        paper="6/6 brainstem-predominant patients",
    )
    pons_symmetric_at_mcp: bool | None = yesno(
        "Pontine involvement symmetric at the middle cerebellar peduncle level", group="brainstem (CLIPPERS)",
        paper="Asymmetric in 4/6",
    )
    mass_effect: bool | None = yesno("Mass effect from the brainstem/cerebellar lesions", group="brainstem (CLIPPERS)")
    notes: str | None = text("Free-text notes of the reader", group="notes")


@dataclass(frozen=True, slots=True)
class Variant:
    """One reported variant of one patient, as written by the laboratory (parsed in ``neurohlh.genetics``)."""

    patient_id: str = ident("Patient carrying the variant (must exist in patients)", group="identity")
    gene: str = ident("HGNC gene symbol, e.g. PRF1, UNC13D, STX11, STXBP2", group="variant")
    hgvs: str = ident(
        "Variant as reported: c. and/or p. description, e.g. 'c.50del (p.Leu17Argfs*34)'", group="variant",
        paper="e.g. c.50del(p.Leu17Argfs*34), recurrent (Genotype Correlations)",
    )
    transcript: str | None = text("Reference transcript, e.g. NM_005041.6", group="variant")
    zygosity: Zygosity | None = one_of("Zygosity as reported", Zygosity, group="variant")
    inheritance_notes: str | None = text("Segregation / inheritance notes", group="variant")


RECORD_TYPES: dict[str, type] = {"patients": Patient, "studies": Study, "variants": Variant}

#: Former column names -> current ones, for the message when an older file uses the former name.
RENAMED_COLUMNS: dict[str, str] = {"centre": "site"}


def field_specs(record_type: type) -> dict[str, FieldSpec]:
    """Column name -> FieldSpec, in file column order."""
    return {f.name: f.metadata["spec"] for f in dataclasses.fields(record_type)}


@functools.cache
def _member_lookups(record_type: type) -> dict[str, tuple[bool, dict[str, StrEnum]]]:
    """Field name -> (is a set-of field, file value -> enum member) for the fields with choices."""
    return {f.name: (f.metadata["spec"].kind is Kind.SET, {m.value: m for m in f.metadata["enum"]})
            for f in dataclasses.fields(record_type) if f.metadata.get("enum") is not None}


def record_column(record_type: type, name: str, values: list[Any]) -> list[Any]:
    """One column of file values (``None`` = unknown) as the records of ``record_type`` hold them.

    A record's choice fields hold enum members (a set-of field, a frozenset of them), as its annotations say;
    the members compare and print as the file's strings (``Sex.MALE == "male"``). A frame that becomes records
    passes each column through here once. Values outside the choices (which the loader never lets through) are
    kept as they are, never changed.

    >>> record_column(Patient, "sex", ["male", None])
    [<Sex.MALE: 'male'>, None]
    >>> record_column(Patient, "age_at_onset_months", [36.0])
    [36.0]
    """
    entry = _member_lookups(record_type).get(name)
    if entry is None:
        return values
    is_set, lookup = entry
    if is_set:
        return [None if v is None else frozenset(lookup.get(x, x) for x in v) for v in values]
    return [None if v is None else lookup.get(v, v) for v in values]


def enum_for(record_type: type, column: str) -> tuple[str, ...]:
    return field_specs(record_type)[column].choices
