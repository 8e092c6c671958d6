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


def test_fields_of_one_size_computed_together_match_each_field_alone():
    """Fields of the same number of categories and scale are bootstrapped as one stack: every interval is the one
    the field gets on its own (same cases, same seed, so the same resamples). Perfect agreement on the binary
    field is kappa 1 in every resample, so its bootstrap interval is (1, 1); the interval field keeps its own."""
    ids = [str(i) for i in range(30)]
    r1 = ["a", "b", "a", "c", "b", "a", "c", "c", "a", "b"] * 3
    r2 = ["a", "b", "b", "c", "b", "a", "a", "c", "a", "c"] * 3
    s1 = ["c", "c", "a", "b", "b", "a", "c", "a", "a", "b"] * 3
    s2 = ["c", "b", "a", "b", "b", "a", "c", "a", "c", "b"] * 3
    yes = ["yes", "no", "no"] * 10
    size1 = [1.0, 2.0, 3.5, 4.0, 2.5, 1.0, 3.0, 2.0, 5.0, 1.5] * 3
    size2 = [1.0, 2.5, 3.5, 3.0, 2.5, 1.5, 3.0, 2.0, 4.0, 1.5] * 3
    fields = [FieldReads("x", "nominal", r1, r2, ids, ("a", "b", "c")),
              FieldReads("y", "nominal", s1, s2, ids, ("a", "b", "c")),
              FieldReads("z", "ordinal", r1, s2, ids, ("a", "b", "c")),
              FieldReads("w", "binary", yes, yes, ids, ("yes", "no")),
              FieldReads("v", "interval", size1, size2, ids)]
    together = field_agreements(fields, n_boot=400, seed=5)
    for field, joint in zip(fields, together):
        [alone] = field_agreements([field], n_boot=400, seed=5)
        for name in ("kappa", "ac1", "alpha"):
            a, b = getattr(joint, name), getattr(alone, name)
            assert (a is None) == (b is None), (field.name, name)
            if a is not None:
                assert (a.bootstrap_ci, a.ci) == (b.bootstrap_ci, b.ci), (field.name, name)
    # and the one-coefficient functions, which resample their own pair tables, agree with the stack
    for joint, (a, b, weights) in zip(together, ((r1, r2, None), (s1, s2, None), (r1, s2, "linear"))):
        single = cohen_kappa(a, b, categories=("a", "b", "c"), weights=weights, n_boot=400, seed=5)
        assert joint.kappa.bootstrap_ci == single.bootstrap_ci
    w = together[3]
    assert w.kappa.bootstrap_ci == (1.0, 1.0) and w.ac1.bootstrap_ci == (1.0, 1.0)
    assert together[4].kappa is None and together[4].alpha.bootstrap_ci is not None


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
