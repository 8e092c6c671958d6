"""Genetics over a cohort: variant texts read once per distinct text, every unreadable row located, and one
Genotyper's shared gene calls giving every patient the genotype patient_genotype gives it alone."""
from __future__ import annotations

import pandas as pd
import pytest

from neurohlh.errors import InputError
from neurohlh.genetics import Genotyper, patient_genotype
from neurohlh.genetics.recurrence import classify_variants, variant_problems
from neurohlh.schema import Patient, Variant


def test_unreadable_texts_are_located_on_every_row_that_repeats_them():
    variants = [Variant(patient_id="A", gene="PRF1", hgvs="c.50delT"),
                Variant(patient_id="B", gene="PRF1", hgvs="c.12insN[12]x"),
                Variant(patient_id="C", gene="PRF1", hgvs="c.50delT"),
                Variant(patient_id="D", gene="PRF1", hgvs="c.12insN[12]x")]
    with pytest.raises(InputError) as caught:
        classify_variants(variants, rows=[2, 3, 4, 5], file="variants.csv")
    problems = caught.value.problems
    assert [(p.row, p.value, p.suggestion) for p in problems] == [(3, "c.12insN[12]x", "patient B"),
                                                                  (5, "c.12insN[12]x", "patient D")]
    readable = classify_variants([variants[0], variants[2]])
    assert readable[0] == readable[1] and readable[0].key == "PRF1:c.50del"


def test_variant_problems_name_each_row_its_patient_and_gene():
    frame = pd.DataFrame({"patient_id": ["A", "B", "C", "D"], "gene": ["PRF1", "PRF1", None, "UNC13D"],
                          "hgvs": ["c.50delT", "c.12insN[12]x", "c.12insN[12]x", "c.12insN[12]x"],
                          "_row": [2, 3, 4, 5]})
    problems = variant_problems({"variants": frame}, {"variants": "variants.csv"})
    # row 4 has no gene cell (another check reports it); rows 3 and 5 cannot be read
    assert [(p.row, p.column, p.value, p.suggestion) for p in problems] == [
        (3, "hgvs", "c.12insN[12]x", "patient B, gene PRF1"), (5, "hgvs", "c.12insN[12]x", "patient D, gene UNC13D")]
    assert variant_problems({}, {}) == []


def test_patients_sharing_variant_rows_keep_their_own_sex_and_expression():
    # the same single SH2D1A (X-linked) missense row: hemizygous in a male, monoallelic in a heterozygous female;
    # the same PRF1 missense row: pooled with absent expression, the residual comparator with residual expression
    def rows(pid, gene, hgvs, zygosity=None):
        return [Variant(patient_id=pid, gene=gene, hgvs=hgvs, zygosity=zygosity)]

    cases = [
        (Patient(patient_id="M", sex="male"), rows("M", "SH2D1A", "c.32T>G (p.Ile11Ser)")),
        (Patient(patient_id="F", sex="female"), rows("F", "SH2D1A", "c.32T>G (p.Ile11Ser)", "heterozygous")),
        (Patient(patient_id="A", protein_expression_verdict="absent"), rows("A", "PRF1", "c.272C>T (p.Ala91Val)",
                                                                            "homozygous")),
        (Patient(patient_id="R", protein_expression_verdict="residual"), rows("R", "PRF1", "c.272C>T (p.Ala91Val)",
                                                                              "homozygous")),
    ]
    shared = Genotyper()
    genotypes = {p.patient_id: shared(p, v) for p, v in cases}
    assert {k: g.zygosity for k, g in genotypes.items()} == {"M": "hemizygous", "F": "monoallelic",
                                                            "A": "homozygous", "R": "homozygous"}
    assert (genotypes["A"].group, genotypes["R"].group) == ("pooled", "residual_expression_missense")
    assert genotypes["F"].notes == ("only one allele identified; groups are judged on the identified allele",)
    assert genotypes["M"].notes == ()
    assert all(genotypes[p.patient_id] == patient_genotype(p, v) for p, v in cases)


def test_one_genotyper_over_the_demo_cohort_gives_what_each_patient_alone_gets(demo_cohort):
    variants = demo_cohort.variant_records()
    shared = Genotyper()
    for p in demo_cohort.patient_records():
        assert shared(p, variants) == patient_genotype(p, variants)
