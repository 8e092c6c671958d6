"""The image viewer's URLs: a study's series list and one rendered slice, for its reader or adjudicator only.

Both are checked on the server for every request, as the sheet is: a reader gets the images of a study on their
own worklist that is open for reading (:func:`services.assignment_for`), the adjudicator those of a study waiting
for them (:func:`services.adjudication_for`). Responses carry the station's own labels and pixels rendered here,
never a DICOM file or header value; series are named by their opaque station code.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from neurohlh.errors import InputError
from neurohlh.station import audit, services
from neurohlh.station.images import render
from neurohlh.station.images.render import SliceSource, Volume, Window
from neurohlh.station.models import ImageSeries, Role, Study
from neurohlh.station.security import actor_of, refuse
from neurohlh.station.views import roles

#: The folder (inside the station folder) of the cached pixel volumes.
CACHE_FOLDER = "viewer-cache"
#: Rendered slices may stay in the reader's own browser cache (they hold pixels only), never in a shared one.
SLICE_CACHE_CONTROL = "private, max-age=3600"
WINDOW_PARAMETERS = ("center", "width")


def _cache_folder() -> Path:
    return Path(settings.STATION_DIR) / CACHE_FOLDER


def _sources(series: ImageSeries) -> list[SliceSource]:
    from neurohlh.station.images.pixels import stored_path

    return [SliceSource(stored_path(s.path), s.frame, (s.rescale_slope, s.rescale_intercept))
            for s in series.slices.order_by("index")]


def volume_of(series: ImageSeries) -> Volume:
    """The series' pixel volume (memory, else the station's cache folder, else read from its stored files)."""
    return render.VOLUMES.get(_cache_folder(), f"series-{series.code}", lambda: _sources(series))


UNDECODABLE = "the stored images of this series cannot be decoded (the coordinator can re-import them)"


def _decoded(request: HttpRequest, series: ImageSeries) -> Volume | None:
    """The series' volume, or ``None`` (logged with the cause) when its stored files cannot be decoded."""
    try:
        return volume_of(series)
    except (InputError, OSError, ValueError) as exc:
        audit.record(actor_of(request), "images_not_decodable", f"series {series.code}", {"why": str(exc)[:300]})
        return None


def _series_window(series: ImageSeries, volume: Volume) -> Window:
    """The window stored with the series, or the volume's own when the stored one is out of bounds."""
    try:
        return Window(series.window_center, max(series.window_width, 1.0))
    except InputError:
        return volume.window()


def _series_item(request: HttpRequest, series: ImageSeries) -> dict[str, Any]:
    item: dict[str, Any] = {"code": series.code, "label": series.get_kind_display(),
                            "description": series.description}
    volume = _decoded(request, series)
    if volume is None:
        return {**item, "slices": 0, "problem": UNDECODABLE}
    return {
        **item, "slices": volume.slices, "rows": volume.rows, "columns": volume.columns,
        "aspect": round(volume.aspect, 6),
        "window": _series_window(series, volume).to_dict(),
        "presets": {name: w.to_dict() for name, w in volume.presets.items()},
    }


def _series_list(request: HttpRequest, study: Study) -> HttpResponse:
    series = [_series_item(request, s) for s in ImageSeries.objects.filter(study=study).order_by("order")]
    return JsonResponse({"series": series})


def _window(request: HttpRequest) -> Window | None:
    """The requested window, or ``None`` for the series' own; ``InputError`` for anything else."""
    unknown = sorted(set(request.GET) - set(WINDOW_PARAMETERS))
    if unknown:
        raise InputError(f"unknown parameter {unknown[0][:20]!r} (allowed: center, width)")
    given = [request.GET.get(k) for k in WINDOW_PARAMETERS]
    if given == [None, None]:
        return None
    if None in given:
        raise InputError("give both center and width, or neither")
    numbers = []
    for name, text in zip(WINDOW_PARAMETERS, given, strict=True):
        assert text is not None
        try:
            if len(text) > 24:
                raise ValueError
            numbers.append(float(text))
        except ValueError:
            raise InputError(f"{name} must be a number") from None
    return Window(*numbers)


def _slice(request: HttpRequest, study: Study, code: str, index: int) -> HttpResponse:
    series = ImageSeries.objects.filter(study=study, code=code).first()
    if series is None:
        return refuse(request, "no such series in this study", 404, series=code[:20])
    if not 0 <= index < series.slice_count:
        return refuse(request, "no such slice in this series", 404, slice=index)
    try:
        window = _window(request)
    except InputError as exc:
        return refuse(request, str(exc)[:200], 400)
    volume = _decoded(request, series)
    if volume is None:
        return HttpResponse(f"{UNDECODABLE}.\n", status=500, content_type="text/plain; charset=utf-8")
    png = volume.png(index, window or _series_window(series, volume))
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = SLICE_CACHE_CONTROL
    response.station_private_cache = True
    return response


# ------------------------------------------------------------------ reader


def _assigned_study(request: HttpRequest, assignment_id: int) -> Study | HttpResponse:
    """The study of the reader's own open assignment, or the refusal (the same for any other number)."""
    try:
        return services.assignment_for(request.user, assignment_id).study
    except LookupError:
        return refuse(request, "this study is not on your worklist", 404, assignment=assignment_id)


def _adjudicated_study(request: HttpRequest, adjudication_id: int) -> Study | HttpResponse:
    """The study of an adjudication waiting for this adjudicator, or the refusal."""
    try:
        return services.adjudication_for(request.user, adjudication_id).study
    except LookupError:
        return refuse(request, "this study is not waiting for you", 404, adjudication=adjudication_id)


@roles(Role.READER)
@require_GET
def reader_series(request: HttpRequest, assignment_id: int) -> HttpResponse:
    study = _assigned_study(request, assignment_id)
    return study if isinstance(study, HttpResponse) else _series_list(request, study)


@roles(Role.READER)
@require_GET
def reader_slice(request: HttpRequest, assignment_id: int, code: str, index: int) -> HttpResponse:
    study = _assigned_study(request, assignment_id)
    return study if isinstance(study, HttpResponse) else _slice(request, study, code, index)


# ------------------------------------------------------------------ adjudicator


@roles(Role.ADJUDICATOR)
@require_GET
def adjudicator_series(request: HttpRequest, adjudication_id: int) -> HttpResponse:
    study = _adjudicated_study(request, adjudication_id)
    return study if isinstance(study, HttpResponse) else _series_list(request, study)


@roles(Role.ADJUDICATOR)
@require_GET
def adjudicator_slice(request: HttpRequest, adjudication_id: int, code: str, index: int) -> HttpResponse:
    study = _adjudicated_study(request, adjudication_id)
    return study if isinstance(study, HttpResponse) else _slice(request, study, code, index)
