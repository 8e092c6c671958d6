"""Agreement coefficients as functions of summed tables, vectorised over a leading axis of resamples.

Every coefficient of :mod:`neurohlh.agreement` is a function of one matrix summed over cases: the two readers'
``q x q`` confusion table (Cohen's kappa, Scott's pi, Gwet's AC1) or Krippendorff's ``q x q`` coincidence matrix.
A bootstrap resample of cases is a vector of case counts, so the matrices of ``B`` resamples are one matrix
product (counts ``B x n`` times per-case contributions ``n x q*q``), and the functions below take arrays of
shape ``(..., q, q)``.
"""
from __future__ import annotations

import numpy as np

Array = np.ndarray


def weight_matrix(q: int, weights: str | None) -> Array:
    """Agreement weights ``w_ij`` (1 on the diagonal): identity, linear ``1 - |i-j|/(q-1)`` or quadratic."""
    if weights is None or q < 2:
        return np.eye(q)
    d = np.abs(np.subtract.outer(np.arange(q), np.arange(q))) / (q - 1)
    if weights == "linear":
        return 1.0 - d
    if weights == "quadratic":
        return 1.0 - d ** 2
    raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")


def _ratio(num: Array, den: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


def table_parts(tables: Array, w: Array) -> tuple[Array, Array, Array, Array]:
    """Observed weighted agreement, row and column marginal proportions, and n, of ``(..., q, q)`` tables."""
    n = tables.sum(axis=(-2, -1))
    safe = np.where(n > 0, n, 1.0)[..., None, None]
    p = tables / safe
    po = (p * w).sum(axis=(-2, -1))
    return po, p.sum(axis=-1), p.sum(axis=-2), n


def kappa_from_tables(tables: Array, w: Array) -> Array:
    """Cohen's (weighted) kappa: ``(po - pe) / (1 - pe)``, ``pe`` from the product of the two readers' margins."""
    po, row, col, _ = table_parts(tables, w)
    pe = np.einsum("...i,ij,...j->...", row, w, col)
    return _ratio(po - pe, 1.0 - pe)


def scott_from_tables(tables: Array) -> Array:
    """Scott's pi: chance agreement from the pooled margins, ``pe = sum(pi_k^2)``."""
    po, row, col, _ = table_parts(tables, np.eye(tables.shape[-1]))
    pi = (row + col) / 2
    pe = (pi ** 2).sum(axis=-1)
    return _ratio(po - pe, 1.0 - pe)


def ac1_from_tables(tables: Array, w: Array) -> Array:
    """Gwet's AC1 (AC2 with weights): ``pe = T_w / (q (q - 1)) * sum(pi_k (1 - pi_k))`` with pooled margins."""
    q = tables.shape[-1]
    po, row, col, _ = table_parts(tables, w)
    pi = (row + col) / 2
    pe = w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum(axis=-1)
    return _ratio(po - pe, 1.0 - pe)


def alpha_from_coincidences(coincidences: Array, level: str, values: Array | None = None) -> Array:
    """Krippendorff's alpha ``1 - (N - 1) sum(o_ck d_ck) / sum(n_c n_k d_ck)`` from ``(..., q, q)`` coincidences.

    ``d_ck`` is the squared difference of the level of measurement: nominal 0/1, interval ``(v_c - v_k)^2`` on
    the numeric ``values``, ordinal ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` (Krippendorff 2011).
    """
    q = coincidences.shape[-1]
    marg = coincidences.sum(axis=-1)
    total = marg.sum(axis=-1)
    if level == "nominal":
        delta = np.broadcast_to(1.0 - np.eye(q), coincidences.shape)
    elif level == "interval":
        v = np.arange(q, dtype=float) if values is None else np.asarray(values, dtype=float)
        delta = np.broadcast_to(np.subtract.outer(v, v) ** 2, coincidences.shape)
    elif level == "ordinal":
        cum = np.cumsum(marg, axis=-1)
        lo = np.minimum.outer(np.arange(q), np.arange(q))
        hi = np.maximum.outer(np.arange(q), np.arange(q))
        before = np.concatenate([np.zeros(marg.shape[:-1] + (1,)), cum], axis=-1)
        between = before[..., hi + 1] - before[..., lo]
        delta = (between - (marg[..., :, None] + marg[..., None, :]) / 2) ** 2
    else:
        raise ValueError(f"level must be 'nominal', 'ordinal' or 'interval', not {level!r}")
    observed = (coincidences * delta).sum(axis=(-2, -1))
    expected = (marg[..., :, None] * marg[..., None, :] * delta).sum(axis=(-2, -1))
    return 1.0 - _ratio((total - 1) * observed, expected)


def coincidences_from_tables(tables: Array) -> Array:
    """Coincidence matrix of two readers without missing reads: each case adds its pair in both orders."""
    return tables + np.swapaxes(tables, -1, -2)


def unit_coincidences(counts: Array) -> Array:
    """Per-case coincidence contributions ``(R R^T - diag R) / (m - 1)`` of ``(n, q)`` category counts.

    Cases with fewer than two reads are not pairable and contribute nothing (Krippendorff 2011).
    """
    m = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :]
    outer -= counts[:, :, None] * np.eye(counts.shape[1])[None]
    scale = np.where(m >= 2, 1.0 / np.where(m >= 2, m - 1, 1.0), 0.0)
    return outer * scale[:, None, None]


def interval_parts(values: Array, present: Array) -> Array:
    """Per-case sums for interval alpha without a ``q x q`` matrix: ``(n, 4)`` columns
    ``[sum_{i != j} (x_i - x_j)^2 / (m - 1), sum x^2, sum x, m]`` over the case's ``m`` reads (0 if ``m < 2``).

    ``values`` and ``present`` are ``(n, readers)``; the pairwise sum is ``2 m sum x^2 - 2 (sum x)^2``.
    """
    x = np.where(present, values, 0.0)
    m = present.sum(axis=1).astype(float)
    s1, s2 = x.sum(axis=1), (x ** 2).sum(axis=1)
    pairable = m >= 2
    within = np.where(pairable, (2 * m * s2 - 2 * s1 ** 2) / np.where(pairable, m - 1, 1.0), 0.0)
    return np.stack([within, s2, s1, m], axis=1) * pairable[:, None]


def alpha_interval_from_parts(parts: Array) -> Array:
    """Interval alpha ``1 - (N - 1) D_o / D_e`` from summed :func:`interval_parts` (``(..., 4)``)."""
    within, s2, s1, total = parts[..., 0], parts[..., 1], parts[..., 2], parts[..., 3]
    expected = 2 * total * s2 - 2 * s1 ** 2
    return 1.0 - _ratio((total - 1) * within, expected)
