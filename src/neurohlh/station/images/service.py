"""Import a folder of DICOM files into the station: check everything, then store all de-identified or nothing.

1. :func:`scan` reads every file (not DICOM, damaged, truncated, undecodable compression: located problems).
2. Each study and series must hold one patient; each study must match one worklist study (:mod:`match`).
3. If anything is wrong, nothing is stored: the error lists every problem.
4. Otherwise every file is de-identified (:mod:`deidentify`) into a staging folder inside the station folder;
   files flagged or suspected to carry burned-in annotation go to its ``held-back/`` folder instead. Each stored
   copy is checked not to contain the source's name, IDs, birth date, accession number or institution.
5. One database transaction records the series, slices, held-back files, the coordinator's key and the audit
   event, and renames the staging folder into place; a failure removes the staged files and records nothing.
"""
from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from pydicom import dcmread
from pydicom.dataset import Dataset

from neurohlh.errors import InputError, Problem
from neurohlh.station import audit
from neurohlh.station.images import classify as cls
from neurohlh.station.images.deidentify import deidentify, uid_replacement
from neurohlh.station.images.match import match, read_mapping
from neurohlh.station.images.models import (
    HeldBackFile,
    ImageKey,
    ImageSeries,
    ImageSlice,
    ImageStudy,
    UidMap,
)
from neurohlh.station.images.scan import SourceFile, Stack, scan, stacks
from neurohlh.station.models import Study

IMAGES = "images"
HELD_BACK = "held-back"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Date shifts are drawn once per patient, uniformly from this many days back (at least one day).
MAX_SHIFT_DAYS = 730
UID_KEYWORDS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")
#: Source attributes whose values must not occur in any stored copy (checked byte by byte after writing).
IDENTIFYING = ("PatientName", "PatientID", "PatientBirthDate", "OtherPatientIDs", "AccessionNumber",
               "InstitutionName", "InstitutionAddress", "PatientAddress", "ReferringPhysicianName",
               "PerformingPhysicianName", "OperatorsName", "StationName")


@dataclass(frozen=True)
class SeriesReport:
    code: str
    kind: str
    reason: str
    description: str
    slices: int
    source: str            # the folder of its files, relative to the imported folder
    stored: bool           # False when the same series was stored by an earlier import


@dataclass(frozen=True)
class StudyReport:
    study_id: str
    code: str
    files: int
    series: tuple[SeriesReport, ...]
    held_back: tuple[tuple[str, tuple[str, ...]], ...]   # (relative path, reasons)
    age_months: float | None
    field_strength_t: float | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    folder: str
    batch: str
    studies: tuple[StudyReport, ...]
    notes: tuple[str, ...]

    @property
    def series_stored(self) -> int:
        return sum(1 for s in self.studies for r in s.series if r.stored)

    @property
    def held_back(self) -> int:
        return sum(len(s.held_back) for s in self.studies)

    def lines(self) -> list[str]:
        """The report as plain lines (for the terminal and the upload page)."""
        out = [f"{self.folder}: {len(self.studies)} stud{'y' if len(self.studies) == 1 else 'ies'}, "
               f"{self.series_stored} series stored, {self.held_back} file{'s' if self.held_back != 1 else ''} "
               f"held back for review"]
        for s in self.studies:
            age = f"age at scan {s.age_months:g} months" if s.age_months is not None else "age at scan unknown"
            strength = f", {s.field_strength_t:g} T" if s.field_strength_t else ""
            out.append(f"{s.study_id} (reader code {s.code}): {s.files} files, {age}{strength}")
            for r in s.series:
                state = f"stored as {r.code}" if r.stored else "already stored, skipped"
                out.append(f"  {r.source}: {r.kind} ({r.reason}); {r.slices} slices; {state}")
            for relative, reasons in s.held_back:
                out.append(f"  held back {relative}: {'; '.join(reasons)}")
            out.extend(f"  note: {n}" for n in s.notes)
        out.extend(f"note: {n}" for n in self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "batch": self.batch, "notes": list(self.notes),
                "studies": [{"study_id": s.study_id, "code": s.code, "files": s.files,
                             "age_months": s.age_months, "field_strength_t": s.field_strength_t,
                             "notes": list(s.notes),
                             "held_back": [{"file": f, "reasons": list(r)} for f, r in s.held_back],
                             "series": [vars(r) for r in s.series]} for s in self.studies]}


# --- checks before anything is stored --------------------------------------------------------------------------

def _one_patient(files: list[SourceFile], where: str) -> Problem | None:
    identities = Counter(f.patient for f in files)
    if len(identities) <= 1:
        return None
    shown = "; ".join(f"{n} file{'s' if n > 1 else ''} of patient ID {pid!r}" + (
        f" ({files_of(files, (pid, name, birth))})" if n < len(files) else "")
        for (pid, name, birth), n in identities.most_common())
    return Problem(where, f"mixes patients: {shown}")


def files_of(files: list[SourceFile], identity: tuple[str, str, str], shown: int = 3) -> str:
    names = [f.relative for f in files if f.patient == identity]
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _duplicates(files: list[SourceFile]) -> list[Problem]:
    seen: dict[str, SourceFile] = {}
    out = []
    for f in files:
        uid = f.uid("SOPInstanceUID")
        if uid in seen:
            out.append(Problem(f.relative, f"the same SOP Instance UID as {seen[uid].relative} (a duplicate "
                                           f"file); remove one of them"))
        else:
            seen[uid] = f
    return out


def _folder_of(relative: str) -> str:
    return relative.rsplit("/", 1)[0] if "/" in relative else "."


# --- the coordinator's key -------------------------------------------------------------------------------------

class Keys:
    """Date shifts per worklist patient and UID replacements, loaded for this import and saved in its transaction."""

    def __init__(self, originals: Iterable[str]):
        self.secret = str(settings.SECRET_KEY)
        wanted = sorted(set(originals))
        self.uids: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            self.uids.update(UidMap.objects.filter(original__in=wanted[start:start + 500])
                             .values_list("original", "replacement"))
        self.new_uids: dict[str, str] = {}
        self.shifts: dict[int, int] = dict(ImageKey.objects.values_list("patient_id", "date_shift_days"))
        self.new_shifts: dict[int, int] = {}

    def uid(self, original: str) -> str:
        if original not in self.uids:
            self.uids[original] = self.new_uids[original] = uid_replacement(self.secret, original)
        return self.uids[original]

    def shift(self, study: Study) -> int:
        if study.patient_id not in self.shifts:
            self.shifts[study.patient_id] = self.new_shifts[study.patient_id] = -(1 + secrets.randbelow(
                MAX_SHIFT_DAYS))
        return self.shifts[study.patient_id]

    def save(self) -> None:
        ImageKey.objects.bulk_create(ImageKey(patient_id=p, date_shift_days=d) for p, d in self.new_shifts.items())
        UidMap.objects.bulk_create(UidMap(original=o, replacement=r) for o, r in self.new_uids.items())


# --- staging ---------------------------------------------------------------------------------------------------

def _age_months(header: Dataset) -> float | None:
    """Age at the scan in months: Study Date minus Patient's Birth Date (the same after both are shifted), or
    Patient's Age."""
    from neurohlh.station.images.match import _date

    birth, when = _date(str(header.get("PatientBirthDate", "") or "")), _date(str(header.get("StudyDate", "")
                                                                                   or ""))
    if birth is not None and when is not None and when >= birth:
        return round((when - birth).days / 30.4375, 1)
    age = str(header.get("PatientAge", "") or "").strip().upper()
    if len(age) == 4 and age[:3].isdigit() and age[3] in "DWMY":
        return round(int(age[:3]) * {"D": 1 / 30.4375, "W": 7 / 30.4375, "M": 1.0, "Y": 12.0}[age[3]], 1)
    return None


def _new_code(taken: set[str]) -> str:
    while True:
        code = "I-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if code not in taken and not ImageSeries.objects.filter(code=code).exists():
            taken.add(code)
            return code


def _forbidden(header: Dataset) -> list[bytes]:
    values: set[str] = set()
    for keyword in IDENTIFYING:
        value = header.get(keyword)
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue" else [value]
        for item in items:
            text = str(item).strip()
            values.add(text)
            values.update(part for part in text.replace("^", " ").split() if len(part) >= 5)
    return [v.encode("utf-8", "replace") for v in values if len(v) >= 4]


def _write(source: SourceFile, target: Path, *, shift: int, keys: Keys) -> Dataset:
    """De-identify ``source`` into ``target`` (pixel data uncompressed, little endian); refuse a leak."""
    read = dcmread(source.path)
    pixels = read.pixel_array
    forbidden = _forbidden(read)
    cleaned = deidentify(read, shift_days=shift, remap_uid=keys.uid)
    ds = Dataset()  # a fresh dataset: written little endian whatever the source's encoding was
    ds.update(cleaned)
    ds.file_meta, ds.preamble = cleaned.file_meta, cleaned.preamble
    ds.PixelData = np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("<")).tobytes()
    ds["PixelData"].VR = "OB" if int(ds.get("BitsAllocated", 16)) <= 8 else "OW"
    if int(ds.get("SamplesPerPixel", 1) or 1) > 1:
        ds.PlanarConfiguration = 0
        if str(ds.get("PhotometricInterpretation", "")).startswith("YBR"):
            ds.PhotometricInterpretation = "RGB"  # pydicom decodes YBR colour to RGB
    target.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(target, enforce_file_format=True)
    data = target.read_bytes()
    leaked = [v for v in forbidden if v in data]
    if leaked:  # the recipe removes every such attribute: this guards against a change of the recipe
        raise InputError(f"{source.relative}: the de-identified copy still contains an identifying value; "
                         f"nothing imported")
    return ds


def _window(header: Dataset, stored: Path, frame: int, slope: float, intercept: float) -> tuple[float, float]:
    center, width = header.get("WindowCenter"), header.get("WindowWidth")
    if center is not None and width is not None:
        c = cls._number(header, "WindowCenter")
        w = cls._number(header, "WindowWidth")
        if c is not None and w is not None and w > 0:
            return c, w
    from pydicom.pixels import pixel_array

    values = pixel_array(stored, index=frame if frame else None).astype(np.float64) * slope + intercept
    low, high = np.percentile(values, [1, 99])
    return float((low + high) / 2), float(max(high - low, 1.0))


@dataclass
class _Planned:
    study: Study
    uid: str
    files: list[SourceFile]
    stacks: list[Stack]
    held: list[SourceFile]
    notes: list[str] = field(default_factory=list)


def _plan(studies: dict[str, list[SourceFile]], matched: dict[str, Study], problems: list[Problem],
          keys: Keys) -> list[_Planned]:
    planned = []
    for study_uid, files in studies.items():
        study = matched[study_uid]
        existing = ImageStudy.objects.filter(study=study).first()
        if existing is not None and existing.study_uid != keys.uid(study_uid):
            problems.append(Problem(f"study of {files[0].relative}", f"worklist study {study.study_id!r} "
                                    f"already has images from another DICOM study"))
            continue
        shown = [f for f in files if not f.held_back]
        planned.append(_Planned(study, study_uid, files, stacks(shown), [f for f in files if f.held_back]))
    return planned


def _check(folder: Path, mapping: Path | None) -> tuple[Any, list[_Planned], Keys]:
    found = scan(folder)
    problems = list(found.problems)
    studies = found.studies()
    for files in studies.values():
        problems.extend(_duplicates(files))
        issue = _one_patient(files, f"study of {files[0].relative}")
        if issue:
            by_series: dict[str, list[SourceFile]] = {}
            for f in files:
                by_series.setdefault(f.uid("SeriesInstanceUID"), []).append(f)
            series_issues = [_one_patient(s, f"series of {s[0].relative}") for s in by_series.values()]
            problems.extend(p for p in series_issues if p) if any(series_issues) else problems.append(issue)
    series_studies: dict[str, set[str]] = {}
    for f in found.files:
        series_studies.setdefault(f.uid("SeriesInstanceUID"), set()).add(f.uid("StudyInstanceUID"))
    for series_uid, in_studies in series_studies.items():
        if len(in_studies) > 1:
            first = next(f for f in found.files if f.uid("SeriesInstanceUID") == series_uid)
            problems.append(Problem(first.relative, f"its Series Instance UID is used in {len(in_studies)} "
                                                    f"different studies"))
    table = None
    if mapping is not None:
        table, mapping_problems = read_mapping(Path(mapping))
        problems.extend(mapping_problems)
    matched, match_problems = match(studies, table) if studies else ({}, [])
    problems.extend(match_problems)
    keys = Keys(str(f.header.get(k, "") or "") for fs in studies.values() for f in fs for k in UID_KEYWORDS)
    planned = _plan({u: fs for u, fs in studies.items() if u in matched}, matched, problems, keys) \
        if not problems else []
    if problems:
        raise InputError(f"{folder.name or folder}: nothing imported, {len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''} to fix first", problems)
    return found, planned, keys


def import_dicom(folder: str | Path, actor: str, mapping: str | Path | None = None) -> ImportReport:
    """Import every DICOM study under ``folder`` into its worklist study, de-identified; all or nothing."""
    folder = Path(folder)
    found, planned, keys = _check(folder, Path(mapping) if mapping else None)
    root = Path(settings.STATION_DIR).resolve()
    batch = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    staging = root / IMAGES / f".staging-{batch}"
    final = root / IMAGES / batch
    staging.mkdir(parents=True)
    try:
        rows, reports = _stage(planned, keys, staging, batch)
        with transaction.atomic():
            _record(rows, keys, actor, folder, batch, reports)
            staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if final.exists() and not _recorded(batch):
            shutil.rmtree(final, ignore_errors=True)
        raise
    if not any(final.iterdir()):
        final.rmdir()
    return ImportReport(folder.name or str(folder), batch, tuple(reports), tuple(found.notes))


def _recorded(batch: str) -> bool:
    prefix = f"{IMAGES}/{batch}/"
    return ImageSlice.objects.filter(path__startswith=prefix).exists() or \
        HeldBackFile.objects.filter(path__startswith=prefix).exists()


@dataclass
class _Rows:
    studies: list[tuple[Study, ImageStudy]] = field(default_factory=list)
    series: list[tuple[ImageSeries, list[ImageSlice]]] = field(default_factory=list)
    held: list[HeldBackFile] = field(default_factory=list)
    ages: list[tuple[Study, float]] = field(default_factory=list)


def _stage(planned: list[_Planned], keys: Keys, staging: Path, batch: str) -> tuple[_Rows, list[StudyReport]]:
    rows = _Rows()
    reports = []
    codes: set[str] = set()
    now = dt.datetime.now(dt.UTC)
    stored_uids = set(ImageSeries.objects.values_list("series_uid", flat=True))
    for plan in planned:
        study, shift = plan.study, keys.shift(plan.study)
        next_order = (ImageSeries.objects.filter(study=study).order_by("-order").values_list("order", flat=True)
                      .first())
        order = 0 if next_order is None else next_order + 1
        series_reports = []
        strengths: list[float] = []
        split = Counter(s.series_uid for s in plan.stacks)
        for stack in plan.stacks:
            first = stack.first.header
            frames = stack.frames()
            kind = cls.classify(first)
            strength = cls.field_strength(first)
            if strength:
                strengths.append(strength)
            stack_uid = keys.uid(stack.series_uid) if split[stack.series_uid] == 1 else uid_replacement(
                keys.secret, stack.series_uid + "|" + "|".join(stack.key[1:]))
            source_folder = _folder_of(stack.first.relative)
            if stack_uid in stored_uids:
                series_reports.append(SeriesReport("", kind.kind, kind.reason, "", len(frames), source_folder,
                                                   False))
                continue
            code = _new_code(codes)
            staged: dict[int, Path] = {}
            for source in dict.fromkeys(f.file for f in frames):
                staged[id(source)] = target = staging / code / f"{len(staged):04d}.dcm"
                _write(source, target, shift=shift, keys=keys)
            stored = {k: f"{IMAGES}/{batch}/{code}/{p.name}" for k, p in staged.items()}
            middle = frames[len(frames) // 2]
            center, width = _window(first, staged[id(middle.file)], middle.frame, middle.slope, middle.intercept)
            text = cls.description(first, kind.kind, len(frames))
            series = ImageSeries(study=study, code=code, series_uid=stack_uid, modality=str(first.get("Modality",
                                 "MR") or "MR")[:16], kind=kind.kind, description=text[:200],
                                 slice_count=len(frames), rows=int(first.Rows), columns=int(first.Columns),
                                 window_center=center, window_width=width, field_strength_t=strength, order=order,
                                 imported_at=now)
            order += 1
            slices = [ImageSlice(index=i, path=stored[id(f.file)], frame=f.frame, slice_location=f.location,
                                 rescale_slope=f.slope, rescale_intercept=f.intercept) for i, f in enumerate(frames)]
            rows.series.append((series, slices))
            series_reports.append(SeriesReport(code, kind.kind, kind.reason, text, len(frames), source_folder, True))
        held = []
        held_uids = set(HeldBackFile.objects.filter(study=study).values_list("sop_uid", flat=True))
        for number, source in enumerate(plan.held):
            sop_uid = keys.uid(source.uid("SOPInstanceUID"))
            if sop_uid in held_uids:
                plan.notes.append(f"{source.relative}: already held back by an earlier import")
                continue
            target = staging / HELD_BACK / f"{study.code}-{number + 1:04d}.dcm"
            while target.exists():
                target = target.with_name(f"{target.stem}-{secrets.token_hex(2)}.dcm")
            _write(source, target, shift=shift, keys=keys)
            rows.held.append(HeldBackFile(study=study, source=source.relative[:500], sop_uid=sop_uid,
                                          reason="; ".join(source.held_back)[:300],
                                          path=f"{IMAGES}/{batch}/{HELD_BACK}/{target.name}", held_at=now))
            held.append((source.relative, source.held_back))
        age = next((a for a in (_age_months(f.header) for f in plan.files) if a is not None), None)
        strength_t = Counter(strengths).most_common(1)[0][0] if strengths else None
        image_study = ImageStudy(study=study, study_uid=keys.uid(plan.uid), age_months=age,
                                 field_strength_t=strength_t, imported_at=now)
        rows.studies.append((study, image_study))
        notes = list(plan.notes)
        if age is not None:
            if study.age_months is None:
                rows.ages.append((study, age))
                notes.append(f"age at scan {age:g} months from the images (the worklist had none)")
            elif abs(study.age_months - age) > 1.0:
                notes.append(f"age at scan from the images ({age:g} months) differs from the worklist's "
                             f"({study.age_months:g} months): check that the images belong to this study")
        reports.append(StudyReport(study.study_id, study.code, len(plan.files), tuple(series_reports),
                                   tuple(held), age, strength_t, tuple(notes)))
    return rows, reports


def _record(rows: _Rows, keys: Keys, actor: str, folder: Path, batch: str, reports: list[StudyReport]) -> None:
    from neurohlh.station.services import age_band

    keys.save()
    for study, image_study in rows.studies:
        existing = ImageStudy.objects.filter(study=study).first()
        if existing is None:
            image_study.save()
        else:
            existing.age_months = image_study.age_months if image_study.age_months is not None \
                else existing.age_months
            existing.field_strength_t = image_study.field_strength_t or existing.field_strength_t
            existing.save()
    for series, slices in rows.series:
        series.save()
        for s in slices:
            s.series = series
        ImageSlice.objects.bulk_create(slices)
    HeldBackFile.objects.bulk_create(rows.held)
    for study, age in rows.ages:
        Study.objects.filter(pk=study.pk).update(age_months=age, age_band=age_band(age))
    for report in reports:
        audit.record(actor, "images_imported", report.code, {
            "batch": batch, "series_stored": str(sum(1 for s in report.series if s.stored)),
            "series_already_stored": str(sum(1 for s in report.series if not s.stored)),
            "slices": str(sum(s.slices for s in report.series if s.stored)),
            "held_back": str(len(report.held_back)),
            "kinds": ",".join(s.kind for s in report.series if s.stored)})
    audit.record(actor, "dicom_folder_imported", folder.name[:200] or "folder",
                 {"batch": batch, "studies": str(len(reports))})
