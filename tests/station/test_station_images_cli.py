"""``neurohlh station import-dicom`` in a fresh process: the report, a located refusal, JSON."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from . import dicom_phantom as ph  # noqa: E402
from ._run import neurohlh  # noqa: E402
from .conftest import EXAMPLE  # noqa: E402


def test_import_dicom_reports_what_it_stored_and_refuses_bad_folders_whole(tmp_path):
    st = tmp_path / "station"
    assert neurohlh("station", "init", str(st)).returncode == 0
    assert neurohlh("station", "import", str(st), str(EXAMPLE)).returncode == 0
    patient = ph.with_patient(ph.ALPHA, patient_id="EX01", birth_date="20150301", study_date="20150701")
    ph.write_study(tmp_path / "dicom", ["T2", "T1_post"], patient=patient, slices=2)
    ph.write_burned_in(tmp_path / "dicom" / "annotated.dcm", patient=patient)
    r = neurohlh("station", "import-dicom", str(tmp_path / "dicom"), str(st))
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "1 study, 2 series stored, 1 file held back for review" in out
    assert "EX01-1" in out and "age at scan 4 months, 3 T" in out
    assert "t1_post: T1_post (TR 550 ms < 1000 and TE 9.5 ms < 30; Contrast/Bolus Agent filled)" in out
    assert "held back annotated.dcm: BurnedInAnnotation is YES" in out
    for text in ph.IDENTIFYING:
        assert text not in r.stdout
    ph.write_not_dicom(tmp_path / "bad" / "readme.txt")
    ph.write_study(tmp_path / "bad" / "x", ["T2"], patient=ph.BRAVO, slices=1)
    r = neurohlh("station", "import-dicom", str(tmp_path / "bad"), str(st), "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    result = json.loads(r.stdout)
    assert result["ok"] is False and "nothing imported, 2 problems" in result["error"]
    assert {p["file"] for p in result["problems"]} == {"readme.txt", "study of x/t2/t2_0001.dcm"}
    r = neurohlh("station", "import-dicom", str(tmp_path / "bad"), str(st))
    assert r.returncode == 1 and "nothing was imported" in " ".join(r.stderr.split())
    again = neurohlh("station", "import-dicom", str(tmp_path / "dicom"), str(st), "--json")
    assert again.returncode == 0, again.stderr
    series = json.loads(again.stdout)["studies"][0]["series"]
    assert [s["stored"] for s in series] == [False, False]
