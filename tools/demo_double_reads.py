"""Synthetic independent reads of the demo cohort: reader 1, reader 2 and an adjudicator, consistent with the
consensus reads.

Every demo study gets two reads that copy its consensus read except where one of the two readers, chosen at
random, read a field differently. The chance of that differs by field (:data:`DISAGREEMENT_RATES`): small for
the presence of lesions in a compartment already known to have lesions, larger for descriptive features (T2
signal, lesion type, white-matter level, enhancement pattern) and measurements, in line with the moderate to
substantial inter-reader agreement reported for such MR features. Because only one reader departs from the
consensus on a field, the two readers agree exactly where the consensus has their common value; where they
disagree, the adjudicator's read gives the consensus value. Only known values are ever disputed, so every
consensus read can be derived from the three reads (the shipped consensus rows are checked against that
derivation when the cohort is loaded). A few pattern-2 studies get a reader who sees one small
supratentorial lesion, so that lesional status and the patient pattern are sometimes disputed too.

Every read is coherent with the loader's checks (no obstructive ventriculomegaly without ventriculomegaly, no
lesion location in a compartment read as lesion-free).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from neurohlh.schema import Kind, Study, field_specs

SEED = 1313
_SPECS = field_specs(Study)

#: Chance, per study, that one reader reads the field differently from the consensus.
DISAGREEMENT_RATES: dict[str, float] = {
    **{f"{c}_lesion_number": 0.10 for c in ("supra", "infra")},       # single / few / multiple: grading
    **{f"{c}_{f}": 0.08 for c in ("supra", "infra")
       for f in ("lesion_type", "wm_level", "t2_signal", "enhancement_pattern", "target_variants")},
    **{f"{c}_{f}": 0.05 for c in ("supra", "infra") for f in ("dwi_restriction", "target_lesions")},
    **{f"{c}_enhancement": 0.04 for c in ("supra", "infra")},
    **{f: 0.03 for f in ("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons",
                         "loc_medulla")},
    "loc_pons_dorsal": 0.06, "deep_grey_laterality": 0.08,
    **{f: 0.02 for f in ("loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina", "hydrocephalus")},
    "atrophy_cerebral": 0.05, "atrophy_cerebellar": 0.05, "ctt_t2_hyperintensity": 0.04,
    "nonspecific_findings": 0.04, "swi_blooming": 0.05, "ventriculomegaly": 0.03,
    "cerebellar_diffuse_edema": 0.03, "cerebellar_folia_effacement": 0.05, "cp_cistern_effacement": 0.05,
    "tonsillar_descent": 0.05, "fourth_ventricle_obstruction": 0.03,
    "pontine_enhancing_lesion_count": 0.10, "pons_dominant_site": 0.05, "largest_enhancing_nodule_mm": 0.15,
    "t2_beyond_enhancement": 0.05, "pons_symmetric_at_mcp": 0.06, "mass_effect": 0.04,
}
#: Chance that one reader sees a small supratentorial lesion in a study the consensus reads as lesion-free.
EXTRA_LESION_RATE = 0.04
_COMPARTMENT = {"loc_cerebral_wm": "supra", "loc_deep_grey": "supra", "loc_cerebellar_wm": "infra",
                "loc_midbrain": "infra", "loc_pons": "infra", "loc_medulla": "infra"}
_GRADES = ("single", "few", "multiple")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA


def _alternative(name: str, value: Any, row: dict[str, Any], rng: np.random.Generator) -> Any:
    """Another plausible read of ``name`` (``None`` when this field is not disputed for this study)."""
    if _missing(value):
        return None
    spec = _SPECS[name]
    if name.endswith("_lesion_number"):
        if value not in _GRADES:
            return None
        i = _GRADES.index(value)
        return _GRADES[i + 1] if i == 0 else _GRADES[i - 1] if i == 2 else _GRADES[i + rng.choice([-1, 1])]
    if name in _COMPARTMENT and row.get(f"{_COMPARTMENT[name]}_lesion_number") not in _GRADES:
        return None
    if name == "ventriculomegaly" and row.get("ventriculomegaly_obstructive") is True:
        return None
    if spec.kind == Kind.BOOL:
        return not value
    if spec.kind == Kind.ENUM:
        return str(rng.choice([c for c in spec.choices if c != value]))
    if spec.kind == Kind.SET:
        element = str(rng.choice(spec.choices))
        changed = frozenset(value) ^ {element}
        return changed if changed else None
    if name == "pontine_enhancing_lesion_count":
        return int(value) + 1 if value == 0 or rng.random() < 0.5 else int(value) - 1
    if name == "largest_enhancing_nodule_mm":
        return float(max(1.0, value + rng.choice([-1.0, 1.0])))
    return None


def _extra_lesion(read: dict[str, Any]) -> list[str]:
    # the reader leaves the lesion's description empty (unknown), so every disputed value is one the
    # adjudicator can write: the consensus is "none" and "no"
    changes = {"supra_lesion_number": "single", "loc_cerebral_wm": True}
    read.update(changes)
    return list(changes)


def double_reads(consensus: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Reader 1, reader 2 and adjudicator rows for every consensus row of ``consensus`` (schema columns)."""
    rng = np.random.default_rng(seed)
    columns = list(_SPECS)
    first: list[dict[str, Any]] = []
    second: list[dict[str, Any]] = []
    adjudications: list[dict[str, Any]] = []
    for record in consensus[columns].to_dict("records"):
        row: dict[str, Any] = {str(k): (None if _missing(v) else v) for k, v in record.items()}
        reads = [row | {"reader": "reader_1", "notes": None}, row | {"reader": "reader_2", "notes": None}]
        disputed: list[str] = []
        for name, rate in DISAGREEMENT_RATES.items():
            if rng.random() >= rate:
                continue
            who = int(rng.integers(2))
            alt = _alternative(name, row[name], row, rng)
            if alt is not None:
                reads[who][name] = alt
                disputed.append(name)
        lesion_free = row["supra_lesion_number"] == "none" and row["infra_lesion_number"] == "none"
        if lesion_free and rng.random() < EXTRA_LESION_RATE:
            disputed += _extra_lesion(reads[int(rng.integers(2))])
        first.append(reads[0])
        second.append(reads[1])
        if disputed:
            adjudication = {k: row[k] for k in ("study_id", "patient_id")} | {"reader": "adjudicator"}
            adjudication |= {name: row[name] for name in disputed}
            adjudications.append(adjudication)
    return pd.DataFrame(first + second + adjudications, columns=columns).astype(object)
