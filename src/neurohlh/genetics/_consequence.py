"""Sequence Ontology consequence of a parsed c. and p. description, and the checks that they agree.

The c. description decides whenever it can (indels, splice sites, UTR, intron, start codon); the p.
description decides what a coding substitution does (missense, nonsense, synonymous). When both are given,
the protein change must be possible from the DNA change (same codon; for substitutions, a codon of the
reference amino acid that the base change turns into the stated one) or a conflict is reported.
"""
from __future__ import annotations

from neurohlh.genetics._aminoacids import STOP, substitution_can_give
from neurohlh.genetics._parse import CEdit, CPosition, PEdit

#: Sequence Ontology accession of every consequence term we assign.
SO_TERMS = {
    "missense_variant": "SO:0001583",
    "stop_gained": "SO:0001587",
    "frameshift_variant": "SO:0001589",
    "inframe_deletion": "SO:0001822",
    "inframe_insertion": "SO:0001821",
    "splice_donor_variant": "SO:0001575",
    "splice_acceptor_variant": "SO:0001574",
    "splice_region_variant": "SO:0001630",
    "synonymous_variant": "SO:0001819",
    "start_lost": "SO:0002012",
    "stop_lost": "SO:0001578",
    "intron_variant": "SO:0001627",
    "5_prime_UTR_variant": "SO:0001623",
    "3_prime_UTR_variant": "SO:0001624",
    "exon_loss_variant": "SO:0001572",
    "transcript_ablation": "SO:0001893",
    "coding_sequence_variant": "SO:0001580",
    "protein_altering_variant": "SO:0001818",
}
#: Intronic offsets +1/+2 and -1/-2 are the canonical splice donor / acceptor sites.
CANONICAL_SPLICE_MAX_OFFSET = 2
#: Offsets 3-8 into the intron are the splice region (Sequence Ontology definition of splice_region_variant).
SPLICE_REGION_MAX_OFFSET = 8

_P_TERMS = {
    "missense": "missense_variant", "nonsense": "stop_gained", "synonymous": "synonymous_variant",
    "frameshift": "frameshift_variant", "del": "inframe_deletion", "dup": "inframe_insertion",
    "ins": "inframe_insertion", "start_lost": "start_lost", "stop_lost": "stop_lost",
}

# For a c.-decided consequence: which p. kinds are compatible with it.
_COMPATIBLE = {
    "frameshift_variant": {"frameshift", "nonsense", "unknown"},
    "inframe_deletion": {"del", "delins", "nonsense", "unknown", "synonymous"},
    "inframe_insertion": {"ins", "dup", "delins", "nonsense", "unknown"},
    "start_lost": {"start_lost", "unknown", "no_protein"},
    "stop_lost": {"stop_lost", "unknown"},
    "protein_altering_variant": {"missense", "nonsense", "synonymous", "delins", "del", "ins", "unknown",
                                 "stop_lost", "start_lost"},
    "coding_sequence_variant": {"missense", "nonsense", "synonymous", "start_lost", "stop_lost", "unknown"},
}


def _intronic(offset: int) -> str:
    size = abs(offset)
    if size <= CANONICAL_SPLICE_MAX_OFFSET:
        return "splice_donor_variant" if offset > 0 else "splice_acceptor_variant"
    if size <= SPLICE_REGION_MAX_OFFSET:
        return "splice_region_variant"
    return "intron_variant"


def _point(pos: CPosition) -> str:
    if pos.offset:
        return _intronic(pos.offset)
    if pos.kind == "utr5":
        return "5_prime_UTR_variant"
    if pos.kind == "utr3":
        return "3_prime_UTR_variant"
    return "start_lost" if pos.base <= 3 else "coding_sequence_variant"


def _across_introns(s: CPosition, e: CPosition) -> str | None:
    """Consequence of an indel with at least one intronic end; None if both ends are exonic."""
    if s.offset == 0 and e.offset == 0:
        return None
    if s.offset and e.offset and s.base == e.base and (s.offset > 0) == (e.offset > 0):
        return _intronic(min(s.offset, e.offset, key=abs))     # both ends in one intron, same side
    if s.offset > 0 and e.offset < 0 and e.base == s.base + 1:
        return _intronic(min(s.offset, e.offset, key=abs))     # both ends in the intron between two exons
    if s.offset == 0 and e.offset > 0:
        return "splice_donor_variant"                          # exon end into the intron: donor site lost
    if s.offset < 0 and e.offset == 0:
        return "splice_acceptor_variant"                       # intron into the exon start: acceptor lost
    if s.offset and e.offset:
        return "exon_loss_variant"                             # intron to a later intron: whole exon(s) lost
    return "coding_sequence_variant"


def _length_change(edit: CEdit) -> int | None:
    if edit.kind in ("del",):
        return None if edit.length is None else -edit.length
    if edit.kind in ("dup", "ins"):
        return edit.length
    if edit.kind == "delins":
        return edit.length
    return 0


def c_consequence(edit: CEdit) -> tuple[str, list[str]]:
    """Consequence decided by the c. description alone (``coding_sequence_variant`` if it cannot decide)."""
    notes: list[str] = []
    if edit.kind == "gene_deletion":
        return "transcript_ablation", notes
    if edit.kind == "exon_deletion":
        return "exon_loss_variant", notes
    assert edit.start is not None
    if edit.kind == "sub":
        return _point(edit.start), notes
    s, e = edit.start, edit.end or edit.start
    intronic = _across_introns(s, e)
    if intronic is not None:
        return intronic, notes
    if s.kind == e.kind and s.kind in ("utr5", "utr3"):
        return _point(s), notes
    if s.kind == "utr3" or e.kind == "utr3":
        return "stop_lost", notes
    if s.kind == "utr5" or s.base <= 3:
        return "start_lost", notes
    if edit.kind == "inv":
        return "protein_altering_variant", notes
    change = _length_change(edit)
    if change is None:
        notes.append("length of the indel unknown: frame not decided")
        return "coding_sequence_variant", notes
    if change % 3:
        return "frameshift_variant", notes
    if change < 0:
        return "inframe_deletion", notes
    if change > 0:
        return "inframe_insertion", notes
    return "protein_altering_variant", notes


def p_consequence(p: PEdit) -> str | None:
    """Consequence decided by the p. description alone; None for p.?, p.0 and unresolved delins."""
    if p.kind == "delins":
        removed = 1 if p.end_position is None else p.end_position - (p.position or 0) + 1
        if STOP in p.inserted:
            return "stop_gained"
        diff = len(p.inserted) - removed
        return "inframe_deletion" if diff < 0 else "inframe_insertion" if diff > 0 else "protein_altering_variant"
    return _P_TERMS.get(p.kind)


def _codon(pos: CPosition) -> int | None:
    return (pos.base + 2) // 3 if pos.kind == "cds" and pos.offset == 0 else None


def check_agreement(c: CEdit, p: PEdit, c_term: str) -> list[str]:
    """Conflicts between the c. and the p. description (empty list if they agree)."""
    conflicts: list[str] = []
    allowed = _COMPATIBLE.get(c_term)
    if allowed is not None and p.kind not in allowed:
        conflicts.append(f"{c.normalised} is a {c_term} but {p.normalised} describes a {p.kind} change")
    if c.start is None or p.position is None:
        return conflicts
    codon = _codon(c.start)
    if codon is None:
        return conflicts
    if c.kind == "sub" and p.position != codon:
        conflicts.append(f"{c.normalised} lies in codon {codon} but {p.normalised} names residue {p.position}")
    elif c.kind != "sub" and p.position < codon:
        conflicts.append(f"{c.normalised} starts in codon {codon} but {p.normalised} changes residue "
                         f"{p.position}, before it")
    if c.kind == "sub" and p.ref and p.alt and p.kind in ("missense", "nonsense", "synonymous", "stop_lost") \
            and p.position == codon:
        frame = (c.start.base - 1) % 3 + 1
        if not substitution_can_give(p.ref, p.alt, frame, c.ref or "", c.alt or ""):
            conflicts.append(f"no {p.ref} codon with {c.ref} at codon position {frame} becomes {p.alt} by "
                             f"{c.ref}>{c.alt}: {c.normalised} cannot give {p.normalised}")
    return conflicts


def combine(c: CEdit | None, p: PEdit | None) -> tuple[str | None, list[str], list[str]]:
    """Final consequence, conflicts and notes from the c. and/or p. descriptions."""
    notes: list[str] = []
    if c is None:
        term = p_consequence(p) if p is not None else None
        if term is None:
            notes.append("protein change does not decide the consequence and no c. description is given")
        return term, [], notes
    c_term, c_notes = c_consequence(c)
    notes += c_notes
    if p is None:
        if c_term == "coding_sequence_variant":
            notes.append("coding substitution without a protein change: missense, nonsense or synonymous "
                         "cannot be told apart; add the p. description")
        return c_term, [], notes
    conflicts = check_agreement(c, p, c_term)
    p_term = p_consequence(p)
    if c_term in ("coding_sequence_variant", "protein_altering_variant") and p_term is not None and not conflicts:
        return p_term, conflicts, notes
    if c_term == "frameshift_variant" and p.kind == "nonsense":
        notes.append("frameshift creating an immediate stop is written as nonsense at protein level (HGVS)")
    if c_term not in _COMPATIBLE and p.kind not in ("unknown",):
        notes.append(f"protein change {p.normalised} is the predicted effect of a {c_term}")
    return c_term, conflicts, notes
