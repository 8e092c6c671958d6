"""Genotype zygosity, FHL type, expression status and the paper's genotype groups.

Expected groups come from the paper's definitions (Genotype Correlations) and the labels the paper itself
gives the literature cases of its Table 3 (synthetic patient ids; the variants are published ones)."""
from __future__ import annotations

from collections import Counter

import pytest

from neurohlh.genetics import (
    LOF_POLICY,
    PAPER_POLICY,
    ExpressionRule,
    expression_status,
    patient_genotype,
)
from neurohlh.schema import Patient, Variant


def _genotype(variants, pid="S1", policy=PAPER_POLICY, rule=ExpressionRule(), **patient):
    """The genotype, checked to be the same when the variants come already classified (the cohort path)."""
    from neurohlh.genetics import classify_variant

    rows = [Variant(pid, gene, text, zygosity=zyg) for gene, text, zyg in variants]
    person = Patient(patient_id=pid, **patient)
    g = patient_genotype(person, rows, policy=policy, expression_rule=rule)
    known = [classify_variant(v.hgvs, gene=v.gene, policy=policy) for v in rows]
    assert patient_genotype(person, rows, policy=policy, expression_rule=rule, classified=known) == g
    return g


def test_classifications_must_match_the_variants():
    from neurohlh import InputError

    rows = [Variant("S1", "PRF1", "c.50del")]
    with pytest.raises(InputError, match="0 classifications were given for 1 variants"):
        patient_genotype(Patient(patient_id="S1"), rows, classified=[])


def test_recurrent_variants_use_the_classifications_given():
    # two patients with PRF1 c.50del: one recurrent variant, keyed on its c. description, whether the variants
    # are classified here or given classified
    from neurohlh.genetics import classify_variant, recurrent_variants

    rows = [Variant("A", "PRF1", "c.50delT (p.L17fs)"), Variant("B", "PRF1", "c.50del(p.Leu17Argfs*34)")]
    known = [classify_variant(v.hgvs, gene=v.gene) for v in rows]
    found = recurrent_variants(rows, classified=known)
    assert [(r.key, r.patient_ids) for r in found] == [("PRF1:c.50del", ("A", "B"))]
    assert found == recurrent_variants(rows)


# --- Table 3 literature cases, labelled by the paper ------------------------------------------------------
def test_benson_missense_with_absent_perforin_is_pooled_not_purely_disruptive():
    g = _genotype([("PRF1", "c.452A>T (p.H151L)", "heterozygous"), ("PRF1", "c.666C>A (H222Q)", "heterozygous")],
                  protein_expression_pct=0.0, protein_expression_assay="perforin")
    assert (g.zygosity, g.fhl_type, g.group, g.pooled_group, g.purely_disruptive) == (
        "compound_heterozygous", "FHL2", "pooled", True, False)
    assert "absent" in g.reason


def test_benson_one_disruptive_plus_missense_is_pooled():
    g = _genotype([("UNC13D", "c.2346_2349delGGAG (p.R782fs)", "heterozygous"),
                   ("UNC13D", "c.2588G>A (p.G863D)", "heterozygous")])
    assert (g.zygosity, g.fhl_type, g.group, g.pooled_group, g.purely_disruptive) == (
        "compound_heterozygous", "FHL3", "pooled", True, False)
    assert "disruptive allele" in g.reason


@pytest.mark.parametrize("variants, pct", [
    ([("PRF1", "c.272C>T (p.A91V)", "homozygous")], 38.0),
    ([("PRF1", "c.116C>A (p.P39H)", "heterozygous"), ("PRF1", "c.272C>T (p.A91V)", "heterozygous")], 25.0),
    ([("PRF1", "c.82C>T (p.R28C)", "heterozygous"), ("PRF1", "c.272C>T (p.A91V)", "heterozygous")], 38.0),
])
def test_taieb_missense_with_retained_but_decreased_perforin_is_residual_expression_missense(variants, pct):
    g = _genotype(variants, protein_expression_pct=pct)
    assert (g.group, g.pooled_group, g.purely_disruptive) == ("residual_expression_missense", False, False)


def test_taieb_patient_2_carries_a_nonsense_allele_so_the_papers_rule_puts_it_in_the_pooled_group():
    # Table 3 lists this case under "all with missense mutations" but p.Q307* is nonsense (disruptive).
    g = _genotype([("UNC13D", "c.919C>T (p.Q307*)", "heterozygous"), ("UNC13D", "c.2038C>T (p.R680W)", "heterozygous")])
    assert (g.group, g.pooled_group) == ("pooled", True)


def test_bhoopalan_compound_heterozygote_mixing_frameshift_and_missense_is_pooled():
    g = _genotype([("PRF1", "c.50delT (p.L17fs)", "heterozygous"), ("PRF1", "c.527G>A (p.C176Y)", "heterozygous")])
    assert (g.zygosity, g.group, g.purely_disruptive) == ("compound_heterozygous", "pooled", False)


@pytest.mark.parametrize("variants", [
    [("STX11", "c.173T>C (p.L58P)", "homozygous")],
    [("PRF1", "c.643C>A (p.L215I)", "heterozygous"), ("PRF1", "c.785C>A (p.Ala262Asp)", "heterozygous")],
    [("PRF1", "c.673C>T (p.Arg225Trp)", "homozygous")],
])
def test_missense_without_expression_data_is_not_classifiable(variants):
    g = _genotype(variants)
    assert (g.group, g.pooled_group) == ("not_classifiable", None)
    assert "expression not available" in g.reason


# --- purely disruptive, zygosity, FHL type ----------------------------------------------------------------
def test_homozygous_frameshift_is_purely_disruptive_with_two_alleles():
    g = _genotype([("PRF1", "c.50del(p.Leu17Argfs*34)", "homozygous")])
    assert (g.zygosity, g.group, g.purely_disruptive, g.pooled_group, len(g.alleles)) == (
        "homozygous", "purely_disruptive", True, True, 2)


def test_compound_heterozygote_of_two_disruptive_alleles_is_purely_disruptive():
    g = _genotype([("UNC13D", "c.919C>T (p.Q307*)", "heterozygous"), ("UNC13D", "exon 2-3 deletion", "heterozygous")])
    assert (g.zygosity, g.group) == ("compound_heterozygous", "purely_disruptive")


def test_single_x_linked_variant_in_a_male_is_hemizygous_xlp1():
    g = _genotype([("SH2D1A", "c.163C>T (p.Arg55*)", None)], sex="male")
    assert (g.zygosity, g.fhl_type, g.group) == ("hemizygous", "XLP1", "purely_disruptive")


def test_single_heterozygous_autosomal_variant_is_monoallelic():
    g = _genotype([("STXBP2", "c.1349C>T (p.Thr450Met)", "heterozygous")], protein_expression_verdict="residual")
    assert (g.zygosity, g.fhl_type, g.group) == ("monoallelic", "FHL5", "residual_expression_missense")
    assert any("one allele" in n for n in g.notes)


def test_single_variant_without_zygosity_leaves_zygosity_unknown():
    assert _genotype([("PRF1", "c.50del", None)]).zygosity is None


def test_same_variant_written_two_ways_counts_as_homozygous_not_compound():
    g = _genotype([("PRF1", "c.50delT", "heterozygous"), ("PRF1", "c.50del(p.Leu17Argfs*34)", "heterozygous")])
    assert g.zygosity == "homozygous"


def test_no_variants_is_not_classifiable_with_reason():
    g = _genotype([], genetic_result="negative")
    assert (g.group, g.zygosity, g.genes) == ("not_classifiable", None, ())
    assert "no variants" in g.reason and "negative" in g.reason


def test_other_patients_variants_are_not_used():
    rows = [Variant("A", "PRF1", "c.50del", zygosity="homozygous"), Variant("B", "PRF1", "c.272C>T (p.A91V)",
                                                                              zygosity="homozygous")]
    g = patient_genotype(Patient(patient_id="B", protein_expression_pct=38.0), rows)
    assert g.group == "residual_expression_missense"


# --- undecided consequences and policy overrides ----------------------------------------------------------
def test_splice_only_genotype_is_not_classifiable_under_the_paper_policy_but_disruptive_under_lof():
    variants = [("UNC13D", "c.754-1G>C", "homozygous")]
    paper = _genotype(variants)
    assert paper.group == "not_classifiable" and "undecided" in paper.reason
    assert _genotype(variants, policy=LOF_POLICY).group == "purely_disruptive"
    custom = PAPER_POLICY.with_overrides(splice_acceptor_variant=False)
    assert _genotype(variants, policy=custom).group == "not_classifiable"  # not disruptive, not missense


def test_disruptive_plus_splice_is_pooled_but_purity_undecided():
    g = _genotype([("UNC13D", "c.919C>T (p.Q307*)", "heterozygous"), ("UNC13D", "c.2367+1G>A", "heterozygous")])
    assert (g.group, g.pooled_group, g.purely_disruptive) == ("pooled", True, None)


def test_missense_plus_deep_intronic_with_absent_expression_is_not_missense_only():
    g = _genotype([("UNC13D", "c.118-308C>T", "heterozygous"), ("UNC13D", "c.2588G>A (p.G863D)", "heterozygous")],
                  protein_expression_verdict="absent")
    assert g.group == "not_classifiable" and "not missense-only" in g.reason


def test_missense_with_normal_expression_is_not_classifiable():
    g = _genotype([("PRF1", "c.272C>T (p.A91V)", "homozygous")], protein_expression_verdict="normal")
    assert g.group == "not_classifiable" and "normal" in g.reason


def test_matching_assay_can_be_required():
    variants = [("UNC13D", "c.2588G>A (p.G863D)", "homozygous")]
    loose = _genotype(variants, protein_expression_pct=0.0, protein_expression_assay="perforin")
    assert loose.group == "pooled" and any("does not measure" in n for n in loose.notes)
    strict = _genotype(variants, rule=ExpressionRule(require_matching_assay=True), protein_expression_pct=0.0,
                       protein_expression_assay="perforin")
    assert strict.group == "not_classifiable"


# --- expression rule --------------------------------------------------------------------------------------
@pytest.mark.parametrize("pct, verdict, expected", [
    (0.0, None, "absent"), (0.5, None, "residual"), (25.0, None, "residual"), (None, None, None),
    (10.0, "absent", "absent"), (0.0, "residual", "residual"), (None, "normal", "normal"),
])
def test_expression_status_uses_lab_verdict_first_then_zero_percent_rule(pct, verdict, expected):
    status = expression_status(Patient(patient_id="S", protein_expression_pct=pct,
                                       protein_expression_verdict=verdict))
    assert status.verdict == expected
    if pct is not None and verdict is not None and (verdict == "absent") != (pct == 0):
        assert "lab verdict wins" in status.explanation


def test_expression_threshold_is_overridable():
    p = Patient(patient_id="S", protein_expression_pct=4.0)
    assert expression_status(p, ExpressionRule(absent_at_most_pct=5.0)).verdict == "absent"
    assert expression_status(p).verdict == "residual"


# --- paper denominators -----------------------------------------------------------------------------------
def _paper_like_cohort():
    """25 synthetic patients built to the paper's genotype counts: 11 compound heterozygous, 11 homozygous,
    3 monoallelic/hemizygous; 22 pooled and 3 residual-expression missense (Results, Genotype Correlations)."""
    patients, variants = [], []
    for i in range(11):   # homozygous: 6 purely disruptive, 5 missense with absent perforin
        pid = f"H{i}"
        absent = i >= 6
        patients.append(Patient(patient_id=pid, protein_expression_pct=0.0 if absent else None))
        variants.append(Variant(pid, "PRF1", "c.673C>T (p.Arg225Trp)" if absent else "c.50delT", zygosity="homozygous"))
    for i in range(11):   # compound heterozygous: 8 with a disruptive allele, 3 missense residual
        pid = f"C{i}"
        residual = i >= 8
        patients.append(Patient(patient_id=pid, protein_expression_pct=25.0 if residual else None))
        first = "c.272C>T (p.A91V)" if residual else "c.2346_2349delGGAG (p.R782fs)"
        gene = "PRF1" if residual else "UNC13D"
        second = "c.82C>T (p.R28C)" if residual else "c.2588G>A (p.G863D)"
        variants += [Variant(pid, gene, first, zygosity="heterozygous"),
                     Variant(pid, gene, second, zygosity="heterozygous")]
    patients.append(Patient(patient_id="M0"))
    variants.append(Variant("M0", "PRF1", "c.50del(p.Leu17Argfs*34)", zygosity="heterozygous"))
    patients.append(Patient(patient_id="X0", sex="male"))
    variants.append(Variant("X0", "XIAP", "c.1021_1022delAA", zygosity="hemizygous"))
    patients.append(Patient(patient_id="X1", sex="male"))
    variants.append(Variant("X1", "SH2D1A", "SH2D1A whole gene deletion", zygosity=None))
    return patients, variants


def test_paper_genotype_denominators_are_reproduced_on_a_cohort_built_to_them():
    patients, variants = _paper_like_cohort()
    genotypes = [patient_genotype(p, variants) for p in patients]
    zyg = Counter(g.zygosity for g in genotypes)
    assert (zyg["compound_heterozygous"], zyg["homozygous"], zyg["monoallelic"] + zyg["hemizygous"]) == (11, 11, 3)
    pooled = Counter(g.pooled_group for g in genotypes)
    assert (pooled[True], pooled[False], pooled[None]) == (22, 3, 0)


def test_zygosity_word_in_the_text_fills_a_blank_column_and_is_flagged_when_it_disagrees():
    g = _genotype([("PRF1", "c.272C>T (p.A91V) homozygous", None)], protein_expression_pct=38.0)
    assert g.zygosity == "homozygous" and any("taken from the variant text" in n for n in g.notes)
    g = _genotype([("PRF1", "c.272C>T (p.A91V) homozygous", "heterozygous")])
    assert g.zygosity == "monoallelic" and any("the column is used" in n for n in g.notes)


# --- mutated_genes: the gene of a pathogenic result when the variants themselves were not reported ----------
def test_mutated_gene_without_variant_details_gives_fhl_type_but_no_group():
    # paper, Results (Etiology): 31 with a pathogenic mutation, variant details for 25 only; PRF1 = FHL2
    g = _genotype([], genetic_result="pathogenic", mutated_genes="PRF1")
    assert (g.genes, g.fhl_type, g.zygosity, g.group) == ((), "FHL2", None, "not_classifiable")
    assert "mutated gene(s) PRF1 without variant details" in g.reason


def test_mutated_genes_disagreeing_with_the_variants_is_noted():
    g = _genotype([("UNC13D", "c.2346_2349del (p.Arg782fs)", "homozygous")], mutated_genes="PRF1")
    assert g.fhl_type == "FHL3"  # the variants decide: UNC13D = FHL3
    assert "mutated_genes says PRF1 but the variants are in UNC13D" in g.notes


class _OnlyGenotypeFields:
    """A patient that answers the fields patient_genotype declares it reads, and fails on any other."""

    def __init__(self, patient):
        self._patient = patient

    def __getattr__(self, name):
        from neurohlh.genetics.genotype import GENOTYPE_PATIENT_FIELDS

        if name not in GENOTYPE_PATIENT_FIELDS:
            raise AssertionError(f"patient_genotype read {name!r}, not in GENOTYPE_PATIENT_FIELDS")
        return getattr(self._patient, name)


def test_patient_genotype_reads_only_the_declared_patient_fields(demo_cohort):
    variants = demo_cohort.variant_records()
    for p in demo_cohort.patient_records():
        assert patient_genotype(_OnlyGenotypeFields(p), variants) == patient_genotype(p, variants)
    # a homozygous male with an X-linked gene and a declared gene: the sex and mutated_genes branches
    male = Patient(patient_id="X1", sex="male", mutated_genes="SH2D1A", protein_expression_pct=0.0)
    rows = [Variant(patient_id="X1", gene="SH2D1A", hgvs="c.32T>G (p.Ile11Ser)")]
    g = patient_genotype(_OnlyGenotypeFields(male), rows)
    assert g == patient_genotype(male, rows) and g.zygosity == "hemizygous"
