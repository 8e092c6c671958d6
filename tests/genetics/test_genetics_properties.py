"""Property tests: any text either classifies or raises InputError (never another exception); keys are
stable under the legacy spellings; the classification of a normalised description is a fixed point."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from neurohlh import InputError
from neurohlh.genetics import classify_variant

ALPHABET = "ACGTacgtpcgnX*?_-+>.()=: 0123456789delinsdupfsTerArgLeuMetextPRF1UNC13D\u2192"
PIECES = ["c.", "p.", "(", ")", "del", "ins", "dup", "delins", "fs", "Ter", "*", "X", "?", "_", "+", "-",
          ">", "A", "C", "G", "T", "Arg", "Leu", "Met", "R", "L", "12", "3", "PRF1 ", "NM_005041.6(PRF1):",
          " ", "=", "ext", "exon ", " deletion"]


def check_variant_reading(text: str) -> None:
    try:
        v = classify_variant(text)
    except InputError:
        return
    assert v.consequence is None or v.so_id is not None
    assert v.disruptive in (True, False, None)
    if v.c_dot is not None:
        again = classify_variant(v.c_dot + (f" ({v.p_dot})" if v.p_dot else ""), gene=v.gene)
        assert again.key == v.key and again.consequence == v.consequence


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_random_text_never_crashes(text):
    check_variant_reading(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=10).map("".join))
def test_random_hgvs_like_pieces_never_crash(text):
    check_variant_reading(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(4, 3000), st.sampled_from("ACGT"), st.integers(1, 4))
def test_stating_deleted_bases_never_changes_the_key(start, base, length):
    end = start + length - 1
    rng = f"{start}" if length == 1 else f"{start}_{end}"
    plain = classify_variant(f"PRF1 c.{rng}del")
    legacy = classify_variant(f"PRF1 c.{rng}del{base * length}")
    assert plain.key == legacy.key
    assert plain.consequence == ("inframe_deletion" if length == 3 else "frameshift_variant")


def test_an_insertion_of_unspecified_bases_reads_back_as_written():
    # "12ins12" reads as 12 unspecified inserted bases and is written "c.12insN[12]" (HGVS: N[12]); that text
    # must read back to the same key (found by test_random_hgvs_like_pieces_never_crash).
    v = classify_variant("12ins12")
    assert v.c_dot == "c.12insN[12]"
    assert classify_variant(v.c_dot).key == v.key
