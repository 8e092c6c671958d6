"""HScore for reactive haemophagocytic syndrome (Fardet et al. 2014), with the points of every item.

The score is the sum of 9 item points (range 0-337). A missing item is not scored as 0: the result gives the
points of the known items and the lowest and highest totals still possible (``score_min``/``score_max``).
Only when every item is known is ``score`` set.

The best diagnostic cut-off in the derivation cohort was 169 (sensitivity 93%, specificity 86%). The paper's
score-to-probability table was not available to us and the logistic formula circulating in calculators has no
citable source, so **no probability is reported**.

The HScore was derived in adults with reactive HLH; Malik et al. did not use it. Its cytopenia cut-offs differ
from HLH-2004 (Hb <= 92 g/L, leucocytes <= 5 x10^9/L, platelets <= 110 x10^9/L) and are kept separate.

References
----------
Fardet L, Galicier L, Lambotte O, et al. Development and validation of the HScore, a score for the diagnosis
of reactive hemophagocytic syndrome. Arthritis Rheumatol 2014;66:2613-2620. doi:10.1002/art.38690
(item weights cross-checked in three independent reproductions, see docs/criteria.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neurohlh.schema import Patient

SOURCE = "Fardet et al., Arthritis Rheumatol 2014;66:2613 (HScore)"
#: Best cut-off of the derivation study: HScore >= 169 (sensitivity 93%, specificity 86%).
HSCORE_CUTOFF = 169
HSCORE_MAX = 337
#: Points for known underlying immunosuppression (HIV or long-term immunosuppressive therapy).
POINTS_IMMUNOSUPPRESSION = 18
#: Temperature bands (degC): < 38.4 -> 0; 38.4-39.4 -> 33; > 39.4 -> 49.
TEMP_LOW_C, TEMP_HIGH_C = 38.4, 39.4
POINTS_TEMP = (0, 33, 49)
#: Organomegaly: none 0; hepatomegaly or splenomegaly 23; both 38.
POINTS_ORGANOMEGALY = (0, 23, 38)
#: Cytopenia lineages (Hb <= 92 g/L, leucocytes <= 5 x10^9/L, platelets <= 110 x10^9/L): 0-1 -> 0; 2 -> 24; 3 -> 34.
HB_AT_MOST_G_L, WBC_AT_MOST_10E9_L, PLATELETS_AT_MOST_10E9_L = 92.0, 5.0, 110.0
POINTS_CYTOPENIAS = (0, 0, 24, 34)
#: Ferritin (ng/mL = ug/L): < 2000 -> 0; 2000-6000 -> 35; > 6000 -> 50.
FERRITIN_LOW, FERRITIN_HIGH = 2000.0, 6000.0
POINTS_FERRITIN = (0, 35, 50)
#: Triglycerides (mmol/L): < 1.5 -> 0; 1.5-4 -> 44; > 4 -> 64.
TG_LOW_MMOL_L, TG_HIGH_MMOL_L = 1.5, 4.0
POINTS_TRIGLYCERIDES = (0, 44, 64)
#: Fibrinogen (g/L): > 2.5 -> 0; <= 2.5 -> 30.
FIBRINOGEN_AT_MOST_G_L = 2.5
POINTS_FIBRINOGEN = 30
#: AST (U/L): < 30 -> 0; >= 30 -> 19.
AST_AT_LEAST_U_L = 30.0
POINTS_AST = 19
#: Haemophagocytosis on bone-marrow aspirate.
POINTS_HEMOPHAGOCYTOSIS = 35


@dataclass(frozen=True, slots=True)
class HScoreItem:
    """One HScore variable: points if known, otherwise the range of points still possible."""

    name: str
    points: int | None
    min_points: int
    max_points: int
    values: dict[str, Any]
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "points": self.points, "min_points": self.min_points,
                "max_points": self.max_points, "values": dict(self.values), "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class HScoreResult:
    """HScore of one patient. ``score`` is None unless every item is known."""

    patient_id: str
    score: int | None
    score_min: int
    score_max: int
    items: tuple[HScoreItem, ...]
    cutoff: int
    above_cutoff: bool | None
    reason: str
    notes: tuple[str, ...]
    source: str = SOURCE

    def to_dict(self) -> dict[str, Any]:
        return {"patient_id": self.patient_id, "score": self.score, "score_min": self.score_min,
                "score_max": self.score_max, "items": [i.to_dict() for i in self.items], "cutoff": self.cutoff,
                "above_cutoff": self.above_cutoff, "reason": self.reason, "notes": list(self.notes),
                "source": self.source, "probability": None}


def _known(name: str, points: int, values: dict[str, Any], text: str) -> HScoreItem:
    return HScoreItem(name, points, points, points, values, f"{text} -> {points} points")


def _unknown(name: str, low: int, high: int, values: dict[str, Any], text: str) -> HScoreItem:
    return HScoreItem(name, None, low, high, values, f"{text}: {low}-{high} points possible")


def _band(value: float, low: float, high: float, points: tuple[int, int, int]) -> int:
    if value < low:
        return points[0]
    return points[1] if value <= high else points[2]


def _yes_no_item(name: str, field: str, value: bool | None, points: int, label: str) -> HScoreItem:
    """An item worth ``points`` when present, 0 when absent, 0 to ``points`` when unknown."""
    values = {field: value}
    if value is None:
        return _unknown(name, 0, points, values, f"{label} unknown")
    return _known(name, points if value else 0, values, f"{label} {'yes' if value else 'no'}")


def _immunosuppression(p: Patient) -> HScoreItem:
    return _yes_no_item("immunosuppression", "known_immunosuppression", p.known_immunosuppression,
                        POINTS_IMMUNOSUPPRESSION, "known immunosuppression")


def _temperature(p: Patient) -> HScoreItem:
    t = p.max_temperature_c
    values = {"max_temperature_c": t, "fever": p.fever}
    if t is not None:
        clash = "; note: fever is recorded as no" if p.fever is False and t >= TEMP_LOW_C else ""
        return _known("temperature", _band(t, TEMP_LOW_C, TEMP_HIGH_C, POINTS_TEMP), values,
                      f"temperature {t:g} degC (bands < 38.4 / 38.4-39.4 / > 39.4){clash}")
    if p.fever is False:
        return _known("temperature", 0, values, "no fever recorded, temperature taken as < 38.4 degC")
    return _unknown("temperature", 0, max(POINTS_TEMP), values, "maximum temperature unknown")


def _organomegaly(p: Patient) -> HScoreItem:
    hep, spl = p.hepatomegaly, p.splenomegaly
    values = {"hepatomegaly": hep, "splenomegaly": spl}
    yes = sum(v is True for v in (hep, spl))
    unknown = sum(v is None for v in (hep, spl))
    if unknown:
        return _unknown("organomegaly", POINTS_ORGANOMEGALY[yes], POINTS_ORGANOMEGALY[yes + unknown], values,
                        f"{yes} organ(s) enlarged, {unknown} unknown")
    return _known("organomegaly", POINTS_ORGANOMEGALY[yes], values, f"{yes} of liver/spleen enlarged")


def _cytopenias(p: Patient) -> HScoreItem:
    hb, wbc, plt = p.hemoglobin_g_l, p.leukocytes_10e9_l, p.platelets_10e9_l
    values = {"hemoglobin_g_l": hb, "leukocytes_10e9_l": wbc, "platelets_10e9_l": plt}
    flags = [None if hb is None else hb <= HB_AT_MOST_G_L, None if wbc is None else wbc <= WBC_AT_MOST_10E9_L,
             None if plt is None else plt <= PLATELETS_AT_MOST_10E9_L]
    low, unknown = sum(f is True for f in flags), sum(f is None for f in flags)
    text = f"{low} lineage(s) at or below Hb 92 g/L / WBC 5 / platelets 110 x10^9/L"
    if unknown:
        return _unknown("cytopenias", POINTS_CYTOPENIAS[low], POINTS_CYTOPENIAS[low + unknown], values,
                        f"{text}, {unknown} unknown")
    return _known("cytopenias", POINTS_CYTOPENIAS[low], values, text)


def _numeric(name: str, field: str, value: float | None, score: Any, possible: tuple[int, ...], text: str
             ) -> HScoreItem:
    values = {field: value}
    if value is None:
        return _unknown(name, min(possible), max(possible), values, f"{field} unknown")
    return _known(name, score(value), values, f"{field} {value:g} ({text})")


def _hemophagocytosis(p: Patient) -> HScoreItem:
    return _yes_no_item("hemophagocytosis", "hemophagocytosis", p.hemophagocytosis, POINTS_HEMOPHAGOCYTOSIS,
                        "haemophagocytosis")


def hscore_items(p: Patient) -> tuple[HScoreItem, ...]:
    """The 9 HScore items in the order of Fardet 2014."""
    return (
        _immunosuppression(p), _temperature(p), _organomegaly(p), _cytopenias(p),
        _numeric("ferritin", "ferritin_ug_l", p.ferritin_ug_l,
                 lambda v: _band(v, FERRITIN_LOW, FERRITIN_HIGH, POINTS_FERRITIN), POINTS_FERRITIN,
                 "ng/mL: < 2000 / 2000-6000 / > 6000"),
        _numeric("triglycerides", "triglycerides_mmol_l", p.triglycerides_mmol_l,
                 lambda v: _band(v, TG_LOW_MMOL_L, TG_HIGH_MMOL_L, POINTS_TRIGLYCERIDES), POINTS_TRIGLYCERIDES,
                 "mmol/L: < 1.5 / 1.5-4 / > 4"),
        _numeric("fibrinogen", "fibrinogen_g_l", p.fibrinogen_g_l,
                 lambda v: POINTS_FIBRINOGEN if v <= FIBRINOGEN_AT_MOST_G_L else 0, (0, POINTS_FIBRINOGEN),
                 "g/L: <= 2.5 scores"),
        _numeric("ast", "ast_u_l", p.ast_u_l, lambda v: POINTS_AST if v >= AST_AT_LEAST_U_L else 0,
                 (0, POINTS_AST), "U/L: >= 30 scores"),
        _hemophagocytosis(p),
    )


def hscore(patient: Patient) -> HScoreResult:
    """HScore of ``patient``; see the module docstring for bands, missing items and the 169 cut-off.
    """
    items = hscore_items(patient)
    low = sum(i.min_points for i in items)
    high = sum(i.max_points for i in items)
    complete = all(i.points is not None for i in items)
    score = low if complete else None
    if low >= HSCORE_CUTOFF:
        above: bool | None = True
    elif high < HSCORE_CUTOFF:
        above = False
    else:
        above = None
    missing = [i.name for i in items if i.points is None]
    if complete:
        reason = f"HScore {score} {'>=' if above else '<'} cut-off {HSCORE_CUTOFF}"
    else:
        reason = (f"HScore between {low} and {high} ({', '.join(missing)} unknown); "
                  + ("above" if above else "below" if above is False else "undecided against")
                  + f" cut-off {HSCORE_CUTOFF}")
    notes = ("haemophagocytosis field covers marrow, spleen or lymph nodes; the HScore item is bone-marrow "
             "aspirate", "derived in adults with reactive HLH; no probability reported (no citable formula)")
    return HScoreResult(patient.patient_id, score, low, high, items, HSCORE_CUTOFF, above, reason, notes)
