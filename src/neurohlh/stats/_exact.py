"""Exact Fisher-Freeman-Halton test for R x C tables: a pruned network algorithm in numpy.

The two-sided p-value is the total probability, under the multivariate hypergeometric null
(both margins fixed), of every table whose probability is at most the observed one, with R's
slack: ``P <= P_obs * (1 + 1e-7)`` for 2x2 tables (fisher.test) and
``log P <= log P_obs + 3.45254e-7`` for larger ones (FEXACT, which fisher.test calls).

Algorithm (after Mehta & Patel 1983, with exact path bounds):

* A table is built one column at a time.  The state after ``k`` columns is the *sorted* vector
  of remaining row sums (rows are exchangeable for the future, so equivalent states merge).
* The probability of a table factorises into one multivariate-hypergeometric term per column,
  given the remaining row sums.  Hence the completions of any state carry total probability 1.
* A backward pass computes, for every reachable state, the exact largest and smallest
  log-probability of any completion ("longest and shortest path").
* A forward pass carries, per state, the distinct *past* log-probabilities with the number of
  partial tables sharing them.  A past value whose every completion lies below the threshold
  adds its whole mass to the p-value; one whose every completion lies above it is dropped;
  only the undecided ones are expanded further.  Equal past values (to 1e-10 in log) merge.
* A backward pass builds the *future* lists from the last column the same way, pruned by the
  range of past values; the two meet at the stage that balances their sizes, where a sorted
  search pairs each past value with the future mass at or below ``limit - past``.

Everything is vectorised per stage and state; there is no per-table Python loop.

Two engines run this algorithm.  The numpy one below stores the network's arcs; the compiled
one (``_exact_compiled.py`` driving numba kernels in ``_exact_numba.py``) generates the arcs on
the fly and never stores them, so it also handles networks of hundreds of millions of arcs.
``ffh_exact`` picks the engine from an estimate of the work (``_use_compiled``; never compiled
for 2x2), so tables that numpy finishes fast never import numba, and the kernels are compiled
only for networks that repay it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from neurohlh.stats._exact_common import _LGAMMA_MAX_N, _MERGE_GRID, _count_compositions, log_factorials
from neurohlh.stats._limits import DEFAULT_MEMORY_LIMIT, ExactTimeout, Limits

#: R's tolerance for "probability <= observed probability": fisher.test compares
#: P <= P_obs * (1 + 1e-7) for 2x2 tables, while FEXACT (every larger table) compares
#: log P <= log P_obs + 3.45254e-7 ("TOL ... the square root of the smallest relative spacing").
RELATIVE_TOLERANCE = 1e-7
FEXACT_LOG_TOLERANCE = 3.45254e-7


#: Largest table total of the exact test: its log-factorial table holds n + 1 doubles, and
#: lgamma differences stay well inside FEXACT's tolerance up to here.
MAX_EXACT_N = 10_000_000
#: The work estimate that sends a table to the compiled (numba) kernels when they are cached
#: (importing numba and loading them costs 0.35-0.7 s per process): a path-count bound (see
#: ``_table_count_bound``) or a first-two-stage arc count (``_arc_estimate``) at least this
#: large.  Below both, numpy finishes in about 0.1 s or less (measured on the sweep of
#: ``benchmarks/bench_exact.py``), so those tables never import numba.
COMPILED_MIN_TABLES = 1e9
COMPILED_MIN_ARCS = 2e4
#: The same when the kernels are not cached yet, so using them means compiling them (15-20 s,
#: once per installation): only networks where numpy would need about as long.
COMPILE_MIN_TABLES = 1e16
COMPILE_MIN_ARCS = 1e7
#: Entry lists longer than this are merged through pandas' hash table (see ``_merge``).
_HASH_MERGE_MIN = 200_000


def log_tolerance(shape: tuple[int, ...]) -> float:
    """Log-scale slack added to log P_obs, exactly as R does for a table of this shape."""
    return math.log1p(RELATIVE_TOLERANCE) if tuple(shape) == (2, 2) else FEXACT_LOG_TOLERANCE


@dataclass(frozen=True, slots=True)
class ExactOutcome:
    pvalue: float
    log_p_observed: float
    states: int
    seconds: float
    engine: str = "numpy"
    notes: tuple[str, ...] = ()


def log_table_probability(table: np.ndarray) -> float:
    """Log of the hypergeometric probability of ``table`` given its margins."""
    t = np.asarray(table, dtype=np.int64)
    rows, cols, n = t.sum(axis=1), t.sum(axis=0), int(t.sum())
    if n <= _LGAMMA_MAX_N:  # the same log-factorials as the network's (see log_factorials)
        def lf(values: np.ndarray) -> float:
            return math.fsum(map(math.lgamma, values.ravel() + 1.0))

        return lf(rows) + lf(cols) - math.lgamma(n + 1.0) - lf(t)
    from scipy.special import gammaln

    return float(gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1) - gammaln(t + 1).sum())


def _compositions(limits: np.ndarray, total: int):
    """Column fillings of several states at once, up to permutations of tied rows.

    ``limits`` holds one sorted state (remaining row sums) per row.  Returns ``(owner, x,
    mult)``: for every canonical filling ``x`` (sum ``total``, ``0 <= x <= limits``, and
    non-increasing within each run of tied rows), the index of its state and the number of
    distinct fillings it stands for (``g! / prod(run!)`` per tied group).
    """
    m, r = limits.shape
    suffix = np.cumsum(limits[:, ::-1], axis=1)[:, ::-1]
    suffix = np.column_stack([suffix, np.zeros(m, dtype=np.int64)])
    owner = np.arange(m)
    cols: list[np.ndarray] = []
    sums = np.zeros(m, dtype=np.int64)
    pos = np.ones(m)
    run = np.ones(m)
    mult = np.ones(m)
    for i in range(r):
        need = total - sums
        tied = limits[owner, i] == limits[owner, i - 1] if i else np.zeros(len(owner), bool)
        hi = np.minimum(limits[owner, i], need)
        if i:
            hi = np.where(tied, np.minimum(hi, cols[-1]), hi)
        lo = need if i == r - 1 else np.maximum(0, need - suffix[owner, i + 1])
        counts = np.maximum(hi - lo + 1, 0)
        rep = np.repeat(np.arange(len(owner)), counts)
        start = np.cumsum(counts) - counts
        values = lo[rep] + np.arange(int(counts.sum())) - start[rep]
        owner, sums, tied = owner[rep], sums[rep] + values, tied[rep]
        cols = [c[rep] for c in cols]
        pos, run, mult = pos[rep], run[rep], mult[rep]
        if i:
            pos = np.where(tied, pos + 1, 1.0)
            run = np.where(tied & (values == cols[-1]), run + 1, 1.0)
            mult = mult * pos / run
        cols.append(values)
    return owner, np.column_stack(cols), mult


class _Network:
    """States and column transitions of the network, with exact path bounds."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, limits: Limits):
        self.cols = cols
        self.base = int(rows.max()) + 1
        self.lf = log_factorials(int(rows.sum()))
        self.limits = limits
        self.states: list[np.ndarray] = [np.sort(rows)[None, :]]
        self.trans: list[tuple[np.ndarray, ...]] = []
        for k in range(len(cols) - 1):
            self._expand(k)
        self._bounds()
        self.by_parent = self.trans  # _expand emits arcs grouped by parent, in parent order
        self.by_child = [self._sorted(tr, 1) for tr in self.trans]

    @staticmethod
    def _sorted(tr, key: int):
        order = np.argsort(tr[key], kind="stable")
        return tuple(a[order] for a in tr)

    def _encode(self, states: np.ndarray) -> np.ndarray:
        key = np.zeros(len(states), dtype=np.int64)
        for j in range(states.shape[1]):
            key = key * self.base + states[:, j]
        return key

    def _expand(self, k: int, batch: int = 512) -> None:
        """Transitions from stage k to k+1: (parent, child, log-probability, multiplicity)."""
        lf, c = self.lf, int(self.cols[k])
        states = self.states[k]
        tot = states.sum(axis=1)
        const = lf[states].sum(axis=1) - (lf[tot] - lf[c] - lf[tot - c])
        self.limits.charge_arcs(float(_count_compositions(states, c).sum()), "numpy", stored=True)
        parents, children, logq, mults, keys = [], [], [], [], []
        for lo in range(0, len(states), batch):
            self.limits.check()
            owner, x, mult = _compositions(states[lo:lo + batch], c)
            owner += lo
            rest = states[owner] - x
            q = const[owner] - lf[x].sum(axis=1) - lf[rest].sum(axis=1)
            rest.sort(axis=1)
            parents.append(owner)
            keys.append(self._encode(rest))
            children.append(rest)
            logq.append(q)
            mults.append(mult)
        keys_all = np.concatenate(keys)
        _, first, inverse = np.unique(keys_all, return_index=True, return_inverse=True)
        self.states.append(np.concatenate(children)[first])
        self.limits.charge_states(sum(len(st) for st in self.states))
        self.trans.append((np.concatenate(parents), inverse.astype(np.int64),
                           np.concatenate(logq), np.concatenate(mults)))

    def _bounds(self) -> None:
        """Exact max/min log-probability of completions for every state (backward pass)."""
        last = len(self.states[-1])
        self.hi = [None] * len(self.states)
        self.lo = [None] * len(self.states)
        self.hi[-1] = np.zeros(last)  # type: ignore[call-overload]
        self.lo[-1] = np.zeros(last)  # type: ignore[call-overload]
        for k in range(len(self.trans) - 1, -1, -1):
            parent, child, q, _ = self.trans[k]
            n = len(self.states[k])
            hi = np.full(n, -np.inf)
            lo = np.full(n, np.inf)
            np.maximum.at(hi, parent, q + self.hi[k + 1][child])  # type: ignore[index]
            np.minimum.at(lo, parent, q + self.lo[k + 1][child])  # type: ignore[index]
            self.hi[k], self.lo[k] = hi, lo  # type: ignore[call-overload]


def _stage_pairs(node: np.ndarray, ptr: np.ndarray, size: np.ndarray):
    """Cross-join entries with the transitions of their node: (entry index, transition index)."""
    counts = size[node]
    entry = np.repeat(np.arange(len(node)), counts)
    start = np.cumsum(counts) - counts
    trans = ptr[node][entry] + np.arange(counts.sum()) - start[entry]
    return entry, trans


def _merge(node: np.ndarray, value: np.ndarray, count: np.ndarray):
    """Merge entries of one state whose log-probabilities agree to _MERGE_GRID.

    Returns the entries sorted by state, then by value.  Long lists are grouped through a hash
    table (``pandas.factorize``), which is linear, and only the merged entries are sorted; short
    ones by ``numpy.unique``; both give the same result.
    """
    if len(node) == 0:
        return node, value, count
    vkey = np.rint(value * (1.0 / _MERGE_GRID)).astype(np.int64)
    vmin = int(vkey.min())
    span = int(vkey.max()) - vmin + 1
    if span * (int(node.max()) + 1) >= 2**62:  # key would overflow: sort-based fallback
        order = np.lexsort((vkey, node))
        node, vkey, value, count = node[order], vkey[order], value[order], count[order]
        new = np.ones(len(node), dtype=bool)
        new[1:] = (node[1:] != node[:-1]) | (vkey[1:] != vkey[:-1])
        first = np.flatnonzero(new)
        return node[first], value[first], np.add.reduceat(count, first)
    key = node * span + (vkey - vmin)
    if len(key) > _HASH_MERGE_MIN:  # linear hash grouping; pandas is imported only for large lists
        import pandas as pd

        codes, keys = pd.factorize(key)
    else:
        keys, codes = np.unique(key, return_inverse=True)
    merged = np.bincount(codes, weights=count, minlength=len(keys))
    rep = np.empty(len(keys))
    rep[codes] = value
    order = np.argsort(keys)
    return (keys[order] // span).astype(np.int64), rep[order], merged[order]


def _meeting_stage(net: _Network) -> int:
    """Stage where forward and backward path counts balance (fewest entries to enumerate)."""
    n = len(net.trans)
    fwd = [np.ones(1)]
    for parent, child, _, mult in net.trans:
        fwd.append(np.bincount(child, weights=fwd[-1][parent] * mult, minlength=child.max() + 1))  # type: ignore[arg-type]
    bwd = [np.ones(len(net.states[-1]))]
    for parent, child, _, mult in reversed(net.trans):
        bwd.append(np.bincount(parent, weights=bwd[-1][child] * mult, minlength=parent.max() + 1))  # type: ignore[arg-type]
    bwd = bwd[::-1]
    cost = [fwd[m].sum() + bwd[m].sum() for m in range(1, n + 1)]
    return 1 + int(np.argmin(cost))


def _segments(keys: np.ndarray, n: int) -> np.ndarray:
    """Start offsets of each key 0..n in a sorted key array (length n + 1)."""
    return np.searchsorted(keys, np.arange(n + 1))


def _window(vals, cnts, lo_cut, hi_cut, carry_q, carry_m):
    """Split sorted ``vals`` per transition: the mass at or below ``lo_cut`` (decided inside),
    and the index ranges in (lo_cut, hi_cut] (undecided) to materialise."""
    top = vals[-1]
    cum = np.concatenate([[0.0], np.cumsum(cnts * np.exp(vals - top))])
    i_in = np.searchsorted(vals, lo_cut, side="right")
    i_out = np.maximum(np.searchsorted(vals, hi_cut, side="right"), i_in)
    mass = carry_m * np.exp(carry_q + top) * cum[i_in]
    width = i_out - i_in
    rep = np.repeat(np.arange(len(width)), width)
    start = np.cumsum(width) - width
    ent = i_in[rep] + np.arange(int(width.sum())) - start[rep]
    return mass, rep, ent


def _forward(net: _Network, stop: int, limit: float, limits: Limits):
    """Run transition stages ``0..stop-1``; return (mass decided inside, open entries at ``stop``).

    Each state's entries are sorted by value, so for one transition the entries that are
    decided "inside" form a prefix (summed by a cumulative sum) and only the undecided window
    is materialised: the cost is proportional to the output, not to entries x transitions.
    """
    total = 0.0
    node, value, count = np.zeros(1, dtype=np.int64), np.zeros(1), np.ones(1)
    for k in range(stop):
        parent, child, q, mult = net.by_parent[k]
        tb = _segments(parent, len(net.states[k]))
        eb = _segments(node, len(net.states[k]))
        hi, lo = net.hi[k + 1], net.lo[k + 1]
        out_node, out_val, out_cnt = [np.zeros(0, np.int64)], [np.zeros(0)], [np.zeros(0)]
        held = 0
        for s in np.flatnonzero(eb[1:] > eb[:-1]):
            limits.check()
            vals, cnts = value[eb[s]:eb[s + 1]], count[eb[s]:eb[s + 1]]
            ch, qq, mm = child[tb[s]:tb[s + 1]], q[tb[s]:tb[s + 1]], mult[tb[s]:tb[s + 1]]
            mass, rep, ent = _window(vals, cnts, limit - qq - hi[ch], limit - qq - lo[ch], qq, mm)  # type: ignore[index]
            total += float(mass.sum())
            out_node.append(ch[rep])
            out_val.append(vals[ent] + qq[rep])
            out_cnt.append(cnts[ent] * mm[rep])
            held += len(ent)
            if held > limits.max_entries("numpy"):
                raise limits.entries_exceeded("numpy")
        node, value, count = _merge(np.concatenate(out_node), np.concatenate(out_val),
                                    np.concatenate(out_cnt))
        if len(node) == 0:
            break
    return total, node, value, count


def _past_bounds(net: _Network, stop: int, node, value):
    """Largest and smallest past log-probability reaching each state at stages >= ``stop``."""
    n = len(net.states[stop])
    pmax = np.full(n, -np.inf)
    pmin = np.full(n, np.inf)
    np.maximum.at(pmax, node, value)
    np.minimum.at(pmin, node, value)
    bounds = [(pmax, pmin)]
    for k in range(stop, len(net.trans)):
        parent, child, q, _ = net.trans[k]
        nxt_max = np.full(len(net.states[k + 1]), -np.inf)
        nxt_min = np.full(len(net.states[k + 1]), np.inf)
        np.maximum.at(nxt_max, child, bounds[-1][0][parent] + q)
        np.minimum.at(nxt_min, child, bounds[-1][1][parent] + q)
        bounds.append((nxt_max, nxt_min))
    for pmax, pmin in bounds:
        pmin[np.isneginf(pmax)] = -np.inf  # unreachable: no past mass, send everything to `full`
    return bounds


def _backward(net: _Network, stop: int, limit: float, past, limits: Limits):
    """Future log-probabilities of every state at stage ``stop``, pruned by the past bounds.

    Returns ``(full, node, value, count)``: ``full[s]`` is the future mass that lies inside for
    every past value reaching ``s``; the entries are the undecided future values.
    """
    bounds = _past_bounds(net, stop, past[0], past[1])
    last = len(net.states[-1])
    node, value, count = np.arange(last), np.zeros(last), np.ones(last)
    full = np.zeros(last)
    for k in range(len(net.trans) - 1, stop - 1, -1):
        parent, child, q, mult = net.by_child[k]
        pmax, pmin = bounds[k - stop]
        n_parent = len(net.states[k])
        new_full = np.bincount(parent, weights=mult * np.exp(q) * full[child], minlength=n_parent)
        tb = _segments(child, len(net.states[k + 1]))
        eb = _segments(node, len(net.states[k + 1]))
        out_node, out_val, out_cnt = [np.zeros(0, np.int64)], [np.zeros(0)], [np.zeros(0)]
        held = 0
        for c in np.flatnonzero(eb[1:] > eb[:-1]):
            limits.check()
            vals, cnts = value[eb[c]:eb[c + 1]], count[eb[c]:eb[c + 1]]
            pp, qq, mm = parent[tb[c]:tb[c + 1]], q[tb[c]:tb[c + 1]], mult[tb[c]:tb[c + 1]]
            mass, rep, ent = _window(vals, cnts, limit - qq - pmax[pp], limit - qq - pmin[pp], qq, mm)
            new_full += np.bincount(pp, weights=mass, minlength=n_parent)
            out_node.append(pp[rep])
            out_val.append(vals[ent] + qq[rep])
            out_cnt.append(cnts[ent] * mm[rep])
            held += len(ent)
            if held > limits.max_entries("numpy"):
                raise limits.entries_exceeded("numpy")
        full = new_full  # type: ignore[assignment]
        node, value, count = _merge(np.concatenate(out_node), np.concatenate(out_val),
                                    np.concatenate(out_cnt))
    return full, node, value, count


def _meet(limit: float, past, future) -> float:
    """Sum over states of past mass times the future mass at or below ``limit - past``."""
    pnode, pval, pcnt = past
    full, fnode, fval, fcnt = future
    n = len(full)
    pmass = np.bincount(pnode, weights=pcnt * np.exp(pval), minlength=n)
    total = float(np.sum(pmass * full))
    if len(fnode) == 0:
        return total
    fb = _segments(fnode, n)
    pb = _segments(pnode, n)
    size = fb[1:] - fb[:-1]
    # States with a single future value (e.g. the last column): one vectorised comparison.
    single = size == 1
    sel = single[pnode]
    first = fb[:-1][pnode[sel]]
    inside = pval[sel] + fval[first] <= limit
    total += float(np.sum((pcnt[sel] * np.exp(pval[sel]) * fcnt[first] * np.exp(fval[first]))[inside]))
    for s in np.flatnonzero((size > 1) & (pb[1:] > pb[:-1])):
        vals = fval[fb[s]:fb[s + 1]]
        top = vals.max()
        cum = np.concatenate([[0.0], np.cumsum(fcnt[fb[s]:fb[s + 1]] * np.exp(vals - top))])
        idx = np.searchsorted(vals, limit - pval[pb[s]:pb[s + 1]], side="right")
        total += float(np.sum(pcnt[pb[s]:pb[s + 1]] * np.exp(pval[pb[s]:pb[s + 1]] + top) * cum[idx]))
    return total


def _arc_estimate(t: np.ndarray) -> float:
    """Arcs of the first two stages when the rows of ``t`` are the state: a cheap size proxy.

    Counted, not enumerated; when the first stage alone is large, its children are represented
    by the average child state.
    """
    cols = np.sort(t.sum(axis=0))[::-1]
    root = np.sort(t.sum(axis=1))[None, :]
    first = float(_count_compositions(root, int(cols[0]))[0])
    if len(cols) < 3:
        return first
    if first > 200_000:  # sorted children merge about r! to one
        mean_child = np.sort(np.rint(root[0] * (1 - cols[0] / root.sum())).astype(np.int64))[None, :]
        return first * (1.0 + float(_count_compositions(mean_child, int(cols[1]))[0]) / math.factorial(root.shape[1]))
    _, x, _ = _compositions(root, int(cols[0]))
    rest = np.sort(root[0] - x, axis=1)
    base = int(root.max()) + 1
    if root.shape[1] * math.log2(base) < 62:  # unique rows through int64 keys (fast)
        key = np.zeros(len(rest), dtype=np.int64)
        for j in range(rest.shape[1]):
            key = key * base + rest[:, j]
        children = rest[np.unique(key, return_index=True)[1]]
    else:
        children = np.unique(rest, axis=0)
    return first + float(_count_compositions(children, int(cols[1])).sum())


def _orient(t: np.ndarray) -> np.ndarray:
    """Rows become the state: the smaller dimension, or for R, C >= 3 the smaller network."""
    return _oriented(t)[0]


def _oriented(t: np.ndarray) -> tuple[np.ndarray, float]:
    """``_orient(t)`` and the arc estimate of its first two stages."""
    if min(t.shape) >= 3:
        a, b = _arc_estimate(t), _arc_estimate(t.T)
        return (t.T, b) if b < a else (t, a)
    t = t.T if t.shape[0] > t.shape[1] else t
    return t, _arc_estimate(t)


def _table_count_bound(rows: np.ndarray, cols: np.ndarray) -> float:
    """Upper bound on the number of paths (tables): fillings of every column but the last,
    ignoring the row limits.  A cheap size proxy that needs no network."""
    r = len(rows)
    return float(np.prod([math.comb(int(c) + r - 1, r - 1) for c in cols[:-1]], dtype=float))


def _use_compiled(rows: np.ndarray, cols: np.ndarray, engine: str, arcs: float | None = None) -> bool:
    """Choose the engine from an estimate of the work (see ``COMPILED_MIN_TABLES``).

    The compiled kernels are used only when numba is installed, the state keys fit in int64 and
    the work is large enough to repay loading them, or, when they are not cached yet, compiling
    them.  So tables that numpy finishes fast never import numba.
    """
    if engine == "numpy" or (len(rows), len(cols)) == (2, 2):
        return False
    from neurohlh.stats._exact_compiled import compiled_ready, key_fits

    if not key_fits(rows):
        if engine == "compiled":
            raise ValueError("state keys do not fit in int64 for the compiled engine")
        return False
    if engine == "compiled":
        return True
    arcs = 0.0 if arcs is None else arcs
    bound = _table_count_bound(rows, cols)
    ready = compiled_ready()
    if ready is None:  # numba not installed
        return False
    if ready:
        return bound >= COMPILED_MIN_TABLES or arcs >= COMPILED_MIN_ARCS
    return bound >= COMPILE_MIN_TABLES or arcs >= COMPILE_MIN_ARCS


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def ffh_exact(table: np.ndarray, time_budget: float | None = 60.0, meet: int | None = None,
              engine: str = "auto", memory_limit: float = DEFAULT_MEMORY_LIMIT) -> ExactOutcome:
    """Exact two-sided Fisher-Freeman-Halton p-value.

    Raises :class:`ExactTimeout` (with its ``cause``) when the work cannot fit in
    ``time_budget`` seconds (``None``: no limit) or ``memory_limit`` bytes; see ``_limits.py``.
    ``meet`` is the stage where the forward (past) and backward (future) lists meet; by default
    the stage that balances the forward and backward path counts.  ``engine``: ``"numpy"``
    (vectorised network below), ``"compiled"`` (numba kernels, ``_exact_compiled.py``; same
    algorithm, arcs generated on the fly) or ``"auto"``: chosen from the work estimate
    (``_use_compiled``).  Under
    ``"auto"`` any failure of the compiled engine (numba broken, no writable cache) falls back
    to numpy, and the outcome's ``notes`` say so.
    """
    if engine not in ("auto", "numpy", "compiled"):
        raise ValueError(f"unknown engine {engine!r}")
    limits = Limits(math.inf if time_budget is None else float(time_budget), float(memory_limit))
    t = np.asarray(table, dtype=np.int64)
    if int(t.sum()) > MAX_EXACT_N:
        raise ValueError(f"n = {int(t.sum())} exceeds the exact test's limit of {MAX_EXACT_N}")
    t, first_arcs = _oriented(t)
    rows, cols = t.sum(axis=1), np.sort(t.sum(axis=0))[::-1]
    log_obs = log_table_probability(t)
    limit = log_obs + log_tolerance(t.shape)
    if t.shape[0] == 1 or t.shape[1] == 1:
        return ExactOutcome(1.0, log_obs, 1, limits.elapsed())
    notes: tuple[str, ...] = ()
    compiled = _use_compiled(rows, cols, engine, first_arcs)
    limits.estimate(first_arcs, "compiled" if compiled else "numpy")  # before any enumeration
    if compiled:
        try:
            from neurohlh.stats._exact_compiled import ffh_compiled

            total, states = ffh_compiled(rows, cols, limit, limits, meet)
            return ExactOutcome(min(1.0, total), log_obs, states, limits.elapsed(), "compiled")
        except ExactTimeout:
            raise
        except Exception as exc:  # numba missing or broken, no writable cache, ...: numpy
            if engine == "compiled":
                raise
            notes = ((f"the compiled exact engine failed ({_first_line(exc)}), so the numpy engine "
                      "computed the exact p-value (same algorithm, slower on large tables)"),)
    net = _Network(rows, cols, limits)
    stop = _meeting_stage(net) if meet is None else meet
    total, node, value, count = _forward(net, stop, limit, limits)
    if len(node):
        node, value, count = _merge(node, value, count)
        future = _backward(net, stop, limit, (node, value, count), limits)
        total += _meet(limit, (node, value, count), future)
    states = sum(len(s) for s in net.states)
    return ExactOutcome(min(1.0, total), log_obs, states, limits.elapsed(), "numpy", notes)


def ffh_monte_carlo(table: np.ndarray, n_resamples: int = 100_000, seed: int = 20210301):
    """Monte Carlo FFH p-value from random tables with the observed margins (Patefield).

    Returns ``(pvalue, standard_error, n_resamples)``.  With ``b`` of the ``B`` simulated tables
    at most as probable as the observed one (R's slack, see :func:`log_tolerance`), the p-value
    is ``(b + 1) / (B + 1)`` (Phipson & Smyth 2010: the observed table counts as one of the
    draws, so the estimate is never 0), and SE = sqrt(p (1 - p) / B).
    """
    from scipy.special import gammaln
    from scipy.stats import random_table

    t = np.asarray(table, dtype=np.int64)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    limit = log_table_probability(t) + log_tolerance(t.shape)
    const = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(t.sum() + 1)
    rng = np.random.default_rng(seed)
    hits = 0
    done = 0
    while done < n_resamples:
        size = min(20_000, n_resamples - done)
        sims = random_table(rows, cols, seed=rng).rvs(size=size)
        logp = const - gammaln(sims + 1).sum(axis=(1, 2))
        hits += int(np.sum(logp <= limit))
        done += size
    p = (hits + 1) / (n_resamples + 1)
    se = math.sqrt(p * (1 - p) / n_resamples)
    return p, se, n_resamples
