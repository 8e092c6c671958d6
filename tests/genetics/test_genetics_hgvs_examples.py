"""Examples quoted from the HGVS Nomenclature recommendations (hgvs-nomenclature.org; GitHub
HGVSnomenclature/hgvs-nomenclature, pages DNA substitution/deletion examples and protein frameshift),
with the consequence each page describes."""
from __future__ import annotations

import pytest

from neurohlh import InputError
from neurohlh.genetics import classify_variant

EXAMPLES = [
    # text from the recommendations                     consequence described there
    ("NG_012232.1(NM_004006.2):c.93+1G>T", "splice_donor_variant"),      # substitution at c.93+1
    ("LRG_199t1:c.79_80delinsTT", "protein_altering_variant"),           # two nucleotides replaced
    ("NM_004006.2:c.145_147delinsTGG", "protein_altering_variant"),     # codon CGC replaced by TGG
    ("NM_004006.2:c.5697del", "frameshift_variant"),                     # 1-nt deletion (3' rule)
    ("NC_000023.11(NM_004006.2):c.183_186+48del", "splice_donor_variant"),  # crosses exon/intron border
    ("LRG_199t1:c.3921del", "frameshift_variant"),
    ("LRG_199t1:c.1704+1del", "splice_donor_variant"),                   # exon/intron border, intronic G
    ("LRG_199t1:c.1813del", "frameshift_variant"),                       # first exonic nt after intron
    ("NC_000023.11(NM_004006.2):c.4072-1234_5155-246del", "exon_loss_variant"),   # removes exons 30-36
    ("NC_000023.11(NM_004006.2):c.(4071+1_4072-1)_(5154+1_5155-1)del", "exon_loss_variant"),
    ("NC_000023.11(NM_004006.2):c.(3996_4196)_(5090_5284)del", "exon_loss_variant"),
    ("c.12delC (p.(Tyr4*))", "frameshift_variant"),                     # immediate stop written as nonsense
    ("c.6_13dup (p.Glu5ValfsTer5)", "frameshift_variant"),
    ("p.Arg97ProfsTer23", "frameshift_variant"),
    ("p.Arg97fs", "frameshift_variant"),
    ("p.Arg97Profs*23", "frameshift_variant"),
    ("p.Ile327Argfs*?", "frameshift_variant"),
    ("p.Gln151Thrfs*9", "frameshift_variant"),
    ("LRG_199p1:p.Trp24Cys", "missense_variant"),
    ("LRG_199p1:p.Trp24Ter", "stop_gained"),
    ("LRG_199p1:p.Trp24*", "stop_gained"),
    ("p.(Arg727_Ser783del)", "inframe_deletion"),
    ("p.Ser5del", "inframe_deletion"),
    ("p.(Ter110GlnextTer17)", "stop_lost"),
    ("p.(*110Glnext*17)", "stop_lost"),
]


@pytest.mark.parametrize("text, consequence", EXAMPLES)
def test_hgvs_recommendation_examples(text, consequence):
    v = classify_variant(text)
    assert v.consequence == consequence
    assert v.conflicts == ()


@pytest.mark.parametrize("text", [
    "LRG_199t1:c.54G>H",       # IUPAC ambiguity code: not a defined change
    "NM_004006.2:c.123=",      # no change
    "LRG_199t1:c.85=/T>C",     # mosaic
    "NC_000023.10:g.33038255C>A",   # genomic
])
def test_hgvs_forms_outside_our_scope_are_refused_clearly(text):
    with pytest.raises(InputError, match="Cannot read variant"):
        classify_variant(text)


def test_intronic_deletion_between_two_exons_stays_intronic():
    assert classify_variant("c.100+20_101-30del").consequence == "intron_variant"
    assert classify_variant("c.100+2_101-30del").consequence == "splice_donor_variant"


def test_uncertain_breakpoint_deletions_keep_their_description_as_key():
    v = classify_variant("NC_000023.11(NM_004006.2):c.(4071+1_4072-1)_(5154+1_5155-1)del")
    assert v.key == "c.(4071+1_4072-1)_(5154+1_5155-1)del" and v.transcript == "NM_004006.2"
