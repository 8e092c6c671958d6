"""A tolerant reader for variant descriptions as clinicians and papers write them.

Grammar (our own, after the HGVS Nomenclature recommendations, hgvs-nomenclature.org), applied after a
light clean-up that is always reported in ``notes``::

    variant   := [prefix] (cpart [pparen] | pparen-only | exon-deletion | gene-deletion) [zygosity word]
    prefix    := GENE (":" | " ") | ACCESSION ["(" (GENE | TRANSCRIPT) ")"] ":"
                 (ACCESSION: NM_/NR_/XM_/NC_/NG_/NP_ ..., LRG_n[t|p]n, ENST/ENSG/ENSP)
    cpart     := "c." range edit | legacy-number range edit            (legacy: no "c.")
    pparen    := "(" ["p."] protein ")" | "p." protein                 (closing ")" may be missing)
    range     := position ["_" position] ;  position := ["-" | "*"] digits [("+" | "-") digits]
    edit      := base ">" base | "del" [bases | digits] | "dup" [bases | digits] | "ins" bases
                 | "delins" bases | "del" bases "ins" bases | "inv"
    protein   := ["("] aa pos (aa | "=" | "?" | "del" | "dup" | [aa] "fs" [stop [digits|"?"]]
                 | aa "ext" stop digits | "_" aa pos ("del" | "dup" | "ins" aas | "delins" aas)) [")"]
                 | "0" | "?" | "="

``aa`` is a three-letter code (``Arg``), a one-letter code (``R``), ``*``/``Ter`` for stop, or legacy
``X`` for stop (HGVS reserves X for "any amino acid"; clinical texts use it for stop). Failing text raises
:class:`~neurohlh.errors.InputError` naming the text and what was expected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from neurohlh.errors import InputError
from neurohlh.genetics._aminoacids import STOP, three_letter

EXPECTED = ("expected an HGVS-like description such as 'PRF1 c.50del', 'c.272C>T (p.Ala91Val)', "
            "'NM_005041.6(PRF1):c.272C>T', 'p.Arg225Trp' or 'exon 2-3 deletion'")


@dataclass(frozen=True, slots=True)
class CPosition:
    """A c. position: ``kind`` is cds, utr5 (``c.-N``) or utr3 (``c.*N``); ``offset`` is the intronic offset."""

    base: int
    kind: str = "cds"
    offset: int = 0

    def __str__(self) -> str:
        prefix = {"cds": "", "utr5": "-", "utr3": "*"}[self.kind]
        off = "" if self.offset == 0 else f"{self.offset:+d}"
        return f"{prefix}{self.base}{off}"


@dataclass(frozen=True, slots=True)
class CEdit:
    """A parsed c. description. ``kind``: sub, del, dup, ins, delins, inv, exon_deletion, gene_deletion."""

    kind: str
    start: CPosition | None = None
    end: CPosition | None = None
    ref: str | None = None
    alt: str | None = None
    length: int | None = None          # bases deleted/duplicated/inserted when stated or implied
    exons: tuple[int, int] | None = None

    @property
    def normalised(self) -> str:
        """HGVS-recommended form: deleted/duplicated bases dropped (c.50delT -> c.50del)."""
        if self.kind in ("gene_deletion", "exon_deletion") and self.alt is not None:
            return f"c.{self.alt}del"              # uncertain breakpoints, kept as written
        if self.kind == "gene_deletion":
            return "whole gene deletion"
        if self.kind == "exon_deletion":
            a, b = self.exons or (0, 0)
            return f"exon {a} deletion" if a == b else f"exons {a}-{b} deletion"
        where = str(self.start) if self.end is None else f"{self.start}_{self.end}"
        if self.kind == "sub":
            return f"c.{where}{self.ref}>{self.alt}"
        if self.kind in ("del", "dup", "inv"):
            return f"c.{where}{self.kind}"
        inserted = self.alt if self.alt is not None else f"N[{self.length}]"
        return f"c.{where}{self.kind}{inserted}"


@dataclass(frozen=True, slots=True)
class PEdit:
    """A parsed p. description. ``kind``: missense, nonsense, synonymous, frameshift, del, dup, ins, delins,
    start_lost, stop_lost, no_protein, unknown."""

    kind: str
    ref: str | None = None
    position: int | None = None
    alt: str | None = None
    end_ref: str | None = None
    end_position: int | None = None
    inserted: tuple[str, ...] = ()
    stop_after: str | None = None
    predicted: bool = False

    @property
    def bare(self) -> str:
        """Normalised form without the 'predicted' parentheses (used for recurrence keys)."""
        return f"p.{self._body()}"

    @property
    def normalised(self) -> str:
        """Three-letter HGVS form with ``*`` for stop, e.g. p.Leu17Argfs*34, p.(Arg225Trp)."""
        body = self._body()
        return f"p.({body})" if self.predicted and body not in ("?", "0") else f"p.{body}"

    def _body(self) -> str:
        def aa(x: str | None) -> str:
            return "*" if x == STOP else (x or "")
        first = f"{aa(self.ref)}{self.position}" if self.position is not None else ""
        rng = first + (f"_{aa(self.end_ref)}{self.end_position}" if self.end_position is not None else "")
        if self.kind == "unknown":
            return "?"
        if self.kind == "no_protein":
            return "0"
        if self.kind == "start_lost" and self.alt is None:
            return f"{first}?"
        if self.kind == "synonymous":
            return f"{first}=" if first else "="
        if self.kind == "frameshift":
            stop = "" if self.stop_after is None else f"*{self.stop_after}"
            return f"{first}{aa(self.alt)}fs{stop}"
        if self.kind == "stop_lost":
            stop = "" if self.stop_after is None else f"ext*{self.stop_after}"
            return f"{first}{aa(self.alt)}{stop}"
        if self.kind in ("del", "dup"):
            return f"{rng}{self.kind}"
        if self.kind in ("ins", "delins"):
            return f"{rng}{self.kind}{''.join(aa(x) for x in self.inserted)}"
        return f"{first}{aa(self.alt)}"


@dataclass(frozen=True, slots=True)
class ParsedVariant:
    """Everything read from one text, before consequences are assigned."""

    text: str
    gene: str | None
    transcript: str | None
    c: CEdit | None
    p: PEdit | None
    zygosity_word: str | None
    notes: tuple[str, ...]


def _fail(text: str, why: str) -> InputError:
    return InputError(f"Cannot read variant {text!r}: {why}; {EXPECTED}.")


# ----------------------------------------------------------------------------------------------- clean-up
_ZYGOSITY = re.compile(r"[,;]?\s*\b(compound heterozygous|homozygous|heterozygous|hemizygous)\b\s*$", re.I)
_ACC = r"(?:[NX][MRCGP]_\d+(?:\.\d+)?|LRG_\d+(?:[tp]\d+)?|ENS[TGP]\d+(?:\.\d+)?)"
_ACCESSION = re.compile(rf"^(?P<acc>{_ACC})\s*(?:\(\s*(?P<inner>[A-Za-z0-9_.-]+)\s*\))?\s*:\s*")
_TRANSCRIPT = re.compile(r"^(?:[NX][MR]_|ENST|LRG_\d+t)")
_GENE = re.compile(r"^(?P<gene>[A-Z][A-Z0-9]{1,9}(?:-[A-Z0-9]+)?)(?:\s*:\s*|\s+)(?=\S)")
_ARTEFACT_GT = re.compile(r"(\d\s*[ACGT])\s*\.\s*([ACGT])(?![a-z])")


_LOOKALIKES = {"\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-", "\u2217": "*", "\uff0a": "*",
               "\uff1e": ">", "\u203a": ">"}


def _clean(text: str, notes: list[str]) -> str:
    s = text
    for odd, plain in _LOOKALIKES.items():
        if odd in s:
            s = s.replace(odd, plain)
            notes.append(f"read {odd!r} (U+{ord(odd):04X}) as {plain!r}")
    s = " ".join(s.split())
    for arrow in ("\u2192", "->", "\u2794", "\u27f6", "&gt;"):
        if arrow in s:
            s = s.replace(arrow, ">")
            notes.append(f"read {arrow!r} as '>'")
    if _ARTEFACT_GT.search(s):
        s = _ARTEFACT_GT.sub(r"\1>\2", s)
        notes.append("read '.' between two bases as '>' (PDF text-extraction artefact)")
    s = re.sub(r"\bc\.\s+", "c.", s)
    s = re.sub(r"\bp\.\s+", "p.", s)
    s = re.sub(r"(\d[ACGT])\s*>\s*([ACGT])", r"\1>\2", s)
    s = re.sub(r"(\d)\s+([ACGT]>)", r"\1\2", s)
    return s


def _prefix(s: str) -> tuple[str | None, str | None, str]:
    m = _ACCESSION.match(s)
    if m:
        acc, inner = m.group("acc"), m.group("inner")
        transcript = acc if _TRANSCRIPT.match(acc) else None
        gene = None
        if inner and _TRANSCRIPT.match(inner):
            transcript = inner
        elif inner:
            gene = inner.upper()
        return gene, transcript, s[m.end():]
    m = _GENE.match(s)
    if m and not re.fullmatch(r"[A-Z]\d+.*", m.group("gene")):
        return m.group("gene"), None, s[m.end():]
    return None, None, s


# ---------------------------------------------------------------------------------------------- c. part
_POS = r"(?:[-*]?\d+(?:[+-]\d+)?)"
_C = re.compile(rf"^(?P<start>{_POS})(?:_(?P<end>{_POS}))?(?P<edit>.*)$")
_UNCERTAIN = re.compile(r"^\((?P<a>[^)]*)\)_\((?P<b>[^)]*)\)del$")
_EXON = re.compile(
    r"^(?:deletion|del)\s+(?:of\s+)?(?:exons?|ex)\s*(?P<a>\d+)(?:\s*(?:-|_|to)\s*(?P<b>\d+))?$"
    r"|^(?:exons?|ex)\s*(?P<a2>\d+)(?:\s*(?:-|_|to)\s*(?P<b2>\d+))?\s*del(?:etion)?$",
    re.I)
_GENE_DEL = re.compile(r"^(?:(?:whole|entire|complete|full)[- ]gene|gene)\s+deletion$", re.I)


def _position(token: str) -> CPosition:
    m = re.fullmatch(r"(?P<sign>[-*]?)(?P<num>\d+)(?:(?P<osign>[+-])(?P<off>\d+))?", token)
    assert m is not None  # guaranteed by _POS
    kind = {"": "cds", "-": "utr5", "*": "utr3"}[m.group("sign")]
    offset = int(m.group("off")) * (1 if m.group("osign") == "+" else -1) if m.group("off") else 0
    return CPosition(int(m.group("num")), kind, offset)


def _order(pos: CPosition) -> tuple[int, int, int]:
    """Sort key along the transcript: 5' UTR (-N), coding (N), 3' UTR (*N); then the intronic offset."""
    if pos.kind == "utr5":
        return (0, -pos.base, pos.offset)
    return (1 if pos.kind == "cds" else 2, pos.base, pos.offset)


def _span(start: CPosition, end: CPosition | None) -> int | None:
    if end is None:
        return 1
    if start.kind == end.kind == "cds" and start.offset == end.offset == 0:
        return end.base - start.base + 1
    return None


def _legacy_range(start: CPosition, end: CPosition | None, seq: str, notes: list[str]
                  ) -> tuple[CPosition, CPosition | None]:
    """'1090-91delCT' (Trizzino 2008) means c.1090_1091del, not an intronic position."""
    if end is not None or start.offset >= 0 or len(seq) < 2:
        return start, end
    digits = str(-start.offset)
    head = str(start.base)
    if len(digits) > len(head):
        return start, end
    full = int(head[: len(head) - len(digits)] + digits)
    if full == start.base + len(seq) - 1:
        notes.append(f"read legacy range '{start.base}-{digits}' as c.{start.base}_{full}")
        return CPosition(start.base), CPosition(full)
    return start, end


def _edit(text: str, raw: str, start: CPosition, end: CPosition | None, legacy: bool, notes: list[str]) -> CEdit:
    m = re.fullmatch(r"([ACGT])>([ACGT])", raw, re.I)
    if m:
        if end is not None:
            raise _fail(text, "a substitution takes one position, not a range")
        ref, alt = m.group(1).upper(), m.group(2).upper()
        if ref == alt:
            raise _fail(text, f"substitution {ref}>{alt} does not change the base")
        return CEdit("sub", start, None, ref, alt, 1)
    m = re.fullmatch(r"del([ACGT]+)ins([ACGT]+)|delins([ACGT]+)", raw, re.I)
    if m:
        deleted = (m.group(1) or "").upper() or None
        ins = (m.group(2) or m.group(3)).upper()
        if deleted and legacy:
            start, end = _legacy_range(start, end, deleted, notes)
        span = _span(start, end)
        _check_length(text, deleted, span)
        if deleted:
            notes.append(f"legacy 'del{deleted}ins' written as 'delins' (deleted bases dropped)")
        return CEdit("delins", start, end, deleted, ins, None if span is None else len(ins) - span)
    m = re.fullmatch(r"(del|dup)([ACGT]+|\d+)?", raw, re.I)
    if m:
        kind, stated = m.group(1).lower(), (m.group(2) or "").upper()
        if stated.isalpha() and legacy:
            start, end = _legacy_range(start, end, stated, notes)
        span = _span(start, end)
        if stated.isdigit():
            if span is not None and int(stated) != span:
                raise _fail(text, f"'{kind}{stated}' states {stated} bases but the range covers {span}")
            span = int(stated) if span is None else span
        else:
            _check_length(text, stated or None, span)
        if stated:
            notes.append(f"'{kind}{stated}' normalised to '{kind}' (HGVS recommends not stating the bases)")
        return CEdit(kind, start, end, stated if stated.isalpha() else None, None, span)
    m = re.fullmatch(r"ins([ACGT]+|\d+|N\[(\d+)\])", raw, re.I)  # N[12]: 12 unspecified bases, as written back
    if m:
        ins = m.group(2) or m.group(1).upper()
        if end is None:
            notes.append("insertion given at one position; HGVS names the two flanking positions")
        return CEdit("ins", start, end, None, ins if ins.isalpha() else None, len(ins) if ins.isalpha() else int(ins))
    if raw.lower() == "inv":
        return CEdit("inv", start, end, None, None, _span(start, end))
    if raw in ("=", "") or raw.endswith("="):
        raise _fail(text, "no change is described (c.= or a position without an edit)")
    raise _fail(text, f"unknown c. edit {raw!r} (expected N>N, del, dup, ins, delins or inv)")


def _check_length(text: str, seq: str | None, span: int | None) -> None:
    if seq and span is not None and len(seq) != span:
        raise _fail(text, f"{len(seq)} stated base(s) {seq} do not match a range of {span} base(s)")


def _uncertain_deletion(text: str, a: str, b: str, notes: list[str]) -> CEdit:
    whole = ("?" in a and ("-" in a or a.startswith("?_1"))) and "*" in b
    notes.append("breakpoints uncertain ('?'): read as a "
                 + ("whole-gene deletion" if whole else "deletion of one or more exons"))
    return CEdit("gene_deletion" if whole else "exon_deletion", alt=f"({a})_({b})")


def _parse_c(text: str, s: str, legacy: bool, notes: list[str]) -> CEdit:
    m = _UNCERTAIN.match(s)
    if m:
        return _uncertain_deletion(text, m.group("a"), m.group("b"), notes)
    m = _C.match(s)
    if not m:
        raise _fail(text, f"cannot read a c. position in {s!r}")
    start = _position(m.group("start"))
    end = _position(m.group("end")) if m.group("end") else None
    if end is not None and _order(end) <= _order(start):
        raise _fail(text, f"range {start}_{end} does not go from 5' to 3' (two different, increasing positions)")
    return _edit(text, m.group("edit").strip(), start, end, legacy, notes)


def _special(s: str) -> CEdit | None:
    m = _EXON.match(s)
    if m:
        a = int(m.group("a") or m.group("a2"))
        b = int(m.group("b") or m.group("b2") or a)
        return CEdit("exon_deletion", exons=(min(a, b), max(a, b)))
    if _GENE_DEL.match(s):
        return CEdit("gene_deletion")
    return None


# ---------------------------------------------------------------------------------------------- p. part
_AA3 = r"[A-Za-z][a-z]{2}"
_AA = rf"(?:{_AA3}|[A-Z*])"
_P_HEAD = re.compile(rf"^(?P<ref>{_AA3}|[A-Z*])(?P<pos>\d+)(?P<rest>.*)$")
_FS = re.compile(rf"^-?(?P<alt>{_AA})?fs(?:(?:\*|Ter|X)(?P<n>\d+|\?)?)?$")
_EXT = re.compile(rf"^(?P<alt>{_AA})ext(?:\*|Ter|X)?(?P<n>\d+|\?)$")
_RANGE = re.compile(rf"^_(?P<ref>{_AA3}|[A-Z*])(?P<pos>\d+)(?P<rest>.*)$")


def _aa(text: str, token: str, notes: list[str]) -> str:
    code = three_letter(token)
    if code is None:
        raise _fail(text, f"{token!r} is not an amino-acid code")
    if token == "X":
        notes.append("read 'X' as a stop codon (legacy; HGVS uses '*' or 'Ter', X means any amino acid)")
    return code


def _aa_run(text: str, run: str, notes: list[str]) -> tuple[str, ...]:
    tokens = re.findall(rf"{_AA3}|[A-Z*]", run)
    if "".join(tokens) != run or not tokens:
        raise _fail(text, f"cannot read inserted amino acids {run!r}")
    return tuple(_aa(text, t, notes) for t in tokens)


def _parse_p(text: str, s: str, notes: list[str]) -> PEdit:
    body = s.strip()
    predicted = body.startswith("(") and body.endswith(")")
    if predicted:
        body = body[1:-1].strip()
    if body in ("?", "0", "="):
        kind = {"?": "unknown", "0": "no_protein", "=": "synonymous"}[body]
        return PEdit(kind, predicted=predicted)
    m = _P_HEAD.match(body)
    if not m:
        raise _fail(text, f"cannot read a protein change in {s!r}")
    ref, pos, rest = _aa(text, m.group("ref"), notes), int(m.group("pos")), m.group("rest")
    return _p_rest(text, ref, pos, rest, predicted, notes)


def _p_rest(text: str, ref: str, pos: int, rest: str, predicted: bool, notes: list[str]) -> PEdit:
    if rest == "=":
        return PEdit("synonymous", ref, pos, ref, predicted=predicted)
    if rest == "?":
        kind = "start_lost" if pos == 1 and ref == "Met" else "unknown"
        return PEdit(kind, ref, pos, predicted=predicted)
    if rest in ("del", "dup"):
        return PEdit(rest, ref, pos, predicted=predicted)
    m = _FS.match(rest)
    if m:
        if rest.startswith("-"):
            notes.append("ignored '-' before the frameshift amino acid")
        alt = _aa(text, m.group("alt"), notes) if m.group("alt") else None
        if "X" in rest[rest.index("fs"):]:
            notes.append("legacy 'fsX' written as 'fs*'")
        return PEdit("frameshift", ref, pos, alt, stop_after=m.group("n"), predicted=predicted)
    m = _EXT.match(rest)
    if m:
        return PEdit("stop_lost", ref, pos, _aa(text, m.group("alt"), notes), stop_after=m.group("n"),
                     predicted=predicted)
    m = _RANGE.match(rest)
    if m:
        return _p_range(text, ref, pos, m, predicted, notes)
    m = re.fullmatch(r"(delins|ins)(.+)", rest)
    if m:
        return PEdit(m.group(1), ref, pos, inserted=_aa_run(text, m.group(2), notes), predicted=predicted)
    if re.fullmatch(_AA, rest) or rest in ("X", "Ter"):
        return _single(ref, pos, _aa(text, rest, notes), predicted)
    raise _fail(text, f"unknown protein change after {ref}{pos}: {rest!r}")


def _p_range(text: str, ref: str, pos: int, m: re.Match[str], predicted: bool, notes: list[str]) -> PEdit:
    end_ref, end_pos, edit = _aa(text, m.group("ref"), notes), int(m.group("pos")), m.group("rest")
    if end_pos <= pos:
        raise _fail(text, f"protein range {pos}_{end_pos} is not increasing")
    if edit in ("del", "dup"):
        return PEdit(edit, ref, pos, end_ref=end_ref, end_position=end_pos, predicted=predicted)
    mm = re.fullmatch(r"(delins|ins)(.+)", edit)
    if not mm:
        raise _fail(text, f"unknown protein range edit {edit!r}")
    return PEdit(mm.group(1), ref, pos, end_ref=end_ref, end_position=end_pos,
                 inserted=_aa_run(text, mm.group(2), notes), predicted=predicted)


def _single(ref: str, pos: int, alt: str, predicted: bool) -> PEdit:
    if ref == alt:
        return PEdit("synonymous", ref, pos, alt, predicted=predicted)
    if alt == STOP:
        return PEdit("nonsense", ref, pos, alt, predicted=predicted)
    if ref == STOP:
        return PEdit("stop_lost", ref, pos, alt, predicted=predicted)
    if pos == 1 and ref == "Met":
        return PEdit("start_lost", ref, pos, alt, predicted=predicted)
    return PEdit("missense", ref, pos, alt, predicted=predicted)


# ------------------------------------------------------------------------------------------- top level
_P_START = re.compile(r"(?<![A-Za-z])p\.")


def _split(text: str, s: str, notes: list[str]) -> tuple[str, str | None]:
    """Split into the DNA part and the protein part (without 'p.')."""
    m = _P_START.search(s)
    if m:
        before, after = s[: m.start()].rstrip(), s[m.end():].strip()
        opened = before.endswith("(")
        before = before[:-1].rstrip() if opened else before
        if opened:
            if after.endswith(")") and after.count("(") < after.count(")"):
                after = after[:-1].rstrip()
            elif after.count("(") == after.count(")"):
                notes.append("closing ')' after the protein change is missing")
        return before, after
    m = re.fullmatch(r"(?P<c>.*?)\s*\((?P<p>[^()]+)\)", s)
    if m and m.group("c"):
        notes.append(f"protein change {m.group('p')!r} given without 'p.'")
        return m.group("c"), m.group("p").strip()
    return s, None


def _c_from(text: str, part: str, notes: list[str], has_protein: bool) -> CEdit | None:
    if not part:
        return None
    special = _special(part)
    if special is not None:
        return special
    if part.startswith("c."):
        return _parse_c(text, part[2:], False, notes)
    if re.match(r"[gnrm]\.", part):
        raise _fail(text, f"only coding-DNA (c.) descriptions are supported, got {part[:2]!r}")
    if re.match(r"[-*]?\d", part):
        notes.append("no 'c.' prefix: read as a coding-DNA position (legacy notation)")
        return _parse_c(text, part, True, notes)
    if re.fullmatch(_AA + r"\d+.*", part) and not has_protein:
        return None
    raise _fail(text, f"cannot read {part!r} as a c. description")


#: Positions, offsets and lengths in a variant description have at most this many digits.
MAX_POSITION_DIGITS = 9
_HUGE_NUMBER = re.compile(rf"\d{{{MAX_POSITION_DIGITS + 1},}}")


def parse_variant(text: str) -> ParsedVariant:
    """Read ``text`` into gene, transcript, c. edit and p. edit. Raises InputError if it cannot."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"Cannot read variant {text!r}: empty text; {EXPECTED}.")
    notes: list[str] = []
    s = _clean(text, notes)
    zyg = _ZYGOSITY.search(s)
    zygosity = None
    if zyg:
        zygosity = zyg.group(1).lower()
        s = s[: zyg.start()].rstrip()
        notes.append(f"zygosity word {zygosity!r} removed from the description (record it in `zygosity`)")
    gene, transcript, s = _prefix(s)
    if _HUGE_NUMBER.search(s):
        raise _fail(text, f"a number has more than {MAX_POSITION_DIGITS} digits, longer than any gene")
    dna, protein = _split(text, s, notes)
    c = _c_from(text, dna.strip(), notes, protein is not None)
    if c is None and protein is None:
        if dna.strip():
            protein = dna.strip()
            notes.append(f"protein change {protein!r} given without 'p.'")
        else:
            raise _fail(text, "nothing after the gene name")
    p = _parse_p(text, protein, notes) if protein is not None else None
    return ParsedVariant(text, gene, transcript, c, p, zygosity, tuple(notes))
