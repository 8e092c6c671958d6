"""The variables the report compares, in the paper's order (Table 2 and the genotype correlations)."""
from __future__ import annotations

from neurohlh.analysis.results import Variable

#: Rows of the paper's Table 2, in its order.
TABLE2_VARIABLES: tuple[Variable, ...] = (
    Variable("age_at_onset_months", "Age at onset (mo)", "continuous"),
    Variable("seizures", "Seizures", "binary", "Symptoms", 1),
    Variable("encephalopathy", "Encephalopathy", "binary", "Symptoms", 1),
    Variable("gait_ataxia", "Gait ataxia", "binary", "Symptoms", 1),
    Variable("limb_weakness", "Limb weakness", "binary", "Symptoms", 1),
    Variable("dysarthria", "Dysarthria", "binary", "Symptoms", 1),
    Variable("diplopia", "Diplopia", "binary", "Symptoms", 1),
    Variable("csf_abnormal", "Abnormal CSF", "binary"),
    Variable("csf_proteinosis", "Proteinosis", "binary", "", 1),
    Variable("csf_pleocytosis", "Pleocytosis", "binary", "", 1),
    Variable("pooled_group", "Pooled mutation group", "binary"),
    Variable("died", "Mortality", "binary"),
    Variable("deficit_free", "Deficit-free at follow-up", "binary"),
)

#: Genotype-correlation comparisons (Genotype Correlations section): onset age by genotype group.
GENOTYPE_AGE = Variable("age_at_onset_months", "Age at onset (mo)", "continuous")

#: Table 2's two groupings: (comparison name, patient column, groups).
TABLE2_GROUPINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("subpatterns", "onset_subpattern", ("1.1", "1.2", "1.3")),
    ("patterns", "pattern", ("1", "2")),
)

#: The genotype correlations' two groupings (columns of the analysis frame made by the pipeline).
GENOTYPE_GROUPINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("purely disruptive", "purely_group", ("purely disruptive", "not purely disruptive")),
    ("pooled vs residual", "pooled_label", ("pooled", "residual-expression missense")),
)

__all__ = ["GENOTYPE_AGE", "GENOTYPE_GROUPINGS", "TABLE2_GROUPINGS", "TABLE2_VARIABLES"]
