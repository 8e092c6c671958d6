"""Survival endpoints from patient records: overall and deficit-free survival, in months from HLH diagnosis.

* **Overall survival**: event = death; time = ``follow_up_months`` (time to last follow-up or death).
* **Deficit-free survival**: event = death or the first persistent neurologic deficit, whichever came first.
  A patient who died has the event at ``deficit_months_after_diagnosis`` when given, else at death
  (``follow_up_months``). A patient alive with a deficit (``deficit_free`` no) has the event at
  ``deficit_months_after_diagnosis``; without that time the patient is left out of the curve (not dated at the
  last follow-up, which would put every deficit at the end of follow-up) and counted in
  ``Endpoint.deficit_without_time``; the deficit-free *proportion* (Table 2) still counts the patient. A
  patient deficit-free at last follow-up is censored at ``follow_up_months``.

Patients whose outcome, time or ``follow_up_months`` is unknown are left out (``included`` is False) and
counted, never read as event-free; an event is never kept while a censored patient with the same gap is dropped.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Endpoint:
    """Time-to-event data of one endpoint, one row per patient of the frame it was built from.

    ``time`` (months from HLH diagnosis) and ``event`` are defined where ``included`` is True.
    """

    key: str
    label: str
    event_definition: str
    time: pd.Series
    event: pd.Series
    included: pd.Series
    #: Patients alive with a deficit whose time of deficit is not known (left out of the curve).
    deficit_without_time: pd.Series | None = None

    @property
    def n_excluded(self) -> int:
        return int((~self.included).sum())

    @property
    def n_deficit_without_time(self) -> int:
        return 0 if self.deficit_without_time is None else int(self.deficit_without_time.sum())


def _months(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("boolean")


def overall_survival(frame: pd.DataFrame) -> Endpoint:
    """Death, censored at the last follow-up."""
    died = _flag(frame, "died")
    time = _months(frame, "follow_up_months")
    included = time.notna() & died.notna()
    return Endpoint("overall_survival", "Overall survival", "death; censored at last follow-up", time,
                    died.fillna(False).astype(bool), included.astype(bool))


def deficit_free_survival(frame: pd.DataFrame) -> Endpoint:
    """Death or first persistent neurologic deficit (see the module docstring for the dating rule)."""
    died = _flag(frame, "died").fillna(False).astype(bool)
    free = _flag(frame, "deficit_free")
    follow_up = _months(frame, "follow_up_months")
    deficit_at = _months(frame, "deficit_months_after_diagnosis")
    censored = free.eq(True).fillna(False).astype(bool) & ~died
    deficit_alive = free.eq(False).fillna(False).astype(bool) & ~died
    time = pd.Series(np.nan, index=frame.index, dtype=float)
    time[censored] = follow_up[censored]
    time[died] = np.fmin(follow_up[died], deficit_at[died])  # the earlier of a dated deficit and death
    time[deficit_alive] = deficit_at[deficit_alive]
    event = died | deficit_alive
    # every patient in the curve has a known observation window: leaving out only the censored patients whose
    # follow-up is unknown, while keeping events, would bias the curve downwards
    included = time.notna() & follow_up.notna() & (censored | event)
    return Endpoint(
        "deficit_free_survival", "Deficit-free survival",
        "death or first persistent neurologic deficit (deficit_months_after_diagnosis), whichever came first; "
        "censored at last follow-up when deficit-free", time, event, included.astype(bool),
        deficit_alive & deficit_at.isna())


def survival_endpoints(frame: pd.DataFrame) -> tuple[Endpoint, Endpoint]:
    """Overall and deficit-free survival of every patient in ``frame`` (columns as in the schema)."""
    return overall_survival(frame), deficit_free_survival(frame)


def number_at_risk(times: np.ndarray | Sequence[float], at: np.ndarray | Sequence[float]) -> list[int]:
    """Patients still at risk (time >= t: no event and not censored before t) at each time of ``at``.

    The definition of R's ``summary(survfit(...), times = at)$n.risk``.
    """
    t = np.sort(np.asarray(times, dtype=float))
    return [int(t.size - np.searchsorted(t, x, side="left")) for x in np.asarray(at, dtype=float)]


__all__ = ["Endpoint", "overall_survival", "deficit_free_survival", "survival_endpoints", "number_at_risk"]
