"""Compiled (numba) kernels of the exact Fisher-Freeman-Halton network algorithm.

Same algorithm, tolerance and merge rule as the numpy implementation in ``_exact.py`` (read its
module docstring first); only the execution differs:

* column fillings (network arcs) are generated on the fly, state by state, and never stored, so
  networks with hundreds of millions of arcs fit in memory;
* a state is the *sorted* vector of remaining row sums, encoded as an int64 in base
  ``max(row) + 1`` and found through an open-addressing hash table per stage;
* each kernel works on a range of parent states, so the Python driver (``_exact.py``) checks
  the time budget and the memory guard between chunks.

This module imports numba; ``_exact.py`` imports it only for networks large enough to be worth
the compile (cached on disk with ``cache=True``), so small tables never pay for it.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

_EMPTY = -1


# ----------------------------------------------------------------------------- hashing


@njit(cache=True)
def _slot(hkeys, key):
    """Slot of ``key`` in the open-addressing table ``hkeys`` (its own slot or the empty one)."""
    mask = len(hkeys) - 1
    h = key ^ (key >> 29)
    h = h * 0x5851F42D4C957F2D  # int64 arithmetic wraps
    h = h ^ (h >> 32)
    i = h & mask
    while hkeys[i] != key and hkeys[i] != _EMPTY:
        i = (i + 1) & mask
    return i


@njit(cache=True)
def new_table(n):
    """Empty hash table with room for ``n`` keys at load factor <= 1/2."""
    size = 16
    while size < 2 * n + 2:
        size *= 2
    return np.full(size, _EMPTY, np.int64), np.zeros(size, np.int64)


@njit(cache=True)
def table_of(keys):
    hkeys, hvals = new_table(len(keys))
    for i in range(len(keys)):
        j = _slot(hkeys, keys[i])
        hkeys[j] = keys[i]
        hvals[j] = i
    return hkeys, hvals


# ----------------------------------------------------------------------------- arcs


@njit(cache=True)
def _fillings(state, c, xs, mults, fact):
    """Canonical fillings of one column (total ``c``) of ``state`` (sorted ascending).

    Writes each filling ``x`` (``sum x = c``, ``0 <= x <= state``, non-increasing within each
    run of tied rows) to ``xs[m]`` and the number of distinct fillings it stands for
    (``g! / prod(run!)`` per tied group) to ``mults[m]``; returns the count ``m``.
    """
    r = len(state)
    suffix = np.zeros(r + 1, np.int64)
    for i in range(r - 1, -1, -1):
        suffix[i] = suffix[i + 1] + state[i]
    x = np.zeros(r, np.int64)
    top = np.zeros(r, np.int64)
    need = np.zeros(r + 1, np.int64)
    need[0] = c
    m = 0
    i = 0
    while True:
        descend = False
        if i == r:
            # leaf: record it
            mult = 1.0
            g_start = 0
            for j in range(1, r + 1):
                if j == r or state[j] != state[g_start]:
                    g = j - g_start
                    if g > 1:
                        mult *= fact[g]
                        run = 1
                        for u in range(g_start + 1, j):
                            if x[u] == x[u - 1]:
                                run += 1
                            else:
                                mult /= fact[run]
                                run = 1
                        mult /= fact[run]
                    g_start = j
            for j in range(r):
                xs[m, j] = x[j]
            mults[m] = mult
            m += 1
            i -= 1
        else:
            nd = need[i]
            hi = min(state[i], nd)
            if i > 0 and state[i] == state[i - 1]:
                hi = min(hi, x[i - 1])
            lo = nd if i == r - 1 else max(0, nd - suffix[i + 1])
            if lo <= hi:
                x[i] = lo
                top[i] = hi
                need[i + 1] = nd - lo
                i += 1
                descend = True
            else:
                i -= 1
        if not descend:
            while i >= 0 and x[i] >= top[i]:
                i -= 1
            if i < 0:
                return m
            x[i] += 1
            need[i + 1] = need[i] - x[i]
            i += 1


@njit(cache=True)
def _child(state, x, lf, const, base, rest):
    """Key of the child state (remaining rows after filling ``x``, sorted) and the log-probability
    of the column given ``state``."""
    r = len(state)
    q = const
    for j in range(r):
        rest[j] = state[j] - x[j]
        q -= lf[x[j]] + lf[rest[j]]
    for j in range(1, r):  # insertion sort, r is small
        v = rest[j]
        u = j - 1
        while u >= 0 and rest[u] > v:
            rest[u + 1] = rest[u]
            u -= 1
        rest[u + 1] = v
    key = 0
    for j in range(r):
        key = key * base + rest[j]
    return key, q


@njit(cache=True)
def _const(state, c, lf):
    tot = 0
    s = 0.0
    for j in range(len(state)):
        tot += state[j]
        s += lf[state[j]]
    return s - (lf[tot] - lf[c] - lf[tot - c])


# ----------------------------------------------------------------------------- passes


@njit(cache=True)
def build(states, c, lf, base, fwd, s0, s1, fact, maxfill, hkeys, hvals, keys, fwd_next, n_next):
    """Children of parents ``s0..s1`` (insert new ones) and forward path counts.

    Returns the (possibly grown) ``hkeys, hvals, keys, fwd_next``, the child count and the
    number of canonical arcs visited.
    """
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    arcs = 0
    for s in range(s0, s1):
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        arcs += m
        for a in range(m):
            key, _ = _child(state, xs[a], lf, const, base, rest)
            j = _slot(hkeys, key)
            if hkeys[j] == _EMPTY:
                if n_next == len(keys):
                    keys = np.concatenate((keys, np.empty(len(keys), np.int64)))
                    fwd_next = np.concatenate((fwd_next, np.zeros(len(fwd_next))))
                hkeys[j] = key
                hvals[j] = n_next
                keys[n_next] = key
                n_next += 1
                if 2 * n_next + 2 > len(hkeys):  # grow and rehash
                    hkeys, hvals = table_of(keys[:n_next])
                    j = _slot(hkeys, key)
            fwd_next[hvals[j]] += fwd[s] * mults[a]
    return hkeys, hvals, keys, fwd_next, n_next, arcs


@njit(cache=True)
def bounds(states, c, lf, base, s0, s1, fact, maxfill, hkeys, hvals, hi_next, lo_next, bwd_next,
           hi, lo, bwd):
    """Exact max/min log-probability of completions and backward path counts of ``s0..s1``."""
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    for s in range(s0, s1):
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        h, low, b = -np.inf, np.inf, 0.0
        for a in range(m):
            key, q = _child(state, xs[a], lf, const, base, rest)
            ch = hvals[_slot(hkeys, key)]
            h = max(h, q + hi_next[ch])
            low = min(low, q + lo_next[ch])
            b += mults[a] * bwd_next[ch]
        hi[s], lo[s], bwd[s] = h, low, b


@njit(cache=True)
def past_bounds(states, c, lf, base, s0, s1, fact, maxfill, hkeys, hvals, pmax, pmin, nmax, nmin):
    """Propagate the largest/smallest past log-probability from parents ``s0..s1`` to children."""
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    for s in range(s0, s1):
        if pmax[s] == -np.inf:
            continue
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        for a in range(m):
            key, q = _child(state, xs[a], lf, const, base, rest)
            ch = hvals[_slot(hkeys, key)]
            nmax[ch] = max(nmax[ch], pmax[s] + q)
            nmin[ch] = min(nmin[ch], pmin[s] + q)


@njit(cache=True)
def _grow(node, val, cnt, need, cap):
    """Room for ``need`` entries (``need <= cap``): grow by doubling, never beyond ``cap``."""
    size = len(node)
    if size >= need:
        return node, val, cnt
    while size < need:
        size *= 2
    size = min(size, cap)
    n2 = np.empty(size, np.int64)
    v2 = np.empty(size)
    c2 = np.empty(size)
    n2[:len(node)] = node
    v2[:len(node)] = val
    c2[:len(node)] = cnt
    return n2, v2, c2


@njit(cache=True)
def _scaled_prefix(v, w):
    """Largest value of the sorted list ``v`` and the cumulative sums of ``w * exp(v - top)``."""
    top = v[-1]
    cum = np.zeros(len(v) + 1)
    for j in range(len(v)):
        cum[j + 1] = cum[j] + w[j] * math.exp(v[j] - top)
    return top, cum


@njit(cache=True)
def _window(v, room, hi, lo):
    """Cuts of the sorted list ``v``: entries before ``i_in`` are inside whatever the rest of the path adds
    (``v <= room - hi``); entries from ``i_out`` on are outside whatever it adds (``v > room - lo``)."""
    i_in = np.searchsorted(v, room - hi, side="right")
    i_out = max(np.searchsorted(v, room - lo, side="right"), i_in)
    return i_in, i_out


@njit(cache=True)
def forward(states, c, lf, base, s0, s1, fact, maxfill, hkeys, hvals, hi_next, lo_next,
            ptr, vals, cnts, limit, out_node, out_val, out_cnt, n_out, cap):
    """One forward stage for parents ``s0..s1``: decided-inside mass and the undecided entries.

    A parent's entries are sorted by value, so per arc the entries decided inside form a prefix
    (summed from a scaled cumulative sum) and only the window between the two cuts is emitted.
    Stops early, returning ``n_out = cap + 1``, when the entries would exceed ``cap``.
    """
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    mass = 0.0
    for s in range(s0, s1):
        a0, a1 = ptr[s], ptr[s + 1]
        if a0 == a1:
            continue
        v = vals[a0:a1]
        top, cum = _scaled_prefix(v, cnts[a0:a1])
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        for a in range(m):
            key, q = _child(state, xs[a], lf, const, base, rest)
            ch = hvals[_slot(hkeys, key)]
            i_in, i_out = _window(v, limit - q, hi_next[ch], lo_next[ch])
            mass += mults[a] * math.exp(q + top) * cum[i_in]
            if i_out > i_in:
                if n_out + i_out - i_in > cap:
                    return mass, out_node, out_val, out_cnt, cap + 1
                out_node, out_val, out_cnt = _grow(out_node, out_val, out_cnt, n_out + i_out - i_in, cap)
                for j in range(i_in, i_out):
                    out_node[n_out] = ch
                    out_val[n_out] = v[j] + q
                    out_cnt[n_out] = cnts[a0 + j] * mults[a]
                    n_out += 1
    return mass, out_node, out_val, out_cnt, n_out


@njit(cache=True)
def backward(states, c, lf, base, s0, s1, fact, maxfill, hkeys, hvals, cptr, cvals, ccnts, ccum,
             full_next, pmax, pmin, limit, new_full, out_node, out_val, out_cnt, n_out, cap):
    """One backward stage for parents ``s0..s1``: future mass inside for every past value
    (``new_full``) and the undecided future entries of each parent, emitted in parent order.
    Stops early, returning ``n_out = cap + 1``, when the entries would exceed ``cap``."""
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    for s in range(s0, s1):
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        f = 0.0
        for a in range(m):
            key, q = _child(state, xs[a], lf, const, base, rest)
            ch = hvals[_slot(hkeys, key)]
            f += mults[a] * math.exp(q) * full_next[ch]
            b0, b1 = cptr[ch], cptr[ch + 1]
            if b0 == b1:
                continue
            v = cvals[b0:b1]
            i_in, i_out = _window(v, limit - q, pmax[s], pmin[s])
            if i_in > 0:
                f += mults[a] * math.exp(q + v[-1]) * ccum[b0 + i_in - 1]
            if i_out > i_in:
                if n_out + i_out - i_in > cap:
                    return out_node, out_val, out_cnt, cap + 1
                out_node, out_val, out_cnt = _grow(out_node, out_val, out_cnt, n_out + i_out - i_in, cap)
                for j in range(i_in, i_out):
                    out_node[n_out] = s
                    out_val[n_out] = v[j] + q
                    out_cnt[n_out] = ccnts[b0 + j] * mults[a]
                    n_out += 1
        new_full[s] += f
    return out_node, out_val, out_cnt, n_out


# ----------------------------------------------------------------------------- entry lists


@njit(cache=True)
def _merge_pair(sv, sc, dv, dc, lo, mid, hi):
    """Merge the sorted runs ``sv[lo:mid]`` and ``sv[mid:hi]`` (with their counts ``sc``) into ``dv``/``dc``."""
    i, j, w = lo, mid, lo
    while i < mid and j < hi:
        if sv[j] < sv[i]:
            dv[w] = sv[j]
            dc[w] = sc[j]
            j += 1
        else:
            dv[w] = sv[i]
            dc[w] = sc[i]
            i += 1
        w += 1
    while i < mid:
        dv[w] = sv[i]
        dc[w] = sc[i]
        i += 1
        w += 1
    while j < hi:
        dv[w] = sv[j]
        dc[w] = sc[j]
        j += 1
        w += 1


@njit(cache=True)
def _merge_runs(v, c, v2, c2, a, b):
    """Sort ``v[a:b]`` (with ``c`` alongside) by merging its ascending runs pairwise.

    Emitted entries arrive as one sorted window per arc, so a group holds few long runs and
    this costs O(size * log(runs)).  Uses ``v2, c2`` as scratch; the result is left in
    ``v, c`` when the function returns True, in ``v2, c2`` when it returns False.
    """
    bounds = [a]
    for i in range(a + 1, b):
        if v[i] < v[i - 1]:
            bounds.append(i)
    bounds.append(b)
    src_is_v = True
    while len(bounds) > 2:
        nb = [a]
        for k in range(0, len(bounds) - 1, 2):
            lo, mid = bounds[k], bounds[k + 1]
            hi = bounds[k + 2] if k + 2 < len(bounds) else mid
            if src_is_v:
                _merge_pair(v, c, v2, c2, lo, mid, hi)
            else:
                _merge_pair(v2, c2, v, c, lo, mid, hi)
            nb.append(hi)
        bounds = nb
        src_is_v = not src_is_v
    return src_is_v


@njit(cache=True)
def group_merge(n_nodes, node, val, cnt, n, grid):
    """Group entries by node, sort each group by value and merge values whose
    ``round(value / grid)`` agree (counts add).  Returns CSR ``(ptr, vals, cnts)``."""
    start = np.zeros(n_nodes + 1, np.int64)
    for i in range(n):
        start[node[i] + 1] += 1
    for k in range(n_nodes):
        start[k + 1] += start[k]
    fill = start.copy()
    gv = np.empty(n)
    gc = np.empty(n)
    for i in range(n):
        k = node[i]
        gv[fill[k]] = val[i]
        gc[fill[k]] = cnt[i]
        fill[k] += 1
    sv = np.empty(n)
    sc = np.empty(n)
    ptr = np.zeros(n_nodes + 1, np.int64)
    w = 0  # merged entries are compacted into gv, gc (w <= a: only consumed slots are overwritten)
    inv = 1.0 / grid
    for k in range(n_nodes):
        a, b = start[k], start[k + 1]
        if b > a:
            if _merge_runs(gv, gc, sv, sc, a, b):
                v, c = gv, gc
            else:
                v, c = sv, sc
            last = 0.0
            for i in range(a, b):
                key = math.floor(v[i] * inv + 0.5)
                if i > a and key == last:
                    gc[w - 1] += c[i]
                else:
                    gv[w] = v[i]
                    gc[w] = c[i]
                    w += 1
                    last = key
        ptr[k + 1] = w
    return ptr, gv[:w], gc[:w]


@njit(cache=True)
def scaled_cum(ptr, vals, cnts):
    """Inclusive cumulative ``cnt * exp(val - top)`` per group, ``top`` = the group's largest value."""
    cum = np.empty(len(vals))
    for k in range(len(ptr) - 1):
        a, b = ptr[k], ptr[k + 1]
        if b > a:
            top = vals[b - 1]
            acc = 0.0
            for j in range(a, b):
                acc += cnts[j] * math.exp(vals[j] - top)
                cum[j] = acc
    return cum


@njit(cache=True)
def window_bounds(states, c, lf, base, s0, s1, fact, maxfill, hkeys, hvals, hi_next, lo_next,
                  ptr, vals, limit, nmax, nmin):
    """Largest/smallest *undecided* past value that the last forward stage would emit into each
    child, without emitting it; returns how many entries it would emit."""
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    emitted = 0
    for s in range(s0, s1):
        a0, a1 = ptr[s], ptr[s + 1]
        if a0 == a1:
            continue
        v = vals[a0:a1]
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        for a in range(m):
            key, q = _child(state, xs[a], lf, const, base, rest)
            ch = hvals[_slot(hkeys, key)]
            i_in, i_out = _window(v, limit - q, hi_next[ch], lo_next[ch])
            if i_out > i_in:
                nmin[ch] = min(nmin[ch], v[i_in] + q)
                nmax[ch] = max(nmax[ch], v[i_out - 1] + q)
                emitted += i_out - i_in
    return emitted


@njit(cache=True)
def forward_meet(states, c, lf, base, s0, s1, fact, maxfill, hkeys, hvals, hi_next, lo_next,
                 ptr, vals, cnts, limit, fptr, fvals, fcum, full):
    """Last forward stage fused with the meet, for parents ``s0..s1``.

    Per arc, the parent's entries decided inside add their mass at once (as in ``forward``);
    each undecided entry ``p`` (past value at the child) adds ``w exp(p)`` times the child's
    future mass inside for every past value (``full``) plus its sorted future mass at or below
    ``limit - p``.  The largest past list of the run is thus never stored or sorted.
    """
    r = states.shape[1]
    xs = np.empty((maxfill, r), np.int64)
    mults = np.empty(maxfill)
    rest = np.empty(r, np.int64)
    total = 0.0
    for s in range(s0, s1):
        a0, a1 = ptr[s], ptr[s + 1]
        if a0 == a1:
            continue
        v = vals[a0:a1]
        top, cum = _scaled_prefix(v, cnts[a0:a1])
        state = states[s]
        const = _const(state, c, lf)
        m = _fillings(state, c, xs, mults, fact)
        for a in range(m):
            key, q = _child(state, xs[a], lf, const, base, rest)
            ch = hvals[_slot(hkeys, key)]
            i_in, i_out = _window(v, limit - q, hi_next[ch], lo_next[ch])
            total += mults[a] * math.exp(q + top) * cum[i_in]
            if i_out == i_in:
                continue
            f0, f1 = fptr[ch], fptr[ch + 1]
            fv = fvals[f0:f1]
            ftop = fv[-1] if f1 > f0 else 0.0
            for j in range(i_in, i_out):
                p = v[j] + q
                w = cnts[a0 + j] * mults[a]
                total += w * math.exp(p) * full[ch]
                if f1 > f0:
                    idx = np.searchsorted(fv, limit - p, side="right")
                    if idx > 0:
                        total += w * math.exp(p + ftop) * fcum[f0 + idx - 1]
    return total


@njit(cache=True)
def meet(pptr, pvals, pcnts, pcum, fptr, fvals, fcnts, full, limit):
    """Sum over states of past mass times the future mass at or below ``limit - past``.

    The past lists are sorted (``pcum`` is their scaled cumulative mass); the future lists may
    be in any order, so the largest list of the run -- the last backward stage -- is never
    sorted: each future value looks up the past mass at or below ``limit - future``.
    """
    total = 0.0
    for s in range(len(pptr) - 1):
        p0, p1 = pptr[s], pptr[s + 1]
        if p0 == p1:
            continue
        pmass = 0.0
        for j in range(p0, p1):
            pmass += pcnts[j] * math.exp(pvals[j])
        total += pmass * full[s]
        v = pvals[p0:p1]
        top = v[-1]
        for j in range(fptr[s], fptr[s + 1]):
            idx = np.searchsorted(v, limit - fvals[j], side="right")
            if idx > 0:
                total += fcnts[j] * math.exp(fvals[j] + top) * pcum[p0 + idx - 1]
    return total


# ----------------------------------------------------------------------------- one stage left implicit


@njit(cache=True)
def states_with_total(rows, total, base):
    """Every sorted state with sum ``total`` that the network can reach from ``rows`` (sorted
    ascending), as keys: the non-decreasing ``y`` with ``y <= rows`` elementwise.

    A state after some columns is the sorted vector of remaining row sums ``rows - x`` for some
    ``0 <= x <= rows``, and any such ``x`` can be laid out over any columns with its total, so a
    stage can be listed without enumerating the arcs into it; a sorted vector is such a state
    exactly when it lies below ``rows`` elementwise (matching both in sorted order).
    """
    r = len(rows)
    suffix = np.zeros(r + 1, np.int64)
    for i in range(r - 1, -1, -1):
        suffix[i] = suffix[i + 1] + rows[i]
    keys = np.empty(1024, np.int64)
    n = 0
    y = np.zeros(r, np.int64)
    top = np.zeros(r, np.int64)
    need = np.zeros(r + 1, np.int64)
    need[0] = total
    i = 0
    while True:
        descend = False
        if i == r:
            key = 0
            for j in range(r):
                key = key * base + y[j]
            if n == len(keys):
                keys = np.concatenate((keys, np.empty(len(keys), np.int64)))
            keys[n] = key
            n += 1
            i -= 1
        else:
            prev = y[i - 1] if i > 0 else 0
            if i == r - 1:
                lo = need[i]
                hi = need[i] if need[i] <= rows[i] else -1
            else:
                lo = max(prev, need[i] - suffix[i + 1])
                hi = min(rows[i], need[i] // (r - i))
            if lo < prev:
                lo = prev
            if lo <= hi:
                y[i] = lo
                top[i] = hi
                need[i + 1] = need[i] - lo
                i += 1
                descend = True
            else:
                i -= 1
        if not descend:
            while i >= 0 and y[i] >= top[i]:
                i -= 1
            if i < 0:
                return keys[:n]
            y[i] += 1
            need[i + 1] = need[i] - y[i]
            i += 1


@njit(cache=True)
def _dual_cell(w, cap, lf):
    """min over integers 0 <= x <= cap of lf[x] - w x (the minimiser is about floor(exp(w)))."""
    if w <= 0.0:
        x = 0
    elif w > 700.0:
        x = cap
    else:
        x = min(cap, int(math.floor(math.exp(w))))
    best = lf[x] - w * x
    if x > 0:
        best = min(best, lf[x - 1] - w * (x - 1))
    if x < cap:
        best = min(best, lf[x + 1] - w * (x + 1))
    return best


@njit(cache=True)
def _dual_value(st, cols, u, v, lf):
    """Lagrangian lower bound on min sum lf[x_ij] over tables with margins ``st`` x ``cols``."""
    total = 0.0
    for i in range(len(st)):
        if st[i] == 0:
            continue
        total += u[i] * st[i]
        for j in range(len(cols)):
            total += _dual_cell(u[i] + v[j], min(st[i], cols[j]), lf)
    for j in range(len(cols)):
        total += v[j] * cols[j]
    return total


@njit(cache=True)
def _argmax_dual(fixed, caps_other, target, lf, start, width, iters):
    """The multiplier y maximising target * y + sum_j min_x (lf[x] - (y + fixed_j) x), x <= caps_j:
    where the minimisers' sum crosses ``target``, by bisection within ``start +- width``."""
    lo_y, hi_y = start - width, start + width
    for _ in range(iters):
        mid = 0.5 * (lo_y + hi_y)
        got = 0
        for j in range(len(fixed)):
            w = mid + fixed[j]
            if w > 0.0:
                got += min(caps_other[j], int(math.floor(math.exp(min(w, 700.0)))))
        if got < target:
            lo_y = mid
        else:
            hi_y = mid
    return 0.5 * (lo_y + hi_y)


@njit(cache=True)
def relaxed_bounds(states, cols, lf, rounds, hi, lo):
    """Bounds on the largest and smallest completion log-probability of each state, without its arcs.

    The completion of a state (remaining rows ``st``, remaining columns ``cols``) has log-probability
    ``A - sum lf[x_ij]`` with ``A = sum lf[st] + sum lf[cols] - lf[sum cols]``.  ``hi`` uses a
    Lagrangian lower bound on ``min sum lf[x]`` (valid for any multipliers; a few rounds of
    coordinate ascent make it nearly tight, since lf is convex and the margins are totally
    unimodular); ``lo`` an upper bound on ``max sum lf[x]``: each row (or each column) filled
    greedily into the largest columns (rows), which majorises every feasible filling.  Both are
    widened by 1e-9 against rounding.  Weaker bounds decide fewer partial tables early but never
    change the p-value.
    """
    m, r = states.shape
    c = len(cols)
    S = 0
    a0 = 0.0
    for j in range(c):
        S += cols[j]
        a0 += lf[cols[j]]
    a0 -= lf[S]
    u = np.empty(r)
    v = np.empty(c)
    caps = np.empty(c, np.int64)
    caps_r = np.empty(r, np.int64)
    fixed_c = np.empty(c)
    fixed_r = np.empty(r)
    for s in range(m):
        st = states[s]
        a = a0
        for i in range(r):
            a += lf[st[i]]
        # --- upper bound on max sum lf[x]: greedy by rows, and by columns; the smaller
        by_rows = 0.0
        for i in range(r):
            rem = st[i]
            for j in range(c):  # cols are in decreasing order
                x = min(cols[j], rem)
                by_rows += lf[x]
                rem -= x
        by_cols = 0.0
        for j in range(c):
            rem = cols[j]
            for i in range(r - 1, -1, -1):  # st is sorted ascending
                x = min(st[i], rem)
                by_cols += lf[x]
                rem -= x
        lo[s] = a - min(by_rows, by_cols) - 1e-9
        # --- lower bound on min sum lf[x]: multipliers from the expected table (x ~ exp(u + v) - 1/2
        # by rows), then rounds of coordinate ascent, each multiplier within +-0.5 of the last
        for j in range(c):
            v[j] = math.log(cols[j] + 0.5)
        for i in range(r):
            if st[i] > 0:
                z = 0.0
                for j in range(c):
                    z += math.exp(v[j])
                u[i] = math.log((st[i] + 0.5 * c) / z)
            else:
                u[i] = 0.0
        for _ in range(rounds):
            for j in range(c):
                k = 0
                for i in range(r):
                    if st[i] > 0:
                        fixed_r[k] = u[i]
                        caps_r[k] = min(st[i], cols[j])
                        k += 1
                v[j] = _argmax_dual(fixed_r[:k], caps_r[:k], cols[j], lf, v[j], 0.5, 14)
            for i in range(r):
                if st[i] == 0:
                    continue
                for j in range(c):
                    fixed_c[j] = v[j]
                    caps[j] = min(st[i], cols[j])
                u[i] = _argmax_dual(fixed_c, caps, st[i], lf, u[i], 0.5, 14)
        hi[s] = a - _dual_value(st, cols, u, v, lf) + 1e-9
