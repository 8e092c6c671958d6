"""The coordinator's upload page: several files or a zip, every problem listed, held-back files for review."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

pydicom = pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from neurohlh.station.models import HeldBackFile, ImageSeries, ImageSlice  # noqa: E402

from . import dicom_phantom as ph  # noqa: E402

pytestmark = pytest.mark.django_db
EX01 = ph.with_patient(ph.ALPHA, patient_id="EX01", birth_date="20150301", study_date="20150701")


def _uploads(paths: list[Path]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="application/dicom") for p in paths]


def _zip(folder: Path, extra: dict[str, bytes] | None = None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*.dcm")):
            zf.write(path, path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return SimpleUploadedFile("export.zip", buffer.getvalue(), content_type="application/zip")


def test_several_files_are_imported_and_the_report_shown(client_for, tmp_path):
    written = ph.write_study(tmp_path / "in", ["T2", "FLAIR"], patient=EX01, slices=3)
    ph.write_burned_in(tmp_path / "in" / "annotated.dcm", patient=EX01)
    files = _uploads(list(written.paths) + [tmp_path / "in" / "annotated.dcm"])
    r = client_for("coord").post("/coordinator/images/", {"files": files})
    assert r.status_code == 200
    text = r.content.decode()
    assert "1 study, 2 series stored, 1 file held back for review" in text
    assert ImageSeries.objects.count() == 2 and ImageSlice.objects.count() == 6
    held = HeldBackFile.objects.get()
    assert "BurnedInAnnotation is YES" in text and f"/coordinator/images/held-back/{held.pk}/" in text
    for value in ph.IDENTIFYING:
        assert value not in text
    download = client_for("coord").get(f"/coordinator/images/held-back/{held.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/dicom"
    ds = pydicom.dcmread(io.BytesIO(b"".join(download.streaming_content)))
    assert ds.PatientName == "" and ds.BurnedInAnnotation == "YES"
    for user in ("alpha.reader", "judge"):
        assert client_for(user).get(f"/coordinator/images/held-back/{held.pk}/").status_code == 403


def test_a_zip_of_a_folder_is_imported_with_its_mapping_file(client_for, tmp_path):
    written = ph.write_study(tmp_path / "in", ["T2", "DWI", "SWI"], slices=2)
    mapping = SimpleUploadedFile("map.csv", f"dicom_study,study_id\n{written.study_uid},EX02-1\n".encode())
    r = client_for("coord").post("/coordinator/images/", {"archive": _zip(tmp_path / "in"), "mapping": mapping})
    assert r.status_code == 200 and "3 series stored" in r.content.decode()
    assert set(ImageSeries.objects.values_list("study__study_id", flat=True)) == {"EX02-1"}
    page = client_for("coord").get("/coordinator/images/").content.decode()
    assert "EX02-1" in page and "T2 (2), DWI (2), SWI (2)" in page


def test_a_bad_upload_lists_every_problem_and_imports_nothing(client_for, tmp_path):
    ph.write_study(tmp_path / "in", ["T2"], patient=EX01, slices=2)
    ph.write_not_dicom(tmp_path / "in" / "readme.dcm")
    archive = _zip(tmp_path / "in", {"../escape.dcm": b"x"})
    r = client_for("coord").post("/coordinator/images/", {"archive": archive})
    text = r.content.decode()
    assert r.status_code == 200 and "nothing imported" in text and "../escape.dcm" in text
    assert ImageSeries.objects.count() == 0
    r = client_for("coord").post("/coordinator/images/", {"archive": _zip(tmp_path / "in")})
    text = r.content.decode()
    assert "nothing imported, 1 problem" in text and "readme.dcm: not a DICOM file" in text
    assert ImageSeries.objects.count() == 0
    r = client_for("coord").post("/coordinator/images/", {})
    assert "choose DICOM files or a zip archive" in r.content.decode()
    broken = SimpleUploadedFile("export.zip", b"not a zip at all")
    assert "cannot be read as a zip archive" in client_for("coord").post(
        "/coordinator/images/", {"archive": broken}).content.decode()


def test_only_the_coordinator_may_upload(client_for, tmp_path):
    written = ph.write_study(tmp_path / "in", ["T2"], patient=EX01, slices=1)
    for user in ("alpha.reader", "judge"):
        r = client_for(user).post("/coordinator/images/", {"files": _uploads(list(written.paths))})
        assert r.status_code == 403
    assert ImageSeries.objects.count() == 0


def test_the_coordinators_key_goes_back_from_a_stored_image_to_the_original(client_for, tmp_path):
    import csv

    from django.conf import settings

    from neurohlh.station.models import AuditEvent, ImageKey

    written = ph.write_study(tmp_path / "in", ["T2"], patient=EX01, slices=2)
    client_for("coord").post("/coordinator/images/", {"files": _uploads(list(written.paths))})
    page = client_for("coord").get("/coordinator/images/").content.decode()
    shift = ImageKey.objects.get().date_shift_days
    assert f"<td>{shift}</td>" in page and "/coordinator/images/key.csv" in page
    r = client_for("coord").get("/coordinator/images/key.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(r.content.decode().splitlines()))
    assert rows[0] == ["kind", "original", "replacement"] and ["date_shift_days", "EX01", str(shift)] in rows
    stored = pydicom.dcmread(Path(settings.STATION_DIR) / ImageSlice.objects.first().path)
    assert ["uid", written.study_uid, stored.StudyInstanceUID] in rows
    assert AuditEvent.objects.filter(action="image_key_downloaded").count() == 1
    for user in ("alpha.reader", "judge"):
        assert client_for(user).get("/coordinator/images/key.csv").status_code == 403


def test_a_zip_whose_compressed_data_is_damaged_is_refused_with_its_name(client_for, tmp_path):
    # a deflated entry whose bytes are overwritten after the header: reading it fails inside zlib, not in zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("series/0001.dcm", bytes(range(256)) * 400)
    data = bytearray(buffer.getvalue())
    header = 30 + len("series/0001.dcm")  # local file header + name: the compressed bytes start here
    data[header:header + 64] = b"\xff" * 64
    archive = SimpleUploadedFile("export.zip", bytes(data))
    r = client_for("coord").post("/coordinator/images/", {"archive": archive})
    text = r.content.decode()
    assert r.status_code == 200 and "export.zip" in text and "cannot be read as a zip archive" in text
    assert ImageSeries.objects.count() == 0
