"""Deterministic generator of the synthetic demo cohort (57 patients, 123 MR studies, 36 variant rows).

The cohort is **reconstructed from the aggregates published** by Malik et al., "MRI Patterns in Pediatric
CNS Hemophagocytic Lymphohistiocytosis" (AJNR 2021). It is **synthetic**: no row is, or is derived from,
a patient record. Its only purpose is that the toolkit, run on it, reproduces every count the paper prints
(docs/demo-cohort.md lists them, with the paper's internal inconsistencies and the value the demo follows).

How it is built
---------------
* Every published aggregate is a named constant below, with the paper section it comes from.
* Patients are laid out per imaging group (onset subpattern 1.1 / 1.2 / 1.3, pattern 2). Each group is a
  table of members (genotype or etiology, age at onset) and, for every yes/no item, the explicit list of
  member positions that have it. The lists are typed so that each group count equals the paper's cell.
* Ages at onset were chosen (by a one-off search, then frozen here) so that every published median and IQR
  is hit exactly and the Mann-Whitney / Kruskal-Wallis P values come as close to the printed ones as the
  counts allow (achieved values: docs/demo-cohort.md).
* MR studies are laid out per patient (sequence of subpatterns or pattern-2 categories) and the study-level
  findings are allocated with a seeded ``numpy.random.Generator`` where the counts leave freedom.
* Every field the pattern rules read is filled explicitly (yes/no/none): unknown is never used as "no".

Run ``python tools/make_demo_cohort.py [OUT]`` from the repository root (default: the package data folder
``src/neurohlh/data/demo``). Two runs give byte-identical files. This script is a development tool: it is not
part of the installed package, which ships only the files it writes.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from demo_double_reads import double_reads  # tools/demo_double_reads.py, beside this script
from neurohlh.io import write_cohort_csv
from neurohlh.stats import logrank
from neurohlh.schema import MAX_AGE_MONTHS, Patient, Study, Variant, field_specs

SEED = 20211101
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "neurohlh" / "data" / "demo"
GENERATOR_VERSION = "1"

HEADER_COMMENT = f"""SYNTHETIC DATA - NOT PATIENT RECORDS.
neurohlh demo cohort (generator version {GENERATOR_VERSION}): reconstructed from the aggregate counts published in
Malik et al., "MRI Patterns in Pediatric CNS Hemophagocytic Lymphohistiocytosis", AJNR 2021.
Every row is invented so that the toolkit reproduces the paper's published counts; no row describes a real person.
Regenerate with: python -m neurohlh.datasets.generator   (see docs/demo-cohort.md)"""

# ----------------------------------------------------------------------------- published aggregates
# Results, first paragraph / Abstract
N_PATIENTS = 57
N_STUDIES = 123
# Results, Etiology
N_PRIMARY, N_SECONDARY = 40, 17
N_PATHOGENIC = 31
N_WITH_VARIANT_DATA = 25
SECONDARY_INFECTION, SECONDARY_AUTOIMMUNE = 10, 6
# Results, Imaging Pattern Definitions
PATTERN_1_PATIENTS, PATTERN_1_STUDIES = 32, 93
PATTERN_2_PATIENTS, PATTERN_2_STUDIES = 25, 30
PATTERN_2_CATEGORIES = {"normal": 10, "atrophy": 15, "isolated_ctt": 3, "nonspecific": 2}
# Results, Imaging Findings in Pattern 1 (study level, denominators 123 studies)
STUDIES_CEREBRAL, STUDIES_CEREBELLAR, STUDIES_DEEP_GREY = 77, 71, 35
DEEP_GREY_BILATERAL_ASYMMETRIC = 24
STUDIES_BRAINSTEM, BRAINSTEM_MIDBRAIN, BRAINSTEM_MEDULLA = 34, 32, 9
STUDIES_CRANIAL_NERVES, STUDIES_OPTIC_NERVE, STUDIES_CORD, STUDIES_CAUDA_EQUINA = 5, 1, 3, 1
STUDIES_ATROPHY_WITH_LESIONS, STUDIES_SWI_BLOOMING = 32, 18
STUDIES_VENTRICULOMEGALY, VENTRICULOMEGALY_OBSTRUCTIVE = 19, 3
# Enhancement Characteristics: 52% of cerebral (40/77), 60% of cerebellar (43/71 = 60.6%, see docs);
# cerebral diffuse 26% (5/19) and focal 60% (35/58).
CEREBRAL_ENHANCING = 40
CEREBRAL_DIFFUSE, CEREBRAL_DIFFUSE_ENHANCING = 19, 5
CEREBELLAR_ENHANCING = 43
TARGET_SUPRA_STUDIES, TARGET_INFRA_STUDIES = 6, 4

DATE_FIRST_STUDY = dt.date(2010, 1, 1)   # Methods: recruited 2010-2018
DATE_LAST_CNS_PRESENTATION = dt.date(2017, 12, 31)
DATE_LAST_CONTACT = dt.date(2020, 12, 31)  # follow-up and imaging end before publication (2021)

# ----------------------------------------------------------------------------- genotypes (25 patients)
# Variant descriptions: (gene, HGVS as a laboratory writes it). Residual-expression ("hypomorphic") missense
# variants occur once only (Results: all recurrent variants belong to the pooled group); c.50del recurs in
# patterns 2, 1.1 and 1.3; the other recurrent variants occur in pattern 2 only.
V = {
    "PRF1_50del": ("PRF1", "c.50del (p.Leu17Argfs*34)"),
    "PRF1_W374X": ("PRF1", "c.1122G>A (p.Trp374*)"),
    "PRF1_G220S": ("PRF1", "c.658G>A (p.Gly220Ser)"),
    "PRF1_T450M": ("PRF1", "c.1349C>T (p.Thr450Met)"),
    "PRF1_N252S": ("PRF1", "c.755A>G (p.Asn252Ser)"),
    "PRF1_R361W": ("PRF1", "c.1081A>T (p.Arg361Trp)"),
    "PRF1_A148G": ("PRF1", "c.443C>G (p.Ala148Gly)"),
    "PRF1_A91V": ("PRF1", "c.272C>T (p.Ala91Val)"),
    "PRF1_T435M": ("PRF1", "c.1304C>T (p.Thr435Met)"),
    "PRF1_V50M": ("PRF1", "c.148G>A (p.Val50Met)"),
    "PRF1_R356W": ("PRF1", "c.1066C>T (p.Arg356Trp)"),
    "PRF1_G306S": ("PRF1", "c.916G>A (p.Gly306Ser)"),
    "PRF1_Q410K": ("PRF1", "c.1228C>A (p.Gln410Lys)"),
    "PRF1_R28C": ("PRF1", "c.82C>T (p.Arg28Cys)"),
    "UNC13D_2346del": ("UNC13D", "c.2346_2349del (p.Arg782Serfs*12)"),
    "UNC13D_1596del": ("UNC13D", "c.1596_1597del (p.Leu533Glyfs*15)"),
    "UNC13D_R527X": ("UNC13D", "c.1579C>T (p.Arg527*)"),
    "UNC13D_A59P": ("UNC13D", "c.175G>C (p.Ala59Pro)"),
    "UNC13D_753del": ("UNC13D", "c.753_754del (p.Glu252Alafs*27)"),
    "UNC13D_1208del": ("UNC13D", "c.1208_1209del (p.Lys403Argfs*9)"),
    "UNC13D_2782del": ("UNC13D", "c.2782del (p.Leu928Cysfs*33)"),
    "UNC13D_R1065X": ("UNC13D", "c.3193C>T (p.Arg1065*)"),
    "UNC13D_640del": ("UNC13D", "c.640del (p.Ala214Profs*11)"),
    "UNC13D_G863D": ("UNC13D", "c.2588G>A (p.Gly863Asp)"),
    "STX11_369del": ("STX11", "c.369_376del (p.Gln123Hisfs*4)"),
    "STX11_L70P": ("STX11", "c.209T>C (p.Leu70Pro)"),
    "STXBP2_R190C": ("STXBP2", "c.568C>T (p.Arg190Cys)"),
    "STXBP2_P477L": ("STXBP2", "c.1430C>T (p.Pro477Leu)"),
    "STXBP2_G541S": ("STXBP2", "c.1621G>A (p.Gly541Ser)"),
    "SH2D1A_R55X": ("SH2D1A", "c.163C>T (p.Arg55*)"),
    "XIAP_1021del": ("XIAP", "c.1021_1022del (p.Asn341Tyrfs*7)"),
}


@dataclass(frozen=True)
class GenotypeSpec:
    """One genotyped patient: zygosity, variant keys and the protein-expression result."""

    zygosity: str                  # homozygous / compound_heterozygous / hemizygous / monoallelic
    variants: tuple[str, ...]
    assay: str
    expression_pct: float
    verdict: str                   # absent / residual


def _g(zyg: str, variants: tuple[str, ...], assay: str, pct: float = 0.0, verdict: str = "absent") -> GenotypeSpec:
    return GenotypeSpec(zyg, variants, assay, pct, verdict)


HOM, CHET, HEMI, MONO = "homozygous", "compound_heterozygous", "hemizygous", "monoallelic"
# Results, Etiology: 11 homozygous, 11 compound heterozygous, 3 monoallelic/hemizygous; PRF1 17 variant rows
# (12 missense), UNC13D 12 rows (8 frameshift). Keys: H = PRF1 homozygous, C = PRF1 compound het,
# U = UNC13D, O = other genes.
GENOTYPES: dict[str, GenotypeSpec] = {
    "H1": _g(HOM, ("PRF1_50del",), "perforin"),
    "H2": _g(HOM, ("PRF1_W374X",), "perforin"),
    "H3": _g(HOM, ("PRF1_G220S",), "perforin"),
    "H4": _g(HOM, ("PRF1_T450M",), "perforin", 38.0, "residual"),
    "H5": _g(HOM, ("PRF1_N252S",), "perforin"),
    "C1": _g(CHET, ("PRF1_50del", "PRF1_R361W"), "perforin"),
    "C2": _g(CHET, ("PRF1_50del", "PRF1_A148G"), "perforin"),
    "C3": _g(CHET, ("PRF1_A91V", "PRF1_T435M"), "perforin", 25.0, "residual"),
    "C4": _g(CHET, ("PRF1_V50M", "PRF1_R356W"), "perforin", 30.0, "residual"),
    "C5": _g(CHET, ("PRF1_W374X", "PRF1_G306S"), "perforin"),
    "C6": _g(CHET, ("PRF1_Q410K", "PRF1_R28C"), "perforin"),
    "U1": _g(HOM, ("UNC13D_2346del",), "munc13_4"),
    "U2": _g(HOM, ("UNC13D_2346del",), "munc13_4"),
    "U3": _g(HOM, ("UNC13D_1596del",), "munc13_4"),
    "U4": _g(HOM, ("UNC13D_R527X",), "munc13_4"),
    "U5": _g(CHET, ("UNC13D_2346del", "UNC13D_A59P"), "munc13_4"),
    "U6": _g(CHET, ("UNC13D_753del", "UNC13D_1208del"), "munc13_4"),
    "U7": _g(CHET, ("UNC13D_2782del", "UNC13D_R1065X"), "munc13_4"),
    "U8": _g(CHET, ("UNC13D_640del", "UNC13D_G863D"), "munc13_4"),
    "O1": _g(HOM, ("STX11_369del",), "syntaxin_11"),
    "O2": _g(HOM, ("STXBP2_R190C",), "munc18_2"),
    "O3": _g(CHET, ("STXBP2_P477L", "STXBP2_G541S"), "munc18_2"),
    "O4": _g(HEMI, ("SH2D1A_R55X",), "sap"),
    "O5": _g(HEMI, ("XIAP_1021del",), "xiap"),
    "O6": _g(MONO, ("STX11_L70P",), "syntaxin_11"),
}

# ----------------------------------------------------------------------------- patients per imaging group
# Member kinds: a GENOTYPES key; "gene:X" = pathogenic mutation in gene X, variant details not available;
# "primary" = primary HLH without an identified pathogenic mutation; "secondary:<etiology>".
# Ages at onset (months) were frozen after a search (see module docstring).


@dataclass(frozen=True)
class Group:
    """One imaging group: members (kind, age at onset) and the member positions having each item."""

    name: str
    members: tuple[tuple[str, float], ...]
    flags: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def has(self, flag: str, i: int) -> bool:
        return i in self.flags.get(flag, ())


G2 = Group("2", (
    ("H1", 1.5), ("H2", 2.0), ("U2", 3.0), ("U3", 0.8), ("U7", 4.4), ("O1", 2.5), ("H3", 1.0), ("C5", 4.0),
    ("U5", 5.0), ("O6", 2.2), ("U1", 40.0), ("C6", 18.0), ("O2", 22.0),
    ("gene:PRF1", 1.4), ("gene:STXBP2", 5.5), ("gene:RAB27A", 16.0),
    ("primary", 27.1), ("primary", 30.0), ("primary", 36.0),
    ("secondary:infection", 47.7), ("secondary:autoimmune", 53.9), ("secondary:infection", 84.0),
    ("secondary:other", 93.7), ("secondary:infection", 123.5), ("secondary:autoimmune", 147.8),
), {
    # 9 of the 12 'minimal symptoms or clinically silent' patients (Table 1)
    "silent": (0, 3, 5, 9, 13, 14, 16, 19, 22),
    # Table 2, pattern 2 column
    "seizures": (1, 2, 4, 6, 8, 10, 15, 20, 23), "encephalopathy": (1, 7, 11, 17, 21, 24), "gait_ataxia": (),
    "limb_weakness": (12,), "dysarthria": (18,), "diplopia": (),
    "meningismus": (12, 18, 24), "hypotonia": (2, 6, 7, 10, 11, 15),
    "csf_not_done": (4, 12, 17, 21, 24), "csf_both": (0, 1), "csf_pleocytosis_only": (3, 6, 19, 23),
    "csf_proteinosis_only": (5, 8, 9, 11, 13, 14, 16, 18, 22),
    "died": (3, 10, 12, 20, 23), "lost": (24,), "with_deficit": (1, 4, 6, 11, 17, 18, 21),
    "after_systemic": (10, 11, 12, 21, 23, 24), "preceded_systemic": (),
    "two_studies": (0, 7, 13, 16, 22),
})

G11 = Group("1.1", (
    ("C1", 3.5), ("O4", 2.8), ("O5", 10.0), ("H4", 30.0), ("C3", 74.4), ("C4", 100.0),
    ("gene:PRF1", 5.5), ("gene:STX11", 13.9), ("primary", 18.4), ("primary", 24.6), ("primary", 36.0),
    ("secondary:infection", 38.7), ("secondary:autoimmune", 45.4), ("secondary:infection", 50.0),
    ("secondary:infection", 61.0), ("secondary:autoimmune", 61.5), ("secondary:infection", 80.8),
    ("secondary:autoimmune", 80.8), ("secondary:infection", 84.4), ("secondary:autoimmune", 95.3),
    ("secondary:infection", 105.6),
), {
    "silent": (1, 6, 13),
    "seizures": (0, 2, 3, 5, 8, 9, 11, 14, 16, 18, 20),
    "encephalopathy": (0, 4, 7, 10, 12, 14, 15, 17, 18, 19, 20),
    "gait_ataxia": (3, 7, 15, 17, 19), "limb_weakness": (2, 4, 9, 12, 16, 18), "dysarthria": (), "diplopia": (15,),
    "meningismus": (0, 5, 8, 11, 12, 19, 20), "hypotonia": (2, 9, 10, 16),
    "csf_not_done": (19,), "csf_both": (0, 3, 12, 15, 20), "csf_pleocytosis_only": (1, 7, 10, 14, 18),
    "csf_proteinosis_only": (2, 4, 6, 8, 9, 11, 13, 16),
    "died": (0, 2, 5, 11, 12, 14, 15, 18, 20), "lost": (19,), "with_deficit": (7, 10, 17),
    "after_systemic": (3, 4, 5, 9, 15, 16, 18, 20), "preceded_systemic": (),
    "single_study": (0, 2, 7, 10, 11, 12),
})

G12 = Group("1.2", (
    ("U4", 6.5), ("H5", 66.0), ("O3", 90.0), ("primary", 37.1), ("secondary:infection", 167.1),
), {
    "silent": (),
    "seizures": (0, 1, 2, 4), "encephalopathy": (1,), "gait_ataxia": (0, 2, 3), "limb_weakness": (4,),
    "dysarthria": (1, 3), "diplopia": (2, 4), "meningismus": (4,), "hypotonia": (),
    "csf_not_done": (), "csf_both": (0, 1, 2, 4), "csf_pleocytosis_only": (), "csf_proteinosis_only": (),
    "died": (0, 1, 4), "lost": (), "with_deficit": (3,),
    "after_systemic": (0, 1, 4), "preceded_systemic": (2, 3),
})

G13 = Group("1.3", (
    ("U6", 8.0), ("C2", 9.5), ("U8", 120.0), ("gene:PRF1", 77.0), ("primary", 84.0), ("primary", 166.1),
), {
    "silent": (),
    "seizures": (0, 2, 3, 5), "encephalopathy": (1, 2, 4, 5),
    # gait ataxia 4/6, not the printed 3/6: see docs/demo-cohort.md (subpatterns must sum to Table 1's 12)
    "gait_ataxia": (0, 1, 3, 4), "limb_weakness": (5,), "dysarthria": (2,), "diplopia": (2, 5),
    "meningismus": (1, 4), "hypotonia": (0,),
    "csf_not_done": (3,), "csf_both": (0, 1, 2, 4), "csf_pleocytosis_only": (5,), "csf_proteinosis_only": (),
    "died": (2, 5), "lost": (), "with_deficit": (1, 3, 4),
    "after_systemic": (5,), "preceded_systemic": (0, 2, 3, 4),
})

GROUPS = (G11, G12, G13, G2)
# One patient with normal CSF sits exactly on both thresholds (10 cells/uL, 45 mg/dL): the paper's "> 10" and
# "> 45" are strict, so this CSF is normal (a check of the criteria code).
CSF_AT_THRESHOLDS = ("2", 2)
SYMPTOMS = ("seizures", "encephalopathy", "meningismus", "gait_ataxia", "hypotonia", "limb_weakness", "dysarthria",
            "diplopia")

# Patient 47 of the paper (1.1 at onset, brainstem-predominant 1.2 on follow-up, then multifocal again) and
# patient 57 (1.2, cerebellar biopsy before the genetic diagnosis) keep their paper numbers.
PATIENT_47 = ("1.1", 15)
PATIENT_57 = ("1.2", 1)

# Subpattern sequence of the lesional studies of each pattern-1 patient with follow-up imaging
# (Results, Subpatterns in Pattern 1): 2 of 1.2 and 4 of 1.3 evolve into 1.1; 4 of the 6 brainstem patients
# had follow-up imaging and 3/4 developed multifocal white-matter lesions (patient 47 included).
SEQUENCES: dict[tuple[str, int], tuple[str, ...]] = {
    ("1.2", 0): ("1.2", "1.2"),
    ("1.2", 2): ("1.2", "1.1", "1.1"),
    ("1.2", 3): ("1.2", "1.1"),
    ("1.3", 0): ("1.3", "1.1", "1.1"),
    ("1.3", 1): ("1.3", "1.1", "1.1"),
    ("1.3", 2): ("1.3", "1.1", "1.1"),
    ("1.3", 3): ("1.3", "1.3"),           # recurrent cerebellitis
    ("1.3", 4): ("1.3", "1.1", "1.1"),
    ("1.3", 5): ("1.3", "1.3"),           # recurrent cerebellitis
    PATIENT_47: ("1.1", "1.1", "1.2", "1.1"),
}
# Number of (all 1.1) studies of the other 1.1 patients with follow-up: 3 x 5, 10 x 4, 1 x 3 = 58
FOLLOW_UP_STUDY_COUNTS_11 = (5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3)

# After-systemic delays (months from HLH onset to CNS presentation), by (group, position).
AFTER_SYSTEMIC_DELAY = {
    ("2", 10): 9.2, ("2", 11): 78.0, ("2", 12): 14.0, ("2", 21): 12.0, ("2", 23): 6.0, ("2", 24): 9.0,
    ("1.1", 3): 19.2, ("1.1", 4): 21.6, ("1.1", 5): 2.0, ("1.1", 9): 24.6, ("1.1", 15): 6.0, ("1.1", 16): 15.2,
    ("1.1", 18): 11.6, ("1.1", 20): 4.0,
    ("1.2", 0): 6.0, ("1.2", 1): 2.0, ("1.2", 4): 1.0,
    ("1.3", 5): 3.0,
}
# CNS presentation during the systemic illness (with_systemic): delay in months, by (group, position);
# everyone else with systemic disease presents at onset (delay 0).
WITH_SYSTEMIC_DELAY = {
    ("2", 0): 4.6, ("2", 1): 7.5, ("2", 2): 6.0, ("2", 3): 0.0, ("2", 4): 6.6, ("2", 5): 3.5, ("2", 6): 2.5,
    ("2", 7): 7.0, ("2", 8): 7.5, ("2", 9): 2.0, ("2", 13): 1.1, ("2", 14): 5.5, ("2", 15): 3.0, ("2", 16): 4.0,
    ("2", 17): 2.0, ("2", 18): 15.0, ("2", 19): 1.5, ("2", 20): 0.5, ("2", 22): 3.3,
    ("1.1", 0): 0.0, ("1.1", 1): 2.0, ("1.1", 2): 1.0, ("1.1", 6): 5.5, ("1.1", 7): 4.1, ("1.1", 8): 6.6,
    ("1.1", 10): 14.0, ("1.1", 12): 0.0, ("1.1", 13): 2.0, ("1.1", 14): 1.0, ("1.1", 17): 15.2, ("1.1", 19): 3.0,
    ("1.3", 1): 1.0,
}

# Death: weeks from HLH diagnosis (Table 1: 7 before and 12 after 8 weeks); HSCT recipients among the dead
# (Results: 4 from the HSCT group).
DEATH_WEEKS = {
    ("1.1", 0): 2.0, ("1.1", 2): 5.7, ("1.1", 11): 3.1, ("1.1", 12): 7.2, ("2", 3): 0.6, ("2", 20): 4.5,
    ("1.2", 4): 7.6,
    ("2", 10): 88.0, ("2", 12): 75.0, ("2", 23): 30.0, ("1.1", 5): 60.0, ("1.1", 14): 20.0, ("1.1", 15): 130.0,
    ("1.1", 18): 62.0, ("1.1", 20): 44.0, ("1.2", 0): 70.0, ("1.2", 1): 16.0, ("1.3", 2): 150.0,
    ("1.3", 5): 52.0,
}
HSCT_DEAD = {("2", 10), ("1.1", 5), ("1.2", 0), ("1.3", 2)}
NO_HSCT_ALIVE_MUTATION = {("2", 9)}
PROTOCOL_WITHOUT_MUTATION = {("1.1", 15), ("1.1", 8), ("1.3", 4), ("2", 16)}
# Target follow-up (Results): mean 3.7 years (SD 3.9), range 0-15 years.
FOLLOW_UP_MEAN_MONTHS, FOLLOW_UP_SD_MONTHS, FOLLOW_UP_MAX_MONTHS = 44.4, 46.8, 180.0
LONGEST_FOLLOW_UP = ("2", 11)
# Results/Table 2: deficit-free survival lower in pattern 1, P = .06; no contingency test on the printed counts
# gives .06, a log-rank test on follow-up time does (docs/demo-cohort.md)
DEFICIT_FREE_LOGRANK_P = 0.06
# A survivor's first persistent neurologic deficit is dated this fraction of the way from CNS presentation to the
# last follow-up (the paper gives no times; deficits of CNS HLH appear after CNS involvement, not at the last visit)
DEFICIT_FRACTION = 0.3


# ----------------------------------------------------------------------------- helpers


def _pick(rng: np.random.Generator, pool: list[Any], k: int) -> list[Any]:
    """k distinct items of ``pool`` chosen by ``rng``, returned in pool order."""
    if k > len(pool):
        raise ValueError(f"cannot pick {k} of {len(pool)}")
    idx = sorted(rng.choice(len(pool), size=k, replace=False).tolist())
    return [pool[i] for i in idx]


def _months_to_days(months: float) -> int:
    return int(round(months * 30.4375))


@dataclass
class PatientDraft:
    group: str
    pos: int
    kind: str
    onset: float
    row: dict[str, Any] = field(default_factory=dict)
    sequence: tuple[str, ...] = ()
    cns_delay: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        return (self.group, self.pos)

    @property
    def genotype(self) -> GenotypeSpec | None:
        return GENOTYPES.get(self.kind)

    @property
    def mutation_gene(self) -> str | None:
        if self.kind.startswith("gene:"):
            return self.kind.split(":", 1)[1]
        if self.genotype is not None:
            return V[self.genotype.variants[0]][0]
        return None


# ----------------------------------------------------------------------------- patients


def _drafts() -> list[PatientDraft]:
    out = []
    for group in GROUPS:
        for pos, (kind, onset) in enumerate(group.members):
            out.append(PatientDraft(group.name, pos, kind, onset))
    return out


def _group(name: str) -> Group:
    return next(g for g in GROUPS if g.name == name)


def _clinical(d: PatientDraft, rng: np.random.Generator) -> None:
    g = _group(d.group)
    r = d.row
    silent = g.has("silent", d.pos)
    for s in SYMPTOMS:
        r[s] = g.has(s, d.pos)
    if not silent and not any(r[s] for s in SYMPTOMS):
        raise AssertionError(f"{d.key}: symptomatic patient without a symptom")
    if silent and any(r[s] for s in SYMPTOMS):
        raise AssertionError(f"{d.key}: silent patient with a symptom")
    r["irritability"] = bool(silent and d.pos % 2 == 0)
    # CSF
    if g.has("csf_not_done", d.pos):
        r["csf_done"] = False
        r["csf_wbc_per_ul"] = r["csf_protein_mg_dl"] = None
    else:
        r["csf_done"] = True
        pleo = g.has("csf_both", d.pos) or g.has("csf_pleocytosis_only", d.pos)
        prot = g.has("csf_both", d.pos) or g.has("csf_proteinosis_only", d.pos)
        if silent and not (pleo or prot):
            raise AssertionError(f"{d.key}: silent patient needs abnormal CSF")
        r["csf_wbc_per_ul"] = float(rng.choice([12, 15, 18, 24, 32, 45, 60, 85, 120, 210])) if pleo else \
            float(rng.choice([0, 1, 2, 3, 5, 6, 8, 10]))
        r["csf_protein_mg_dl"] = float(rng.choice([48, 52, 58, 66, 74, 88, 105, 130, 160, 240])) if prot else \
            float(rng.choice([18, 22, 25, 28, 31, 35, 39, 42, 45]))
        if d.key == CSF_AT_THRESHOLDS:
            r["csf_wbc_per_ul"], r["csf_protein_mg_dl"] = 10.0, 45.0
    # timing of CNS involvement
    if silent:
        timing = "with_systemic"
    elif g.has("after_systemic", d.pos):
        timing = "after_systemic"
    elif g.has("preceded_systemic", d.pos):
        timing = "preceded_systemic"
    else:
        timing = "with_systemic"
    r["cns_timing"] = timing
    if timing == "after_systemic":
        d.cns_delay = AFTER_SYSTEMIC_DELAY[d.key]
    elif timing == "with_systemic":
        d.cns_delay = WITH_SYSTEMIC_DELAY.get(d.key, 0.0)
    # outcome
    if g.has("lost", d.pos):
        r["lost_to_follow_up"] = True
        r["died"] = None
        # pattern 2: deficit-free 13/25 counts the lost patient (seen deficit-free before being lost),
        # mortality 5/24 does not (Table 2 denominators)
        r["deficit_free"] = True if d.group == "2" else None
    else:
        r["lost_to_follow_up"] = False
        r["died"] = g.has("died", d.pos)
        r["deficit_free"] = not r["died"] and not g.has("with_deficit", d.pos)
    r["death_weeks_after_diagnosis"] = DEATH_WEEKS[d.key] if r["died"] else None
    if r["died"] and d.key not in DEATH_WEEKS:
        raise AssertionError(d.key)


def _etiology(d: PatientDraft, rng: np.random.Generator) -> None:
    r = d.row
    gt = d.genotype
    if d.kind.startswith("secondary:"):
        r["hlh_type"] = "secondary"
        r["secondary_etiology"] = d.kind.split(":", 1)[1]
        r["secondary_etiology_detail"] = {
            "infection": "synthetic: viral trigger (EBV PCR positive)",
            "autoimmune": "synthetic: systemic juvenile idiopathic arthritis",
            "other": "synthetic: metabolic disorder",
        }[r["secondary_etiology"]]
        r["genetic_result"] = "negative" if d.onset < 90 else "not_tested"
    else:
        r["hlh_type"] = "primary"
        if d.kind == "primary":
            r["genetic_result"] = "vus" if d.pos % 2 else "not_tested"
            r["notes"] = "synthetic: primary HLH by family history / absent degranulation, no pathogenic variant"
        else:
            r["genetic_result"] = "pathogenic"
            r["mutated_genes"] = d.mutation_gene
            if d.kind.startswith("gene:"):
                r["notes"] = "synthetic: variant details not available (paper: 6 of 31 mutation-positive patients)"
    if d.key == PATIENT_57:
        r["notes"] = "synthetic: cerebellar biopsy before the genetic diagnosis showed chronic inflammation, " \
            "nonspecific (paper: patient 57)"
    if d.key == PATIENT_47:
        r["notes"] = "synthetic: brainstem-predominant pattern on follow-up after multifocal lesions (paper: patient 47)"
    if gt is not None:
        r["protein_expression_assay"] = gt.assay
        r["protein_expression_pct"] = gt.expression_pct
        r["protein_expression_verdict"] = gt.verdict
        degr = gt.assay in ("munc13_4", "syntaxin_11", "munc18_2")
        r["degranulation_pct"] = (1.0 if gt.verdict == "absent" else 4.0) if degr else None
        r["degranulation_verdict"] = ("absent" if gt.verdict == "absent" else "reduced") if degr else None
    # Results/Discussion: the work-up for other etiologies (infection, demyelination incl. MOG) was negative in
    # every brainstem-predominant (1.2, incl. patient 47) and cerebellitis (1.3) patient
    if d.group in ("1.2", "1.3") or d.key == PATIENT_47:
        r["etiologic_workup"] = "negative"
    else:
        r["etiologic_workup"] = "negative" if d.pos % 3 else "not_done"
    r["nk_activity"] = "low_or_absent" if r["hlh_type"] == "primary" else \
        ("low_or_absent" if rng.random() < 0.5 else "normal")


def _labs(d: PatientDraft, rng: np.random.Generator) -> None:
    """HLH-2004 items: molecular diagnosis, or at least 5 of 8 clinical criteria (met by the labs alone)."""
    r = d.row
    molecular = r["genetic_result"] == "pathogenic"
    r["age_at_labs_days"] = round(d.onset * 30.4375)
    meets = not molecular or rng.random() < 0.6
    r["hemoglobin_g_l"] = float(rng.integers(62, 88)) if meets else float(rng.integers(92, 118))
    r["platelets_10e9_l"] = float(rng.integers(12, 95)) if meets else float(rng.integers(110, 260))
    r["neutrophils_10e9_l"] = round(float(rng.uniform(0.2, 0.95)), 2) if meets else round(float(rng.uniform(1.2, 4)), 2)
    r["leukocytes_10e9_l"] = round(r["neutrophils_10e9_l"] * float(rng.uniform(1.8, 3.0)), 1)
    r["triglycerides_mmol_l"] = round(float(rng.uniform(3.1, 6.5)), 1) if meets else round(float(rng.uniform(1.0, 2.6)), 1)
    r["fibrinogen_g_l"] = round(float(rng.uniform(0.5, 1.4)), 1) if meets else round(float(rng.uniform(1.7, 3.5)), 1)
    r["ferritin_ug_l"] = float(rng.integers(900, 25000)) if meets else float(rng.integers(150, 480))
    r["scd25_u_ml"] = float(rng.integers(2600, 15000)) if meets else float(rng.integers(600, 2200))
    r["ast_u_l"] = float(rng.integers(30, 600))
    r["hemophagocytosis"] = bool(meets)
    r["known_immunosuppression"] = bool(r.get("secondary_etiology") == "autoimmune" and d.pos % 2 == 0)


def _general(drafts: list[PatientDraft], rng: np.random.Generator) -> None:
    """Table 1: fever 45/56, hepato-/splenomegaly 46/56, abdominal distension 14/56 (one patient unknown)."""
    unknown = next(d for d in drafts if d.key == ("2", 5))
    known = [d for d in drafts if d is not unknown]
    fever = set(map(id, _pick(rng, known, 45)))
    hsm = set(map(id, _pick(rng, known, 46)))
    abd = set(map(id, _pick(rng, [d for d in known if id(d) in hsm], 14)))
    for d in drafts:
        r = d.row
        if d is unknown:
            r.update(fever=None, max_temperature_c=None, hepatomegaly=None, splenomegaly=None,
                     abdominal_distension=None)
            continue
        r["fever"] = id(d) in fever
        r["max_temperature_c"] = round(float(rng.uniform(38.5, 40.6)), 1) if r["fever"] else \
            round(float(rng.uniform(36.6, 37.9)), 1)
        if id(d) in hsm:
            kind = rng.integers(0, 3)
            r["hepatomegaly"] = bool(kind != 1)
            r["splenomegaly"] = bool(kind != 0)
        else:
            r["hepatomegaly"] = r["splenomegaly"] = False
        r["abdominal_distension"] = id(d) in abd


def _treatment(drafts: list[PatientDraft], rng: np.random.Generator) -> None:
    """Table 1: HLH-94/2004 35, HSCT 25 (4 of them died), intrathecal methotrexate 17."""
    for d in drafts:
        r = d.row
        protocol = r["genetic_result"] == "pathogenic" or d.key in PROTOCOL_WITHOUT_MUTATION
        r["hlh_protocol"] = ("hlh_2004" if d.pos % 3 else "hlh_94") if protocol else None
        if r["died"]:
            r["hsct"] = d.key in HSCT_DEAD
        else:
            r["hsct"] = bool(protocol and r["genetic_result"] == "pathogenic" and d.key not in NO_HSCT_ALIVE_MUTATION)
    rest = [d for d in drafts if d.row["hlh_protocol"] is None]
    kinds = ["steroids_only"] * 14 + ["other"] * 5 + ["none"] * 3
    if len(rest) != len(kinds):
        raise AssertionError(len(rest))
    # the brainstem-group death outside the protocols received a steroid-based regimen (Results)
    rest.sort(key=lambda d: (d.key != ("1.2", 4), d.group, d.pos))
    for d, k in zip(rest, kinds):
        d.row["hlh_protocol"] = k
    for d in drafts:
        # the cerebellar oedema of every 1.3 child was treated with (and responded to) steroids (Results)
        d.row["steroids"] = d.row["hlh_protocol"] in ("hlh_94", "hlh_2004", "steroids_only") or d.pos % 4 == 0 \
            or d.group in ("1.2", "1.3")
    protocol = [d for d in drafts if d.row["hlh_protocol"] in ("hlh_94", "hlh_2004")]
    for d in drafts:
        d.row["it_methotrexate"] = False
    for d in _pick(rng, protocol, 17):
        d.row["it_methotrexate"] = True


def _cns_ages(drafts: list[PatientDraft]) -> None:
    for d in drafts:
        d.row["age_at_onset_months"] = d.onset
        d.row["age_at_cns_presentation_months"] = round(d.onset + d.cns_delay, 1)


def _follow_up(drafts: list[PatientDraft]) -> None:
    """Follow-up from diagnosis (Results: mean 3.7 years, SD 3.9, range 0-15).

    Deaths end at their time of death; the patient with the longest follow-up has exactly 15 years. Every other
    survivor's follow-up is a fraction of the time left until ``DATE_LAST_CONTACT`` (its *bound*): a long
    fraction for survivors with follow-up imaging and a short one for the others, the two fractions solved
    on a grid so that mean and SD of all 57 values are the published ones (deterministic).
    """
    fixed: dict[int, float] = {}
    free: list[PatientDraft] = []
    for d in drafts:
        if d.row["died"]:
            fixed[id(d)] = round(d.row["death_weeks_after_diagnosis"] / (365.25 / 12 / 7), 1)
        elif d.key == LONGEST_FOLLOW_UP:
            fixed[id(d)] = FOLLOW_UP_MAX_MONTHS
        else:
            free.append(d)
    free.sort(key=lambda d: d.row["_cns_date"])
    bound = np.array([(DATE_LAST_CONTACT - d.row["_onset_date"]).days / 30.4375 for d in free])
    long_ = np.array([len(d.sequence) > 1 for d in free])
    n = len(drafts)
    fixed_vals = np.array(list(fixed.values()))
    best: tuple[float, np.ndarray] | None = None
    for hi in np.arange(0.50, 0.995, 0.005):
        for lo in np.arange(0.01, 0.50, 0.005):
            vals = np.round(bound * np.where(long_, hi, lo), 1)
            total = vals.sum() + fixed_vals.sum()
            sd = np.sqrt(((vals ** 2).sum() + (fixed_vals ** 2).sum() - total ** 2 / n) / (n - 1))
            err = abs(total / n - FOLLOW_UP_MEAN_MONTHS) + abs(sd - FOLLOW_UP_SD_MONTHS)
            if best is None or err < best[0]:
                best = (err, vals)
    assert best is not None
    for d, v in zip(free, best[1]):
        fixed[id(d)] = max(float(v), 0.5)
    _tune_deficit_free_logrank(drafts, free, bound, fixed)
    for d in drafts:
        d.row["follow_up_months"] = fixed[id(d)]
        d.row["deficit_months_after_diagnosis"] = deficit_time(d, fixed[id(d)]) if _alive_with_deficit(d) else None
        d.row["_last_contact"] = d.row["_onset_date"] + dt.timedelta(days=_months_to_days(fixed[id(d)]))
        if d.row["_last_contact"] > DATE_LAST_CONTACT:
            raise AssertionError(f"{d.key}: follow-up ends after {DATE_LAST_CONTACT}")


def _alive_with_deficit(d: PatientDraft) -> bool:
    return d.row["died"] is False and d.row["deficit_free"] is False


def deficit_time(d: PatientDraft, follow_up: float) -> float:
    """Months from diagnosis to the first persistent deficit of a survivor with a deficit (``DEFICIT_FRACTION``)."""
    return round(d.cns_delay + DEFICIT_FRACTION * (follow_up - d.cns_delay), 1)


def _tune_deficit_free_logrank(drafts: list[PatientDraft], free: list[PatientDraft], bound: np.ndarray,
                               fu: dict[int, float]) -> None:
    """Swap follow-up times between survivors (each within its bound and leaving time for its studies) until the
    log-rank test of deficit-free survival by pattern gives the paper's P = .06 (Results: "lower deficit-free
    survival ... P value = .06"). The event is death or the first deficit (dated by :func:`deficit_time`), as the
    toolkit's deficit-free endpoint reads it. Swaps keep the mean, SD and range of follow-up. Greedy and
    deterministic."""
    known = [d for d in drafts if d.row["deficit_free"] is not None]
    event = np.array([not d.row["deficit_free"] for d in known])
    group = np.array([d.group == "2" for d in known])
    where = {id(d): i for i, d in enumerate(known)}

    def p_value() -> float:
        times = [deficit_time(d, fu[id(d)]) if _alive_with_deficit(d) else fu[id(d)] for d in known]
        return logrank(np.array(times), event, group).pvalue

    def feasible(i: int, value: float) -> bool:
        """Within the time left before the last contact, with at least a month per follow-up study."""
        d = free[i]
        return value <= bound[i] and (len(d.sequence) == 1 or value - d.cns_delay >= len(d.sequence))

    def distance(p: float) -> float:
        return abs(np.log(p / DEFICIT_FREE_LOGRANK_P))

    current = distance(p_value())
    for _ in range(200):
        best_pair, best = None, current
        for i in range(len(free)):
            for j in range(i + 1, len(free)):
                a, b = free[i], free[j]
                if id(a) not in where or id(b) not in where:
                    continue
                va, vb = fu[id(a)], fu[id(b)]
                if va == vb or not (feasible(i, vb) and feasible(j, va)):
                    continue
                fu[id(a)], fu[id(b)] = vb, va
                score = distance(p_value())
                fu[id(a)], fu[id(b)] = va, vb
                if score < best - 1e-12:
                    best_pair, best = (a, b), score
        if best_pair is None or current < 0.02:
            break
        a, b = best_pair
        fu[id(a)], fu[id(b)] = fu[id(b)], fu[id(a)]
        current = best


# ----------------------------------------------------------------------------- studies


@dataclass
class StudyDraft:
    patient: PatientDraft
    index: int
    label: str          # "1.1" / "1.2" / "1.3" / pattern-2 category
    offset_days: int = 0
    row: dict[str, Any] = field(default_factory=dict)

    @property
    def lesional(self) -> bool:
        return self.label in ("1.1", "1.2", "1.3")


def _sequences(drafts: list[PatientDraft]) -> None:
    counts = iter(FOLLOW_UP_STUDY_COUNTS_11)
    for d in drafts:
        if d.key in SEQUENCES:
            d.sequence = SEQUENCES[d.key]
        elif d.group == "1.1":
            d.sequence = ("1.1",) * (1 if _group("1.1").has("single_study", d.pos) else next(counts))
        elif d.group == "1.2":
            d.sequence = ("1.2",)
        elif d.group == "2":
            d.sequence = ("p2",) * (2 if _group("2").has("two_studies", d.pos) else 1)
    if next(counts, None) is not None:
        raise AssertionError("unused study counts")


def _study_offsets(d: PatientDraft) -> list[int]:
    """Days from CNS presentation to each study: evenly spread before death or the last contact."""
    n = len(d.sequence)
    delay_days = _months_to_days(d.cns_delay)
    if d.row["died"] and d.row["death_weeks_after_diagnosis"] * 7 <= delay_days:
        raise AssertionError(f"{d.key}: death before CNS presentation")
    if n == 1:
        return [0]
    if d.row["died"]:
        horizon = int(d.row["death_weeks_after_diagnosis"] * 7) - delay_days - 1
    else:
        horizon = (d.row["_last_contact"] - d.row["_cns_date"]).days
    # every study while the patient is paediatric (ages above MAX_AGE_MONTHS are entry errors)
    horizon = min(horizon, _months_to_days(MAX_AGE_MONTHS - 1 - d.row["age_at_cns_presentation_months"]))
    if horizon < 7 * n:
        raise AssertionError(f"{d.key}: no time for {n} studies")
    return [int(horizon * 0.9 * k / (n - 1)) for k in range(n)]


def _p2_categories(drafts: list[PatientDraft], rng: np.random.Generator) -> None:
    slots = [(d, k) for d in drafts if d.group == "2" for k in range(len(d.sequence))]
    labels = [c for c, n in PATTERN_2_CATEGORIES.items() for _ in range(n)]
    if len(slots) != len(labels):
        raise AssertionError((len(slots), len(labels)))
    # categories in a seeded order over the 30 studies (5 patients have two)
    order = rng.permutation(len(labels)).tolist()
    shuffled = [labels[i] for i in order]
    for (d, k), lab in zip(slots, shuffled):
        seq = list(d.sequence)
        seq[k] = lab
        d.sequence = tuple(seq)


def _blank_study() -> dict[str, Any]:
    return {name: None for name in field_specs(Study)}


def _no_lesion_fields(r: dict[str, Any]) -> None:
    for prefix in ("supra", "infra"):
        r[f"{prefix}_lesion_number"] = "none"
        r[f"{prefix}_dwi_restriction"] = False
        r[f"{prefix}_enhancement"] = False
        r[f"{prefix}_target_lesions"] = False
        r[f"{prefix}_target_variants"] = False
    for name in ("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons",
                 "loc_pons_dorsal", "loc_medulla", "loc_cranial_nerves", "loc_optic_nerve", "loc_cord",
                 "loc_cauda_equina", "atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity",
                 "nonspecific_findings", "swi_blooming", "ventriculomegaly", "ventriculomegaly_obstructive",
                 "cerebellar_diffuse_edema", "cerebellar_folia_effacement", "cp_cistern_effacement",
                 "tonsillar_descent", "fourth_ventricle_obstruction", "hydrocephalus", "pons_dominant_site",
                 "mass_effect"):
        r[name] = False
    r["pontine_enhancing_lesion_count"] = 0


def _study_rows(drafts: list[PatientDraft], rng: np.random.Generator) -> list[StudyDraft]:
    studies: list[StudyDraft] = []
    for d in drafts:
        for k, (label, off) in enumerate(zip(d.sequence, _study_offsets(d))):
            s = StudyDraft(d, k, label, off)
            s.row = _blank_study()
            _no_lesion_fields(s.row)
            studies.append(s)
    lesional = [s for s in studies if s.lesional]
    p2 = [s for s in studies if not s.lesional]
    if len(studies) != N_STUDIES or len(lesional) != PATTERN_1_STUDIES:
        raise AssertionError((len(studies), len(lesional)))
    _pattern_2_findings(p2)
    _lesional_findings(lesional, rng)
    return studies


def _pattern_2_findings(p2: list[StudyDraft]) -> None:
    texts = ["synthetic: small pons and under-opercularisation", "synthetic: germinal matrix cysts and "
             "periventricular haemosiderin staining from a remote perinatal event"]
    n_nonspecific = 0
    for s in p2:
        r = s.row
        if s.label == "atrophy":
            r["atrophy_cerebral"] = True
            r["atrophy_cerebellar"] = s.patient.pos % 3 == 0
        elif s.label == "isolated_ctt":
            r["ctt_t2_hyperintensity"] = True
        elif s.label == "nonspecific":
            r["nonspecific_findings"] = True
            r["nonspecific_findings_text"] = texts[n_nonspecific]
            n_nonspecific += 1


def _lesional_findings(studies: list[StudyDraft], rng: np.random.Generator) -> None:
    by = {lab: [s for s in studies if s.label == lab] for lab in ("1.1", "1.2", "1.3")}
    s11, s12, s13 = by["1.1"], by["1.2"], by["1.3"]
    onset13 = [s for s in s13 if s.index == 0]
    recurrent13 = [s for s in s13 if s.index > 0]
    # ---- cerebral / cerebellar (77 / 71): who has no cerebral lesion
    cerebral_13 = [s for s in onset13 if s.patient.pos in (2, 5)]      # 2 cerebellitis children with WM lesions
    no_cerebral = [s for s in onset13 if s not in cerebral_13] + recurrent13
    s12_brainstem_only = _pick(rng, s12, 4)
    no_cerebral += s12_brainstem_only
    cerebellar_only_11 = _pick(rng, s11, len(studies) - STUDIES_CEREBRAL - len(no_cerebral))
    no_cerebral += cerebellar_only_11
    cerebral = [s for s in studies if s not in no_cerebral]
    assert len(cerebral) == STUDIES_CEREBRAL
    cerebellar = set(map(id, s13 + cerebellar_only_11 + _pick(rng, [s for s in s12 if s not in s12_brainstem_only], 3)))
    rest11 = [s for s in s11 if s not in cerebellar_only_11]
    need = STUDIES_CEREBELLAR - len(cerebellar)
    cerebellar |= set(map(id, _pick(rng, rest11, need)))
    for s in studies:
        s.row["loc_cerebral_wm"] = s in cerebral
        s.row["loc_cerebellar_wm"] = id(s) in cerebellar
    # ---- brainstem 34 = all 1.2 studies + 27 others; midbrain 32, medulla 9
    others = [s for s in studies if s.label != "1.2"]
    brainstem = s12 + _pick(rng, others, STUDIES_BRAINSTEM - len(s12))
    no_midbrain = set(map(id, _pick(rng, [s for s in brainstem if s.label != "1.2"], len(brainstem) - BRAINSTEM_MIDBRAIN)))
    medulla = set(map(id, s12[:3] + _pick(rng, [s for s in brainstem if s not in s12[:3]], BRAINSTEM_MEDULLA - 3)))
    for j, s in enumerate(brainstem):
        r = s.row
        r["loc_pons"] = True
        r["loc_pons_dorsal"] = j % 6 != 5
        r["loc_midbrain"] = id(s) not in no_midbrain
        r["loc_medulla"] = id(s) in medulla
        if s.label == "1.2":
            r["pons_dominant_site"] = True
            r["pontine_enhancing_lesion_count"] = int(rng.integers(5, 21))
        else:
            r["pons_dominant_site"] = False
            r["pontine_enhancing_lesion_count"] = int(rng.integers(0, 4))
    # ---- deep grey 35 (within studies with cerebral lesions); laterality 24 / 8 / 3
    deep = _pick(rng, cerebral, STUDIES_DEEP_GREY)
    lat = ["bilateral_asymmetric"] * DEEP_GREY_BILATERAL_ASYMMETRIC + ["bilateral_symmetric"] * 8 + ["unilateral"] * 3
    lat = [lat[i] for i in rng.permutation(len(lat))]
    for s, la in zip(deep, lat):
        s.row["loc_deep_grey"] = True
        s.row["deep_grey_laterality"] = la
    # ---- compartments: number, type, level, signal
    cer_diffuse = set(map(id, _pick(rng, cerebral, CEREBRAL_DIFFUSE)))
    cer_enh = set(map(id, _pick(rng, [s for s in cerebral if id(s) in cer_diffuse], CEREBRAL_DIFFUSE_ENHANCING)
                      + _pick(rng, [s for s in cerebral if id(s) not in cer_diffuse],
                              CEREBRAL_ENHANCING - CEREBRAL_DIFFUSE_ENHANCING)))
    numbers = ["single", "few", "multiple"]
    for s in cerebral:
        r = s.row
        r["supra_lesion_number"] = numbers[int(rng.choice(3, p=[0.1, 0.3, 0.6]))]
        r["supra_lesion_type"] = frozenset({"diffuse"}) if id(s) in cer_diffuse else frozenset({"focal"})
        levels = ["subcortical", "deep", "periventricular"]
        r["supra_wm_level"] = frozenset(_pick(rng, levels, int(rng.integers(1, 4))))
        r["supra_t2_signal"] = "hyperintense"
        r["supra_dwi_restriction"] = bool(rng.random() < 0.3)
        r["supra_enhancement"] = id(s) in cer_enh
        if r["supra_enhancement"]:
            r["supra_enhancement_pattern"] = frozenset({"perivascular"}) if id(s) in cer_diffuse else \
                frozenset({"nodular" if rng.random() < 0.6 else "homogeneous"})
    infra = [s for s in studies if s.row["loc_cerebellar_wm"] or s.row["loc_pons"] or s.label == "1.3"]
    cbl = [s for s in studies if s.row["loc_cerebellar_wm"]]
    cbl_enh = set(map(id, _pick(rng, cbl, CEREBELLAR_ENHANCING)))
    for s in infra:
        r = s.row
        r["infra_lesion_number"] = "single" if s.label == "1.3" else numbers[int(rng.choice(3, p=[0.2, 0.4, 0.4]))]
        r["infra_lesion_type"] = frozenset({"diffuse"}) if s.label == "1.3" or rng.random() < 0.35 \
            else frozenset({"focal"})
        r["infra_t2_signal"] = "hyperintense"
        r["infra_dwi_restriction"] = bool(rng.random() < 0.25)
        if s.row["loc_cerebellar_wm"]:
            r["infra_enhancement"] = id(s) in cbl_enh
        else:   # brainstem-only: enhancing pontine lesions when counted
            r["infra_enhancement"] = r["pontine_enhancing_lesion_count"] > 0
        if r["infra_enhancement"]:
            r["infra_enhancement_pattern"] = frozenset({"nodular", "perivascular"}) if s.label == "1.2" else \
                frozenset({"perivascular" if "diffuse" in r["infra_lesion_type"] else "nodular"})
    for s in s12:   # 1.2 needs enhancing pontine lesions
        s.row["infra_enhancement"] = True
        s.row["infra_enhancement_pattern"] = frozenset({"nodular", "perivascular"})
    # ---- target lesions / variants: 6 supratentorial, 4 infratentorial studies, never restricting diffusion
    for s in _pick(rng, [s for s in cerebral if s.label == "1.1"], TARGET_SUPRA_STUDIES):
        s.row["supra_target_lesions" if rng.random() < 0.5 else "supra_target_variants"] = True
        s.row["supra_t2_signal"] = "mixed"
        s.row["supra_dwi_restriction"] = False
    for s in _pick(rng, [s for s in infra if s.label == "1.1"], TARGET_INFRA_STUDIES):
        s.row["infra_target_lesions" if rng.random() < 0.5 else "infra_target_variants"] = True
        s.row["infra_t2_signal"] = "mixed"
        s.row["infra_dwi_restriction"] = False
    # ---- cranial nerves, optic nerve, cord, cauda equina (in multifocal studies)
    pool = [s for s in s11 if s.row["loc_cerebral_wm"]]
    extra = _pick(rng, pool, STUDIES_CRANIAL_NERVES + STUDIES_OPTIC_NERVE + STUDIES_CORD)
    for s in extra[:STUDIES_CRANIAL_NERVES]:
        s.row["loc_cranial_nerves"] = True
    extra[STUDIES_CRANIAL_NERVES].row["loc_optic_nerve"] = True
    cord = extra[STUDIES_CRANIAL_NERVES + 1:]
    for s in cord:
        s.row["loc_cord"] = True
    cord[0].row["loc_cauda_equina"] = True
    # ---- atrophy with lesions 32 (follow-up studies), SWI blooming 18
    followups = [s for s in studies if s.index > 0 and s.label != "1.3"]
    atrophy = _pick(rng, followups, STUDIES_ATROPHY_WITH_LESIONS)
    for s in atrophy:
        s.row["atrophy_cerebral"] = True
        s.row["atrophy_cerebellar"] = bool(rng.random() < 0.3)
    for s in _pick(rng, cerebral, STUDIES_SWI_BLOOMING):
        s.row["swi_blooming"] = True
    # ---- 1.3 onset: diffuse swelling with mass effect (tonsillar descent 5/6, hydrocephalus 3/6)
    for j, s in enumerate(sorted(onset13, key=lambda s: s.patient.pos)):
        r = s.row
        r.update(cerebellar_diffuse_edema=True, cerebellar_folia_effacement=True, cp_cistern_effacement=j != 1,
                 tonsillar_descent=j != 4, hydrocephalus=j in (0, 2, 3), fourth_ventricle_obstruction=j in (0, 2, 3),
                 mass_effect=j != 4)
        r["ventriculomegaly"] = r["ventriculomegaly_obstructive"] = r["hydrocephalus"]
    for s in recurrent13:
        s.row.update(cerebellar_diffuse_edema=True, cerebellar_folia_effacement=True, cp_cistern_effacement=False)
    # ventriculomegaly 19, of which the 3 obstructive ones above; the rest with atrophy (ex vacuo)
    for s in _pick(rng, atrophy, STUDIES_VENTRICULOMEGALY - VENTRICULOMEGALY_OBSTRUCTIVE):
        s.row["ventriculomegaly"] = True
    # ---- 1.2: CLIPPERS radiologic items on the first brainstem-predominant study of each of the 6 patients
    first12 = []
    for s in s12:
        if not any(t.patient is s.patient and t.index < s.index for t in s12):
            first12.append(s)
    first12.sort(key=lambda s: (s.patient.group, s.patient.pos))
    for j, s in enumerate(first12):
        r = s.row
        r["t2_beyond_enhancement"] = True                           # 6/6
        r["largest_enhancing_nodule_mm"] = 2.5 if j == 3 else float(4 + j)   # > 3 mm in 5/6
        r["pons_symmetric_at_mcp"] = j in (1, 4)                    # asymmetric in 4/6
        r["mass_effect"] = False
    for s in s12:
        if s not in first12:
            s.row.update(t2_beyond_enhancement=True, largest_enhancing_nodule_mm=4.0, pons_symmetric_at_mcp=False)
    # ---- sequences and field strength
    for s in studies:
        seq = ["t1", "t2", "flair", "dwi", "t1_postcontrast"]
        if s.row["swi_blooming"] or rng.random() < 0.4:
            seq.append("swi")
        s.row["sequences"] = frozenset(seq)


def _finish_studies(studies: list[StudyDraft]) -> None:
    for s in studies:
        r = s.row
        if "sequences" not in r or r["sequences"] is None:
            r["sequences"] = frozenset(["t1", "t2", "flair", "dwi", "t1_postcontrast"])
        d = s.patient
        cns_date = d.row["_cns_date"]
        date = cns_date + dt.timedelta(days=s.offset_days)
        r["study_date"] = date
        r["age_at_study_months"] = round((date - d.row["birth_date"]).days / 30.4375, 1)
        r["patient_id"] = d.row["patient_id"]
        r["reader"] = "consensus"
        r["field_strength_t"] = 3.0 if d.row["site"] == "B" else 1.5
    studies.sort(key=lambda s: (s.patient.row["patient_id"], s.row["study_date"]))
    per_patient: dict[str, int] = {}
    for s in studies:
        pid = s.patient.row["patient_id"]
        per_patient[pid] = per_patient.get(pid, 0) + 1
        s.row["study_id"] = f"{pid}-MR{per_patient[pid]}"


def _identities(drafts: list[PatientDraft], rng: np.random.Generator) -> None:
    """Pseudonymous ids (patients 47 and 57 keep the paper's numbers), sex 34:23, dates."""
    fixed = {PATIENT_47: 47, PATIENT_57: 57}
    numbers = [n for n in range(1, N_PATIENTS + 1) if n not in fixed.values()]
    others = [d for d in drafts if d.key not in fixed]
    perm = rng.permutation(len(numbers)).tolist()
    for d, i in zip(others, perm):
        d.row["patient_id"] = f"SYN{numbers[i]:02d}"
    for d in drafts:
        if d.key in fixed:
            d.row["patient_id"] = f"SYN{fixed[d.key]:02d}"
    male_forced = [d for d in drafts if d.genotype is not None and d.genotype.zygosity == HEMI]
    rest = [d for d in drafts if d not in male_forced]
    males = set(map(id, male_forced + _pick(rng, rest, 34 - len(male_forced))))
    for d in drafts:
        d.row["sex"] = "male" if id(d) in males else "female"
        d.row["site"] = "A" if rng.random() < 0.55 else "B"
    # CNS presentation dates spread evenly over 2010-2017 in a seeded order; the patient with the longest
    # follow-up (diagnosed before 2010, CNS relapse later) comes first
    order = [drafts[i] for i in rng.permutation(len(drafts))]
    order.sort(key=lambda d: d.key != LONGEST_FOLLOW_UP)
    span = (DATE_LAST_CNS_PRESENTATION - DATE_FIRST_STUDY).days
    for rank, d in enumerate(order):
        cns_date = DATE_FIRST_STUDY + dt.timedelta(days=int(span * rank / (len(drafts) - 1)))
        onset_date = cns_date - dt.timedelta(days=_months_to_days(d.cns_delay))
        d.row["_cns_date"] = cns_date
        d.row["_onset_date"] = onset_date
        d.row["birth_date"] = onset_date - dt.timedelta(days=_months_to_days(d.onset))


def _variant_rows(drafts: list[PatientDraft]) -> list[dict[str, Any]]:
    rows = []
    for d in sorted(drafts, key=lambda d: d.row["patient_id"]):
        gt = d.genotype
        if gt is None:
            continue
        for key in gt.variants:
            gene, hgvs = V[key]
            zyg = {HOM: "homozygous", CHET: "heterozygous", HEMI: "hemizygous", MONO: "heterozygous"}[gt.zygosity]
            note = {HOM: "synthetic: parents heterozygous carriers", CHET: "synthetic: alleles in trans",
                    HEMI: "synthetic: X-linked, mother carrier", MONO: "synthetic: second allele not identified"}[
                gt.zygosity]
            rows.append({"patient_id": d.row["patient_id"], "gene": gene, "hgvs": hgvs, "transcript": None,
                         "zygosity": zyg, "inheritance_notes": note})
    return rows


# ----------------------------------------------------------------------------- entry points


def _self_check(drafts: list[PatientDraft]) -> None:
    """The layout adds up to the published totals (the full check runs the toolkit: tests/datasets)."""
    rows = [d.row for d in drafts]
    checks = {
        "primary": (sum(r["hlh_type"] == "primary" for r in rows), N_PRIMARY),
        "secondary": (sum(r["hlh_type"] == "secondary" for r in rows), N_SECONDARY),
        "infection": (sum(r.get("secondary_etiology") == "infection" for r in rows), SECONDARY_INFECTION),
        "autoimmune": (sum(r.get("secondary_etiology") == "autoimmune" for r in rows), SECONDARY_AUTOIMMUNE),
        "pathogenic": (sum(r["genetic_result"] == "pathogenic" for r in rows), N_PATHOGENIC),
        "genotyped": (sum(d.genotype is not None for d in drafts), N_WITH_VARIANT_DATA),
        "pattern 1": (sum(d.group != "2" for d in drafts), PATTERN_1_PATIENTS),
        "pattern 2": (sum(d.group == "2" for d in drafts), PATTERN_2_PATIENTS),
        "pattern-2 studies": (sum(len(d.sequence) for d in drafts if d.group == "2"), PATTERN_2_STUDIES),
    }
    wrong = {k: v for k, v in checks.items() if v[0] != v[1]}
    if wrong:
        raise AssertionError(f"layout does not add up: {wrong}")


def build_frames(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The demo cohort as frames (columns = schema fields), fully determined by ``seed``."""
    rng = np.random.default_rng(seed)
    drafts = _drafts()
    if len(drafts) != N_PATIENTS:
        raise AssertionError(len(drafts))
    for d in drafts:
        _clinical(d, rng)
        _etiology(d, rng)
        _labs(d, rng)
    _general(drafts, rng)
    _treatment(drafts, rng)
    _cns_ages(drafts)
    _identities(drafts, rng)
    _sequences(drafts)
    _p2_categories(drafts, rng)
    _follow_up(drafts)
    studies = _study_rows(drafts, rng)
    _finish_studies(studies)
    _self_check(drafts)
    patient_cols = list(field_specs(Patient))
    patients = pd.DataFrame([{c: d.row.get(c) for c in patient_cols}
                             for d in sorted(drafts, key=lambda d: d.row["patient_id"])], columns=patient_cols)
    study_cols = list(field_specs(Study))
    study_frame = pd.DataFrame([{c: s.row.get(c) for c in study_cols} for s in studies], columns=study_cols)
    # every read of a patient together (consensus, reader 1, reader 2, adjudicator), as a REDCap record holds them
    reads = pd.concat([study_frame, double_reads(study_frame)], ignore_index=True)
    order = {pid: i for i, pid in enumerate(dict.fromkeys(study_frame["patient_id"]))}
    study_frame = reads.iloc[reads["patient_id"].map(order).argsort(kind="stable")].reset_index(drop=True)
    variant_cols = list(field_specs(Variant))
    variants = pd.DataFrame(_variant_rows(drafts), columns=variant_cols)
    return {"patients": patients.astype(object), "studies": study_frame.astype(object),
            "variants": variants.astype(object)}


def write_demo_cohort(out: str | Path = DEFAULT_OUT, seed: int = SEED) -> Path:
    """Generate the demo cohort and write it (patients.csv, studies.csv, variants.csv) to ``out``."""
    out = Path(out)
    write_cohort_csv(build_frames(seed), out, header_comment=HEADER_COMMENT)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python tools/make_demo_cohort.py [OUT_FOLDER]")
        return 0 if args and args[0] in ("-h", "--help") else 2
    path = write_demo_cohort(args[0] if args else DEFAULT_OUT)
    print(f"wrote synthetic demo cohort to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
