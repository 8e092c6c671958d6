"""Agreement on many fields at once, with one set of bootstrap resamples shared by every field.

:func:`field_agreements` takes the two readers' reads of each field (:class:`FieldReads`) and returns one
:class:`FieldAgreement` per field: percent agreement, the confusion table, kappa (weighted for ordinal fields),
AC1 and Krippendorff's alpha at the field's level of measurement, each with its interval, and the cases on which
the readers differ. Cases are resampled once (the same resamples for every field); each field's tables for all
resamples come from one matrix product (:mod:`neurohlh.agreement.bootstrap`).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurohlh.agreement import _kernels as K
from neurohlh.agreement.bootstrap import (
    N_BOOT,
    SEED,
    percentile_interval,
    resample_counts,
)
from neurohlh.agreement.coefficients import (
    AgreementResult,
    cohen_kappa,
    encode_reads,
    gwet_ac1,
    krippendorff_alpha,
    missing_mask,
)

#: Scales of measurement and the coefficients computed for each.
SCALES = ("binary", "nominal", "ordinal", "interval")
#: Weights of kappa on an ordinal scale.
ORDINAL_WEIGHTS = "linear"


@dataclass(frozen=True, slots=True)
class FieldReads:
    """The two independent reads of one field (or derived decision) over the same cases."""

    name: str
    scale: str
    reader_1: Sequence[Any]
    reader_2: Sequence[Any]
    case_ids: Sequence[str]
    categories: Sequence[Any] | None = None
    label: str = ""
    kind: str = "field"
    unit: str = "study"


@dataclass(frozen=True, slots=True)
class FieldAgreement:
    """Agreement of the two readers on one field or decision.

    ``kappa`` is Cohen's kappa (linear-weighted on an ordinal scale) and ``ac1`` Gwet's AC1, both None on an
    interval scale; ``alpha`` is Krippendorff's alpha at the field's level. ``discordant`` lists the cases whose
    two reads differ (a read against an empty cell counts).
    """

    name: str
    label: str
    kind: str
    scale: str
    unit: str
    n: int
    n_missing: int
    categories: tuple[Any, ...]
    table: tuple[tuple[int, ...], ...] | None
    percent_agreement: float
    kappa: AgreementResult | None
    ac1: AgreementResult | None
    alpha: AgreementResult
    discordant: tuple[str, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for r in (self.kappa, self.ac1, self.alpha):
            for w in (r.warnings if r is not None else ()):
                seen.setdefault(w, None)
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "label": self.label, "kind": self.kind, "scale": self.scale, "unit": self.unit,
            "n": self.n, "n_missing": self.n_missing, "categories": [_plain(c) for c in self.categories],
            "table": None if self.table is None else [list(r) for r in self.table],
            "percent_agreement": self.percent_agreement,
            "kappa": None if self.kappa is None else self.kappa.to_dict(),
            "ac1": None if self.ac1 is None else self.ac1.to_dict(),
            "alpha": self.alpha.to_dict(), "discordant": list(self.discordant), "warnings": list(self.warnings),
        }


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


@dataclass
class _Plan:
    reads: FieldReads
    kappa: AgreementResult | None
    ac1: AgreementResult | None
    alpha: AgreementResult
    columns: slice
    q: int
    codes: np.ndarray | None = None
    numeric: np.ndarray | None = None
    present: np.ndarray | None = None


def _point_estimates(f: FieldReads, confidence: float, seed: int) -> tuple[Any, Any, AgreementResult]:
    if f.scale not in SCALES:
        raise ValueError(f"scale of {f.name} must be one of {SCALES}, not {f.scale!r}")
    if f.scale == "interval":
        return None, None, krippendorff_alpha([f.reader_1, f.reader_2], level="interval", confidence=confidence,
                                               n_boot=0, seed=seed)
    weights = ORDINAL_WEIGHTS if f.scale == "ordinal" else None
    categories = f.categories
    if categories is None:  # one category list for all three coefficients (AC1 depends on it)
        categories = encode_reads([f.reader_1, f.reader_2], None, ordered=False)[1]
    level = "ordinal" if f.scale == "ordinal" else "nominal"
    return (cohen_kappa(f.reader_1, f.reader_2, weights=weights, categories=categories, confidence=confidence,
                        n_boot=0, seed=seed),
            gwet_ac1(f.reader_1, f.reader_2, categories=categories, confidence=confidence, n_boot=0, seed=seed),
            krippendorff_alpha([f.reader_1, f.reader_2], level=level, categories=categories, confidence=confidence,
                               n_boot=0, seed=seed))


def field_agreements(fields: Sequence[FieldReads], *, confidence: float = 0.95, n_boot: int = N_BOOT,
                     seed: int = SEED) -> tuple[FieldAgreement, ...]:
    """Agreement on every field, with a case-level bootstrap shared by all fields over the same cases.

    Fields whose cases are the same (the same ``case_ids``) share one draw of resampled case counts, so a
    resample is one replication of the reading study for all of them.
    """
    by_cases: dict[tuple[str, ...], list[_Plan]] = {}
    for f in fields:
        kappa, ac1, alpha = _point_estimates(f, confidence, seed)
        q = len(alpha.categories)
        by_cases.setdefault(tuple(f.case_ids), []).append(_Plan(f, kappa, ac1, alpha, slice(0, 0), q))
    results: dict[str, FieldAgreement] = {}
    for case_ids, plans in by_cases.items():
        blocks, start = [], 0
        for p in plans:
            block = _contributions(p)
            p.columns = slice(start, start + block.shape[1])
            start += block.shape[1]
            blocks.append(block)
        boot = None
        if n_boot > 0 and case_ids and blocks:
            counts = resample_counts(len(case_ids), n_boot, seed)
            # tables of counts are exact in float32 (integers below 2**24); sums of squares need float64
            exact = [p.reads.scale != "interval" for p in plans]
            boot = np.empty((n_boot, start))
            if any(exact):
                cols = np.concatenate([np.arange(p.columns.start, p.columns.stop) for p, e in zip(plans, exact) if e])
                boot[:, cols] = counts.astype(np.float32) @ np.hstack([b for b, e in zip(blocks, exact) if e]
                                                                       ).astype(np.float32)
            if not all(exact):
                cols = np.concatenate([np.arange(p.columns.start, p.columns.stop)
                                       for p, e in zip(plans, exact) if not e])
                boot[:, cols] = counts @ np.hstack([b for b, e in zip(blocks, exact) if not e])
        replicates = {} if boot is None else _replicates(plans, boot)
        for p in plans:
            results[p.reads.name] = _finish(p, replicates.get(p.reads.name), confidence, n_boot, seed)
    return tuple(results[f.name] for f in fields)


#: Bootstrap replicates of one field: kappa, AC1, alpha (interval scale: alpha only), each ``(n_boot,)``.
_Replicates = dict[str, np.ndarray]


def _replicates(plans: Sequence[_Plan], boot: np.ndarray) -> dict[str, _Replicates]:
    """Each field's coefficients over the resampled tables, computed for all fields of one size and scale at once.

    The kernels work on a leading axis, so the ``(fields, n_boot, q, q)`` stack of the fields with the same ``q``
    and weights costs one call per coefficient instead of one per field.
    """
    out: dict[str, _Replicates] = {}
    groups: dict[tuple[int, str], list[_Plan]] = {}
    for p in plans:
        if p.reads.scale == "interval":
            out[p.reads.name] = {"alpha": K.alpha_interval_from_parts(boot[:, p.columns])}
        else:
            groups.setdefault((p.q, "ordinal" if p.reads.scale == "ordinal" else "nominal"), []).append(p)
    for (q, level), group in groups.items():
        tables = np.stack([boot[:, p.columns].reshape(len(boot), q, q) for p in group])
        kappa = K.kappa_from_tables(tables, K.weight_matrix(q, ORDINAL_WEIGHTS if level == "ordinal" else None))
        ac1 = K.ac1_from_tables(tables, np.eye(q)) if q >= 2 else np.full(tables.shape[:2], np.nan)
        alpha = K.alpha_from_coincidences(K.coincidences_from_tables(tables), level)
        for i, p in enumerate(group):
            out[p.reads.name] = {"kappa": kappa[i], "ac1": ac1[i], "alpha": alpha[i]}
    return out


def _contributions(p: _Plan) -> np.ndarray:
    f = p.reads
    n = len(f.case_ids)
    if f.scale == "interval":
        present = ~np.stack([missing_mask(f.reader_1), missing_mask(f.reader_2)], axis=1)
        both = present.all(axis=1, keepdims=True) & present
        x = np.zeros((n, 2))
        for j, reads in enumerate((f.reader_1, f.reader_2)):
            values = np.asarray(reads, dtype=object)
            x[present[:, j], j] = values[present[:, j]].astype(float)
        p.numeric = x
        p.present = present
        return K.interval_parts(x, both)
    codes, _ = encode_reads([f.reader_1, f.reader_2], p.alpha.categories, ordered=False)
    p.codes = codes
    c1, c2 = codes
    ok = (c1 >= 0) & (c2 >= 0)
    out = np.zeros((n, p.q * p.q))
    out[np.nonzero(ok)[0], c1[ok] * p.q + c2[ok]] = 1.0
    return out


def _finish(p: _Plan, boot: _Replicates | None, confidence: float, n_boot: int, seed: int) -> FieldAgreement:
    f = p.reads
    kappa: AgreementResult | None = p.kappa
    ac1: AgreementResult | None = p.ac1
    alpha: AgreementResult = p.alpha
    if boot is not None:
        method = f"case-level percentile bootstrap ({n_boot} resamples, seed {seed}, shared by all fields)"
        if f.scale != "interval":
            kappa = _with_boot(kappa, boot["kappa"], confidence, method)
            ac1 = _with_boot(ac1, boot["ac1"], confidence, method)
        alpha = _with_boot(alpha, boot["alpha"], confidence, method) or alpha
    if f.scale == "interval":
        x, present = p.numeric, p.present
        assert x is not None and present is not None
        differ = (present[:, 0] != present[:, 1]) | (present.all(axis=1) & (x[:, 0] != x[:, 1]))
        n_missing = int((~present.all(axis=1)).sum())
    else:
        assert p.codes is not None
        c1, c2 = p.codes
        differ = c1 != c2
        n_missing = int(((c1 < 0) | (c2 < 0)).sum())
    ids = np.asarray(f.case_ids, dtype=object)
    discordant = tuple(str(c) for c in ids[differ])
    lead = kappa if kappa is not None else alpha
    return FieldAgreement(f.name, f.label or f.name, f.kind, f.scale, f.unit, lead.n, n_missing,
                          tuple(alpha.categories), kappa.table if kappa is not None else None,
                          lead.percent_agreement, kappa, ac1, alpha, discordant)


def _with_boot(result: AgreementResult | None, replicates: np.ndarray, confidence: float, method: str
               ) -> AgreementResult | None:
    if result is None or result.n == 0:
        return result
    interval = percentile_interval(replicates, confidence)
    if result.se is not None:  # keep the asymptotic interval as ``ci``
        return dataclasses.replace(result, bootstrap_ci=interval)
    return dataclasses.replace(result, bootstrap_ci=interval, ci=(interval[0], min(interval[1], 1.0)),
                               ci_method=method)
