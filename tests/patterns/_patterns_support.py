"""Helpers for the pattern tests: parse the vignette TSV into schema records, write small cohorts."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from neurohlh.io import load_cohort, write_cohort_csv
from neurohlh.schema import Patient, Study, field_specs

VIGNETTES = Path(__file__).parent / "data" / "vignettes.tsv"

ALIASES = {
    "supra": "supra_lesion_number", "infra": "infra_lesion_number", "cerebral": "loc_cerebral_wm",
    "cerebellar": "loc_cerebellar_wm", "deep_grey": "loc_deep_grey", "midbrain": "loc_midbrain", "pons": "loc_pons",
    "medulla": "loc_medulla", "edema": "cerebellar_diffuse_edema", "folia": "cerebellar_folia_effacement",
    "cistern": "cp_cistern_effacement", "pontine_count": "pontine_enhancing_lesion_count",
    "pons_dominant": "pons_dominant_site", "ctt": "ctt_t2_hyperintensity", "nonspecific": "nonspecific_findings",
    "cranial_nerves": "loc_cranial_nerves", "optic": "loc_optic_nerve", "cord": "loc_cord", "cauda": "loc_cauda_equina",
    "age": "age_at_study_months", "date": "study_date", "sequences": "sequences",
}

#: A fully read normal MRI (the vignette default), written out field by field.
CLEAN: dict[str, Any] = {
    "supra_lesion_number": "none", "infra_lesion_number": "none",
    **{f: False for f in ("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons",
                          "loc_medulla", "cerebellar_diffuse_edema", "cerebellar_folia_effacement",
                          "cp_cistern_effacement", "atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity",
                          "nonspecific_findings", "loc_cranial_nerves", "loc_optic_nerve", "loc_cord",
                          "loc_cauda_equina", "swi_blooming", "ventriculomegaly")},
}


def _value(field: str, text: str) -> Any:
    if text == "?":
        return None
    if text in ("yes", "no"):
        return text == "yes"
    if field == "pontine_enhancing_lesion_count":
        return int(text)
    if field == "age_at_study_months":
        return float(text)
    if field == "study_date":
        return dt.date.fromisoformat(text)
    if field == "sequences":
        return frozenset(text.split(";"))
    return text


def parse_study(spec: str, patient_id: str) -> Study:
    tokens = spec.split()
    study_id, rest = tokens[0], tokens[1:]
    values: dict[str, Any] = {} if "blank" in rest else dict(CLEAN)
    for token in rest:
        if token == "blank":
            continue
        key, text = token.split("=", 1)
        field = ALIASES.get(key, key)
        values[field] = _value(field, text)
    return Study(study_id=study_id, patient_id=patient_id, reader="consensus", **values)


def load_vignettes() -> list[dict[str, str]]:
    with open(VIGNETTES, encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def case_records(row: dict[str, str]) -> tuple[list[Study], Patient | None]:
    pid = "V-" + row["case"]
    studies = [] if row["studies"] == "-" else [parse_study(s, pid) for s in row["studies"].split(" | ")]
    workup = row["workup"]
    if workup == "nopatient":
        return studies, None
    return studies, Patient(patient_id=pid, etiologic_workup=None if workup == "unknown" else workup)


def split_list(text: str) -> list[str]:
    if text == "-":
        return []
    return [t.strip() for t in text.replace(",", ";").split(";") if t.strip()]


def records_frame(records: list[Any], record_type: type) -> pd.DataFrame:
    names = list(field_specs(record_type))
    return pd.DataFrame([dataclasses.astuple(r) for r in records], columns=names, dtype=object) if records else \
        pd.DataFrame(columns=names)


def write_and_load(folder: Path, patients: list[Patient], studies: list[Study]):
    """Write records as a cohort folder (the file format) and load it back with the real loader."""
    write_cohort_csv({"patients": records_frame(patients, Patient), "studies": records_frame(studies, Study)},
                     folder, "SYNTHETIC test cohort (neurohlh pattern tests)")
    return load_cohort(folder)
