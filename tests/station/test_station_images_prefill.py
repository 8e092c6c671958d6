"""The header prefill: sequences and field strength suggested beside the sheet, never written as the answer."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from neurohlh.station.images.prefill import prefill_for  # noqa: E402
from neurohlh.station.models import Read, Slot, Study  # noqa: E402

from . import dicom_phantom as ph  # noqa: E402
from ._images import store_phantom  # noqa: E402
from ._sheets import form  # noqa: E402

pytestmark = pytest.mark.django_db


def _reader_of(study_id: str):
    study = Study.objects.get(study_id=study_id)
    return study.assignments.select_related("reader").get(slot=Slot.READER_1)


def test_sequences_and_field_strength_come_from_the_series_attributes(station, tmp_path):
    # T2, FLAIR, ADC (no DWI trace), T1 post-contrast and SWI at 1.5 T: the ADC map means diffusion was acquired
    written = ph.write_study(tmp_path / "dicom", ("T2", "FLAIR", "ADC", "T1_post", "SWI"), slices=2,
                             field_strength=1.5)
    store_phantom(written, "EX03-1")
    prefill = prefill_for(Study.objects.get(study_id="EX03-1"))
    assert prefill.sequences == ("t2", "flair", "dwi", "t1_postcontrast", "swi")  # no plain T1 series
    assert prefill.field_strength_t == 1.5
    assert prefill_for(Study.objects.get(study_id="EX02-1")).empty  # no images, no suggestion


def test_the_reader_sees_the_suggestion_unticked_and_whether_the_answer_matches(station, client_for, tmp_path):
    store_phantom(ph.write_study(tmp_path / "dicom", ("T2", "DWI", "T1", "T1_post"), slices=2), "EX03-1")
    a = _reader_of("EX03-1")
    client = client_for(a.reader.username)
    page = client.get(f"/read/{a.pk}/").content.decode()
    assert "in the images: t1, t2, dwi, t1 postcontrast (to confirm; from the images' headers" in page
    assert "in the images: 3 T (to confirm" in page
    assert not re.search(r'name="sequences" value="[a-z0-9_]+" checked', page)  # nothing ticked for the reader
    assert re.search(r'name="field_strength_t" value=""', page)
    assert page.count("(in images)") == 4
    client.post(f"/read/{a.pk}/", form({"sequences": ["t2", "dwi"], "field_strength_t": "3"}, "save"))
    assert Read.objects.get(assignment=a).values["sequences"] == "t2;dwi"  # only what the reader ticked
    page = client.get(f"/read/{a.pk}/").content.decode()
    assert "in the images: t1, t2, dwi, t1 postcontrast (differs from your answer" in page
    assert "in the images: 3 T (matches your answer" in page


def test_a_study_without_images_shows_no_suggestion(station, client_for):
    a = _reader_of("EX02-1")
    page = client_for(a.reader.username).get(f"/read/{a.pk}/").content.decode()
    assert "in the images" not in page and "(in images)" not in page
