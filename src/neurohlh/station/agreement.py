"""Agreement between the two readers so far, for the coordinator's dashboard.

Per field: studies read by both, how many agree (the comparison rules applied), and Cohen's kappa for the
categorical fields (:func:`neurohlh.agreement.cohen_kappa`, asymptotic 95% confidence interval; an unknown value
is a missing read) when at least two categories occur.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neurohlh.schema import Kind
from neurohlh.station.compare import compare
from neurohlh.station.sheet import SHEET

UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class FieldAgreement:
    field: str
    pairs: int
    agreed: int
    kappa: float | None
    low: float | None
    high: float | None

    @property
    def percent(self) -> float:
        return 100.0 * self.agreed / self.pairs if self.pairs else 0.0


def _kappa(a: list[str], b: list[str]) -> tuple[float | None, float | None, float | None]:
    """Cohen's kappa by :func:`neurohlh.agreement.cohen_kappa` (unknown = missing read), asymptotic 95% CI."""
    from neurohlh.agreement import cohen_kappa
    from neurohlh.errors import InputError

    first = [None if v == UNKNOWN else v for v in a]
    second = [None if v == UNKNOWN else v for v in b]
    if len({v for v in first + second if v is not None}) < 2:
        return None, None, None
    try:
        res = cohen_kappa(first, second, n_boot=0)
    except InputError:  # fewer than two cases with both reads known
        return None, None, None
    if res.statistic != res.statistic:  # NaN: undefined for this table
        return None, None, None
    return float(res.statistic), float(res.ci[0]), float(res.ci[1])


def agreement_summary() -> dict[str, Any]:
    from neurohlh.station.models import Read, ReadStatus, Slot
    from neurohlh.station.services import ensure_rules

    rules = ensure_rules()
    reads: dict[int, dict[str, dict[str, str]]] = {}
    for r in Read.objects.filter(status=ReadStatus.SUBMITTED, assignment__slot__in=[Slot.READER_1, Slot.READER_2]) \
            .select_related("assignment"):
        reads.setdefault(r.assignment.study_id, {})[r.assignment.slot] = r.values
    pairs = [(v[Slot.READER_1], v[Slot.READER_2]) for v in reads.values() if len(v) == 2]
    rows: list[FieldAgreement] = []
    discordant_studies = 0
    per_field: dict[str, list[tuple[str, str, bool]]] = {name: [] for name in SHEET}
    for first, second in pairs:
        fields = compare(first, second, rules)
        discordant_studies += any(not f.agree for f in fields)
        for f in fields:
            per_field[f.field].append((f.first or UNKNOWN, f.second or UNKNOWN, f.agree))
    for name, spec in SHEET.items():
        values = per_field[name]
        if not values or spec.kind is Kind.TEXT:
            continue
        kappa = low = high = None
        if spec.kind in (Kind.BOOL, Kind.ENUM):
            kappa, low, high = _kappa([v[0] for v in values], [v[1] for v in values])
        rows.append(FieldAgreement(name, len(values), sum(v[2] for v in values), kappa, low, high))
    return {"pairs": len(pairs), "discordant_studies": discordant_studies, "fields": rows}
