"""Time and memory limits of the exact test, and the reason it gives up when it must.

Both exact engines charge their work to one :class:`Limits` object:

* before a stage of the network is enumerated, its number of column fillings (arcs) is counted
  (cheaply, without enumerating them); if the arcs counted so far, at the fastest rate either
  engine has been measured at, already need more than the time left, the exact method stops
  before doing that work (cause ``"estimate"``);
* the stored arcs (numpy engine), states and undecided entries are charged against
  ``memory`` bytes (cause ``"memory"``);
* the clock is checked between chunks of work (cause ``"time"``).

:class:`ExactTimeout` carries the cause and a sentence for the result's ``reason``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

#: Default memory cap of one exact computation (bytes).
DEFAULT_MEMORY_LIMIT = 2 * 1024**3
#: Fastest measured cost of one arc over all passes (s); a lower bound, so a table is never refused
#: on the estimate when it could have finished within its budget.
SECONDS_PER_ARC = {"numpy": 1.5e-7, "compiled": 4e-8}
#: Bytes held per stored arc (numpy engine: parent, child, log q, multiplicity, twice, plus temporaries).
BYTES_PER_ARC = 120
#: Bytes held per undecided entry at the peak of a stage (value, count, node and merge temporaries).
BYTES_PER_ENTRY = {"numpy": 100, "compiled": 56}
#: Bytes held per network state (key, hash slots, bounds, path counts).
BYTES_PER_STATE = 160


class ExactTimeout(Exception):
    """The exact computation stopped before finishing.

    ``cause`` is ``"time"`` (budget reached), ``"memory"`` (memory cap) or ``"estimate"`` (the
    counted work cannot fit in the time left); ``detail`` is a sentence for the result's reason;
    ``seconds`` is the time spent before stopping; ``needed_budget`` (estimate only) is a budget
    that would let the exact method start.
    """

    def __init__(self, cause: str = "time", detail: str = "", seconds: float = 0.0,
                 needed_budget: float | None = None):
        super().__init__(detail or cause)
        self.cause, self.detail, self.seconds, self.needed_budget = cause, detail, seconds, needed_budget


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / 1024**3:.2g} GB"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.2g} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.2g} h"


@dataclass
class Limits:
    """The budget (seconds, ``inf`` for none) and memory cap (bytes) of one exact computation."""

    budget: float = 60.0
    memory: float = DEFAULT_MEMORY_LIMIT
    start: float = field(default_factory=time.perf_counter)
    arcs: float = 0.0
    stored: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = self.start + self.budget

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def exclude(self, seconds: float) -> None:
        """Leave ``seconds`` out of the budget: time that was not the computation's work (loading or, once per
        installation, compiling the compiled kernels)."""
        self.start += seconds
        self.deadline += seconds

    def check(self) -> None:
        """Stop when the time budget is spent."""
        if time.perf_counter() > self.deadline:
            raise ExactTimeout("time", f"reached its time budget ({self.budget:g} s)", self.elapsed())

    def check_ahead(self, seconds: float) -> None:
        """Stop now when a step that cannot be interrupted, estimated to take ``seconds``, would end past the
        time budget (rather than finding out after it)."""
        if time.perf_counter() + seconds > self.deadline:
            raise ExactTimeout("time", f"reached its time budget ({self.budget:g} s)", self.elapsed())

    def charge_arcs(self, arcs: float, engine: str, stored: bool) -> None:
        """Charge a stage of ``arcs`` column fillings before enumerating it."""
        self.check()
        self.arcs += arcs
        if stored:
            self.stored += arcs
            if self.stored * BYTES_PER_ARC > self.memory:
                raise ExactTimeout(
                    "memory", f"stopped after {self.elapsed():.2g} s, before storing the network: its "
                    f"{self.stored:.3g} column fillings need about {_gb(self.stored * BYTES_PER_ARC)}, over "
                    f"the memory cap ({_gb(self.memory)})", self.elapsed())
        need = self.arcs * SECONDS_PER_ARC[engine]
        if need > self.deadline - time.perf_counter():
            budget = _round_up(self.elapsed() + 2 * need)
            raise ExactTimeout(
                "estimate", f"was stopped after {self.elapsed():.2g} s by its cost estimate: the network has at "
                f"least {self.arcs:.3g} column fillings, at least {_duration(need)} of work, over the "
                f"{self.budget:g} s time budget (time_budget={budget:g} or more lets it run)",
                self.elapsed(), budget)

    def estimate(self, arcs: float, engine: str) -> None:
        """Stop before any work when an estimate of the first stages' ``arcs`` cannot fit the budget
        (the estimate may be off by a factor of two either way, hence the halved rate)."""
        need = 0.5 * arcs * SECONDS_PER_ARC[engine]
        if need > self.budget:
            budget = _round_up(2 * need)
            raise ExactTimeout(
                "estimate", f"was not started, by its cost estimate: its network has about {arcs:.2g} column fillings in its "
                f"first two stages alone, about {_duration(need)} of work at the fastest measured rate, over the {self.budget:g} s "
                f"time budget (time_budget={budget:g} or more lets it run)", self.elapsed(), budget)

    def charge_states(self, states: float) -> None:
        if states * BYTES_PER_STATE > self.memory:
            raise ExactTimeout(
                "memory", f"stopped after {self.elapsed():.2g} s at its memory cap ({_gb(self.memory)}): "
                f"the network has {states:.3g} states", self.elapsed())

    def max_entries(self, engine: str) -> int:
        """Most undecided entries one stage may hold within the memory cap."""
        return int(min(self.memory / BYTES_PER_ENTRY[engine], 2**62))

    def entries_exceeded(self, engine: str) -> ExactTimeout:
        return ExactTimeout(
            "memory", f"stopped after {self.elapsed():.2g} s at its memory cap ({_gb(self.memory)}): one stage "
            f"held more than {self.max_entries(engine):.3g} undecided partial tables", self.elapsed())


def _round_up(seconds: float) -> float:
    """A readable budget at least ``seconds``: 1, 2 or 5 times a power of ten."""
    if not math.isfinite(seconds) or seconds <= 1:
        return 1.0 if math.isfinite(seconds) else math.inf
    p = 10 ** math.floor(math.log10(seconds))
    return next(m * p for m in (1, 2, 5, 10) if m * p >= seconds)
