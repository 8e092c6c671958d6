"""Driver of the compiled exact FFH network algorithm (kernels in ``_exact_numba.py``).

Runs the same passes as the numpy implementation in ``_exact.py`` -- build the states, exact
path bounds, forward pass to the meeting stage, past bounds, backward pass, meet -- but the
column fillings are generated inside compiled kernels and never stored.  Work is cut into
chunks of parent states (about ``CHUNK_ARCS`` fillings each) so the time budget and the memory
guard are checked between chunks, and :class:`~neurohlh.stats._exact.ExactTimeout` is raised
exactly as in the numpy path.
"""
from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from neurohlh.stats._exact_common import _MERGE_GRID, _count_compositions, log_factorials
from neurohlh.stats._limits import ExactTimeout, Limits

#: Fillings handled by the first kernel call of a stage; later calls are sized by the time taken.
CHUNK_ARCS = 2_000_000
#: Target duration of one kernel call, so the time budget is checked about this often. The work of a state is
#: estimated (fillings x entries) and the real rate varies tenfold between neighbouring states, so a call may take
#: ten times this: 0.02 s keeps such a call within ~0.2 s (the overhead of a call is ~50 us).
CHUNK_SECONDS = 0.02
#: Seconds to group and merge one entry of a stage's list (``group_merge``; measured 7e-8 to 1.4e-7 on one core,
#: taken at twice the slowest): a merge is one call, so the budget is checked against its estimate before it starts.
SECONDS_PER_MERGED_ENTRY = 3e-7
#: A transition with at least this many arcs is left implicit (see ``_implicit_stage``).
IMPLICIT_MIN_ARCS = 50_000
#: Rounds of coordinate ascent of the relaxed bounds (``relaxed_bounds``).
RELAXED_ROUNDS = 1


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        return True
    except OSError:
        return False


def _private_cache_dir() -> Path | None:
    """A cache folder in the temporary directory that only this user can write, or None."""
    if not hasattr(os, "getuid"):
        return None
    path = Path(tempfile.gettempdir()) / f"neurohlh-numba-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o022 or not _writable(path):
        return None  # someone else's folder: never load compiled code from it
    return path


def prepare_cache() -> None:
    """Make sure numba can cache the kernels somewhere writable before they are defined.

    numba caches next to the source (``__pycache__``) or in the user's cache folder; for a
    service account whose HOME is not writable and a read-only installation it finds neither
    and every kernel definition raises.  Then a private folder in the temporary directory is
    used.  If that fails too, importing the kernels raises and the caller falls back to numpy.
    """
    from numba.core import config
    from numba.misc.appdirs import AppDirs

    if config.CACHE_DIR and _writable(Path(config.CACHE_DIR)):  # type: ignore[attr-defined]
        return
    if _writable(Path(__file__).with_name("__pycache__")):
        return
    if _writable(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)):
        return
    private = _private_cache_dir()
    if private is not None:
        config.CACHE_DIR = str(private)  # type: ignore[attr-defined]
        os.environ["NUMBA_CACHE_DIR"] = str(private)


_SOURCE = Path(__file__).with_name("_exact_numba.py")
_WARM = False


def _cache_roots() -> list[Path]:
    """Folders where numba may keep the kernels' cache (without importing numba)."""
    roots = [_SOURCE.with_name("__pycache__")]
    nested = [os.environ.get("NUMBA_CACHE_DIR", ""),
              os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "numba")]
    if hasattr(os, "getuid"):
        nested.append(os.path.join(tempfile.gettempdir(), f"neurohlh-numba-{os.getuid()}"))
    for root in filter(None, nested):
        roots += [p for p in Path(root).glob("*") if p.is_dir()]
    return roots


def compiled_ready() -> bool | None:
    """``None`` without numba; ``True`` when the kernels are loaded in this process or every kernel
    has a cache entry newer than its source (so using them costs an import, not a compile)."""
    import importlib.util
    import sys

    if "neurohlh.stats._exact_numba" in sys.modules and _WARM:
        return True
    if importlib.util.find_spec("numba") is None:
        return None
    try:
        kernels = _SOURCE.read_text().count("@njit(cache=True)")
        stamp = _SOURCE.stat().st_mtime
        for root in _cache_roots():
            fresh = [p for p in root.glob("_exact_numba.*.nbi") if p.stat().st_mtime >= stamp]
            if len(fresh) >= kernels:
                return True
    except OSError:
        pass
    return False


def _warm_up() -> None:
    """Compile (or load) every kernel at once, on the first compiled call of a process: a tiny
    table through every meeting stage and both meet variants, so no kernel is compiled later in
    the middle of a timed run."""
    global _WARM
    if _WARM:
        return
    _WARM = True
    from neurohlh.stats._exact import log_table_probability, log_tolerance

    table = np.array([[3, 1, 0, 2, 1], [0, 2, 3, 1, 0], [2, 2, 1, 0, 3]])
    rows, cols = table.sum(axis=1), np.sort(table.sum(axis=0))[::-1]
    limit = log_table_probability(table) + log_tolerance(table.shape)
    for meet in range(1, len(cols)):
        for unsorted in ("past", "future"):
            ffh_compiled(rows, cols, limit, Limits(math.inf), meet=meet, unsorted=unsorted)
    ffh_compiled(rows, cols, limit, Limits(math.inf), implicit_min_arcs=0)


def key_fits(rows: np.ndarray) -> bool:
    """States are encoded as int64 in base max(row) + 1: does that fit?"""
    return len(rows) * math.log2(int(rows.max()) + 1) < 62


def _chunks(counts: np.ndarray, limits: Limits, ptr: np.ndarray | None = None):
    """Consecutive state ranges, the first with about CHUNK_ARCS units of work, then sized so that
    one kernel call takes about CHUNK_SECONDS; the time budget is checked before each.

    A unit is one filling, or, for a pass over entry lists (CSR offsets ``ptr``), one filling
    times the state's entries: a 2xK stage of a few thousand arcs can carry millions of entries,
    and sizing it by arcs alone would run the whole stage in one call, past the budget."""
    work = counts if ptr is None else counts * (1.0 + np.diff(ptr))
    cum = np.cumsum(work)
    start = 0
    size = float(CHUNK_ARCS)
    while start < len(work):
        limits.check()
        base = cum[start - 1] if start else 0.0
        stop = int(np.searchsorted(cum, base + size, side="right"))
        stop = min(max(stop, start + 1), len(work))
        began = time.perf_counter()
        yield start, stop
        took = time.perf_counter() - began
        done = float(cum[stop - 1] - base)
        if took > 0 and done > 0:
            size = max(1000.0, done * min(4.0, CHUNK_SECONDS / took))
        start = stop


def _entry_lists(bound: float, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Empty output lists (node, value, count) with room for ``min(bound, cap)`` entries.

    Reserved, not written: memory is taken only as entries are written, and the kernels never
    have to copy a list to grow it (at tens of millions of entries one such copy takes most of a
    second, in a single call that the time budget cannot interrupt)."""
    size = int(max(1024.0, min(bound, float(cap) + 1)))
    try:
        return np.empty(size, np.int64), np.empty(size), np.empty(size)
    except MemoryError:  # the kernels grow smaller lists as needed
        return np.empty(1024, np.int64), np.empty(1024), np.empty(1024)


def _decode(keys: np.ndarray, base: int, r: int) -> np.ndarray:
    out = np.empty((len(keys), r), dtype=np.int64)
    k = keys.copy()
    for j in range(r - 1, -1, -1):
        out[:, j] = k % base
        k //= base
    return out


def _implicit_stage(k: int, cnt: np.ndarray, r: int, min_arcs: float) -> bool:
    """Leave transition ``k`` implicit?  When it has many arcs (R, C >= 3 near independence:
    a middle stage of millions of fillings between two small ones), building it, its
    exact bounds and its path counts costs far more than the few partial tables that cross it.  Then
    the next stage is listed directly (``states_with_total``), the bounds of stage ``k`` are relaxed
    (``relaxed_bounds``), the lists meet at ``k + 1`` and only the arcs of states that partial
    tables reach are generated.  Never for the first stage (its one state is always reached) nor
    for two rows (fillings are few)."""
    return k > 0 and r >= 3 and float(cnt.sum()) >= min_arcs


def ffh_compiled(rows: np.ndarray, cols: np.ndarray, limit: float, limits: Limits,
                 meet: int | None = None, unsorted: str = "auto",
                 implicit_min_arcs: float | None = None) -> tuple[float, int]:
    """Total probability of tables with log P <= ``limit``; returns ``(p, number of states)``.

    ``rows`` are the state dimension, ``cols`` the columns in network order (at least two).
    The meet needs one of its two lists sorted; ``unsorted`` says which one is left in
    generation order: ``"auto"`` the larger, or ``"past"`` / ``"future"`` (for tests).
    Transitions with at least ``implicit_min_arcs`` arcs (default ``IMPLICIT_MIN_ARCS``) are left
    implicit (``_implicit_stage``; then ``meet`` is ignored); by default, if the undecided partial
    tables then exceed the memory cap, the full network is tried instead.
    """
    if implicit_min_arcs is None:
        try:
            return ffh_compiled(rows, cols, limit, limits, meet, unsorted, IMPLICIT_MIN_ARCS)
        except ExactTimeout as exc:
            if exc.cause != "memory":
                raise
            # relaxed bounds left too many partial tables undecided: the full network, within
            # what is left of the budget
            return ffh_compiled(rows, cols, limit, limits, meet, unsorted, math.inf)
    limits.check()
    loading = time.perf_counter()
    prepare_cache()
    from neurohlh.stats import (
        _exact_numba as K,  # compiles (or loads the cache) on first use
    )

    _warm_up()
    # loading the kernels (and compiling them, once per installation: 15-20 s, far more on a busy machine) is not
    # the test's work, so it does not count against the time budget
    limits.exclude(time.perf_counter() - loading)

    rows = np.asarray(rows, dtype=np.int64)
    cols = [int(c) for c in cols]  # type: ignore[assignment]
    r = len(rows)
    base = int(rows.max()) + 1
    lf = log_factorials(int(rows.sum()))
    fact = np.array([math.factorial(i) for i in range(r + 1)], dtype=float)
    n_trans = len(cols) - 1
    max_entries = limits.max_entries("compiled")

    states = [np.sort(rows)[None, :]]
    tables: list[tuple[np.ndarray, np.ndarray]] = []
    counts: list[np.ndarray] = []
    maxfill: list[int] = []
    fwd = [np.ones(1)]
    implicit: list[int] = []  # transitions whose arcs are generated only from partial tables reaching them
    for k in range(n_trans):
        cnt = _count_compositions(states[k], cols[k])
        counts.append(cnt)
        maxfill.append(max(1, int(cnt.max())))
        if _implicit_stage(k, cnt, r, IMPLICIT_MIN_ARCS if implicit_min_arcs is None else implicit_min_arcs):
            implicit.append(k)
            limits.check()
            keys = np.sort(K.states_with_total(states[0][0], int(sum(cols[k + 1:])), base))
            states.append(_decode(keys, base, r))
            limits.charge_states(sum(len(st) for st in states))
            hkeys, hvals = K.table_of(keys)
            tables.append((hkeys, hvals))
            fwd.append(np.ones(len(keys)))  # path counts are not needed: the meet follows it
            continue
        limits.charge_arcs(float(cnt.sum()), "compiled", stored=False)
        hkeys, hvals = K.new_table(4 * len(states[k]) + 64)
        keys = np.empty(1024, np.int64)
        fwd_next = np.zeros(1024)
        n_next = 0
        for s0, s1 in _chunks(cnt, limits):
            limits.check()
            hkeys, hvals, keys, fwd_next, n_next, _ = K.build(
                states[k], cols[k], lf, base, fwd[k], s0, s1, fact, maxfill[k],
                hkeys, hvals, keys, fwd_next, n_next)
        states.append(_decode(keys[:n_next], base, r))
        limits.charge_states(sum(len(st) for st in states))
        tables.append((hkeys, hvals))
        fwd.append(fwd_next[:n_next].copy())

    # exact longest / shortest completion and backward path counts (relaxed at implicit stages)
    last = len(states[-1])
    hi, lo, bwd = [None] * (n_trans + 1), [None] * (n_trans + 1), [None] * (n_trans + 1)
    hi[-1], lo[-1], bwd[-1] = np.zeros(last), np.zeros(last), np.ones(last)  # type: ignore[call-overload]
    for k in range(n_trans - 1, -1, -1):
        m = len(states[k])
        hi[k], lo[k], bwd[k] = np.empty(m), np.empty(m), np.empty(m)  # type: ignore[call-overload]
        if k in implicit:
            limits.check()
            K.relaxed_bounds(states[k], np.array(cols[k:], np.int64), lf, RELAXED_ROUNDS, hi[k], lo[k])
            bwd[k][:] = 1.0  # type: ignore[index]
            continue
        for s0, s1 in _chunks(counts[k], limits):
            limits.check()
            K.bounds(states[k], cols[k], lf, base, s0, s1, fact, maxfill[k], *tables[k],
                     hi[k + 1], lo[k + 1], bwd[k + 1], hi[k], lo[k], bwd[k])

    if implicit:  # the lists meet after the last implicit transition: none is ever enumerated whole
        stop = implicit[-1] + 1
    elif meet is None:
        cost = [fwd[m].sum() + bwd[m].sum() for m in range(1, n_trans + 1)]  # type: ignore[attr-defined]
        stop = 1 + int(np.argmin(cost))
    else:
        stop = meet
    n_states = sum(len(s) for s in states)

    # forward (past) lists up to the stage before the meeting stage
    total = 0.0
    ptr, vals, cnts = np.array([0, 1], np.int64), np.zeros(1), np.ones(1)
    for k in range(stop - 1):
        out = _entry_lists(float(np.dot(counts[k], np.diff(ptr))), max_entries)
        n_out = 0
        for s0, s1 in _chunks(counts[k], limits, ptr):
            limits.check()
            mass, *out, n_out = K.forward(states[k], cols[k], lf, base, s0, s1, fact, maxfill[k],
                                          *tables[k], hi[k + 1], lo[k + 1], ptr, vals, cnts,
                                          limit, *out, n_out, max_entries)
            total += mass
            if n_out > max_entries:
                raise limits.entries_exceeded("compiled")
        limits.check_ahead(n_out * SECONDS_PER_MERGED_ENTRY)
        ptr, vals, cnts = K.group_merge(len(states[k + 1]), *out, n_out, _MERGE_GRID)
        if len(vals) == 0:
            return total, n_states

    # past bounds at the meeting stage (from the undecided windows of the last forward stage),
    # then onwards
    f = stop - 1
    pmax, pmin = np.full(len(states[stop]), -np.inf), np.full(len(states[stop]), np.inf)
    n_past = 0
    for s0, s1 in _chunks(counts[f], limits, ptr):
        limits.check()
        n_past += K.window_bounds(states[f], cols[f], lf, base, s0, s1, fact, maxfill[f],
                                  *tables[f], hi[stop], lo[stop], ptr, vals, limit, pmax, pmin)
    n_stop = len(states[stop])
    n_future = 0
    if n_past == 0:  # nothing undecided reaches the meeting stage
        fptr, fvals, fcnts, full = np.zeros(n_stop + 1, np.int64), np.zeros(0), np.zeros(0), np.zeros(n_stop)
    else:
        past = {stop: (pmax, pmin)}
        for k in range(stop, n_trans):
            nmax, nmin = np.full(len(states[k + 1]), -np.inf), np.full(len(states[k + 1]), np.inf)
            for s0, s1 in _chunks(counts[k], limits):
                limits.check()
                K.past_bounds(states[k], cols[k], lf, base, s0, s1, fact, maxfill[k], *tables[k],
                              *past[k], nmax, nmin)
            past[k + 1] = (nmax, nmin)
        for pmx, pmn in past.values():
            pmn[np.isneginf(pmx)] = -np.inf  # unreachable: no past mass, send everything to `full`

        # backward (future) lists down to the meeting stage
        fptr, fvals, fcnts = np.arange(last + 1, dtype=np.int64), np.zeros(last), np.ones(last)
        full = np.zeros(last)
        for k in range(n_trans - 1, stop - 1, -1):
            fcum = K.scaled_cum(fptr, fvals, fcnts)
            new_full = np.zeros(len(states[k]))
            out = _entry_lists(math.inf, max_entries)
            n_out = 0
            for s0, s1 in _chunks(counts[k], limits):
                limits.check()
                *out, n_out = K.backward(states[k], cols[k], lf, base, s0, s1, fact, maxfill[k],
                                         *tables[k], fptr, fvals, fcnts, fcum, full, *past[k],
                                         limit, new_full, *out, n_out, max_entries)
                if n_out > max_entries:
                    raise limits.entries_exceeded("compiled")
            full = new_full
            future_unsorted = n_out > n_past if unsorted == "auto" else unsorted == "future"
            if k == stop and future_unsorted:
                # the meet needs one side sorted: leave the larger, future list in emission
                # order (grouped by parent) and materialise the past list instead
                n_future = n_out
                node = out[0][:n_out]
                fptr = np.searchsorted(node, np.arange(len(states[k]) + 1)).astype(np.int64)
                fvals, fcnts = out[1][:n_out], out[2][:n_out]
            else:
                limits.check_ahead(n_out * SECONDS_PER_MERGED_ENTRY)
                fptr, fvals, fcnts = K.group_merge(len(states[k]), *out, n_out, _MERGE_GRID)

    if n_future:
        out = _entry_lists(float(np.dot(counts[f], np.diff(ptr))), max_entries)
        n_out = 0
        for s0, s1 in _chunks(counts[f], limits, ptr):
            limits.check()
            mass, *out, n_out = K.forward(states[f], cols[f], lf, base, s0, s1, fact, maxfill[f],
                                          *tables[f], hi[stop], lo[stop], ptr, vals, cnts,
                                          limit, *out, n_out, max_entries)
            total += mass
            if n_out > max_entries:
                raise limits.entries_exceeded("compiled")
        limits.check_ahead(n_out * SECONDS_PER_MERGED_ENTRY)
        ptr, vals, cnts = K.group_merge(n_stop, *out, n_out, _MERGE_GRID)
        return total + K.meet(ptr, vals, cnts, K.scaled_cum(ptr, vals, cnts), fptr, fvals, fcnts,
                              full, limit), n_states

    # last forward stage fused with the meet: its entries are consumed as they are generated,
    # so the larger, past list is never stored or sorted
    fcum = K.scaled_cum(fptr, fvals, fcnts)
    for s0, s1 in _chunks(counts[f], limits, ptr):
        limits.check()
        total += K.forward_meet(states[f], cols[f], lf, base, s0, s1, fact, maxfill[f],
                                *tables[f], hi[stop], lo[stop], ptr, vals, cnts, limit,
                                fptr, fvals, fcum, full)
    return total, n_states
