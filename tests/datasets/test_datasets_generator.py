"""The demo cohort generator is deterministic, the shipped files are its output, and every file says it is
synthetic. Also checks the invariants the generator promises (every deciding field known, 57/123/36 rows)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from neurohlh.datasets import demo_cohort_path, load_demo_cohort
from neurohlh.io import TABLES
from neurohlh.patterns import classify_cohort
from neurohlh.patterns.study import EVIDENCE_FIELDS, SUPPORTIVE_FIELDS
from neurohlh.schema import RECORD_TYPES, field_specs

TOOL = Path(__file__).resolve().parents[2] / "tools" / "make_demo_cohort.py"
sys.path.insert(0, str(TOOL.parent))
from make_demo_cohort import HEADER_COMMENT, write_demo_cohort  # noqa: E402

@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    return write_demo_cohort(tmp_path_factory.mktemp("demo"))


def test_shipped_files_equal_generator_output(regenerated):
    shipped = demo_cohort_path()
    for table in TABLES:
        assert (shipped / f"{table}.csv").read_bytes() == (regenerated / f"{table}.csv").read_bytes(), (
            f"{table}.csv differs from the generator output; run: python tools/make_demo_cohort.py")


def test_second_run_from_the_command_line_is_byte_identical(regenerated, tmp_path):
    """Determinism across processes: ``python tools/make_demo_cohort.py OUT`` repeats the first run."""
    out = tmp_path / "cli"
    run = subprocess.run([sys.executable, str(TOOL), str(out)], capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "synthetic demo cohort" in run.stdout
    for table in TABLES:
        assert (out / f"{table}.csv").read_bytes() == (regenerated / f"{table}.csv").read_bytes()


def test_every_file_says_it_is_synthetic():
    for table in TABLES:
        head = (demo_cohort_path() / f"{table}.csv").read_text(encoding="utf-8").splitlines()[:5]
        assert head[0] == "# SYNTHETIC DATA - NOT PATIENT RECORDS."
        assert any("reconstructed from the aggregate counts published" in line for line in head)
    assert "not patient records".upper() in HEADER_COMMENT.upper()


def test_loads_with_published_sizes_and_no_unknown_deciding_field():
    cohort = load_demo_cohort()
    assert len(cohort.patients) == 57
    assert len(cohort.consensus_studies) == 123
    assert len(cohort.variants) == 36
    assert cohort.patients["patient_id"].str.match(r"^SYN\d\d$").all()
    deciding = [f for f in EVIDENCE_FIELDS if f not in SUPPORTIVE_FIELDS]
    assert not cohort.consensus_studies[deciding].isna().any().any(), "unknown is never used as 'no'"
    allocations = classify_cohort(cohort)
    assert all(a.missing_fields == () for a in allocations)
    assert all(s.missing_fields == () for a in allocations for s in a.studies)


def test_studies_lie_between_cns_presentation_and_death():
    cohort = load_demo_cohort()
    p = cohort.patients.set_index("patient_id")
    for _, s in cohort.consensus_studies.iterrows():
        birth = p.at[s["patient_id"], "birth_date"]
        assert s["study_date"] >= birth
        months = (s["study_date"] - birth).days / 30.4375
        assert months >= p.at[s["patient_id"], "age_at_cns_presentation_months"] - 0.1
        if p.at[s["patient_id"], "died"] is True:
            onset = p.at[s["patient_id"], "age_at_onset_months"]
            weeks = p.at[s["patient_id"], "death_weeks_after_diagnosis"]
            assert months <= onset + weeks * 7 / 30.4375 + 0.1


def test_files_have_exactly_the_schema_columns_in_order():
    for table, record_type in RECORD_TYPES.items():
        lines = (demo_cohort_path() / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        header = next(line for line in lines if not line.startswith("#"))
        assert header.split(",") == list(field_specs(record_type))
