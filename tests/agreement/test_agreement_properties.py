"""Properties every agreement coefficient must have, on random reads."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from neurohlh.agreement import cohen_kappa, gwet_ac1, krippendorff_alpha, scott_pi

CATS = ("none", "single", "few", "multiple")


@st.composite
def paired_reads(draw, missing: bool = False):
    n = draw(st.integers(2, 40))
    value = st.sampled_from(CATS) | st.none() if missing else st.sampled_from(CATS)
    return draw(st.lists(value, min_size=n, max_size=n)), draw(st.lists(value, min_size=n, max_size=n))


def two_reader(r1, r2, **kw):
    return {
        "kappa": cohen_kappa(r1, r2, categories=CATS, n_boot=0, **kw),
        "linear": cohen_kappa(r1, r2, categories=CATS, weights="linear", n_boot=0, **kw),
        "quadratic": cohen_kappa(r1, r2, categories=CATS, weights="quadratic", n_boot=0, **kw),
        "ac1": gwet_ac1(r1, r2, categories=CATS, n_boot=0, **kw),
        "pi": scott_pi(r1, r2, categories=CATS, n_boot=0, **kw),
        "alpha": krippendorff_alpha([r1, r2], level="nominal", categories=CATS, n_boot=0, **kw),
        "alpha_ordinal": krippendorff_alpha([r1, r2], level="ordinal", categories=CATS, n_boot=0, **kw),
    }


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(paired_reads(missing=True))
def test_swapping_readers_changes_nothing(reads):
    r1, r2 = reads
    forward, backward = two_reader(r1, r2), two_reader(r2, r1)
    for name in forward:
        assert same(forward[name].statistic, backward[name].statistic), name
        assert same(forward[name].percent_agreement, backward[name].percent_agreement), name
        if forward[name].se is not None:
            assert same(forward[name].se, backward[name].se), name
    if forward["kappa"].n:
        assert forward["kappa"].table == tuple(zip(*backward["kappa"].table))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(CATS), min_size=2, max_size=40).filter(lambda r: len(set(r)) >= 2))
def test_identical_reads_give_one(r):
    for name, result in two_reader(r, list(r)).items():
        assert result.statistic == 1.0 or math.isclose(result.statistic, 1.0), name
        assert result.percent_agreement == 1.0, name


@settings(max_examples=60, deadline=None)
@given(paired_reads(missing=True))
def test_statistics_stay_within_their_bounds(reads):
    for name, result in two_reader(*reads).items():
        if not math.isnan(result.statistic):
            assert -1 - 1e-9 <= result.statistic <= 1 + 1e-9, name
        low, high = result.ci
        if not math.isnan(low):
            assert -1 - 1e-9 <= low <= high <= 1 + 1e-9, name
        assert 0 <= result.percent_agreement <= 1 or math.isnan(result.percent_agreement)


@settings(max_examples=25, deadline=None)
@given(paired_reads())
def test_bootstrap_interval_within_bounds(reads):
    r1, r2 = reads
    for result in (cohen_kappa(r1, r2, categories=CATS, n_boot=200), gwet_ac1(r1, r2, categories=CATS, n_boot=200),
                   krippendorff_alpha([r1, r2], categories=CATS, n_boot=200)):
        if result.bootstrap_ci is not None and not math.isnan(result.bootstrap_ci[0]):
            assert -1 - 1e-9 <= result.bootstrap_ci[0] <= result.bootstrap_ci[1] <= 1 + 1e-9


@settings(max_examples=60, deadline=None)
@given(paired_reads(missing=True), st.permutations(["a", "b", "c", "d"]))
def test_relabelling_categories_changes_nominal_statistics_not_at_all(reads, labels):
    r1, r2 = reads
    rename = dict(zip(CATS, labels))
    m1 = [None if v is None else rename[v] for v in r1]
    m2 = [None if v is None else rename[v] for v in r2]
    new_cats = sorted(labels)  # a different order as well as different names
    pairs = [
        (cohen_kappa(r1, r2, categories=CATS, n_boot=0), cohen_kappa(m1, m2, categories=new_cats, n_boot=0)),
        (gwet_ac1(r1, r2, categories=CATS, n_boot=0), gwet_ac1(m1, m2, categories=new_cats, n_boot=0)),
        (scott_pi(r1, r2, categories=CATS, n_boot=0), scott_pi(m1, m2, categories=new_cats, n_boot=0)),
        (krippendorff_alpha([r1, r2], categories=CATS, n_boot=0),
         krippendorff_alpha([m1, m2], categories=new_cats, n_boot=0)),
    ]
    for before, after in pairs:
        assert same(before.statistic, after.statistic), before.method
        if before.se is not None:
            assert same(before.se, after.se), before.method


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 5).flatmap(lambda k: st.lists(
    st.lists(st.sampled_from(CATS) | st.none(), min_size=k, max_size=k), min_size=2, max_size=30)))
def test_alpha_many_readers_swap_and_bounds(cases):
    readers = [list(r) for r in zip(*cases)]
    a = krippendorff_alpha(readers, categories=CATS, n_boot=0)
    b = krippendorff_alpha(readers[::-1], categories=CATS, n_boot=0)
    assert same(a.statistic, b.statistic)
    if not math.isnan(a.statistic):
        assert -1 - 1e-9 <= a.statistic <= 1 + 1e-9
