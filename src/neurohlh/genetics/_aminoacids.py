"""Amino-acid codes and the standard genetic code, for normalising p. descriptions and checking that a c.
substitution can produce the stated amino-acid change."""
from __future__ import annotations

from itertools import product

THREE_TO_ONE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U", "Pyl": "O", "Ter": "*",
}
ONE_TO_THREE = {v: k for k, v in THREE_TO_ONE.items()}
STOP = "Ter"

_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
#: Standard genetic code, codon (DNA, coding strand) -> one-letter amino acid ("*" = stop).
CODON_TABLE = {"".join(c): a for c, a in zip(product(_BASES, repeat=3), _AMINO)}


def three_letter(token: str) -> str | None:
    """Three-letter code for a one- or three-letter token (case-insensitive for three letters); X/* = Ter."""
    if len(token) == 3:
        cap = token.capitalize()
        return cap if cap in THREE_TO_ONE else None
    if token in ("*", "X"):
        return STOP
    if len(token) == 1:
        return ONE_TO_THREE.get(token.upper()) if token.isupper() else None
    return None


def substitution_can_give(ref_aa: str, alt_aa: str, codon_position: int, ref_base: str, alt_base: str) -> bool:
    """True if some codon for ``ref_aa`` has ``ref_base`` at ``codon_position`` (1-3) and turns into a codon
    for ``alt_aa`` when that base becomes ``alt_base``. Amino acids in three-letter code."""
    ref1, alt1 = THREE_TO_ONE[ref_aa], THREE_TO_ONE[alt_aa]
    i = codon_position - 1
    for codon, aa in CODON_TABLE.items():
        if aa != ref1 or codon[i] != ref_base:
            continue
        if CODON_TABLE[codon[:i] + alt_base + codon[i + 1:]] == alt1:
            return True
    return False
