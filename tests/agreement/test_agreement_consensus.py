"""Consensus derived from two reads and an adjudication, at load time and for one study."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from neurohlh.agreement import CONSENSUS_FIELDS, derive_consensus
from neurohlh.errors import InputError
from neurohlh.io import load_cohort, validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"


def read_cells(folder: Path, table: str) -> pd.DataFrame:
    lines = (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()
    comments = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, skiprows=comments)


@pytest.fixture
def cohort(tmp_path: Path):
    """Example cohort whose first study is read twice (and adjudicated) instead of having a consensus row.

    Returns (folder, write) where write(rows) replaces the first study's consensus row by ``rows`` (each a dict
    of cell overrides with a ``reader``) and returns the folder; the header is row 1, so data row i is row i + 2.
    """
    out = tmp_path / "cohort"
    shutil.copytree(EXAMPLE, out)
    for table in ("patients", "variants"):
        read_cells(out, table).to_csv(out / f"{table}.csv", index=False, lineterminator="\n")
    studies = read_cells(out, "studies")
    first = studies.iloc[0]

    def write(rows, keep_consensus=False):
        extra = pd.DataFrame([{**first.to_dict(), **r} for r in rows])
        rest = studies if keep_consensus else studies.iloc[1:]
        frame = pd.concat([rest, extra], ignore_index=True)
        frame.to_csv(out / "studies.csv", index=False, lineterminator="\n")
        return out, len(rest) + 2  # spreadsheet row of the first added read

    return first, write


def test_agreeing_reads_need_no_consensus_row(cohort):
    first, write = cohort
    folder, _ = write([{"reader": "reader_1"}, {"reader": "reader_2"}])
    loaded = load_cohort(folder)
    consensus = loaded.consensus_studies
    row = consensus[consensus["study_id"] == first["study_id"]]
    assert len(row) == 1 and len(consensus) == 12
    assert row["supra_lesion_number"].iloc[0] == (first["supra_lesion_number"] or None)
    assert any("1 consensus read(s) derived" in n for n in loaded.notes)


def test_disagreement_resolved_by_the_adjudicator(cohort):
    first, write = cohort
    other = "few" if first["supra_lesion_number"] != "few" else "single"
    folder, _ = write([{"reader": "reader_1"}, {"reader": "reader_2", "supra_lesion_number": other},
                       {"reader": "adjudicator", **{c: "" for c in first.index if c not in
                                                    ("study_id", "patient_id", "reader")},
                        "supra_lesion_number": other}])
    consensus = load_cohort(folder).consensus_studies
    assert consensus.loc[consensus["study_id"] == first["study_id"], "supra_lesion_number"].iloc[0] == other


def test_disagreement_without_adjudication_is_located(cohort):
    first, write = cohort
    other = "few" if first["supra_lesion_number"] != "few" else "single"
    folder, row = write([{"reader": "reader_1"}, {"reader": "reader_2", "supra_lesion_number": other}])
    report = validate(folder)
    [problem] = report.problems
    assert (problem.row, problem.column) == (row + 1, "supra_lesion_number")  # the reader_2 row
    assert "disagree" in problem.message and "no adjudicated value" in problem.message
    assert "adjudicator" in problem.suggestion
    with pytest.raises(InputError):
        load_cohort(folder)


def test_consensus_row_contradicting_the_reads_is_located(cohort):
    first, write = cohort
    other = "few" if first["supra_lesion_number"] != "few" else "single"
    folder, row = write([{"reader": "reader_1"}, {"reader": "reader_2"}], keep_consensus=False)
    # put a consensus row back with a value both readers contradict
    studies = read_cells(folder, "studies")
    bad = {**first.to_dict(), "reader": "consensus", "supra_lesion_number": other}
    pd.concat([studies, pd.DataFrame([bad])], ignore_index=True).to_csv(folder / "studies.csv", index=False)
    [problem] = validate(folder).problems
    assert (problem.row, problem.column, problem.value) == (row + 2, "supra_lesion_number", other)
    assert "contradicts the reads" in problem.message and "both readers" in problem.message


def test_consensus_row_resolves_a_disagreement(cohort):
    first, write = cohort
    other = "few" if first["supra_lesion_number"] != "few" else "single"
    folder, _ = write([{"reader": "reader_1"}, {"reader": "reader_2", "supra_lesion_number": other}],
                      keep_consensus=True)
    assert validate(folder).ok


def test_adjudicator_overruling_an_agreement_is_located(cohort):
    first, write = cohort
    flipped = "no" if first["loc_cord"] == "yes" else "yes"
    folder, row = write([{"reader": "reader_1"}, {"reader": "reader_2"},
                         {"reader": "adjudicator", "loc_cord": flipped}])
    problems = validate(folder).problems
    assert [(p.row, p.column) for p in problems] == [(row + 2, "loc_cord")]
    assert "agree" in problems[0].message and problems[0].suggestion == "leave this cell empty"


def test_single_read_without_consensus(cohort):
    _, write = cohort
    folder, row = write([{"reader": "reader_1"}])
    [problem] = validate(folder).problems
    assert problem.row == row and problem.column == "reader" and "no consensus read" in problem.message


def test_derive_consensus_provenance_and_unknown_reads():
    r1 = {"supra_lesion_number": "few", "loc_pons": True, "swi_blooming": None, "sequences": frozenset({"t1", "t2"})}
    r2 = {"supra_lesion_number": "few", "loc_pons": None, "swi_blooming": None, "sequences": {"t2", "t1"}}
    c = derive_consensus(r1, r2)
    assert c.provenance["supra_lesion_number"] == "agreed" and c.provenance["sequences"] == "agreed"
    assert c.provenance["swi_blooming"] == "agreed" and c.values["swi_blooming"] is None  # both unknown
    assert c.unresolved == ("loc_pons",) and not c.complete  # a read against an empty cell is a disagreement
    resolved = derive_consensus(r1, r2, {"loc_pons": True})
    assert resolved.complete and resolved.adjudicated == ("loc_pons",) and resolved.values["loc_pons"] is True
    assert set(c.provenance) == set(CONSENSUS_FIELDS)


def test_derive_consensus_accepts_study_records():
    from neurohlh.schema import Study
    a = Study(study_id="S", patient_id="P", reader="reader_1", loc_pons=True, notes="pons")
    b = Study(study_id="S", patient_id="P", reader="reader_2", loc_pons=True, notes="dorsal pons")
    c = derive_consensus(a, b)
    assert c.complete and c.values["loc_pons"] is True
    assert c.values["notes"] == "reader_1: pons | reader_2: dorsal pons"


def test_an_unreadable_cell_is_reported_once_not_again_as_a_disagreement(cohort):
    _, write = cohort
    folder, row = write([{"reader": "reader_1"}, {"reader": "reader_2", "loc_pons": "maybe"}])
    problems = validate(folder).problems
    assert [(p.row, p.column) for p in problems] == [(row + 1, "loc_pons")]
    assert "yes/no" in problems[0].message
