"""Patient genotype: zygosity, FHL type, protein-expression status and the paper's genotype groups.

Groups (Malik et al. 2021, Genotype Correlations):

* **pooled mutation group** = at least 1 disruptive allele (nonsense, frameshift, deletion) **or** missense
  allele(s) with **absent** protein expression;
* its subset **purely disruptive** = every identified allele disruptive (our reading of "purely");
* the comparator **residual-expression missense** ("hypomorphic") = missense allele(s) only, with
  **residual** protein expression;
* **not classifiable** otherwise, with the reason (no variants; an allele whose disruptiveness the policy
  leaves open, e.g. canonical splice; missense without expression data; normal expression; ...).

``Genotype.group`` is one of ``"purely_disruptive"``, ``"pooled"`` (pooled but not purely disruptive),
``"residual_expression_missense"`` and ``"not_classifiable"``; ``pooled_group`` is True for the first two.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from neurohlh.errors import InputError
from neurohlh.genetics.classify import PAPER_POLICY, DisruptivePolicy, VariantClassification, classify_variant
from neurohlh.schema import Patient, Sex, Variant

#: Gene -> disease (FHL type or syndrome) (OMIM via clinical.md section 3.1).
FHL_TYPES = {
    "PRF1": "FHL2", "UNC13D": "FHL3", "STX11": "FHL4", "STXBP2": "FHL5", "RAB27A": "GS2", "LYST": "CHS",
    "SH2D1A": "XLP1", "XIAP": "XLP2", "BIRC4": "XLP2", "AP3B1": "HPS2",
}
#: X-linked genes: a single variant in a male is hemizygous.
X_LINKED_GENES = frozenset({"SH2D1A", "XIAP", "BIRC4", "MAGT1"})
#: The flow-cytometry assay that measures each gene's own protein.
GENE_ASSAY = {"PRF1": "perforin", "UNC13D": "munc13_4", "STX11": "syntaxin_11", "STXBP2": "munc18_2",
              "SH2D1A": "sap", "XIAP": "xiap", "BIRC4": "xiap"}

GROUPS = ("purely_disruptive", "pooled", "residual_expression_missense", "not_classifiable")
#: The patient fields :func:`patient_genotype` reads (any object with these attributes will do).
GENOTYPE_PATIENT_FIELDS = ("patient_id", "sex", "genetic_result", "mutated_genes", "protein_expression_verdict",
                           "protein_expression_pct", "protein_expression_assay")


@dataclass(frozen=True, slots=True)
class ExpressionRule:
    """How protein expression is read: the lab verdict first; without it, the raw percentage.

    ``absent_at_most_pct``: a raw value at or below this is "absent" (default 0%: the paper's absent
    examples are 0%, its residual examples 25% and 38%); above it is "residual". "normal" is never inferred
    from a percentage because reference ranges are lab-specific. ``require_matching_assay``: if True, an
    assay that does not measure the mutated gene's protein makes expression unusable.
    """

    absent_at_most_pct: float = 0.0
    require_matching_assay: bool = False
    name: str = "verdict, else 0% = absent, > 0% = residual"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "absent_at_most_pct": self.absent_at_most_pct,
                "require_matching_assay": self.require_matching_assay}


DEFAULT_EXPRESSION_RULE = ExpressionRule()


@dataclass(frozen=True, slots=True)
class ExpressionStatus:
    verdict: str | None
    pct: float | None
    assay: str | None
    lab_verdict: str | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "pct": self.pct, "assay": self.assay, "lab_verdict": self.lab_verdict,
                "explanation": self.explanation}


def expression_status(patient: Patient, rule: ExpressionRule = DEFAULT_EXPRESSION_RULE) -> ExpressionStatus:
    """Absent / residual / normal / None from the lab verdict or, failing that, the raw percentage."""
    verdict, assay = patient.protein_expression_verdict, patient.protein_expression_assay
    pct = patient.protein_expression_pct
    from_pct = None if pct is None else ("absent" if pct <= rule.absent_at_most_pct else "residual")
    if verdict is not None:
        text = f"lab verdict {verdict}"
        if pct is not None:
            text += f" ({pct:g}%)"
            if (verdict == "absent") != (from_pct == "absent"):
                text += f"; note: {pct:g}% would read as {from_pct} by the percentage rule, the lab verdict wins"
        return ExpressionStatus(verdict, pct, assay, verdict, text)
    if from_pct is not None:
        sign = "<=" if from_pct == "absent" else ">"
        text = f"no lab verdict; {pct:g}% {sign} {rule.absent_at_most_pct:g}% -> {from_pct}"
        return ExpressionStatus(from_pct, pct, assay, None, text)
    return ExpressionStatus(None, None, assay, None, "protein expression not available")


@dataclass(frozen=True, slots=True)
class Allele:
    """One identified allele (a homozygous variant gives two)."""

    variant: VariantClassification
    zygosity: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"zygosity": self.zygosity, **self.variant.to_dict()}


@dataclass(frozen=True, slots=True)
class Genotype:
    """Genotype of one patient and its group, with the reason for the group."""

    patient_id: str
    genes: tuple[str, ...]
    fhl_type: str | None
    zygosity: str | None
    alleles: tuple[Allele, ...]
    expression: ExpressionStatus
    purely_disruptive: bool | None
    pooled_group: bool | None
    group: str
    reason: str
    notes: tuple[str, ...] = ()
    policy: str = PAPER_POLICY.name
    expression_rule: str = DEFAULT_EXPRESSION_RULE.name

    def to_dict(self) -> dict[str, Any]:
        return {"patient_id": self.patient_id, "genes": list(self.genes), "fhl_type": self.fhl_type,
                "zygosity": self.zygosity, "alleles": [a.to_dict() for a in self.alleles],
                "expression": self.expression.to_dict(), "purely_disruptive": self.purely_disruptive,
                "pooled_group": self.pooled_group, "group": self.group, "reason": self.reason,
                "notes": list(self.notes), "policy": self.policy, "expression_rule": self.expression_rule}


@dataclass
class _GeneCall:
    gene: str
    zygosity: str | None
    alleles: list[Allele] = field(default_factory=list)


def _zygosity(v: Variant, c: VariantClassification, notes: list[str]) -> str | None:
    """Zygosity from the column; a word in the text ("homozygous") fills a blank column or is flagged."""
    column = v.zygosity
    word = c.zygosity_in_text
    if word in (None, "compound heterozygous"):
        return column
    if column is None:
        notes.append(f"{v.hgvs}: zygosity column empty; '{word}' taken from the variant text")
        return word
    if column != word:
        notes.append(f"{v.hgvs}: text says '{word}' but the zygosity column says '{column}'; the column is used")
    return column


def _gene_call(gene: str, rows: list[tuple[Variant, VariantClassification]], male: bool,
               notes: list[str]) -> _GeneCall:
    zyg = [_zygosity(v, c, notes) for v, c in rows]
    keys = {c.key for _, c in rows}
    alleles: list[Allele] = []
    for (_, c), z in zip(rows, zyg):
        alleles += [Allele(c, z)] * (2 if z == "homozygous" else 1)
    if gene in X_LINKED_GENES and ("hemizygous" in zyg or (male and len(rows) == 1)):
        return _GeneCall(gene, "hemizygous", alleles)
    if "hemizygous" in zyg:
        notes.append(f"{gene} is not X-linked but a variant is reported hemizygous (deletion of the other "
                     "allele?)")
        return _GeneCall(gene, "hemizygous", alleles)
    if "homozygous" in zyg:
        if len(rows) > 1:
            notes.append(f"{gene}: a homozygous variant plus other variants; reported as homozygous")
        return _GeneCall(gene, "homozygous", alleles)
    if len(keys) >= 2:
        if None in zyg:
            notes.append(f"{gene}: zygosity not reported for some variants; two different variants read as "
                         "compound heterozygous (phase not confirmed)")
        return _GeneCall(gene, "compound_heterozygous", alleles)
    if len(rows) >= 2:
        notes.append(f"{gene}: the same variant is listed {len(rows)} times; read as homozygous")
        return _GeneCall(gene, "homozygous", alleles)
    if zyg[0] is None:
        notes.append(f"{gene}: one variant with zygosity not reported; zygosity unknown")
        return _GeneCall(gene, None, alleles)
    return _GeneCall(gene, "monoallelic", alleles)


def _purely(alleles: Sequence[Allele]) -> bool | None:
    flags = [a.variant.disruptive for a in alleles]
    if any(f is False for f in flags):
        return False
    return True if flags and all(f is True for f in flags) else None


def _describe(a: Allele) -> str:
    v = a.variant
    return f"{v.gene or ''} {v.c_dot or v.p_dot or v.key} ({v.consequence})".strip()


def _pooled(alleles: Sequence[Allele], expression: ExpressionStatus, genes: Sequence[str],
            rule: ExpressionRule, policy: DisruptivePolicy) -> tuple[bool | None, str]:
    disruptive = [a for a in alleles if a.variant.disruptive is True]
    if disruptive:
        return True, f">= 1 disruptive allele: {_describe(disruptive[0])}"
    undecided = [a for a in alleles if a.variant.disruptive is None]
    if undecided:
        return None, (f"{_describe(undecided[0])}: disruptive or not is undecided under policy "
                      f"'{policy.name}' (the paper does not say); override the policy to classify")
    if not all(a.variant.is_missense for a in alleles):
        other = next(a for a in alleles if not a.variant.is_missense)
        return None, f"no disruptive allele and not missense-only ({_describe(other)})"
    expected = {GENE_ASSAY.get(g) for g in genes} - {None}
    if rule.require_matching_assay and expression.assay and expression.assay not in expected:
        return None, f"expression assay {expression.assay} does not measure the product of {', '.join(genes)}"
    if expression.verdict == "absent":
        return True, f"missense only, absent protein expression ({expression.explanation})"
    if expression.verdict == "residual":
        return False, f"missense only, residual protein expression ({expression.explanation})"
    if expression.verdict == "normal":
        return None, ("missense only with normal protein expression: neither absent (pooled) nor residual "
                      "(hypomorphic comparator)")
    return None, "missense only and protein expression not available"


@dataclass(frozen=True, slots=True)
class _VariantCalls:
    """What a patient's variants say whatever the patient's protein expression: the genes, the zygosity and FHL
    type of the main gene, the alleles and the notes their reading gave."""

    genes: tuple[str, ...]
    main_gene: str
    zygosity: str | None
    alleles: tuple[Allele, ...]
    purely_disruptive: bool | None
    notes: tuple[str, ...]


#: One variant as the gene calls read it: its text, gene and zygosity cells and its classification.
_VariantRead = tuple[str, str | None, str | None, VariantClassification]


def _variant_calls(reads: Sequence[tuple[Variant, VariantClassification]], male: bool) -> _VariantCalls:
    notes: list[str] = []
    by_gene: dict[str, list[tuple[Variant, VariantClassification]]] = {}
    for v, c in reads:
        by_gene.setdefault(c.gene or v.gene, []).append((v, c))
        notes += [f"{v.hgvs}: conflict: {x}" for x in c.conflicts]
    calls = [_gene_call(g, rows, male, notes) for g, rows in by_gene.items()]
    genes = tuple(sorted(by_gene))
    main = next((c for c in calls if c.zygosity in ("homozygous", "compound_heterozygous", "hemizygous")),
                calls[0])
    if len(calls) > 1:
        notes.append(f"variants in {len(calls)} genes ({', '.join(genes)}); zygosity and FHL type from {main.gene}")
    alleles = tuple(a for c in calls for a in c.alleles)
    return _VariantCalls(genes, main.gene, main.zygosity, alleles, _purely(alleles), tuple(notes))


class Genotyper:
    """:func:`patient_genotype` for the patients of one cohort under one policy and expression rule.

    The gene calls of a patient's variants (genes, zygosity, alleles, their notes) do not depend on the patient's
    protein expression: they are made once per distinct set of variant rows (text, gene and zygosity cells, and
    classification) and sex, and shared by every patient with that set.
    """

    def __init__(self, policy: DisruptivePolicy = PAPER_POLICY,
                 expression_rule: ExpressionRule = DEFAULT_EXPRESSION_RULE) -> None:
        self.policy = policy
        self.expression_rule = expression_rule
        self._calls: dict[tuple[bool, tuple[_VariantRead, ...]], _VariantCalls] = {}

    def __call__(self, patient: Patient, variants: Sequence[Variant], *,
                 classified: Sequence[VariantClassification] | None = None) -> Genotype:
        """The genotype of ``patient`` (see :func:`patient_genotype`)."""
        policy, expression_rule = self.policy, self.expression_rule
        if classified is not None and len(classified) != len(variants):
            raise InputError(f"{len(classified)} classifications were given for {len(variants)} variants.")
        pid = patient.patient_id
        pairs = [(v, classify_variant(v.hgvs, gene=v.gene, policy=policy) if classified is None else classified[i])
                 for i, v in enumerate(variants) if v.patient_id == pid]
        expression = expression_status(patient, expression_rule)
        declared = tuple(g.strip().upper() for g in (patient.mutated_genes or "").split(";") if g.strip())
        if not pairs:
            reason = f"no variants recorded (genetic result: {patient.genetic_result or 'unknown'})"
            fhl_type = None
            if declared:
                reason += f"; mutated gene(s) {', '.join(declared)} without variant details"
                fhl_type = FHL_TYPES.get(declared[0]) if len(declared) == 1 else None
            return Genotype(pid, (), fhl_type, None, (), expression, None, None, "not_classifiable",
                            reason, (), policy.name, expression_rule.name)
        male = patient.sex == Sex.MALE
        key = (male, tuple((v.hgvs, v.gene, v.zygosity, c) for v, c in pairs))
        calls = self._calls.get(key)
        if calls is None:
            calls = self._calls[key] = _variant_calls(pairs, male)
        genes, notes = calls.genes, list(calls.notes)
        if declared and set(declared) != set(genes):
            notes.append(f"mutated_genes says {', '.join(declared)} but the variants are in {', '.join(genes)}")
        purely = calls.purely_disruptive
        pooled, reason = _pooled(calls.alleles, expression, genes, expression_rule, policy)
        if calls.zygosity == "monoallelic":
            notes.append("only one allele identified; groups are judged on the identified allele")
        expected = {GENE_ASSAY.get(g) for g in genes} - {None}
        if expression.assay and expected and expression.assay not in expected and expression.assay != "other":
            notes.append(f"expression assay {expression.assay} does not measure the product of {', '.join(genes)}")
        group = ("purely_disruptive" if purely else "pooled" if pooled else
                 "residual_expression_missense" if pooled is False else "not_classifiable")
        if purely:
            reason = "all identified alleles disruptive"
        return Genotype(pid, genes, FHL_TYPES.get(calls.main_gene), calls.zygosity, calls.alleles, expression,
                        purely, pooled, group, reason, tuple(notes), policy.name, expression_rule.name)


def patient_genotype(patient: Patient, variants: Sequence[Variant], policy: DisruptivePolicy = PAPER_POLICY,
                     expression_rule: ExpressionRule = DEFAULT_EXPRESSION_RULE, *,
                     classified: Sequence[VariantClassification] | None = None) -> Genotype:
    """Genotype and genotype group of ``patient`` from its variants.

    ``variants`` may hold the whole cohort's variants; only rows of this patient are used. ``classified``
    holds the classification of each of ``variants`` under ``policy`` (same order) when the caller already has
    it. Raises :class:`~neurohlh.errors.InputError` if a variant text cannot be read. ``patient`` may be any
    object with the attributes :data:`GENOTYPE_PATIENT_FIELDS`. For many patients, one :class:`Genotyper`
    shares the work their variants have in common.
    """
    return Genotyper(policy, expression_rule)(patient, variants, classified=classified)
