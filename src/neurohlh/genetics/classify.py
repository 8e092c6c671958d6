"""Classify one variant description: gene, Sequence Ontology consequence, disruptive or not, recurrence key.

"Disruptive" follows the paper (Malik et al. 2021, Genotype Correlations): "nonsense, frameshift, or
deletion". The paper does not say how canonical splice-site variants, in-frame deletions/insertions,
start-loss or stop-loss count; the default policy (``PAPER_POLICY``) leaves them ``None`` (undecided) so a
genotype that depends on them is reported as not classifiable instead of being guessed. ``LOF_POLICY``
(ACMG-like loss of function) counts canonical splice and start-loss as disruptive; any policy can be
overridden per consequence with :meth:`DisruptivePolicy.with_overrides`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from neurohlh.errors import InputError
from neurohlh.genetics._consequence import SO_TERMS, combine
from neurohlh.genetics._parse import ParsedVariant, parse_variant


@dataclass(frozen=True, slots=True)
class DisruptivePolicy:
    """Which consequences count as disruptive (True), not disruptive (False) or undecided (None)."""

    name: str
    rules: Mapping[str, bool | None] = field(default_factory=dict)
    description: str = ""

    def decide(self, consequence: str | None) -> bool | None:
        if consequence is None:
            return None
        return self.rules.get(consequence)

    def with_overrides(self, name: str | None = None, **overrides: bool | None) -> DisruptivePolicy:
        """A copy with some consequences decided differently, e.g. ``splice_donor_variant=True``."""
        unknown = sorted(set(overrides) - set(SO_TERMS))
        if unknown:
            raise InputError(f"Unknown consequence term(s) {unknown}; use one of {sorted(SO_TERMS)}.")
        rules = {**self.rules, **overrides}
        changes = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        return DisruptivePolicy(name or f"{self.name}+{changes}", rules, f"{self.description}; overrides: {changes}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rules": dict(self.rules), "description": self.description}


_NOT_DISRUPTIVE = ("missense_variant", "synonymous_variant", "intron_variant", "5_prime_UTR_variant",
                   "3_prime_UTR_variant")
_UNDECIDED = ("inframe_deletion", "inframe_insertion", "splice_donor_variant", "splice_acceptor_variant",
              "splice_region_variant", "start_lost", "stop_lost", "coding_sequence_variant",
              "protein_altering_variant")

#: The paper's definition: nonsense, frameshift, deletion (exon/whole-gene); everything else it is silent on
#: stays undecided.
PAPER_POLICY = DisruptivePolicy(
    "paper",
    {"stop_gained": True, "frameshift_variant": True, "exon_loss_variant": True, "transcript_ablation": True,
     **{t: False for t in _NOT_DISRUPTIVE}, **{t: None for t in _UNDECIDED}},
    "Malik 2021: disruptive = nonsense, frameshift or deletion (of exons/gene); in-frame indels, canonical "
    "splice, start/stop loss undecided",
)
#: ACMG-like loss of function: adds canonical splice (+/-1, 2) and start-loss to the paper's list.
LOF_POLICY = PAPER_POLICY.with_overrides(
    "lof", splice_donor_variant=True, splice_acceptor_variant=True, start_lost=True)


@dataclass(frozen=True, slots=True)
class VariantClassification:
    """What one variant text says, read and classified. ``key`` is c.-based for recurrence counting."""

    text: str
    gene: str | None
    transcript: str | None
    c_dot: str | None
    p_dot: str | None
    consequence: str | None
    so_id: str | None
    disruptive: bool | None
    key: str | None
    conflicts: tuple[str, ...]
    notes: tuple[str, ...]
    policy: str
    zygosity_in_text: str | None = None

    @property
    def is_missense(self) -> bool:
        return self.consequence == "missense_variant"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "gene": self.gene, "transcript": self.transcript, "c_dot": self.c_dot,
                "p_dot": self.p_dot, "consequence": self.consequence, "so_id": self.so_id,
                "disruptive": self.disruptive, "key": self.key, "conflicts": list(self.conflicts),
                "notes": list(self.notes), "policy": self.policy, "zygosity_in_text": self.zygosity_in_text}


#: Genes of the HLH panels neurohlh knows (clinical.md section 3.1); another symbol is accepted with a note.
KNOWN_GENES = frozenset({"PRF1", "UNC13D", "STX11", "STXBP2", "RAB27A", "LYST", "AP3B1", "SH2D1A", "XIAP", "BIRC4",
                         "ITK", "MAGT1", "SLC7A7", "CD27", "NLRC4", "CDC42", "RC3H1"})


def _gene(parsed: ParsedVariant, gene: str | None) -> str | None:
    given = gene.strip().upper() if gene and gene.strip() else None
    if given and parsed.gene and parsed.gene.upper() != given:
        raise InputError(f"Variant {parsed.text!r} names gene {parsed.gene} but gene {given} was given.")
    return given or (parsed.gene.upper() if parsed.gene else None)


def _key(gene: str | None, parsed: ParsedVariant, notes: list[str]) -> str | None:
    prefix = f"{gene}:" if gene else ""
    if parsed.c is not None:
        return prefix + parsed.c.normalised
    if parsed.p is not None and parsed.p.kind not in ("unknown", "no_protein"):
        notes.append("no c. description: the recurrence key falls back to the protein change")
        return prefix + parsed.p.bare
    return None


def classify_variant(text: str, gene: str | None = None, policy: DisruptivePolicy = PAPER_POLICY
                     ) -> VariantClassification:
    """Read and classify one variant description.

    Parameters
    ----------
    text : str
        As written by the laboratory or a paper, e.g. ``"PRF1 c.50del(p.Leu17Argfs*34)"``,
        ``"NM_005041.6(PRF1):c.272C>T"``, ``"c.2346_2349delGGAG (p.R782fs)"``, ``"p.Gln98X"``.
    gene : str, optional
        Gene symbol if not in the text; if both are given they must agree.
    policy : DisruptivePolicy
        Which consequences count as disruptive (default: the paper's definition).

    Raises
    ------
    InputError
        If the text cannot be read, naming the text and what was expected.

    Examples
    --------
    >>> v = classify_variant("PRF1 c.50delT (p.L17fs)")
    >>> v.key, v.consequence, v.disruptive
    ('PRF1:c.50del', 'frameshift_variant', True)
    >>> classify_variant("c.272C>T (p.A91V)", gene="PRF1").p_dot
    'p.Ala91Val'
    """
    if not isinstance(text, str):
        raise InputError(f"Cannot read variant {text!r}: a variant description must be text.")
    return _classify_cached(text, gene, policy.name, _rules_key(policy))


_RULE_KEYS: dict[int, tuple[DisruptivePolicy, tuple[tuple[str, bool | None], ...]]] = {}


def _rules_key(policy: DisruptivePolicy) -> tuple[tuple[str, bool | None], ...]:
    """The policy's rules as a hashable key, sorted once per policy (a policy is immutable: overrides make a new
    one), not once per variant."""
    entry = _RULE_KEYS.get(id(policy))
    if entry is None or entry[0] is not policy:
        if len(_RULE_KEYS) > 64:
            _RULE_KEYS.clear()
        entry = _RULE_KEYS[id(policy)] = (policy, tuple(sorted(policy.rules.items())))
    return entry[1]


@lru_cache(maxsize=65536)
def _classify_cached(text: str, gene: str | None, policy_name: str,
                     rules: tuple[tuple[str, bool | None], ...]) -> VariantClassification:
    """Classification is a pure function of its inputs; cohorts repeat variants, so results are cached."""
    policy = DisruptivePolicy(policy_name, dict(rules))
    parsed = parse_variant(text)
    notes = list(parsed.notes)
    gene_symbol = _gene(parsed, gene)
    if gene_symbol is not None and gene_symbol not in KNOWN_GENES:
        notes.append(f"gene {gene_symbol} is not one of the HLH-panel genes neurohlh knows; check the symbol")
    consequence, conflicts, more = combine(parsed.c, parsed.p)
    notes += more
    disruptive = policy.decide(consequence)
    if conflicts and disruptive is not None:
        notes.append(f"c. and p. disagree, so 'disruptive' is left undecided (policy would say {disruptive})")
        disruptive = None
    elif disruptive is None and consequence is not None:
        notes.append(f"policy '{policy.name}' leaves {consequence} undecided")
    key = _key(gene_symbol, parsed, notes)
    return VariantClassification(
        text=text, gene=gene_symbol, transcript=parsed.transcript,
        c_dot=parsed.c.normalised if parsed.c is not None and parsed.c.normalised.startswith("c.") else None,
        p_dot=parsed.p.normalised if parsed.p is not None else None,
        consequence=consequence, so_id=SO_TERMS.get(consequence) if consequence else None,
        disruptive=disruptive, key=key, conflicts=tuple(conflicts), notes=tuple(notes), policy=policy.name,
        zygosity_in_text=parsed.zygosity_word,
    )
