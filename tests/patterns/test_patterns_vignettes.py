"""Table-driven allocation tests: every row of data/vignettes.tsv, expectations written by hand from the paper."""
from __future__ import annotations

import dataclasses

import pytest
from _patterns_support import case_records, load_vignettes, split_list, write_and_load

from neurohlh.patterns import classify_cohort, classify_patient
from neurohlh.schema import Patient

ROWS = load_vignettes()


def _expected_studies(text: str) -> list[tuple[str, str, str | None]]:
    out = []
    for item in split_list(text.replace(", ", ";")):
        sid, alloc = item.split("=")
        category, _, sub = alloc.partition("/")
        out.append((sid, category, None if sub in ("", "-") else sub))
    return out


def _check(a, row, prefix: str = "") -> None:
    def local(study_id: str) -> str:
        assert study_id.startswith(prefix)
        return study_id[len(prefix):]

    assert a.pattern == row["expected_pattern"]
    assert a.onset_subpattern == (None if row["expected_onset"] == "-" else row["expected_onset"])
    got_studies = [(local(s.study_id), s.category, s.subpattern) for s in a.studies]
    assert got_studies == _expected_studies(row["expected_studies"])
    evolution = [] if row["expected_evolution"] == "-" else row["expected_evolution"].split(">")
    assert [("?" if e is None else e) for e in a.evolution] == evolution
    assert list(a.transitions) == split_list(row["expected_transitions"])
    flag = row["expected_red_flag"]
    assert (a.red_flag.status if a.red_flag else "none") == flag
    if flag in ("raised", "provisional"):
        assert "perforin" in a.red_flag.recommendation and a.red_flag.reason
    missing = {local(sid) + "." + f for sid, f in (m.rsplit(".", 1) for m in a.missing_fields)}
    assert missing == set(split_list(row["expected_missing"]))


def test_vignette_table_covers_the_acceptance_list():
    assert len(ROWS) >= 40
    categories = {c for r in ROWS for _, c, _ in _expected_studies(r["expected_studies"])}
    assert categories == {"lesional", "normal", "atrophy", "isolated_ctt", "nonspecific", "extraparenchymal_only",
                          "indeterminate"}
    assert {r["expected_onset"] for r in ROWS} >= {"1.1", "1.2", "1.3", "-"}
    assert {r["expected_pattern"] for r in ROWS} == {"1", "2", "indeterminate"}
    assert {r["expected_red_flag"] for r in ROWS} == {"raised", "provisional", "not_raised", "not_evaluable", "none"}
    assert sum(r["expected_transitions"] != "-" for r in ROWS) >= 6


@pytest.mark.parametrize("row", ROWS, ids=[r["case"] for r in ROWS])
def test_vignette(row):
    studies, patient = case_records(row)
    if not studies:
        a = classify_patient([], patient)
        assert a.notes == ("no consensus MR study for this patient",)
    else:
        a = classify_patient(studies, patient)
    _check(a, row)
    assert a.trace and all(step.section for step in a.trace)
    for s in a.studies:
        assert s.trace[0].rule == "parenchymal_lesions" and s.trace[-1].rule == "study_allocation"


def test_vignettes_through_the_cohort_path(tmp_path):
    """The same table, written as cohort files, loaded with load_cohort and classified in one pass."""
    patients, studies = [], []
    for row in ROWS:
        s, p = case_records(row)
        studies += [dataclasses.replace(x, study_id=f"{row['case']}/{x.study_id}") for x in s]
        patients.append(p or Patient(patient_id="V-" + row["case"]))
    cohort = write_and_load(tmp_path / "vignettes", patients, studies)
    allocations = classify_cohort(cohort)
    assert [a.patient_id for a in allocations] == [p.patient_id for p in patients]
    for a, row in zip(allocations, ROWS):
        _check(a, row, prefix=f"{row['case']}/")
