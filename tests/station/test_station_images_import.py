"""DICOM import: de-identification tag by tag (PS3.15 Annex E), consistent UIDs, date shift, held-back files, every
bad input located, and nothing half-imported."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

pydicom = pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")
pytest.importorskip("deid", reason="the image tests need the 'images' extra")

from django.conf import settings  # noqa: E402

from neurohlh.errors import InputError  # noqa: E402
from neurohlh.station.images.service import import_dicom  # noqa: E402
from neurohlh.station.models import (  # noqa: E402
    AuditEvent,
    HeldBackFile,
    ImageKey,
    ImageSeries,
    ImageSlice,
    ImageStudy,
    Study,
    UidMap,
)

from . import dicom_phantom as ph  # noqa: E402

pytestmark = pytest.mark.django_db

#: The phantom patient as the example cohort's EX01 (birth 2015-03-01; study EX01-1 on 2015-07-01, EX01-2 a year
#: later): Patient ID and Study Date match the worklist without a mapping file.
EX01 = ph.with_patient(ph.ALPHA, patient_id="EX01", birth_date="20150301", study_date="20150701")
EX01_LATER = ph.with_patient(EX01, study_date="20160701", accession="ACCPHX0043")


def stored_files() -> list[Path]:
    root = Path(settings.STATION_DIR) / "images"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot() -> tuple:
    return (ImageSeries.objects.count(), ImageSlice.objects.count(), HeldBackFile.objects.count(),
            ImageStudy.objects.count(), ImageKey.objects.count(), UidMap.objects.count(),
            AuditEvent.objects.filter(action__in=("images_imported", "dicom_folder_imported")).count(),
            len(stored_files()), sorted(p.name for p in (Path(settings.STATION_DIR) / "images").glob(".*"))
            if (Path(settings.STATION_DIR) / "images").exists() else [])


def stored_of(kind: str) -> list:
    series = ImageSeries.objects.get(kind=kind)
    root = Path(settings.STATION_DIR)
    return [pydicom.dcmread(root / s.path) for s in series.slices.all()]


# --- a good import ----------------------------------------------------------------------------------------------

def test_a_study_is_stored_as_seven_classified_series_matched_by_patient_and_date(station, tmp_path):
    written = ph.write_study(tmp_path / "in", patient=EX01)
    report = import_dicom(tmp_path / "in", "test")
    study = Study.objects.get(study_id="EX01-1")
    assert [s.study_id for s in report.studies] == ["EX01-1"]
    series = list(ImageSeries.objects.filter(study=study))
    assert [s.kind for s in series] == ["T2", "FLAIR", "DWI", "ADC", "T1", "T1_post", "SWI"]
    assert [s.order for s in series] == list(range(7))
    assert all(s.slice_count == 6 and s.slices.count() == 6 and (s.rows, s.columns) == (64, 64) for s in series)
    flair = next(s for s in series if s.kind == "FLAIR")
    # the description is written from numbers and fixed words: TR 9000, TE 81, TI 2500 ms, 5 mm, 3 T, 6 slices
    assert flair.description == "FLAIR · 2D · TR 9000 TE 81 TI 2500 ms · 5 mm · 3 T · 6 slices"
    assert (flair.window_center, flair.window_width, flair.field_strength_t) == (1800.0, 3600.0, 3.0)
    assert [s.slice_location for s in flair.slices.all()] == [-40.0, -35.0, -30.0, -25.0, -20.0, -15.0]
    assert len(written.paths) == ImageSlice.objects.count() == 42
    for path in stored_files():  # stored under the station folder's images/, never a static folder
        assert path.is_relative_to(Path(settings.STATION_DIR) / "images")
    assert "static" not in {part for p in stored_files() for part in p.parts}


def test_slices_are_ordered_along_the_slice_normal_not_by_file_name(station, tmp_path):
    written = ph.write_series(tmp_path / "in", "T2", patient=EX01, slices=5)
    for path in written.paths:  # reverse the file names against the positions
        path.rename(path.with_name("x" + path.name))
    for i, path in enumerate(sorted((tmp_path / "in").iterdir())):
        path.rename(path.with_name(f"{4 - i:02d}.dcm"))
    import_dicom(tmp_path / "in", "test")
    assert [s.slice_location for s in ImageSlice.objects.order_by("index")] == [-40.0, -35.0, -30.0, -25.0, -20.0]
    instances = [int(ds.InstanceNumber) for ds in stored_of("T2")]
    assert instances == [1, 2, 3, 4, 5]


# PS3.15 Table E.1-1 (Basic Profile), the actions for the attributes the phantom writes, and what the station's
# stored copy must show. Z: present and empty; X: removed; U: replaced by another UID; D: a dummy value;
# C (Retain Longitudinal Temporal Information with Modified Dates Option): dates shifted.
PS3_15 = [
    ((0x0010, 0x0010), "Patient's Name", "Z"),
    ((0x0010, 0x0020), "Patient ID", "Z"),
    ((0x0010, 0x0030), "Patient's Birth Date", "Z"),
    ((0x0010, 0x0040), "Patient's Sex", "Z"),
    ((0x0010, 0x1000), "Other Patient IDs", "X"),
    ((0x0010, 0x1040), "Patient's Address", "X"),
    ((0x0010, 0x4000), "Patient Comments", "X"),
    ((0x0008, 0x0050), "Accession Number", "Z"),
    ((0x0008, 0x0080), "Institution Name", "X"),
    ((0x0008, 0x0081), "Institution Address", "X"),
    ((0x0008, 0x1040), "Institutional Department Name", "X"),
    ((0x0008, 0x0090), "Referring Physician's Name", "Z"),
    ((0x0008, 0x1050), "Performing Physician's Name", "X"),
    ((0x0008, 0x1060), "Name of Physician(s) Reading Study", "X"),
    ((0x0008, 0x1070), "Operators' Name", "X"),
    ((0x0008, 0x1010), "Station Name", "X"),
    ((0x0018, 0x1000), "Device Serial Number", "X"),
    ((0x0008, 0x1030), "Study Description", "X"),
    ((0x0008, 0x103E), "Series Description", "X"),
    ((0x0018, 0x1030), "Protocol Name", "X"),
    ((0x0020, 0x0010), "Study ID", "Z"),
    ((0x0008, 0x0030), "Study Time", "Z"),
    ((0x0008, 0x0020), "Study Date", "C"),
    ((0x0008, 0x0021), "Series Date", "C"),
    ((0x0008, 0x0022), "Acquisition Date", "C"),
    ((0x0008, 0x0023), "Content Date", "C"),
    ((0x0020, 0x000D), "Study Instance UID", "U"),
    ((0x0020, 0x000E), "Series Instance UID", "U"),
    ((0x0008, 0x0018), "SOP Instance UID", "U"),
    ((0x0020, 0x0052), "Frame of Reference UID", "U"),
    ((0x0018, 0x0010), "Contrast/Bolus Agent", "D"),
    ((0x0018, 0x1042), "Contrast/Bolus Start Time", "X"),
]


def test_every_attribute_follows_the_basic_profile_with_modified_dates(station, tmp_path):
    written = ph.write_study(tmp_path / "in", ["T1_post"], patient=EX01, slices=2)
    import_dicom(tmp_path / "in", "test")
    shift = ImageKey.objects.get(patient__patient_id="EX01").date_shift_days
    assert -730 <= shift <= -1
    uids = dict(UidMap.objects.values_list("original", "replacement"))
    for source_path, stored in zip(written.paths, stored_of("T1_post"), strict=True):
        source = pydicom.dcmread(source_path)
        for tag, name, action in PS3_15:
            assert tag in source, f"the phantom should write {name}"
            original = source[tag].value
            if action == "X":
                assert tag not in stored, name
            elif action == "Z":
                assert tag in stored and stored[tag].value in ("", None), name
            elif action == "D":
                assert stored[tag].value == "CONTRAST AGENT", name
            elif action == "U":
                new = stored[tag].value
                assert new != original and new == uids[original] and new.startswith("2.25.") and len(new) <= 64
            elif action == "C":
                expected = (dt.datetime.strptime(original, "%Y%m%d").date() + dt.timedelta(days=shift))
                assert stored[tag].value == expected.strftime("%Y%m%d"), name
        assert not [e for e in stored.iterall() if e.tag.is_private], "private attributes are removed"
        assert stored.file_meta.MediaStorageSOPInstanceUID == stored.SOPInstanceUID
        assert stored.PatientIdentityRemoved == "YES"
        assert stored.LongitudinalTemporalInformationModified == "MODIFIED"
        assert [c.CodeValue for c in stored.DeidentificationMethodCodeSequence] == ["113100", "113107"]
        assert stored.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
        assert (stored.pixel_array == source.pixel_array).all()  # pixels untouched


def test_uids_are_remapped_consistently_across_files_series_and_imports(station, tmp_path):
    ph.write_study(tmp_path / "first", ["T2", "FLAIR"], patient=EX01, slices=3)
    import_dicom(tmp_path / "first", "test")
    t2, flair = stored_of("T2"), stored_of("FLAIR")
    study_uids = {ds.StudyInstanceUID for ds in t2 + flair}
    frames = {ds.FrameOfReferenceUID for ds in t2 + flair}
    assert len(study_uids) == 1 and len(frames) == 1  # one study, one frame of reference, as in the source
    assert len({ds.SeriesInstanceUID for ds in t2}) == 1 and t2[0].SeriesInstanceUID != flair[0].SeriesInstanceUID
    assert len({ds.SOPInstanceUID for ds in t2 + flair}) == 6
    map_rows = UidMap.objects.count()
    # a later export of the same study with one more series: same study UID, nothing stored twice
    ph.write_study(tmp_path / "second", ["T2", "FLAIR", "SWI"], patient=EX01, slices=3)
    report = import_dicom(tmp_path / "second", "test")
    assert [(s.kind, s.stored) for s in report.studies[0].series] == [("T2", False), ("FLAIR", False),
                                                                      ("SWI", True)]
    swi = stored_of("SWI")
    assert {ds.StudyInstanceUID for ds in swi} == study_uids and {ds.FrameOfReferenceUID for ds in swi} == frames
    assert ImageSeries.objects.count() == 3 and UidMap.objects.count() == map_rows + 1 + 3  # series + 3 SOPs


def test_dates_shift_by_one_offset_per_patient_and_the_age_is_kept(station, tmp_path):
    ph.write_study(tmp_path / "a", ["T2"], patient=EX01, slices=1)
    ph.write_study(tmp_path / "a" / "later", ["FLAIR"], patient=EX01_LATER, slices=1)
    import_dicom(tmp_path / "a", "test")
    first, later = stored_of("T2")[0], stored_of("FLAIR")[0]
    days = (dt.datetime.strptime(later.StudyDate, "%Y%m%d") - dt.datetime.strptime(first.StudyDate, "%Y%m%d")).days
    assert days == (dt.date(2016, 7, 1) - dt.date(2015, 7, 1)).days == 366  # the interval is kept
    assert ImageKey.objects.count() == 1
    # age at scan: 2015-07-01 - 2015-03-01 = 122 days = 122 / 30.4375 = 4.0 months; a year later 488 days = 16.0
    ages = dict(ImageStudy.objects.values_list("study__study_id", "age_months"))
    assert ages == {"EX01-1": 4.0, "EX01-2": 16.0}


def test_a_mapping_file_matches_by_study_uid_or_accession(station, tmp_path):
    a = ph.write_study(tmp_path / "in" / "a", ["T2"], slices=1)
    ph.write_study(tmp_path / "in" / "b", ["T2"], patient=ph.BRAVO, slices=1)
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"dicom_study,study_id\n{a.study_uid},EX02-1\n{ph.BRAVO.accession},EX03-1\n")
    report = import_dicom(tmp_path / "in", "test", mapping)
    assert sorted(s.study_id for s in report.studies) == ["EX02-1", "EX03-1"]
    assert ImageKey.objects.count() == 2


# --- held back ----------------------------------------------------------------------------------------------------

def test_files_with_burned_in_annotation_are_held_back_not_shown(station, tmp_path):
    ph.write_study(tmp_path / "in", ["T2"], patient=EX01, slices=2)
    ph.write_burned_in(tmp_path / "in" / "flagged.dcm", patient=EX01)
    ph.write_screen_capture(tmp_path / "in" / "capture.dcm", patient=EX01)
    ph.write_screen_capture(tmp_path / "in" / "secondary.dcm", patient=EX01, image_type=("DERIVED", "SECONDARY"))
    report = import_dicom(tmp_path / "in", "test")
    held = {h.source: h for h in HeldBackFile.objects.all()}
    assert set(held) == {"flagged.dcm", "capture.dcm", "secondary.dcm"}
    assert held["flagged.dcm"].reason == "BurnedInAnnotation is YES"
    assert "secondary capture" in held["capture.dcm"].reason and "screen capture" in held["capture.dcm"].reason
    assert report.held_back == 3 and ImageSeries.objects.count() == 1  # held-back files never become series
    assert ImageSlice.objects.count() == 2
    for h in held.values():  # the stored copy has a de-identified header (its pixels may still show text)
        ds = pydicom.dcmread(Path(settings.STATION_DIR) / h.path)
        assert ds.PatientName == "" and "InstitutionName" not in ds and ds.PatientIdentityRemoved == "YES"
    import_dicom(tmp_path / "in", "test")  # again: held back once
    assert HeldBackFile.objects.count() == 3


def test_burned_in_annotation_no_lets_a_secondary_image_through(station, tmp_path):
    path = ph.write_screen_capture(tmp_path / "in" / "sec.dcm", patient=EX01, image_type=("DERIVED", "SECONDARY"))
    ds = pydicom.dcmread(path)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = pydicom.uid.MRImageStorage
    ds.BurnedInAnnotation = "NO"
    ds.save_as(path)
    import_dicom(tmp_path / "in", "test")
    assert HeldBackFile.objects.count() == 0 and ImageSeries.objects.count() == 1


# --- pydicom's bundled files -----------------------------------------------------------------------------------

def test_pydicoms_enhanced_multi_frame_and_rle_big_endian_files_import(station, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    lines = ["dicom_study,study_id"]
    for name, study_id in (("emri_small.dcm", "EX02-1"), ("MR_small_RLE.dcm", "EX03-1"),
                           ("MR_small_bigendian.dcm", "EX04-1"), ("MR_small.dcm", "EX05-1")):
        ds = pydicom.dcmread(ph.bundled_file(name))
        if name != "emri_small.dcm" and name != "MR_small.dcm":  # the MR_small variants share their UIDs
            ds.StudyInstanceUID = ph.uid(name, "study")
            ds.SeriesInstanceUID = ph.uid(name, "series")
            ds.SOPInstanceUID = ph.uid(name, "sop")
            ds.BurnedInAnnotation = "NO"  # their ImageType is DERIVED\SECONDARY
        ds.save_as(folder / name)
        lines.append(f"{ds.StudyInstanceUID},{study_id}")
    (tmp_path / "map.csv").write_text("\n".join(lines) + "\n")
    import_dicom(folder, "test", tmp_path / "map.csv")
    enhanced = ImageSeries.objects.get(study__study_id="EX02-1")
    assert enhanced.slice_count == 10 and enhanced.kind == "T1"  # Acquisition Contrast T1, no contrast agent
    assert [s.frame for s in enhanced.slices.all()] == list(range(10))
    assert len({s.path for s in enhanced.slices.all()}) == 1  # one stored multi-frame file
    from neurohlh.station.images.pixels import slice_values

    reference = pydicom.dcmread(ph.bundled_file("emri_small.dcm")).pixel_array
    assert (slice_values(enhanced.slices.get(index=3)) == reference[3]).all()
    rle = pydicom.dcmread(ph.bundled_file("MR_small_RLE.dcm")).pixel_array
    for study_id in ("EX03-1", "EX04-1"):  # RLE and big endian stored uncompressed, little endian, same pixels
        stored = ImageSeries.objects.get(study__study_id=study_id).slices.get()
        assert (slice_values(stored) == rle.astype("float32")).all()
    # MR_small says DERIVED\SECONDARY without BurnedInAnnotation: held back
    assert HeldBackFile.objects.get().study.study_id == "EX05-1"


# --- bad input: located, every problem in one pass, nothing stored -------------------------------------------------

def _problems(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {p.file: p.message for p in exc.value.problems}


def test_every_bad_file_is_located_in_one_pass_and_nothing_is_imported(station, tmp_path):
    good = ph.write_study(tmp_path / "in" / "good", ["T2"], patient=EX01, slices=3)
    ph.write_not_dicom(tmp_path / "in" / "notes.txt")
    ph.write_truncated(tmp_path / "in" / "cut.dcm", good.paths[0])
    shutil.copy(ph.bundled_file("MR_small_jpeg_ls_lossless.dcm"), tmp_path / "in" / "jls.dcm")
    mixed = ph.write_series(tmp_path / "in" / "mixed", "FLAIR", patient=EX01, slices=2, study_uid=good.study_uid)
    intruder = pydicom.dcmread(mixed.paths[1])
    intruder.PatientID, intruder.PatientName = "EX02", "OTHER^PATIENT"
    intruder.save_as(mixed.paths[1])
    ph.write_study(tmp_path / "in" / "nowhere", ["T2"], patient=ph.BRAVO, slices=1)
    no_uid = pydicom.dcmread(good.paths[1])
    del no_uid.SeriesInstanceUID
    no_uid.save_as(tmp_path / "in" / "no-series-uid.dcm")
    before = snapshot()
    with pytest.raises(InputError, match="nothing imported, 6 problems") as exc:
        import_dicom(tmp_path / "in", "test")
    problems = _problems(exc)
    assert problems["notes.txt"].startswith("not a DICOM file")
    assert "truncated" in problems["cut.dcm"]
    assert "JPEG-LS" in problems["jls.dcm"] and "no installed decoder" in problems["jls.dcm"]
    assert "SeriesInstanceUID" in problems["no-series-uid.dcm"]
    mixing = next(m for f, m in problems.items() if f.startswith("series of mixed/"))
    assert "mixes patients" in mixing and "'EX01'" in mixing and "'EX02'" in mixing
    unmatched = next(m for f, m in problems.items() if f.startswith("study of nowhere/"))
    assert "no worklist study of patient 'PHX-880042' on 2024-01-05" in unmatched
    assert snapshot() == before  # no row, no file, no staging folder


def test_a_failure_while_recording_leaves_nothing_behind(station, tmp_path, monkeypatch):
    from neurohlh.station.images import service

    ph.write_study(tmp_path / "in", ["T2", "FLAIR"], patient=EX01, slices=2)
    ph.write_burned_in(tmp_path / "in" / "b.dcm", patient=EX01)
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(service.audit, "record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_dicom(tmp_path / "in", "test")
    assert snapshot() == before


def test_mapping_file_problems_are_located_by_line(station, tmp_path):
    ph.write_study(tmp_path / "in", ["T2"], slices=1)
    mapping = tmp_path / "map.csv"
    mapping.write_text("dicom_study,study_id\n1.2.3,NOPE-1\n1.2.4,EX01-1\n1.2.4,EX02-1\n,EX03-1\n")
    with pytest.raises(InputError) as exc:
        import_dicom(tmp_path / "in", "test", mapping)
    rows = {(p.file, p.row): p.message for p in exc.value.problems}
    assert rows[("map.csv", 2)] == "study_id is not on the worklist"
    assert "already mapped to 'EX01-1'" in rows[("map.csv", 4)]
    assert "both dicom_study and study_id" in rows[("map.csv", 5)]
    assert rows[("study of t2/t2_0001.dcm", None)].startswith("neither its Study Instance UID nor its Accession")
    mapping.write_text("uid,study\n")
    with pytest.raises(InputError, match="the header must be 'dicom_study,study_id'"):
        import_dicom(tmp_path / "in", "test", mapping)


def test_two_worklist_candidates_or_two_dicom_studies_for_one_are_refused(station, tmp_path):
    ph.write_study(tmp_path / "in" / "a", ["T2"], patient=EX01, slices=1)
    ph.write_study(tmp_path / "in" / "b", ["T2"], patient=ph.with_patient(EX01, accession="OTHER1",
                                                                          study_time="160000"), slices=1)
    b = next((tmp_path / "in" / "b").rglob("*.dcm"))
    ds = pydicom.dcmread(b)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = ph.uid("other study"), ph.uid("other series")
    ds.save_as(b)
    with pytest.raises(InputError, match="2 DICOM studies match the same worklist study 'EX01-1'"):
        import_dicom(tmp_path / "in", "test")


def test_an_empty_folder_and_a_missing_folder_are_refused(station, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no DICOM image found"):
        import_dicom(tmp_path / "empty", "test")
    with pytest.raises(InputError, match="not a folder"):
        import_dicom(tmp_path / "missing", "test")


def test_the_import_is_audited(station, tmp_path):
    ph.write_study(tmp_path / "in", ["T2", "DWI"], patient=EX01, slices=2)
    ph.write_burned_in(tmp_path / "in" / "b.dcm", patient=EX01)
    import_dicom(tmp_path / "in", "coord")
    event = AuditEvent.objects.get(action="images_imported")
    assert event.actor == "coord" and event.target == Study.objects.get(study_id="EX01-1").code
    assert event.detail["series_stored"] == "2" and event.detail["held_back"] == "1"
    assert event.detail["kinds"] == "T2,DWI" and event.detail["slices"] == "4"


def test_a_stored_copy_still_carrying_an_identifier_stops_the_import(station, tmp_path, monkeypatch):
    from neurohlh.station.images import service

    ph.write_study(tmp_path / "in", ["T2"], patient=EX01, slices=2)
    real = service.deidentify

    def leaky(ds, **kwargs):
        name = str(ds.PatientName)
        out = real(ds, **kwargs)
        out.ImageComments = f"reviewed for {name}"  # as a broken recipe would leave it
        return out
    monkeypatch.setattr(service, "deidentify", leaky)
    before = snapshot()
    with pytest.raises(InputError, match="still contains an identifying value; nothing imported"):
        import_dicom(tmp_path / "in", "test")
    assert snapshot() == before


def test_a_series_holding_two_b_values_becomes_two_stacks(station, tmp_path):
    written = ph.write_series(tmp_path / "in", "DWI", patient=EX01, slices=3, study_uid=ph.uid("EX01", "20150701",
                                                                                                  "study"))
    for index, path in enumerate(written.paths):  # the b0 images of the same series, at the same positions
        ds = pydicom.dcmread(path)
        ds.DiffusionBValue = 0
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = ph.uid("b0", index)
        ds.save_as(path.with_name(f"b0_{index}.dcm"))
    report = import_dicom(tmp_path / "in", "test")
    stacks = list(ImageSeries.objects.order_by("order"))
    assert len(stacks) == 2 and [s.slice_count for s in stacks] == [3, 3]
    assert sorted(" · b 1000 · " in s.description for s in stacks) == [False, True]  # b 0 is not printed
    assert len({s.series_uid for s in stacks}) == 2 and all(s.kind == "DWI" for s in stacks)
    assert len(report.studies[0].series) == 2


def test_the_age_at_scan_fills_a_worklist_without_one_and_a_mismatch_is_told(station, tmp_path):
    Study.objects.filter(study_id="EX01-1").update(age_months=None, age_band="age unknown")
    ph.write_study(tmp_path / "a", ["T2"], patient=EX01, slices=1)
    report = import_dicom(tmp_path / "a", "test")
    study = Study.objects.get(study_id="EX01-1")
    assert (study.age_months, study.age_band) == (4.0, "under 1 year")  # 122 days / 30.4375
    assert report.studies[0].notes == ("age at scan 4 months from the images (the worklist had none)",)
    # EX01-2 (2016-07-01) is 16.0 months on the worklist; a header birth date of 2016-01-01 gives 6.0 months
    older = ph.with_patient(EX01_LATER, birth_date="20160101")
    ph.write_study(tmp_path / "b", ["T2"], patient=older, slices=1)
    report = import_dicom(tmp_path / "b", "test")
    assert "age at scan from the images (6 months) differs from the worklist's (16 months)" in report.studies[0].notes[0]
    assert Study.objects.get(study_id="EX01-2").age_months == 16.0  # the worklist is not overwritten
