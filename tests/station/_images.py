"""Stored images for viewer tests, until the import service stores them (same result shape)."""
from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pydicom
from django.conf import settings

from neurohlh.station.models import ImageSeries, ImageSlice, Study


def store_phantom(written: Any, study_id: str) -> dict[str, Any]:
    study = Study.objects.get(study_id=study_id)
    root = Path(settings.STATION_DIR)
    out = []
    for order, series in enumerate(written.series):
        code = "I-" + secrets.token_hex(4).upper()
        folder = root / "images" / "tests" / code
        folder.mkdir(parents=True, exist_ok=True)
        first = pydicom.dcmread(series.paths[0])
        row = ImageSeries.objects.create(
            study=study, code=code, series_uid=pydicom.uid.generate_uid(), kind=series.kind,
            description=series.kind, slice_count=len(series.paths), rows=first.Rows, columns=first.Columns,
            window_center=float(first.WindowCenter), window_width=float(first.WindowWidth),
            field_strength_t=float(first.MagneticFieldStrength), order=order, imported_at=dt.datetime.now(dt.UTC))
        for index, path in enumerate(series.paths):
            ds = pydicom.dcmread(path)
            ds.remove_private_tags()
            for keyword in ("PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "InstitutionName",
                            "InstitutionAddress", "PatientAddress", "StudyDescription", "PatientComments",
                            "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName",
                            "NameOfPhysiciansReadingStudy", "StationName", "StudyID", "OtherPatientIDs",
                            "InstitutionalDepartmentName"):
                if keyword in ds:
                    delattr(ds, keyword)
            target = folder / f"{index:04d}.dcm"
            ds.save_as(target)
            ImageSlice.objects.create(series=row, index=index, path=str(target.relative_to(root)),
                                      slice_location=float(ds.SliceLocation))
        out.append(row)
    return {"study": study, "series": out}
