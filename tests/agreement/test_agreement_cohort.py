"""Reader agreement of a whole cohort: every sheet field and derived decision, and the demo's double reads."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from neurohlh.agreement import (
    CONSENSUS_FIELDS,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
)
from neurohlh.agreement.cohort import reader_agreement
from neurohlh.agreement.fields import FieldReads, field_agreements
from neurohlh.datasets import demo_cohort_path, load_demo_cohort
from neurohlh.io import load_cohort
from neurohlh.patterns import classify_cohort


@pytest.fixture(scope="module")
def demo():
    return load_demo_cohort()


@pytest.fixture(scope="module")
def demo_agreement(demo):
    return reader_agreement(demo, n_boot=300)


@pytest.fixture(scope="module")
def demo_without_consensus_rows(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "cohort"
    shutil.copytree(demo_cohort_path(), out)
    lines = (out / "studies.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "studies.csv").write_text("".join(line for line in lines if ",consensus," not in line), encoding="utf-8")
    return out


def _cell(v):
    return None if not isinstance(v, frozenset) and pd.isna(v) else v


def test_demo_consensus_is_derivable_from_its_reads(demo, demo_without_consensus_rows):
    """Without its consensus rows the demo's consensus is derived from the reads, equal field by field."""
    derived = load_cohort(demo_without_consensus_rows)
    a = derived.consensus_studies.set_index("study_id")
    b = demo.consensus_studies.set_index("study_id")
    assert sorted(a.index) == sorted(b.index) and len(b) == 123
    for field in CONSENSUS_FIELDS:
        assert [_cell(a.at[s, field]) for s in b.index] == [_cell(b.at[s, field]) for s in b.index], field
    assert [(p.pattern, p.onset_subpattern) for p in classify_cohort(derived)] == \
        [(p.pattern, p.onset_subpattern) for p in classify_cohort(demo)]


def test_demo_has_plausible_disagreement(demo_agreement):
    r = demo_agreement
    assert (r.n_studies, r.n_patients) == (123, 57)
    by = {f.name: f for f in r.fields + r.decisions}
    # presence of lesions: readers rarely differ; descriptive features and rare findings: more often
    assert by["lesional"].kappa.statistic > 0.85 and by["pattern"].kappa.statistic > 0.8
    assert 0.85 < by["supra_lesion_number"].kappa.statistic < 1
    assert by["supra_lesion_number"].kappa.method == "Cohen's weighted kappa (linear weights)"
    assert by["supra_lesion_number"].alpha.method == "Krippendorff's alpha (ordinal)"
    assert by["supra_lesion_number"].categories == ("none", "single", "few", "multiple")
    kappas = [f.kappa.statistic for f in r.fields if f.kappa is not None and f.kappa.statistic == f.kappa.statistic]
    assert 0.5 < sorted(kappas)[len(kappas) // 2] < 0.99
    assert r.adjudicated_values > 0 and r.consensus_row_values == 0  # every dispute adjudicated
    assert r.studies_discordant == len({d.study_id for d in r.discordances})


def test_field_table_equals_the_coefficients_on_the_same_reads(demo, demo_agreement):
    """The per-field numbers are the public functions applied to that field's two lists of reads."""
    studies = demo.studies
    r1 = studies[studies["reader"] == "reader_1"].set_index("study_id")
    r2 = studies[studies["reader"] == "reader_2"].set_index("study_id").loc[r1.index]
    by = {f.name: f for f in demo_agreement.fields}

    def yn(s):
        return [None if pd.isna(v) else ("yes" if v else "no") for v in s]

    a, b = yn(r1["loc_pons"]), yn(r2["loc_pons"])
    kappa = cohen_kappa(a, b, categories=("yes", "no"), n_boot=0)
    assert by["loc_pons"].kappa.statistic == kappa.statistic and by["loc_pons"].kappa.ci == kappa.ci
    assert by["loc_pons"].ac1.statistic == gwet_ac1(a, b, categories=("yes", "no"), n_boot=0).statistic
    assert by["loc_pons"].table == kappa.table
    assert set(by["loc_pons"].discordant) == {s for s, x, y in zip(r1.index, a, b) if x != y}
    # a set-valued field, element by element
    def element(s, e):
        return [None if not isinstance(v, frozenset) else ("yes" if e in v else "no") for v in s]
    a, b = element(r1["infra_lesion_type"], "focal"), element(r2["infra_lesion_type"], "focal")
    assert by["infra_lesion_type: focal"].alpha.statistic == pytest.approx(
        krippendorff_alpha([a, b], categories=("yes", "no"), n_boot=0).statistic)


def test_shared_bootstrap_matches_the_single_field_bootstrap():
    """For a field without missing reads the shared resamples are exactly the single-field ones (same seed)."""
    r1 = ["a", "b", "a", "c", "b", "a", "c", "c", "a", "b"] * 3
    r2 = ["a", "b", "b", "c", "b", "a", "a", "c", "a", "c"] * 3
    ids = [str(i) for i in range(30)]
    [f] = field_agreements([FieldReads("x", "nominal", r1, r2, ids, ("a", "b", "c"))], n_boot=500, seed=3)
    assert f.kappa.bootstrap_ci == cohen_kappa(r1, r2, categories=("a", "b", "c"), n_boot=500, seed=3).bootstrap_ci
    assert f.alpha.bootstrap_ci == pytest.approx(
        krippendorff_alpha([r1, r2], categories=("a", "b", "c"), n_boot=500, seed=3).bootstrap_ci)


def test_decision_changes_and_methods_text(demo_agreement):
    r = demo_agreement
    changes = {c.decision: c for c in r.decision_changes}
    for c in changes.values():
        # the consensus decision differs from at least one reader wherever the readers differ
        assert c.differs_from_reader_1 + c.differs_from_reader_2 >= c.discordant
    assert changes["pattern"].n == 57 and changes["lesional"].n == 123
    text = r.methods
    assert "123 MR studies of 57 patients" in text and "Fleiss, Cohen and Everitt" in text
    assert "300 resamples" in text and "experience" in text and "blinding" in text


def test_cohort_without_double_reads_gives_none():
    from neurohlh.io import load_cohort as load
    example = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"
    assert reader_agreement(load(example)) is None


def test_to_dict_is_json(demo_agreement):
    import json
    d = json.loads(json.dumps(demo_agreement.to_dict(), default=str))
    assert d["n_studies"] == 123 and d["fields"] and d["decisions"][0]["name"] == "lesional"
