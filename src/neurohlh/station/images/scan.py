"""Read a folder of DICOM files: every file checked in one pass, grouped into studies, series and stacks.

A file is read in full and its pixel data decoded once here (so that a truncated file, or a compressed transfer
syntax no installed decoder handles, is found before anything is stored); only its header is kept.
Problems name the file by its path relative to the folder.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from neurohlh.errors import Problem
from neurohlh.station.images.classify import _number
from neurohlh.station.images.deidentify import held_back_reasons

DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
#: Files larger than this are refused (a whole-body multi-frame file is far smaller).
MAX_FILE_BYTES = 2 * 1024 ** 3


@dataclass(frozen=True)
class Frame:
    """One displayed slice: a frame of a file, where it lies, and its rescale."""

    file: SourceFile
    frame: int
    position: float | None
    location: float | None
    slope: float
    intercept: float


@dataclass(frozen=True, eq=False)
class SourceFile:
    relative: str
    path: Path
    header: Dataset          # without pixel data; enhanced multi-frame attributes flattened for the first frame
    frames: int
    held_back: tuple[str, ...]

    def uid(self, keyword: str) -> str:
        return str(self.header.get(keyword, "") or "")

    @property
    def patient(self) -> tuple[str, str, str]:
        h = self.header
        return (str(h.get("PatientID", "") or ""), str(h.get("PatientName", "") or ""),
                str(h.get("PatientBirthDate", "") or ""))


@dataclass
class Stack:
    """Slices of one series that belong together (a series holding b0 and b1000 images gives two stacks)."""

    study_uid: str
    series_uid: str
    key: tuple[str, ...]
    files: list[SourceFile] = field(default_factory=list)

    @property
    def first(self) -> SourceFile:
        return self.files[0]

    def frames(self) -> list[Frame]:
        """Every frame in order along the slice normal (then instance number, then frame number)."""
        out = [f for source in self.files for f in _frames(source)]
        return sorted(out, key=lambda f: (f.position if f.position is not None else
                                          f.location if f.location is not None else 0.0,
                                          _int(f.file.header.get("InstanceNumber")), f.frame))


@dataclass
class Scan:
    folder: Path
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def studies(self) -> dict[str, list[SourceFile]]:
        out: dict[str, list[SourceFile]] = defaultdict(list)
        for f in self.files:
            out[f.uid("StudyInstanceUID")].append(f)
        return dict(out)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def walk(folder: Path) -> Iterator[Path]:
    """Every regular file under ``folder``, in a stable order; hidden files and folders are skipped."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def _decoder_message(ds: Dataset) -> str | None:
    """Why the pixel data cannot be decoded here, or None when a decoder is installed."""
    from pydicom.pixels.decoders.base import get_decoder

    syntax = ds.file_meta.get("TransferSyntaxUID")
    if syntax is None or not syntax.is_compressed:
        return None
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        return f"pixel data compressed as {syntax.name}, which pydicom cannot decode"
    if decoder.is_available:
        return None
    needs = "; ".join(decoder.missing_dependencies) or "a decoder plug-in"
    return (f"pixel data compressed as {syntax.name}, and no installed decoder reads it (needs {needs}); "
            f"export the study uncompressed or install one of these")


def read_file(path: Path, relative: str) -> SourceFile | Problem | str:
    """One file: a readable image, a located problem, or a note (a DICOM file that is not an image)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(relative, f"{size} bytes: larger than the {MAX_FILE_BYTES} bytes accepted")
        ds = dcmread(path)
    except InvalidDicomError:
        return Problem(relative, "not a DICOM file (no DICM marker and no readable DICOM header)")
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds of error on a damaged file
        return Problem(relative, f"cannot be read as DICOM, the file is damaged or truncated "
                                 f"({type(exc).__name__}: {exc})")
    sop_class = str(ds.get("SOPClassUID", "") or ds.file_meta.get("MediaStorageSOPClassUID", "") or "")
    if sop_class == DICOMDIR_CLASS:
        return f"{relative}: a DICOMDIR (an index of the files), not an image: not imported"
    if "PixelData" not in ds:
        name = getattr(ds.get("SOPClassUID"), "name", sop_class) or "unknown SOP class"
        return f"{relative}: no pixel data ({name}): not an image, not imported"
    missing = [k for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "Rows", "Columns")
               if not ds.get(k)]
    if missing:
        return Problem(relative, f"required attribute{'s' if len(missing) > 1 else ''} missing or empty: "
                                 f"{', '.join(missing)}")
    undecodable = _decoder_message(ds)
    if undecodable:
        return Problem(relative, undecodable)
    try:
        pixels = ds.pixel_array
    except Exception as exc:  # noqa: BLE001 - any decoding failure is reported, located
        return Problem(relative, f"pixel data cannot be decoded: the file is truncated or damaged "
                                 f"({type(exc).__name__}: {exc})")
    if int(ds.get("SamplesPerPixel", 1) or 1) != 1 and str(ds.get("Modality", "")) == "MR":
        reasons: tuple[str, ...] = ("a colour MR image (usually a screenshot or annotated capture)",)
    else:
        reasons = ()
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1 and np.asarray(pixels).shape[0] != frames:
        return Problem(relative, f"NumberOfFrames is {frames} but the pixel data holds another number of frames")
    reasons = tuple(held_back_reasons(ds)) + reasons
    del ds.PixelData
    return SourceFile(relative, path, flatten(ds), frames, reasons)


def scan(folder: Path) -> Scan:
    """Read every file under ``folder`` (all problems in one pass)."""
    folder = Path(folder)
    result = Scan(folder)
    if not folder.is_dir():
        result.problems.append(Problem(str(folder), "not a folder"))
        return result
    for path in walk(folder):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink() or not path.is_file():
            result.notes.append(f"{relative}: not a regular file: skipped")
            continue
        item = read_file(path, relative)
        if isinstance(item, Problem):
            result.problems.append(item)
        elif isinstance(item, str):
            result.notes.append(item)
        else:
            result.files.append(item)
    if not result.files and not result.problems:
        result.problems.append(Problem(folder.name or str(folder), "no DICOM image found in the folder"))
    return result


# --- enhanced (multi-frame) MR: the first frame's functional groups, read as if they were top-level ----------

_FUNCTIONAL = {
    "MRTimingAndRelatedParametersSequence": ("RepetitionTime", "FlipAngle", "EchoTrainLength"),
    "MREchoSequence": ("EffectiveEchoTime",),
    "MRModifierSequence": ("InversionTimes",),
    "MRDiffusionSequence": ("DiffusionBValue",),
    "PixelMeasuresSequence": ("PixelSpacing", "SliceThickness", "SpacingBetweenSlices"),
    "PlaneOrientationSequence": ("ImageOrientationPatient",),
    "PlanePositionSequence": ("ImagePositionPatient",),
    "PixelValueTransformationSequence": ("RescaleSlope", "RescaleIntercept", "RescaleType"),
    "FrameVOILUTSequence": ("WindowCenter", "WindowWidth"),
    "MRImageFrameTypeSequence": ("FrameType",),
    "MRAveragesSequence": ("NumberOfAverages",),
}


def _groups(ds: Dataset, frame: int) -> list[Dataset]:
    """The functional group items of ``frame``: its own, then the shared ones."""
    out = []
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame is not None and frame < len(per_frame):
        out.append(per_frame[frame])
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        out.append(shared[0])
    return out


def _functional(ds: Dataset, frame: int, keyword: str) -> Any:
    for group in _groups(ds, frame):
        for sequence, keywords in _FUNCTIONAL.items():
            if keyword in keywords and group.get(sequence):
                value = group[sequence][0].get(keyword)
                if value is not None:
                    return value
    return None


def flatten(ds: Dataset) -> Dataset:
    """``ds`` with the first frame's functional-group attributes copied to the top level (enhanced MR)."""
    if "PerFrameFunctionalGroupsSequence" not in ds and "SharedFunctionalGroupsSequence" not in ds:
        return ds
    for keywords in _FUNCTIONAL.values():
        for keyword in keywords:
            value = _functional(ds, 0, keyword)
            target = {"EffectiveEchoTime": "EchoTime", "InversionTimes": "InversionTime",
                      "FrameType": "ImageType"}.get(keyword, keyword)
            if value is not None and target not in ds:
                if keyword == "InversionTimes":
                    value = value[0] if isinstance(value, (list, tuple)) or hasattr(value, "__len__") else value
                setattr(ds, target, value)
    return ds


def _normal(header: Dataset, frame: int) -> np.ndarray | None:
    orientation = (_functional(header, frame, "ImageOrientationPatient")
                   or header.get("ImageOrientationPatient"))
    if orientation is None or len(orientation) != 6:
        return None
    row, column = np.array(orientation[:3], float), np.array(orientation[3:], float)
    return np.cross(row, column)


def _frames(source: SourceFile) -> list[Frame]:
    header = source.header
    out = []
    for frame in range(source.frames):
        position = (_functional(header, frame, "ImagePositionPatient") if source.frames > 1 else None) \
            or header.get("ImagePositionPatient")
        normal = _normal(header, frame)
        along = float(np.dot(np.array(position, float), normal)) if position is not None and normal is not None \
            and len(position) == 3 else None
        location = _number(header, "SliceLocation") if source.frames == 1 else along
        slope = _functional(header, frame, "RescaleSlope") if source.frames > 1 else None
        intercept = _functional(header, frame, "RescaleIntercept") if source.frames > 1 else None
        out.append(Frame(source, frame, along, location,
                         float(slope if slope is not None else header.get("RescaleSlope", 1) or 1),
                         float(intercept if intercept is not None else header.get("RescaleIntercept", 0) or 0)))
    return out


def stacks(files: list[SourceFile]) -> list[Stack]:
    """Series of one study split where their images differ in kind (b value, echo time, image type, size)."""
    out: dict[tuple[str, ...], Stack] = {}
    for f in files:
        h = f.header
        key = (f.uid("SeriesInstanceUID"), str(_number(h, "DiffusionBValue")), str(_number(h, "EchoTime")),
               "\\".join(str(v) for v in (h.get("ImageType") or [])), str(h.get("Rows")), str(h.get("Columns")))
        stack = out.setdefault(key, Stack(f.uid("StudyInstanceUID"), f.uid("SeriesInstanceUID"), key))
        stack.files.append(f)
    return sorted(out.values(), key=lambda s: (_int(s.first.header.get("SeriesNumber")), s.series_uid, s.key))
