"""One pass means one pass: every refusal of ``criteria``, ``classify`` and ``analyze`` is reported by ``validate``
first, in the same located form; and a cohort that validates always classifies, meets criteria and analyses.

``neurohlh.service.validate`` (what ``neurohlh validate`` runs) is the loader's validation plus the domain checks
(``neurohlh.service.DOMAIN_CHECKS``). The refusal paths of the three commands on a cohort file, read from the code
(every ``InputError`` they can raise once a cohort is on disk):

* a cell that does not parse, a duplicate id, a study of a patient who does not exist (the loader);
* a variant description the genetics rules cannot read, or one that names another gene than its ``gene`` cell
  (``neurohlh.genetics.recurrence.check_cohort_variants``, run by ``criteria`` and ``analyze``);
* an enhancement finding recorded for a study without a post-contrast T1 (the pattern rules read enhancement
  only with contrast).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, read_cells, write_cells
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.errors import InputError
from neurohlh.io import Cohort
from neurohlh.service import load_cohort, validate

runner = CliRunner()


def _located(problems) -> set[tuple]:
    return {(p.file, p.row, p.column, p.value) for p in problems}


def _unvalidated(folder: Path) -> Cohort:
    """The cohort as the loader types it, without the validation verdict (what the rules would be given)."""
    from neurohlh.io import _validate

    _, frames, _ = _validate(folder)
    return Cohort(folder, frames["patients"], frames["studies"], frames["variants"])


@pytest.mark.parametrize("hgvs, gene", [
    ("c.50dlT", "PRF1"),                                   # unreadable variant string
    ("PRF1 c.50del (p.Leu17Argfs*34)", "UNC13D"),          # the description names another gene
])
def test_variant_refusals_are_reported_by_validate_in_the_same_located_form(set_cell, hgvs, gene):
    set_cell("variants", 0, "hgvs", hgvs)
    folder = set_cell("variants", 0, "gene", gene)
    report = validate(folder)
    assert not report.ok
    from neurohlh.genetics.recurrence import check_cohort_variants

    with pytest.raises(InputError) as refused:
        check_cohort_variants(_unvalidated(folder))  # what criteria / analyze refuse with
    assert _located(refused.value.problems) <= _located(report.problems)
    assert ("variants.csv", 2, "hgvs", hgvs) in _located(report.problems)
    for command in (["criteria", str(folder), "--json"], ["analyze", str(folder), "--json", "--out",
                                                           str(folder.parent / "out")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        printed = {(p["file"], p["row"], p["column"], p["value"]) for p in json.loads(result.output)["problems"]}
        assert printed == _located(report.problems)


def test_enhancement_without_contrast_is_reported_by_validate(set_cell):
    # EX row 0 has enhancement findings; dropping t1_postcontrast from its sequences makes each one unreadable
    folder = set_cell("studies", 0, "sequences", "t1;t2;flair;dwi")
    studies = read_cells(folder, "studies")
    recorded = [c for c in ("supra_enhancement", "supra_enhancement_pattern", "infra_enhancement",
                            "infra_enhancement_pattern", "pontine_enhancing_lesion_count",
                            "largest_enhancing_nodule_mm") if studies.loc[0, c] != ""]
    assert recorded
    report = validate(folder)
    assert {(p.row, p.column) for p in report.problems} == {(2, c) for c in recorded}
    result = runner.invoke(app, ["classify", str(folder), "--json"])
    assert result.exit_code == 1


def test_an_unknown_patient_is_reported_by_validate_not_only_by_classify(set_cell):
    folder = set_cell("studies", 0, "patient_id", "EX99")
    assert ("studies.csv", 2, "patient_id", "EX99") in _located(validate(folder).problems)


# ---------------------------------------------------------------- a cohort that validates always analyses

VARIANTS = ["c.50del (p.Leu17Argfs*34)", "c.1122G>A (p.Trp374*)", "c.673C>T (p.Arg225Trp)", "c.50dlT",
            "c.2346_2349delGGAG (p.R782fs)", "p.Arg225Trp"]
GENES = ["PRF1", "UNC13D", "STX11", "STXBP2", "XYZ1"]


@st.composite
def cell(draw, table: str, column: str) -> str:
    """A value a coordinator might type in ``column``: blank, a valid value of its kind, or a typical mistake."""
    from neurohlh.schema import RECORD_TYPES, Kind, field_specs

    spec = field_specs(RECORD_TYPES[table])[column]
    if column == "hgvs":
        return draw(st.sampled_from(VARIANTS))
    if column == "gene":
        return draw(st.sampled_from(GENES))
    if spec.kind is Kind.ID:
        return draw(st.sampled_from(["EX01", "EX02", "EX99"]))
    blank_or_mistake = st.sampled_from(["", "", "n/a", "12,5", "yes"])
    if spec.kind is Kind.BOOL:
        valid = st.sampled_from(["yes", "no"])
    elif spec.kind in (Kind.ENUM, Kind.SET):
        valid = st.sampled_from(list(spec.choices)) if spec.kind is Kind.ENUM else \
            st.lists(st.sampled_from(list(spec.choices)), min_size=1, max_size=3).map(";".join)
    elif spec.kind in (Kind.FLOAT, Kind.INT):
        low, high = spec.minimum or 0, spec.maximum if spec.maximum is not None else 500
        valid = st.integers(int(low), int(min(high, 250))).map(str)
    elif spec.kind is Kind.DATE:
        valid = st.dates(dt.date(2005, 1, 1), dt.date(2020, 12, 31)).map(dt.date.isoformat)
    else:
        valid = st.sampled_from(["free text", "=cmd"])
    return draw(st.one_of(valid, valid, valid, blank_or_mistake))


@st.composite
def edits(draw):
    out = []
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(["patients", "studies", "variants"]))
        columns = list(read_cells(EXAMPLE, table).columns)
        column = draw(st.sampled_from(columns))
        out.append((table, draw(st.integers(0, 7)), column, draw(cell(table, column))))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(changes=edits())
def test_a_cohort_that_validates_always_classifies_meets_criteria_and_analyses(tmp_path_factory, changes):
    from neurohlh.analysis import analyze
    from neurohlh.genetics.recurrence import check_cohort_variants
    from neurohlh.patterns import classify_cohort

    folder = tmp_path_factory.mktemp("edited") / "cohort"
    shutil.copytree(EXAMPLE, folder)
    frames = {t: read_cells(folder, t) for t in ("patients", "studies", "variants")}
    for table, row, column, value in changes:
        frame = frames[table]
        frame.loc[row % len(frame), column] = value
    for table, frame in frames.items():
        write_cells(folder, table, frame)
    assume(validate(folder).ok)  # only cohorts that validate count: each of them must go all the way through
    cohort = load_cohort(folder)
    assert len(classify_cohort(cohort)) == len(cohort.patients)
    check_cohort_variants(cohort)
    result = analyze(cohort, "paper")
    assert len(result.patients) == len(cohort.patients)
