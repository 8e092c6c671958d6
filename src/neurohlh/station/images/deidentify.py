"""De-identification of one DICOM dataset with deid and the station's recipe (``deid.dicom`` beside this file).

DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile with the Retain Longitudinal Temporal
Information with Modified Dates Option:

* only the technical attributes a reader needs to see the image are kept (the recipe's KEEP list); names, IDs,
  addresses, institution, physicians, operators, station, descriptions, comments, private attributes, sequences,
  overlays and curves are removed;
* the Type 2 attributes of the patient and study modules are written back empty (the profile's Z action), and
  Contrast/Bolus Agent, when filled, becomes a dummy value (action D: the images still say contrast was given);
* dates are shifted by the patient's offset; times are removed;
* every UID is replaced by ``2.25.<number>`` derived from the station's secret and the original UID, so the same
  UID always gets the same replacement (across files and imports) and cannot be recomputed without the secret;
* Patient Identity Removed is YES, and De-identification Method (Code Sequence) names the profile and the option.

The filters of the same recipe decide which files are held back (:func:`held_back_reasons`).
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID

CONTRAST_DUMMY = "CONTRAST AGENT"
RECIPE = Path(__file__).with_name("deid.dicom")
METHOD = "PS3.15 Basic Profile, Modified Dates Option (neurohlh)"  # LO: at most 64 characters
#: CID 7050 codes written in De-identification Method Code Sequence.
METHOD_CODES = (("113100", "Basic Application Confidentiality Profile"),
                ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"))
#: Type 2 attributes of the patient, study and series modules: present, empty (PS3.15 action Z).
EMPTIED = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyTime", "ReferringPhysicianName",
           "StudyID", "AccessionNumber")


@lru_cache(maxsize=1)
def recipe() -> Any:
    from deid.config import DeidRecipe

    return DeidRecipe(str(RECIPE), base=False)


def uid_replacement(secret: str, original: str) -> str:
    """The replacement of ``original``: a UUID-derived UID (``2.25.``) from a keyed hash, at most 64 characters."""
    digest = hashlib.sha256(f"{secret}\x00{original}".encode()).digest()
    return f"2.25.{uuid.UUID(bytes=digest[:16]).int}"


def held_back_reasons(ds: Dataset) -> list[str]:
    """Why ``ds`` may carry burned-in text (the recipe's filters); empty when it may be shown."""
    from deid.dicom.pixels import has_burned_pixels

    result = has_burned_pixels(ds, deid=recipe())
    reasons = [" ".join(str(r.get("reason", "")).split()) for r in result.get("results", [])
               if r.get("group") == "heldback"]
    return [next((text for start, text in _REASONS if start in reason), reason) for reason in reasons]


# deid names the conditions that matched, not the filter's label: the words shown to the coordinator
_REASONS = (
    ("BurnedInAnnotation contains YES", "BurnedInAnnotation is YES"),
    ("SOPClassUID contains", "secondary capture or visible-light SOP class (screenshot, scanned document or "
                             "photograph)"),
    ("ImageType contains SCREEN", "ImageType names a screen capture, saved screen, report or demographics"),
    ("ImageType contains SECONDARY", "ImageType is SECONDARY and BurnedInAnnotation is not NO"),
    ("Modality equals OT", "modality OT (usually a scanned document or screenshot)"),
    ("ImageType missing", "no ImageType"),
)


def deidentify(ds: Dataset, *, shift_days: int, remap_uid: Callable[[str], str]) -> Dataset:
    """``ds`` (whose pixel data is already uncompressed) de-identified in place, ready to be written."""
    from deid.dicom.parser import DicomParser

    contrast = bool(str(ds.get("ContrastBolusAgent", "") or "").strip() or ds.get("ContrastBolusAgentSequence"))
    parser = DicomParser(ds, recipe=recipe())
    parser.define("date_shift", shift_days)
    parser.define("remap_uid", lambda item, value, field, **kw: remap_uid(str(field.element.value)))
    parser.parse(remove_private=True)
    out: Dataset = parser.dicom
    for keyword in EMPTIED:
        setattr(out, keyword, "")
    if contrast:  # PS3.15 action D: a dummy value, so that the images still say contrast was given
        out.ContrastBolusAgent = CONTRAST_DUMMY
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = METHOD
    codes = []
    for value, meaning in METHOD_CODES:
        code = Dataset()
        code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, "DCM", meaning
        codes.append(code)
    out.DeidentificationMethodCodeSequence = Sequence(codes)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = out.SOPClassUID
    meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    out.file_meta = meta
    out.preamble = b"\0" * 128
    return out
