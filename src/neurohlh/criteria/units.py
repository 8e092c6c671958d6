"""Explicit unit conversions for the laboratory values HLH-2004, the HScore and the CSF rule use.

The schema stores one canonical unit per value (``hemoglobin_g_l``, ``triglycerides_mmol_l``, ...). Values
reported in another unit are converted here, never guessed: an unknown unit or an analyte/unit pair we do
not know raises :class:`~neurohlh.errors.InputError`.

References
----------
Henter JI, et al. HLH-2004. Pediatr Blood Cancer 2007;48:124-131 (Hb 90 g/L, fibrinogen 1.5 g/L,
triglycerides 3.0 mmol/L printed as "265 mg/dL").
Triglyceride molar mass factor: 1 mmol/L = 88.57 mg/dL (triolein, MW 885.7 g/mol).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from neurohlh.errors import InputError

#: mg/dL per mmol/L for triglycerides (triolein molar mass 885.7 g/mol / 10).
TRIGLYCERIDE_MG_DL_PER_MMOL_L = 88.57

# Canonical unit per analyte, and factors to the canonical unit: canonical = value * factor.
_CANONICAL: Mapping[str, str] = {
    "hemoglobin": "g/L",
    "platelets": "10^9/L",
    "neutrophils": "10^9/L",
    "leukocytes": "10^9/L",
    "triglycerides": "mmol/L",
    "fibrinogen": "g/L",
    "ferritin": "ug/L",
    "scd25": "U/mL",
    "ast": "U/L",
    "csf_wbc": "cells/uL",
    "csf_protein": "mg/dL",
}

# canonical = value * multiplier / divisor (divisors kept as integers so that 150 mg/dL is exactly 1.5 g/L).
_TO_CANONICAL: Mapping[str, Mapping[str, tuple[float, float]]] = {
    "hemoglobin": {"g/L": (1, 1), "g/dL": (10, 1), "mg/dL": (1, 100)},
    "platelets": {"10^9/L": (1, 1), "10^3/uL": (1, 1), "/uL": (1, 1000), "/mm3": (1, 1000)},
    "neutrophils": {"10^9/L": (1, 1), "10^3/uL": (1, 1), "/uL": (1, 1000), "/mm3": (1, 1000)},
    "leukocytes": {"10^9/L": (1, 1), "10^3/uL": (1, 1), "/uL": (1, 1000), "/mm3": (1, 1000)},
    "triglycerides": {"mmol/L": (1, 1), "mg/dL": (1, TRIGLYCERIDE_MG_DL_PER_MMOL_L)},
    "fibrinogen": {"g/L": (1, 1), "mg/dL": (1, 100)},
    "ferritin": {"ug/L": (1, 1), "ng/mL": (1, 1)},
    "scd25": {"U/mL": (1, 1), "kU/L": (1, 1), "U/L": (1, 1000)},
    "ast": {"U/L": (1, 1), "IU/L": (1, 1)},
    "csf_wbc": {"cells/uL": (1, 1), "cells/mm3": (1, 1), "10^6/L": (1, 1)},
    "csf_protein": {"mg/dL": (1, 1), "g/L": (100, 1), "mg/L": (1, 10)},
}

_ALIASES: Mapping[str, str] = {
    "µg/l": "ug/L", "μg/l": "ug/L", "mcg/l": "ug/L", "/µl": "/uL", "/μl": "/uL", "cells/µl": "cells/uL",
    "cells/μl": "cells/uL", "x10^9/l": "10^9/L", "10e9/l": "10^9/L", "x10e9/l": "10^9/L", "g/dl": "g/dL",
    "g/l": "g/L", "mg/dl": "mg/dL", "mmol/l": "mmol/L", "ng/ml": "ng/mL", "ug/l": "ug/L", "u/ml": "U/mL",
    "u/l": "U/L", "iu/l": "IU/L", "ku/l": "kU/L", "mg/l": "mg/L", "cells/ul": "cells/uL", "/ul": "/uL",
    "cells/mm3": "cells/mm3", "/mm3": "/mm3", "10^9/l": "10^9/L", "10^3/ul": "10^3/uL", "10^6/l": "10^6/L",
}


@dataclass(frozen=True, slots=True)
class Conversion:
    """One conversion: what was given, what it became, and the factor used."""

    analyte: str
    value: float
    unit: str
    canonical_value: float
    canonical_unit: str
    factor: float

    def to_dict(self) -> dict[str, object]:
        return {"analyte": self.analyte, "value": self.value, "unit": self.unit,
                "canonical_value": self.canonical_value, "canonical_unit": self.canonical_unit,
                "factor": self.factor}


def _normalise_unit(unit: str) -> str:
    key = unit.strip().replace(" ", "").replace("×", "x")
    return _ALIASES.get(key.lower(), key)


def canonical_unit(analyte: str) -> str:
    """The unit neurohlh stores ``analyte`` in (the unit in the schema field name)."""
    if analyte not in _CANONICAL:
        raise InputError(f"`analyte` must be one of {sorted(_CANONICAL)}; got {analyte!r}.")
    return _CANONICAL[analyte]


def to_canonical(value: float, unit: str, analyte: str) -> Conversion:
    """Convert ``value`` given in ``unit`` to the canonical unit of ``analyte``.

    Examples
    --------
    >>> to_canonical(9.0, "g/dL", "hemoglobin").canonical_value
    90.0
    >>> round(to_canonical(265.0, "mg/dL", "triglycerides").canonical_value, 3)
    2.992
    """
    target = canonical_unit(analyte)
    known = _TO_CANONICAL[analyte]
    norm = _normalise_unit(unit)
    if norm not in known:
        raise InputError(
            f"Unit {unit!r} is not known for {analyte}; use one of {sorted(known)} (canonical: {target})."
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{analyte} value {value!r} is not a number.") from None
    multiplier, divisor = known[norm]
    return Conversion(analyte, number, norm, number * multiplier / divisor, target, multiplier / divisor)


def convert(value: float, from_unit: str, to_unit: str, analyte: str) -> float:
    """Convert ``value`` of ``analyte`` between two units known for it.

    Examples
    --------
    >>> convert(1.5, "g/L", "mg/dL", "fibrinogen")
    150.0
    >>> round(convert(3.0, "mmol/L", "mg/dL", "triglycerides"), 2)
    265.71
    """
    there = to_canonical(value, from_unit, analyte)
    if _normalise_unit(to_unit) not in _TO_CANONICAL[analyte]:
        to_canonical(1.0, to_unit, analyte)  # raises the InputError naming the unit
    multiplier, divisor = _TO_CANONICAL[analyte][_normalise_unit(to_unit)]
    return there.canonical_value * divisor / multiplier


def fahrenheit_to_celsius(value_f: float) -> float:
    """Temperature conversion for the HScore temperature item: (F - 32) * 5/9."""
    return (float(value_f) - 32.0) * 5.0 / 9.0
