"""No identifier of an imported DICOM study reaches a stored file, a database row or any response for a reader.

Two synthetic studies with fake identifying headers (name, ID, birth date, accession number, institution,
physicians, station, private tags) are imported, one with a file held back. Then:

* every file under the station folder is searched byte by byte;
* every row of every station table is serialised and searched (a stricter test than "the rows readers reach");
* every URL pattern of the station is requested as a reader, the other reader and the adjudicator, with its
  parameters filled from the real objects (so a URL added later is walked without changing this test), and
  every response is searched; each URL a reader may open must have been opened successfully at least once.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import serializers  # noqa: E402
from django.urls import URLPattern, get_resolver  # noqa: E402

from neurohlh.station.models import Adjudication, HeldBackFile, ImageSeries, Slot, Study  # noqa: E402

from . import dicom_phantom as ph  # noqa: E402
from ._images import store_phantom  # noqa: E402
from ._sheets import LESIONAL, form  # noqa: E402

pytestmark = pytest.mark.django_db

FORBIDDEN = sorted(set(ph.ALPHA.identifying_strings()) | set(ph.BRAVO.identifying_strings()))


def _leaks(data: bytes) -> list[str]:
    return [s for s in FORBIDDEN if s.encode("utf-8") in data or s.encode("utf-16-le") in data]


@pytest.fixture
def imported(station, client_for, tmp_path):
    """EX03-1 (being adjudicated) has the ALPHA phantom's seven series and a held-back file; EX02-1 BRAVO's T2."""
    alpha = ph.write_study(tmp_path / "alpha", slices=3)
    ph.write_burned_in(tmp_path / "alpha" / "annotated.dcm")
    store_phantom(alpha, "EX03-1")
    store_phantom(ph.write_study(tmp_path / "bravo", ["T2"], patient=ph.BRAVO, slices=2), "EX02-1")
    study = Study.objects.get(study_id="EX03-1")
    slots = {a.slot: a for a in study.assignments.select_related("reader")}
    a1, a2 = slots[Slot.READER_1], slots[Slot.READER_2]
    client_for(a1.reader.username).post(f"/read/{a1.pk}/", form(LESIONAL))
    client_for(a2.reader.username).post(f"/read/{a2.pk}/", form({**LESIONAL, "infra_lesion_number": "none"}))
    assert HeldBackFile.objects.filter(study=study).count() == 1
    return {"study": study, "a1": a1, "a2": a2, "adj": Adjudication.objects.get(study=study)}


def test_no_stored_file_contains_an_identifier(imported):
    files = [p for p in Path(settings.STATION_DIR).rglob("*") if p.is_file()]
    images = [p for p in files if "images" in p.parts]
    assert len(images) >= 7 * 3 + 1 + 2  # the slices and the held-back copy are among them
    leaked = {str(p): _leaks(p.read_bytes()) for p in files}
    assert not {p: v for p, v in leaked.items() if v}


def test_no_database_row_contains_an_identifier(imported):
    for model in apps.get_app_config("station").get_models():
        text = serializers.serialize("json", model.objects.all()).encode("utf-8")
        assert not _leaks(text), model.__name__


# --- every URL pattern, parameters filled from the real objects ---------------------------------------------------

def _candidates(imported) -> dict[str, list[str]]:
    series = list(ImageSeries.objects.filter(study=imported["study"]).order_by("order"))
    held = HeldBackFile.objects.get(study=imported["study"])
    ints = sorted({imported["a1"].pk, imported["a2"].pk, imported["adj"].pk, imported["study"].pk, held.pk,
                   series[0].pk, 0, 1, 2})
    return {"int": [str(i) for i in ints], "str": [series[0].code, series[1].code, imported["study"].code, "1"],
            "slug": [series[0].code, "1"], "path": ["report.html", "station/station.css"]}


def _urls(pattern: URLPattern, candidates: dict[str, list[str]]) -> list[str]:
    route = str(pattern.pattern)
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    choices = [candidates.get(kind or "str", candidates["str"]) for kind, _ in params]
    out = []
    for values in itertools.islice(itertools.product(*choices), 400):
        url = route
        for (kind, name), value in zip(params, values, strict=True):
            url = url.replace(f"<{kind + ':' if kind else ''}{name}>", value, 1)
        out.append("/" + url.lstrip("^").rstrip("$"))
    return out


def test_no_response_to_a_reader_or_the_adjudicator_contains_an_identifier(imported, client_for):
    candidates = _candidates(imported)
    patterns = [p for p in get_resolver().url_patterns if isinstance(p, URLPattern)]
    clients = {"reader": client_for(imported["a1"].reader.username),
               "other reader": client_for(imported["a2"].reader.username), "adjudicator": client_for("judge")}
    statuses: dict[tuple[str, str], set[int]] = {}
    requests = 0
    for pattern in patterns:
        for url in _urls(pattern, candidates):
            for role, client in clients.items():
                r = client.get(url)
                requests += 1
                body = b"".join(r.streaming_content) if r.streaming else r.content
                assert not _leaks(body), (role, url)
                statuses.setdefault((role, str(pattern.name)), set()).add(r.status_code)
    assert requests > 3 * len(patterns)
    for pattern in patterns:  # every page a reader or the adjudicator may open was opened with real objects
        for role in ("reader", "adjudicator"):
            seen = statuses[(role, str(pattern.name))]
            if role in getattr(pattern.callback, "station_roles", ()) and seen not in ({405}, {302}):
                assert 200 in seen, f"{pattern.name} was never opened as {role}: {sorted(seen)}"
