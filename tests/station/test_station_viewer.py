"""The viewer's URLs: the series list and rendered slices, the role checks on them, and their parameters."""
from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from django.conf import settings
from PIL import Image

from neurohlh.station.models import Adjudication, Assignment, Slot

from . import dicom_phantom
from ._images import store_phantom
from ._sheets import LESIONAL, form

pytestmark = pytest.mark.django_db


@pytest.fixture
def images(station, client_for, tmp_path):
    """Three phantom series (8 slices of 40 x 48) stored for the study EX03-1, both reads submitted, discordant."""
    written = dicom_phantom.write_study(tmp_path / "dicom", ("T2", "FLAIR", "DWI"), slices=8, rows=40, columns=48)
    stored = store_phantom(written, "EX03-1")
    study = stored["study"]
    slots = {a.slot: a for a in study.assignments.select_related("reader")}
    a1, a2 = slots[Slot.READER_1], slots[Slot.READER_2]
    client_for(a1.reader.username).post(f"/read/{a1.pk}/", form(LESIONAL))
    client_for(a2.reader.username).post(f"/read/{a2.pk}/", form({**LESIONAL, "infra_lesion_number": "none"}))
    other = next(u for u in ("alpha.reader", "bravo.reader", "charlie.reader", "ex.reader")
                 if u not in (a1.reader.username, a2.reader.username)
                 and station[u].member.site != "EX")
    return {"study": study, "series": stored["series"], "written": written, "a1": a1, "a2": a2,
            "reader": client_for(a1.reader.username), "other": client_for(other),
            "adj": Adjudication.objects.get(study=study)}


def _png(response) -> np.ndarray:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(response.content)))


def test_the_reader_gets_the_series_list_of_their_study(images):
    r = images["reader"].get(f"/read/{images['a1'].pk}/images/")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    series = r.json()["series"]
    assert [s["label"] for s in series] == ["T2", "FLAIR", "DWI"]
    assert [s["code"] for s in series] == [s.code for s in images["series"]]
    first = series[0]
    assert (first["slices"], first["rows"], first["columns"]) == (8, 40, 48)
    assert first["window"] == {"center": 1800.0, "width": 3600.0}
    assert {"auto", "brain", "full"} <= set(first["presets"])
    assert set(first) == {"code", "label", "description", "slices", "rows", "columns", "aspect", "window",
                          "presets"}
    text = r.content.decode()
    assert not [s for s in dicom_phantom.IDENTIFYING if s in text]
    assert images["study"].study_id not in text


def test_a_slice_is_the_stored_value_windowed_as_written_out(images):
    """Pixel (20, 24) of slice 3 of the T2 series, windowed by hand from the value pydicom reads in the file."""
    series = images["series"][0]
    stored = pydicom.dcmread(images["written"].of_kind("T2").paths[3]).pixel_array[20, 24]  # slope 1, intercept 0
    r = images["reader"].get(f"/read/{images['a1'].pk}/images/{series.code}/3.png?center=1500&width=2001")
    shown = _png(r)
    assert shown.shape == (40, 48)
    # window 1500/2001: black at or below 499, white above 2499, else ((v - 1499.5) / 2000 + 0.5) * 255
    v = float(stored)
    expected = 0 if v <= 499 else 255 if v > 2499 else int(np.floor(((v - 1499.5) / 2000 + 0.5) * 255 + 0.5))
    assert int(shown[20, 24]) == expected
    assert r["Cache-Control"] == "private, max-age=3600"
    assert b"PHANTOM" not in r.content and "Content-Disposition" not in r


def test_slices_and_windows_give_different_images(images):
    code = images["series"][1].code
    base = f"/read/{images['a1'].pk}/images/{code}/"
    middle = _png(images["reader"].get(base + "4.png"))
    assert not np.array_equal(middle, _png(images["reader"].get(base + "1.png")))
    assert not np.array_equal(middle, _png(images["reader"].get(base + "4.png?center=800&width=400")))
    # no window given: the series' own window (1800 / 3600)
    assert np.array_equal(middle, _png(images["reader"].get(base + "4.png?center=1800&width=3600")))


@pytest.mark.parametrize("query,status", [
    ("?center=abc&width=80", 400), ("?center=40&width=0", 400), ("?center=40", 400), ("?width=80", 400),
    ("?center=nan&width=80", 400), ("?center=40&width=1e300", 400), ("?center=40&width=80&x=1", 400),
    ("?center=" + "1" * 30 + "&width=80", 400),
])
def test_bad_window_parameters_are_refused_and_logged(images, query, status):
    from neurohlh.station.models import AuditEvent

    code = images["series"][0].code
    before = AuditEvent.objects.filter(action="request_refused").count()
    r = images["reader"].get(f"/read/{images['a1'].pk}/images/{code}/0.png{query}")
    assert r.status_code == status
    assert AuditEvent.objects.filter(action="request_refused").count() == before + 1


def test_slices_and_series_that_do_not_exist_are_not_found(images, station, tmp_path):
    code = images["series"][0].code
    base = f"/read/{images['a1'].pk}/images/"
    assert images["reader"].get(f"{base}{code}/8.png").status_code == 404
    assert images["reader"].get(f"{base}I-NOSUCH/0.png").status_code == 404
    # a series of another study is not reachable through this study's URL
    elsewhere = store_phantom(dicom_phantom.write_study(tmp_path / "other", ("T1",), slices=2,
                                                        patient=dicom_phantom.BRAVO), "EX02-1")
    assert images["reader"].get(f"{base}{elsewhere['series'][0].code}/0.png").status_code == 404


def test_only_the_studys_reader_or_adjudicator_gets_its_images(images, client_for):
    from django.test import Client

    series, list_url = images["series"][0].code, f"/read/{images['a1'].pk}/images/"
    slice_url = f"{list_url}{series}/0.png"
    adj = images["adj"]
    adj_list, adj_slice = f"/adjudicate/{adj.pk}/images/", f"/adjudicate/{adj.pk}/images/{series}/0.png"
    assert images["other"].get(list_url).status_code == 404
    assert images["other"].get(slice_url).status_code == 404
    for url in (list_url, slice_url):
        assert client_for("coord").get(url).status_code == 403
        assert client_for("judge").get(url).status_code == 403
        assert Client().get(url).status_code == 302
    judge = client_for(adj.adjudicator.username)
    assert judge.get(adj_list).json()["series"][0]["code"] == series
    assert _png(judge.get(adj_slice)).shape == (40, 48)
    for url in (adj_list, adj_slice):
        assert images["reader"].get(url).status_code == 403
        assert client_for("coord").get(url).status_code == 403
    # POST is not a way in either
    assert images["reader"].post(list_url).status_code == 405
    assert images["reader"].post(slice_url).status_code == 405


def test_the_adjudicator_loses_the_images_while_a_read_is_reopened(images, client_for):
    """An approved amendment reopens a read: the study is no longer waiting for the adjudicator."""
    from neurohlh.station import services
    from neurohlh.station.models import Read

    adj, a1 = images["adj"], images["a1"]
    judge = client_for(adj.adjudicator.username)
    assert judge.get(f"/adjudicate/{adj.pk}/images/").status_code == 200
    amendment = services.request_amendment(a1.reader, a1, "recheck the FLAIR")
    services.decide_amendment(_coordinator(), amendment.pk, True)
    assert Read.objects.get(assignment=a1).status == "amending"
    assert judge.get(f"/adjudicate/{adj.pk}/images/").status_code == 404
    code = images["series"][0].code
    assert judge.get(f"/adjudicate/{adj.pk}/images/{code}/0.png").status_code == 404


def _coordinator():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="coord")


def test_a_study_without_images_has_an_empty_series_list(station, client_for):
    a = Assignment.objects.filter(slot=Slot.READER_1).select_related("reader").first()
    r = client_for(a.reader.username).get(f"/read/{a.pk}/images/")
    assert r.status_code == 200 and r.json() == {"series": []}


def test_the_pixel_cache_lives_in_the_station_folder(images):
    from pathlib import Path

    code = images["series"][2].code
    images["reader"].get(f"/read/{images['a1'].pk}/images/{code}/0.png")
    cache = Path(settings.STATION_DIR) / "viewer-cache"
    assert (cache / f"series-{code}.npy").exists() and (cache / f"series-{code}.json").exists()


def test_the_reading_page_carries_the_viewer(images):
    page = images["reader"].get(f"/read/{images['a1'].pk}/").content.decode()
    assert f'data-images="/read/{images["a1"].pk}/images/"' in page
    assert '<script src="/static/station/viewer.js" defer></script>' in page
    adj = images["adj"]
    from django.test import Client

    judge = Client()
    judge.force_login(adj.adjudicator)
    assert f'data-images="/adjudicate/{adj.pk}/images/"' in judge.get(f"/adjudicate/{adj.pk}/").content.decode()


def test_a_series_whose_stored_files_cannot_be_decoded_is_named_and_logged(images):
    from pathlib import Path

    from neurohlh.station.images import render
    from neurohlh.station.models import AuditEvent

    broken = images["series"][1]
    first = broken.slices.order_by("index").first()
    stored = Path(settings.STATION_DIR) / first.path
    stored.write_bytes(stored.read_bytes()[:400])  # truncated behind the station's back
    render.VOLUMES.clear()
    r = images["reader"].get(f"/read/{images['a1'].pk}/images/")
    assert r.status_code == 200
    listed = {s["code"]: s for s in r.json()["series"]}
    assert listed[broken.code]["slices"] == 0 and "cannot be decoded" in listed[broken.code]["problem"]
    assert listed[images["series"][0].code]["slices"] == 8  # the others are still shown
    bad = images["reader"].get(f"/read/{images['a1'].pk}/images/{broken.code}/0.png")
    assert bad.status_code == 500 and b"cannot be decoded" in bad.content and first.path.encode() not in bad.content
    event = AuditEvent.objects.filter(action="images_not_decodable").last()
    assert event.target == f"series {broken.code}" and "0000.dcm" in event.detail["why"]


def test_without_a_window_the_series_stored_window_is_used(images):
    series = images["series"][0]
    series.window_center, series.window_width = 900.0, 600.0  # differs from the files' own 1800 / 3600
    series.save()
    base = f"/read/{images['a1'].pk}/images/{series.code}/2.png"
    assert images["reader"].get(f"/read/{images['a1'].pk}/images/").json()["series"][0]["window"] == {
        "center": 900.0, "width": 600.0}
    assert np.array_equal(_png(images["reader"].get(base)), _png(images["reader"].get(base + "?center=900&width=600")))
    assert not np.array_equal(_png(images["reader"].get(base)),
                              _png(images["reader"].get(base + "?center=1800&width=3600")))
