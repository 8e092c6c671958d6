"""Filled sheets for the tests (form posts as a browser sends them)."""
from __future__ import annotations

from neurohlh.station.sheet import SHEET

LESIONAL = {
    "supra_lesion_number": "multiple", "infra_lesion_number": "few", "supra_lesion_type": ["focal"],
    "loc_cerebral_wm": "yes", "cerebellar_diffuse_edema": "no", "pontine_enhancing_lesion_count": "0",
    "pons_dominant_site": "no", "supra_t2_signal": "hyperintense", "field_strength_t": "1.5",
    "sequences": ["t2", "flair", "dwi", "t1_postcontrast"], "largest_enhancing_nodule_mm": "4",  # enhancement needs contrast
}


def form(values: dict, action: str = "submit") -> dict:
    """Every sheet field present (unknown where not given), as the sheet's form posts them."""
    data: dict = {name: "" for name, spec in SHEET.items() if spec.kind.name != "SET"}
    data.update(values)
    data["action"] = action
    return data
