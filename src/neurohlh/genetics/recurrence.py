"""Recurrent variants: the same variant (same c.-based key) in two or more patients.

Keys are built from the c. description in HGVS-recommended form, so ``c.50delT (p.L17fs)`` and
``c.50del(p.Leu17Argfs*34)`` are one variant although their protein descriptions differ (the stop-position
convention changed over time; HGVS advises keying on DNA).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neurohlh.errors import InputError, Problem
from neurohlh.genetics.classify import PAPER_POLICY, DisruptivePolicy, VariantClassification, classify_variant
from neurohlh.schema import Variant


@dataclass(frozen=True, slots=True)
class RecurrentVariant:
    key: str
    gene: str | None
    consequence: str | None
    disruptive: bool | None
    patient_ids: tuple[str, ...]
    texts: tuple[str, ...]

    @property
    def n_patients(self) -> int:
        return len(self.patient_ids)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "gene": self.gene, "consequence": self.consequence,
                "disruptive": self.disruptive, "n_patients": self.n_patients,
                "patient_ids": list(self.patient_ids), "texts": list(self.texts)}


def classify_variants(variants: Sequence[Variant], policy: DisruptivePolicy = PAPER_POLICY,
                      rows: Sequence[int] | None = None, file: str = "variants"
                      ) -> list[VariantClassification]:
    """Classify every variant row; collect every unreadable row into one InputError.

    ``rows`` (spreadsheet row numbers, e.g. the cohort frame's ``_row``) and ``file`` (e.g. ``variants.csv``)
    locate each problem the way the loader does; without them the problem names the variant's position.
    """
    out: list[VariantClassification] = []
    problems: list[Problem] = []
    read: dict[tuple[str, str | None], VariantClassification | InputError] = {}  # each distinct text read once
    for i, v in enumerate(variants):
        c = read.get((v.hgvs, v.gene))
        if c is None:
            try:
                c = classify_variant(v.hgvs, gene=v.gene, policy=policy)
            except InputError as exc:
                c = exc
            read[(v.hgvs, v.gene)] = c
        if isinstance(c, InputError):
            row = None if rows is None else int(rows[i])
            where = f"patient {v.patient_id}" + ("" if row is not None else f", variant {i + 1}")
            problems.append(Problem(file, str(c), row=row, column="hgvs", value=v.hgvs, suggestion=where))
        else:
            out.append(c)
    if problems:
        raise InputError(f"{len(problems)} variant description(s) cannot be read", problems)
    return out


def check_cohort_variants(cohort: Any, policy: DisruptivePolicy = PAPER_POLICY,
                          records: Sequence[Variant] | None = None) -> list[VariantClassification]:
    """:func:`classify_variants` on a loaded cohort, each unreadable variant located as the loader locates
    problems: ``variants.csv`` (or ``book.xlsx [sheet variants]``) and the spreadsheet row.

    ``records`` are ``cohort.variant_records()`` when the caller already holds them."""
    label = cohort.label("variants")
    frame = cohort.variants
    rows = [int(r) for r in frame["_row"]] if "_row" in frame else None
    return classify_variants(cohort.variant_records() if records is None else records, policy, rows=rows,
                             file=label)


def variant_problems(frames: dict[str, Any], labels: dict[str, str]) -> list[Problem]:
    """Located problems for variant descriptions the rules cannot read, or that name another gene than the
    ``gene`` cell: the check :func:`check_cohort_variants` refuses on, run at validation time on typed frames.

    ``frames``/``labels`` are those of :func:`neurohlh.io.validate` (a :data:`neurohlh.io.CohortCheck`).
    """
    variants = frames.get("variants")
    if variants is None:
        return []
    verdicts: dict[tuple[str, str], str | None] = {}
    problems: list[Problem] = []
    ok = (variants["gene"].notna() & variants["hgvs"].notna()).tolist()
    columns = zip(ok, variants["gene"].tolist(), variants["hgvs"].tolist(), variants["_row"].tolist(),
                  variants["patient_id"].tolist())
    for readable, gene, hgvs, row, patient in columns:
        if not readable:
            continue
        key = (str(gene), str(hgvs))
        if key not in verdicts:
            try:
                classify_variant(key[1], gene=key[0])
                verdicts[key] = None
            except InputError as exc:
                verdicts[key] = str(exc)
        message = verdicts[key]
        if message:
            problems.append(Problem(labels["variants"], message, int(row), "hgvs", key[1],
                                    f"patient {patient}, gene {key[0]}"))
    return problems


def recurrent_variants(cohort_or_variants: Any, policy: DisruptivePolicy = PAPER_POLICY,
                       min_patients: int = 2, *, classified: Sequence[VariantClassification] | None = None
                       ) -> list[RecurrentVariant]:
    """Variants seen in at least ``min_patients`` patients, most frequent first.

    Parameters
    ----------
    cohort_or_variants : Cohort or sequence of Variant
    classified : sequence of VariantClassification, optional
        The classification of each variant under ``policy`` (same order) when the caller already has it.
    """
    if not isinstance(min_patients, int) or min_patients < 1:
        raise InputError(f"`min_patients` must be a positive integer; got {min_patients!r}.")
    variants = (cohort_or_variants.variant_records() if hasattr(cohort_or_variants, "variant_records")
                else list(cohort_or_variants))
    classes = classify_variants(variants, policy) if classified is None else classified
    if len(classes) != len(variants):
        raise InputError(f"{len(classes)} classifications were given for {len(variants)} variants.")
    groups: dict[str, list[tuple[Variant, VariantClassification]]] = {}
    for v, c in zip(variants, classes):
        key = c.key or f"{c.gene or v.gene}:{v.hgvs.strip()}"
        groups.setdefault(key, []).append((v, c))
    found = []
    for key, rows in groups.items():
        patients = tuple(sorted({v.patient_id for v, _ in rows}))
        if len(patients) >= min_patients:
            c = rows[0][1]
            texts = tuple(dict.fromkeys(v.hgvs for v, _ in rows))
            found.append(RecurrentVariant(key, c.gene, c.consequence, c.disruptive, patients, texts))
    return sorted(found, key=lambda r: (-r.n_patients, r.key))


@dataclass(frozen=True, slots=True)
class ConsequenceTally:
    """Consequences per gene, counted over reported variant rows (one per patient and variant; a homozygous
    variant is one row). This is the unit of the paper's "missense 12/17 in FHLH2, frameshift 8/12 in FHLH3"."""

    counts: dict[str, dict[str, int]]
    n_rows: int

    def fraction(self, gene: str, consequence: str) -> tuple[int, int]:
        """(numerator, denominator) of ``consequence`` among ``gene``'s variant rows."""
        per_gene = self.counts.get(gene, {})
        return per_gene.get(consequence, 0), sum(per_gene.values())

    def to_dict(self) -> dict[str, Any]:
        return {"counts": {g: dict(c) for g, c in self.counts.items()}, "n_rows": self.n_rows,
                "unit": "reported variant rows (patient x variant)"}


def consequence_tally(cohort_or_variants: Any, policy: DisruptivePolicy = PAPER_POLICY) -> ConsequenceTally:
    """Count consequences per gene over the reported variant rows of a cohort (or a list of Variant)."""
    variants = (cohort_or_variants.variant_records() if hasattr(cohort_or_variants, "variant_records")
                else list(cohort_or_variants))
    counts: dict[str, dict[str, int]] = {}
    for v, c in zip(variants, classify_variants(variants, policy)):
        per_gene = counts.setdefault(c.gene or v.gene, {})
        term = c.consequence or "undetermined"
        per_gene[term] = per_gene.get(term, 0) + 1
    return ConsequenceTally({g: dict(sorted(c.items())) for g, c in sorted(counts.items())}, len(variants))
