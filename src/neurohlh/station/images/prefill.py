"""What the stored images suggest for the sheet: the sequences present and the field strength.

A suggestion is shown beside its field on the reader's page; it is never written as the reader's answer. The
reader ticks or types the value (confirming it) or answers otherwise; the page says whether the answer matches.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neurohlh.station.images.models import ImageSeries, ImageStudy
from neurohlh.station.models import Study

#: Sequence kind of a stored series -> value of the sheet's ``sequences`` field (ADC maps come from a DWI).
SHEET_SEQUENCE = {"T2": "t2", "FLAIR": "flair", "DWI": "dwi", "ADC": "dwi", "T1": "t1", "T1_post": "t1_postcontrast",
                  "SWI": "swi"}


@dataclass(frozen=True)
class Prefill:
    sequences: tuple[str, ...]          # sheet vocabulary, in the sheet's order
    field_strength_t: float | None
    age_months: float | None

    @property
    def empty(self) -> bool:
        return not self.sequences and self.field_strength_t is None


def prefill_for(study: Study, order: tuple[str, ...] = ("t1", "t2", "flair", "dwi", "t1_postcontrast", "swi")
                ) -> Prefill:
    kinds = set(ImageSeries.objects.filter(study=study).values_list("kind", flat=True))
    present = {SHEET_SEQUENCE[k] for k in kinds if k in SHEET_SEQUENCE}
    image_study = ImageStudy.objects.filter(study=study).first()
    strength = image_study.field_strength_t if image_study else None
    return Prefill(tuple(v for v in order if v in present), strength,
                   image_study.age_months if image_study else None)


def annotate(groups: list[dict[str, Any]], study: Study) -> list[dict[str, Any]]:
    """Add the images' suggestion to the sheet fields it concerns (``suggestion``, ``suggestion_state``, and
    ``suggested`` on the suggested choices)."""
    prefill = prefill_for(study, tuple(_choices(groups, "sequences")))
    if prefill.empty:
        return groups
    for group in groups:
        for field in group["fields"]:
            if field["name"] == "sequences" and prefill.sequences:
                for choice in field["choices"]:
                    choice["suggested"] = choice["value"] in prefill.sequences
                ticked = {c["value"] for c in field["choices"] if c["checked"]}
                field["suggestion"] = "in the images: " + ", ".join(s.replace("_", " ") for s in prefill.sequences)
                field["suggestion_state"] = _state(not ticked, ticked == set(prefill.sequences))
            elif field["name"] == "field_strength_t" and prefill.field_strength_t is not None:
                field["suggestion"] = f"in the images: {prefill.field_strength_t:g} T"
                field["suggestion_state"] = _state(field["value"] == "", _same(field["value"],
                                                                               prefill.field_strength_t))
    return groups


def _choices(groups: list[dict[str, Any]], name: str) -> list[str]:
    return [c["value"] for g in groups for f in g["fields"] if f["name"] == name for c in f["choices"]]


def _same(text: str, value: float) -> bool:
    try:
        return abs(float(text) - value) < 0.05
    except ValueError:
        return False


def _state(unanswered: bool, matches: bool) -> str:
    return "to confirm" if unanswered else "matches your answer" if matches else "differs from your answer"
