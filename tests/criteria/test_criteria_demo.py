"""Cross-check on the bundled synthetic demo cohort against numbers printed in the paper
(Table 1, Results: Etiology and Genotype Correlations)."""
from __future__ import annotations

from collections import Counter

import pytest

from neurohlh.criteria import cns_cohort, csf_abnormal, csf_pleocytosis, csf_proteinosis
from neurohlh.datasets import load_demo_cohort
from neurohlh.genetics import consequence_tally, patient_genotype, recurrent_variants


@pytest.fixture(scope="module")
def demo():
    cohort = load_demo_cohort()
    return cohort, cohort.patient_records(), cohort.study_records(), cohort.variant_records()


def test_csf_counts_and_both_inclusion_rules(demo):
    _, patients, studies, _ = demo
    assert len(patients) == 57
    assert sum(csf_abnormal(p) is not None for p in patients) == 50          # CSF analysed 50/57
    assert sum(csf_abnormal(p) is True for p in patients) == 42              # abnormal 42/50
    assert sum(csf_pleocytosis(p) is True for p in patients) == 25           # pleocytosis 25/50
    assert sum(csf_proteinosis(p) is True for p in patients) == 32           # proteinosis 32/50
    csf = cns_cohort(patients, studies, rule="csf")
    assert (csf.n_involved, len(csf.failing), len(csf.undetermined)) == (42, 8, 7)
    comprehensive = cns_cohort(patients, studies, rule="comprehensive")
    assert (comprehensive.n_involved, comprehensive.failing, comprehensive.undetermined) == (57, (), ())


def test_genotype_groups_match_the_paper(demo):
    cohort, patients, _, variants = demo
    genotypes = {p.patient_id: patient_genotype(p, variants) for p in patients}
    with_data = {k: g for k, g in genotypes.items() if g.alleles}
    assert len(with_data) == 25                                              # variant data for 25 patients
    zyg = Counter(g.zygosity for g in with_data.values())
    assert (zyg["compound_heterozygous"], zyg["homozygous"], zyg["monoallelic"] + zyg["hemizygous"]) == (11, 11, 3)
    pooled = Counter(g.pooled_group for g in with_data.values())
    assert (pooled[True], pooled[False]) == (22, 3)                          # Table 2 pooled row over 25
    onset = {p.patient_id: p.age_at_onset_months for p in patients}
    residual = [k for k, g in with_data.items() if g.group == "residual_expression_missense"]
    assert all(onset[k] is not None and onset[k] > 12 for k in residual)     # all 3 presented > 12 months
    recurrent = recurrent_variants(cohort)
    assert "PRF1:c.50del" in {r.key for r in recurrent}
    # "All recurrent mutations in our cohort belonged to the pooled mutation group"
    assert all(genotypes[pid].pooled_group for r in recurrent for pid in r.patient_ids)


def test_variant_consequences_per_gene_match_the_paper(demo):
    cohort = demo[0]
    tally = consequence_tally(cohort)
    assert tally.fraction("PRF1", "missense_variant") == (12, 17)        # "Missense (12/17, 71%) ... FHLH2"
    assert tally.fraction("UNC13D", "frameshift_variant") == (8, 12)     # "frameshift (8/12, 67%) ... FHLH3"
