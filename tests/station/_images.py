"""Images stored through the import service, for tests that need a study with images."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from neurohlh.station.images.service import import_dicom
from neurohlh.station.models import ImageSeries, Study


def store_phantom(written: Any, study_id: str) -> dict[str, Any]:
    """Import the phantom study ``written`` into the worklist study ``study_id`` (matched by a mapping file)."""
    mapping = Path(written.folder).parent / f"{study_id}-mapping.csv"
    mapping.write_text(f"dicom_study,study_id\n{written.study_uid},{study_id}\n", encoding="utf-8")
    import_dicom(written.folder, "test", mapping)
    study = Study.objects.get(study_id=study_id)
    return {"study": study, "series": list(ImageSeries.objects.filter(study=study).order_by("order"))}
