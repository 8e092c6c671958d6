"""The variant corpus (tests/genetics/data/variants.tsv): every variant printed in the paper, legacy and HGVS
forms from the literature, and malformed strings. Expected values were written by hand in the TSV."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from neurohlh import InputError
from neurohlh.genetics import classify_variant

CORPUS = Path(__file__).parent / "data" / "variants.tsv"


def _rows() -> list[dict[str, str]]:
    with CORPUS.open() as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


ROWS = _rows()
GOOD = [r for r in ROWS if r["consequence"] != "ERROR"]
BAD = [r for r in ROWS if r["consequence"] == "ERROR"]


def test_corpus_size_meets_acceptance():
    assert len(ROWS) >= 60
    assert len(BAD) >= 10


@pytest.mark.parametrize("row", GOOD, ids=[r["text"] for r in GOOD])
def test_corpus_variant_is_classified_as_expected(row):
    v = classify_variant(row["text"], gene=row["gene"] or None)
    assert v.gene == (row["expected_gene"] or None)
    assert v.consequence == row["consequence"]
    assert v.disruptive == {"True": True, "False": False, "None": None}[row["disruptive"]]
    assert v.key == row["key"]
    assert bool(v.conflicts) == row["source"].startswith("CONFLICT")


@pytest.mark.parametrize("row", BAD, ids=[r["text"] or "<empty>" for r in BAD])
def test_corpus_malformed_text_raises_input_error_naming_the_text(row):
    with pytest.raises(InputError) as info:
        classify_variant(row["text"], gene=row["gene"] or None)
    assert repr(row["text"]) in str(info.value) or row["text"] in str(info.value)
