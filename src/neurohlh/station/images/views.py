"""The coordinator's image pages: upload DICOM files (several files or a zip) and review held-back files."""
from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from neurohlh.errors import InputError, Problem
from neurohlh.station.models import HeldBackFile, ImageKey, ImageSeries, ImageStudy, Role, UidMap
from neurohlh.station.views import roles

#: An uploaded archive may unpack to at most this many bytes and entries.
MAX_UNPACKED_BYTES = 8 * 1024 ** 3
MAX_ENTRIES = 200_000


def _unpack(archive: Path, into: Path, name: str) -> list[Problem]:
    """Extract a zip safely (no path leaving the folder, bounded size); every refused entry is a problem."""
    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = [e for e in zf.infolist() if not e.is_dir()]
            if len(entries) > MAX_ENTRIES:
                return [Problem(name, f"{len(entries)} files: more than the {MAX_ENTRIES} accepted")]
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return [Problem(name, f"unpacks to more than {MAX_UNPACKED_BYTES} bytes")]
            for entry in entries:
                path = PurePosixPath(entry.filename.replace("\\", "/"))
                if path.is_absolute() or ".." in path.parts or not path.parts:
                    problems.append(Problem(f"{name}: {entry.filename}", "a path outside the archive's folder"))
                    continue
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(entry) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        problems.append(Problem(name, f"cannot be read as a zip archive ({exc})"))
    return problems


def _save(upload: Any, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)[:120] or "file"


def _import_upload(request: HttpRequest) -> tuple[list[str], str]:
    from neurohlh.station.images.service import import_dicom

    try:
        files = request.FILES.getlist("files")
        archive = request.FILES.get("archive")
        mapping = request.FILES.get("mapping")
    except TooManyFilesSent:
        return [], (f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files in one upload: put them in a zip "
                    f"archive and upload that")
    if not files and archive is None:
        return [], "choose DICOM files or a zip archive of them"
    # the originals are unpacked inside the station folder (never a shared temporary folder) and removed after
    with tempfile.TemporaryDirectory(dir=settings.STATION_DIR, prefix=".upload-") as tmp:
        folder = Path(tmp) / "upload"
        folder.mkdir()
        problems: list[Problem] = []
        for number, upload in enumerate(files, start=1):
            _save(upload, folder / f"{number:05d}-{_safe(upload.name or 'file')}")
        if archive is not None:
            saved = Path(tmp) / "archive.zip"
            _save(archive, saved)
            problems += _unpack(saved, folder / _safe(Path(archive.name or "archive").stem), archive.name or "zip")
        mapping_path = None
        if mapping is not None:
            mapping_path = Path(tmp) / _safe(mapping.name or "mapping.csv")
            _save(mapping, mapping_path)
        if problems:
            return [], str(InputError("the upload: nothing imported", problems))
        try:
            report = import_dicom(folder, request.user.username, mapping_path)
        except InputError as exc:
            return [], str(exc)
    return report.lines(), ""


@roles(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def images_view(request: HttpRequest) -> HttpResponse:
    lines, error = _import_upload(request) if request.method == "POST" else ([], "")
    studies = ImageStudy.objects.select_related("study").order_by("study__study_id")
    series: dict[int, list[ImageSeries]] = {}
    for s in ImageSeries.objects.order_by("study_id", "order"):
        series.setdefault(s.study_id, []).append(s)
    shifts = dict(ImageKey.objects.values_list("patient_id", "date_shift_days"))
    return render(request, "station/images.html", {
        "report": lines, "error": error,
        "studies": [(i, series.get(i.study_id, []), shifts.get(i.study.patient_id)) for i in studies],
        "held_back": HeldBackFile.objects.select_related("study").order_by("study__study_id", "source"),
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
    })


@roles(Role.COORDINATOR)
@require_http_methods(["GET"])
def held_back_file(request: HttpRequest, held_id: int) -> HttpResponse:
    """A held-back file's stored copy (de-identified header, untouched pixels), for the coordinator to review."""
    from neurohlh.station.images.pixels import stored_path

    held = HeldBackFile.objects.filter(pk=held_id).first()
    if held is None:
        raise Http404("no such held-back file")
    path = stored_path(held.path)
    if not path.is_file():
        raise Http404("the stored copy is missing")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"held-back-{held.pk}.dcm",
                        content_type="application/dicom")


@roles(Role.COORDINATOR)
@require_http_methods(["GET"])
def image_key(request: HttpRequest) -> HttpResponse:
    """The coordinator's key as CSV: each patient's date shift and every original UID with its replacement."""
    import csv
    import io

    from neurohlh.io.csvtext import neutralise
    from neurohlh.station import audit

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "original", "replacement"])
    for patient_id, days in ImageKey.objects.order_by("patient__patient_id").values_list("patient__patient_id",
                                                                                        "date_shift_days"):
        writer.writerow(["date_shift_days", neutralise(patient_id), str(days)])
    for original, replacement in UidMap.objects.order_by("original").values_list("original", "replacement"):
        writer.writerow(["uid", original, replacement])
    audit.record(request.user.username, "image_key_downloaded", "image key", {})
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="image-key.csv"'
    return response
