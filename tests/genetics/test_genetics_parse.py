"""Parser details: normalisation, notes that explain every repair, c./p. conflict checks, keys, policies,
recurrence."""
from __future__ import annotations

import pytest

from neurohlh import InputError
from neurohlh.genetics import (
    LOF_POLICY,
    PAPER_POLICY,
    SO_TERMS,
    classify_variant,
    recurrent_variants,
)
from neurohlh.schema import Variant


@pytest.mark.parametrize("text", [
    "PRF1 c.50del", "PRF1 c.50delT", "PRF1 c.50del(p.Leu17Argfs*34)", "PRF1 c.50delT (p.L17fs)",
    "PRF1 50delT (L17fsX22)", "NM_005041.6(PRF1):c.50del", "PRF1:c.50del p.(Leu17ArgfsTer34)",
])
def test_all_spellings_of_the_recurrent_c50del_share_one_key(text):
    assert classify_variant(text).key == "PRF1:c.50del"


@pytest.mark.parametrize("text, p_dot", [
    ("p.R225W", "p.Arg225Trp"), ("p.(Arg225Trp)", "p.(Arg225Trp)"), ("p.Q307*", "p.Gln307*"),
    ("p.Gln307Ter", "p.Gln307*"), ("p.Gln98X", "p.Gln98*"), ("p.L17fsX22", "p.Leu17fs*22"),
    ("p.Leu17ArgfsTer34", "p.Leu17Argfs*34"), ("p.R782fs", "p.Arg782fs"), ("p.Met1?", "p.Met1?"),
    ("p.Lys2_Leu3insGln", "p.Lys2_Leu3insGln"), ("p.Ser5_Leu7del", "p.Ser5_Leu7del"), ("p.0", "p.0"),
])
def test_protein_descriptions_are_normalised_to_three_letter_hgvs(text, p_dot):
    assert classify_variant(text).p_dot == p_dot


def test_every_repair_is_reported_in_notes():
    v = classify_variant("STX11 c. 173T . C (p.L58P)")
    assert any("text-extraction artefact" in n for n in v.notes)
    v = classify_variant("PRF1 c.50del(p.Leu17Argfs*34")
    assert any("closing ')'" in n for n in v.notes)
    v = classify_variant("1122 G\u2192A (W374X)")
    assert any("no 'c.' prefix" in n for n in v.notes)
    assert any("'X' as a stop" in n for n in v.notes)
    assert any("without 'p.'" in n for n in v.notes)


def test_legacy_range_is_only_read_as_a_range_when_the_deleted_bases_fit():
    assert classify_variant("1090-91delCT").c_dot == "c.1090_1091del"
    assert classify_variant("c.1090-91delC").c_dot == "c.1090-91del"  # an intronic position, as HGVS


def test_accession_and_gene_are_separated():
    v = classify_variant("NM_005041.6(PRF1):c.272C>T (p.Ala91Val)")
    assert (v.transcript, v.gene, v.c_dot, v.p_dot) == ("NM_005041.6", "PRF1", "c.272C>T", "p.Ala91Val")


def test_conflicting_c_and_p_are_reported_and_leave_disruptive_undecided():
    v = classify_variant("c.919C>T (p.Gln307Trp)")   # CAG -> TAG is a stop, it cannot give Trp
    assert v.conflicts and "cannot give" in v.conflicts[0]
    v = classify_variant("c.919C>T (p.Gln308*)")
    assert "codon 307" in v.conflicts[0]
    v = classify_variant("c.50del (p.Leu17Trp)")
    assert v.disruptive is None and "frameshift_variant" in v.conflicts[0]


def test_consistent_c_and_p_give_no_conflict():
    for text in ("c.919C>T (p.Q307*)", "c.272C>T (p.A91V)", "c.1122G>A (p.W374*)", "c.675C>T (p.Arg225=)"):
        assert classify_variant(text).conflicts == (), text


def test_frameshift_deletion_written_as_immediate_stop_is_consistent():
    v = classify_variant("c.10_11del (p.Tyr4*)")
    assert v.conflicts == () and v.consequence == "frameshift_variant" and v.disruptive is True


def test_consequences_carry_sequence_ontology_ids():
    assert classify_variant("c.919C>T (p.Q307*)").so_id == SO_TERMS["stop_gained"] == "SO:0001587"
    assert classify_variant("c.754-1G>C").so_id == "SO:0001574"
    assert classify_variant("c.272C>T (p.A91V)").so_id == "SO:0001583"


def test_policy_overrides_and_lof_profile():
    assert classify_variant("c.754-1G>C").disruptive is None
    assert classify_variant("c.754-1G>C", policy=LOF_POLICY).disruptive is True
    assert classify_variant("c.10_12del", policy=PAPER_POLICY.with_overrides(inframe_deletion=True)).disruptive
    with pytest.raises(InputError, match="Unknown consequence"):
        PAPER_POLICY.with_overrides(nonsense=True)


def test_gene_disagreement_raises():
    with pytest.raises(InputError, match="names gene UNC13D but gene PRF1"):
        classify_variant("UNC13D c.50del", gene="PRF1")


def test_error_message_names_the_text_and_what_was_expected():
    with pytest.raises(InputError) as info:
        classify_variant("PRF1 c.50dlT")
    message = str(info.value)
    assert "'PRF1 c.50dlT'" in message and "expected" in message


def test_recurrent_variants_group_spellings_across_patients():
    rows = [Variant("A", "PRF1", "c.50delT (p.L17fs)"), Variant("B", "PRF1", "c.50del(p.Leu17Argfs*34)"),
            Variant("C", "PRF1", "50delT (L17fsX22)"), Variant("C", "PRF1", "c.272C>T (p.A91V)"),
            Variant("D", "PRF1", "NM_005041.6(PRF1):c.272C>T"), Variant("E", "UNC13D", "c.919C>T (p.Q307*)")]
    found = recurrent_variants(rows)
    assert [(r.key, r.n_patients) for r in found] == [("PRF1:c.50del", 3), ("PRF1:c.272C>T", 2)]
    assert found[0].texts == ("c.50delT (p.L17fs)", "c.50del(p.Leu17Argfs*34)", "50delT (L17fsX22)")


def test_recurrent_variants_collects_every_unreadable_row():
    rows = [Variant("A", "PRF1", "c.50dlT"), Variant("B", "PRF1", "nonsense"), Variant("C", "PRF1", "c.50del")]
    with pytest.raises(InputError) as info:
        recurrent_variants(rows)
    assert len(info.value.problems) == 2


def test_unknown_gene_symbol_is_accepted_with_a_note():
    v = classify_variant("PRFX c.50del")
    assert v.gene == "PRFX" and any("not one of the HLH-panel genes" in n for n in v.notes)
    assert not any("HLH-panel" in n for n in classify_variant("PRF1 c.50del").notes)


def test_insertion_of_a_stated_length_keeps_a_readable_key():
    assert classify_variant("c.12_13ins3").key == "c.12_13insN[3]"


def test_consequence_tally_counts_variant_rows_per_gene():
    from neurohlh.genetics import consequence_tally

    rows = [Variant("A", "PRF1", "c.50del", zygosity="homozygous"), Variant("B", "PRF1", "c.272C>T (p.A91V)"),
            Variant("B", "PRF1", "c.82C>T (p.R28C)"), Variant("C", "UNC13D", "c.754-1G>C")]
    tally = consequence_tally(rows)
    assert tally.fraction("PRF1", "missense_variant") == (2, 3)
    assert tally.fraction("PRF1", "frameshift_variant") == (1, 3)
    assert tally.counts["UNC13D"] == {"splice_acceptor_variant": 1} and tally.n_rows == 4


@pytest.mark.parametrize("text", ["PRF1 c.50del(p.Leu17Argfs\u221734)", "PRF1 c.50del(p.Leu17Argfs\uff0a34)",
                                  "PRF1 c.50del\u00a0(p.Leu17Argfs*34)"])
def test_pdf_lookalike_characters_are_read_and_reported(text):
    v = classify_variant(text)
    assert v.key == "PRF1:c.50del" and v.p_dot == "p.Leu17Argfs*34"


def test_recurrent_variants_validates_min_patients():
    with pytest.raises(InputError, match="`min_patients` must be a positive integer"):
        recurrent_variants([], min_patients=0)
