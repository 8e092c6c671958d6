"""The synthetic DICOM test data: readable, plausible, and carrying the identifiers the leak tests look for."""
from __future__ import annotations

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from . import dicom_phantom as ph  # noqa: E402


def test_the_phantom_study_is_one_study_of_seven_ordered_series(phantom_study):
    datasets = [pydicom.dcmread(p) for p in phantom_study.paths]
    assert len(datasets) == 7 * 6
    assert {d.StudyInstanceUID for d in datasets} == {phantom_study.study_uid}
    assert len({d.SeriesInstanceUID for d in datasets}) == 7
    assert len({d.SOPInstanceUID for d in datasets}) == 42
    t2 = [pydicom.dcmread(p) for p in phantom_study.of_kind("T2").paths]
    assert [d.InstanceNumber for d in t2] == [1, 2, 3, 4, 5, 6]
    assert [float(d.SliceLocation) for d in t2] == [-40.0, -35.0, -30.0, -25.0, -20.0, -15.0]
    assert [float(d.ImagePositionPatient[2]) for d in t2] == [float(d.SliceLocation) for d in t2]
    pixels = t2[2].pixel_array
    assert pixels.shape == (64, 64) and pixels.dtype == np.uint16 and pixels.max() < 2 ** 12
    assert not np.array_equal(t2[0].pixel_array, t2[1].pixel_array)  # slices differ


def test_sequence_attributes_are_those_a_scanner_writes(phantom_study):
    first = {s.kind: pydicom.dcmread(s.paths[0]) for s in phantom_study.series}
    assert first["FLAIR"].ScanningSequence == ["SE", "IR"] and float(first["FLAIR"].InversionTime) == 2500
    assert float(first["DWI"].DiffusionBValue) == 1000 and "DIFFUSION" in first["DWI"].ImageType
    assert "ADC" in first["ADC"].ImageType
    assert first["T1_post"].ContrastBolusAgent and "ContrastBolusAgent" not in first["T1"]
    assert first["SWI"].ScanningSequence == "GR" and "SWI" in first["SWI"].ImageType
    assert {float(d.MagneticFieldStrength) for d in first.values()} == {3.0}


def test_every_identifying_string_is_in_the_raw_files(phantom_study):
    """The leak tests search for these strings: they must be there before de-identification."""
    raw = b"".join(p.read_bytes() for p in phantom_study.of_kind("T2").paths)
    for text in (ph.PATIENT_NAME, ph.PATIENT_ID, ph.BIRTH_DATE, ph.ACCESSION, ph.INSTITUTION, ph.PRIVATE_NOTE,
                 ph.ALPHA.referring, ph.ALPHA.station_name, ph.ALPHA.institution_address):
        assert text.encode() in raw, text


def test_uids_are_valid_and_the_same_when_written_again(tmp_path):
    a = ph.write_series(tmp_path / "a", "T2", slices=2)
    b = ph.write_series(tmp_path / "b", "T2", slices=2)
    assert a.series_uid == b.series_uid and a.series_uid.startswith(ph.UID_ROOT)
    for path in a.paths:
        ds = pydicom.dcmread(path)
        assert ds.SOPInstanceUID.is_valid and len(ds.SOPInstanceUID) <= 64


def test_held_back_and_bad_files(tmp_path, phantom_study):
    assert pydicom.dcmread(ph.write_burned_in(tmp_path / "b.dcm")).BurnedInAnnotation == "YES"
    sc = pydicom.dcmread(ph.write_screen_capture(tmp_path / "sc.dcm"))
    assert sc.SOPClassUID == pydicom.uid.SecondaryCaptureImageStorage and "BurnedInAnnotation" not in sc
    with pytest.raises(pydicom.errors.InvalidDicomError):
        pydicom.dcmread(ph.write_not_dicom(tmp_path / "notes.dcm"))
    cut = ph.write_truncated(tmp_path / "cut.dcm", phantom_study.paths[0])
    with pytest.raises(Exception):  # noqa: B017 - pydicom raises different errors for different cut points
        pydicom.dcmread(cut).pixel_array  # noqa: B018


@pytest.mark.parametrize("name", ["MR_small.dcm", "emri_small.dcm", "MR_small_jpeg_ls_lossless.dcm",
                                  "MR_small_RLE.dcm", "MR_truncated.dcm"])
def test_pydicoms_bundled_mr_files_are_on_disk(name):
    path = ph.bundled_file(name)
    assert path.is_file() and path.stat().st_size > 1000


def test_the_bundled_enhanced_mr_is_multi_frame():
    ds = pydicom.dcmread(ph.bundled_file("emri_small.dcm"))
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.4.1" and int(ds.NumberOfFrames) == 10
