"""Which sequence a series shows, from its own acquisition attributes, and the description readers see.

Rules, in order (the first that applies decides; the reason names the attributes used):

1. ADC map: ImageType contains ADC (or "ADC" in SequenceName).
2. DWI: DiffusionBValue > 0, or ImageType contains DIFFUSION / TRACEW, or an EPI SequenceName with a b value
   (``*ep_b1000``).
3. SWI: ImageType contains SWI, or SequenceName contains swi / swan.
4. Inversion recovery (ScanningSequence IR): InversionTime >= 1500 ms -> FLAIR; a shorter inversion -> T1.
5. Spin echo (SE) or gradient echo (GR) without inversion: TR < 1000 ms and TE < 30 ms -> T1; TR >= 2000 ms and
   TE >= 60 ms -> T2.
6. Enhanced MR without those attributes: Acquisition Contrast T1, T2 or FLAIR.
7. Anything else -> other.

A T1 series is post-contrast when Contrast/Bolus Agent (or its sequence) is filled; as a fallback, when the
series description says so (post, +C, gad, contrast). The reader confirms the sequences on the sheet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

CONTRAST_WORDS = re.compile(r"(\bpost\b|\+\s*c\b|\bgad|\bgd\b|contrast|\bkm\b|kontrast)", re.IGNORECASE)
FLAIR_MIN_TI_MS = 1500.0


@dataclass(frozen=True)
class Classified:
    kind: str       # SequenceKind value
    reason: str     # which attributes decided, for the coordinator


def _number(ds: Dataset, keyword: str) -> float | None:
    value = ds.get(keyword)
    if isinstance(value, (list, tuple, MultiValue)):
        value = value[0] if len(value) else None
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def field_strength(ds: Dataset) -> float | None:
    """Magnetic Field Strength in tesla (a few old scanners wrote gauss: 15000 -> 1.5 T)."""
    value = _number(ds, "MagneticFieldStrength")
    if value is None or value <= 0:
        return None
    return value / 10000 if value >= 1000 else value


def _words(ds: Dataset, keyword: str) -> list[str]:
    value = ds.get(keyword)
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip().upper() for v in value.split("\\") if v.strip()]
    return [str(v).strip().upper() for v in value if str(v).strip()]


def contrast_given(ds: Dataset) -> str | None:
    """Why the series is post-contrast (the attribute that says so), or None."""
    agent = str(ds.get("ContrastBolusAgent", "") or "").strip()
    if agent:
        return "Contrast/Bolus Agent filled"
    if ds.get("ContrastBolusAgentSequence"):
        return "Contrast/Bolus Agent Sequence filled"
    description = str(ds.get("SeriesDescription", "") or "")
    if CONTRAST_WORDS.search(description):
        return "the series description mentions contrast"
    return None


def classify(ds: Dataset) -> Classified:
    """The sequence kind of the series ``ds`` (any of its slices) belongs to."""
    image_type = _words(ds, "ImageType")
    scanning = _words(ds, "ScanningSequence")
    name = str(ds.get("SequenceName", "") or "").lower()
    tr, te, ti = _number(ds, "RepetitionTime"), _number(ds, "EchoTime"), _number(ds, "InversionTime")
    b_value = _number(ds, "DiffusionBValue")
    if "ADC" in image_type or "adc" in name:
        return Classified("ADC", "ImageType or SequenceName says ADC")
    if (b_value or 0) > 0 or {"DIFFUSION", "TRACEW"} & set(image_type) or re.search(r"ep_b\d*[1-9]", name):
        return Classified("DWI", f"diffusion weighting (b value {b_value:g})" if b_value else
                          "ImageType or SequenceName says diffusion")
    if "SWI" in image_type or "swi" in name or "swan" in name:
        return Classified("SWI", "ImageType or SequenceName says SWI")
    if "IR" in scanning and ti is not None:
        if ti >= FLAIR_MIN_TI_MS:
            return Classified("FLAIR", f"inversion recovery with TI {ti:g} ms >= {FLAIR_MIN_TI_MS:g}")
        return _t1(ds, f"inversion recovery with TI {ti:g} ms < {FLAIR_MIN_TI_MS:g}")
    if ({"SE", "GR"} & set(scanning)) and tr is not None and te is not None:
        if tr < 1000 and te < 30:
            return _t1(ds, f"TR {tr:g} ms < 1000 and TE {te:g} ms < 30")
        if tr >= 2000 and te >= 60:
            return Classified("T2", f"TR {tr:g} ms >= 2000 and TE {te:g} ms >= 60")
    contrast = str(ds.get("AcquisitionContrast", "") or "").upper()  # enhanced MR
    if contrast == "T1":
        return _t1(ds, "Acquisition Contrast T1")
    if contrast in ("T2", "FLAIR"):
        return Classified(contrast, f"Acquisition Contrast {contrast}")
    return Classified("other", "no rule matched its ScanningSequence, TR, TE, TI and Acquisition Contrast")


def _t1(ds: Dataset, reason: str) -> Classified:
    why = contrast_given(ds)
    if why:
        return Classified("T1_post", f"{reason}; {why}")
    return Classified("T1", f"{reason}; no contrast agent recorded")


LABELS = {"T2": "T2", "FLAIR": "FLAIR", "DWI": "DWI", "ADC": "ADC map", "T1": "T1", "T1_post": "T1 post-contrast",
          "SWI": "SWI", "other": "other"}


def description(ds: Dataset, kind: str, slices: int) -> str:
    """What readers see for a series: built from numbers and fixed words only, never the scanner's free text."""
    parts = [LABELS[kind]]
    acquisition = str(ds.get("MRAcquisitionType", "") or "").upper()
    if acquisition in ("2D", "3D"):
        parts.append(acquisition)
    timing = [f"{label} {value:g}" for label, value in (
        ("TR", _number(ds, "RepetitionTime")), ("TE", _number(ds, "EchoTime")),
        ("TI", _number(ds, "InversionTime"))) if value is not None]
    if timing:
        parts.append(" ".join(timing) + " ms")
    b_value = _number(ds, "DiffusionBValue")
    if b_value:
        parts.append(f"b {b_value:g}")
    thickness = _number(ds, "SliceThickness")
    if thickness:
        parts.append(f"{thickness:g} mm")
    strength = field_strength(ds)
    if strength:
        parts.append(f"{strength:g} T")
    parts.append(f"{slices} slice{'s' if slices != 1 else ''}")
    return " · ".join(parts)
