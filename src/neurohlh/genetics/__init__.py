"""Genetics: read and classify HLH-gene variants (HGVS and the legacy forms papers use), patient genotypes
and the paper's genotype groups, recurrent variants. See docs/genetics.md."""
from __future__ import annotations

from neurohlh.genetics._consequence import SO_TERMS
from neurohlh.genetics.classify import (
    LOF_POLICY,
    PAPER_POLICY,
    DisruptivePolicy,
    VariantClassification,
    classify_variant,
)
from neurohlh.genetics.genotype import (
    DEFAULT_EXPRESSION_RULE,
    FHL_TYPES,
    GROUPS,
    X_LINKED_GENES,
    Allele,
    ExpressionRule,
    ExpressionStatus,
    Genotype,
    Genotyper,
    expression_status,
    patient_genotype,
)
from neurohlh.genetics.recurrence import (
    ConsequenceTally,
    RecurrentVariant,
    classify_variants,
    consequence_tally,
    recurrent_variants,
)

__all__ = [
    "DEFAULT_EXPRESSION_RULE", "FHL_TYPES", "GROUPS", "LOF_POLICY", "PAPER_POLICY", "SO_TERMS", "X_LINKED_GENES",
    "Allele", "ConsequenceTally", "DisruptivePolicy", "ExpressionRule", "ExpressionStatus", "Genotype", "Genotyper", "RecurrentVariant",
    "VariantClassification", "classify_variant", "classify_variants", "consequence_tally", "expression_status", "patient_genotype",
    "recurrent_variants",
]
