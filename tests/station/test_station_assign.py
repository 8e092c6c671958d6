"""The assignment engine: two readers per study, never the study's site, balanced, reproducible, stored."""
from __future__ import annotations

import itertools
from collections import Counter

import pytest

from neurohlh.errors import InputError
from neurohlh.station.assign import Item, Person, plan


def _studies(n: int, sites: str = "AB") -> list[Item]:
    return [Item(f"S{i:03d}", sites[i % len(sites)]) for i in range(n)]


def test_six_readers_120_studies_every_pair_reads_together_8_times():
    readers = [Person(f"r{i}") for i in range(6)]
    p = plan(_studies(120, "X"), readers, [Person("j")], seed=1)
    # 120 studies over C(6,2) = 15 pairs: each pair 8 times, each reader 120 * 2 / 6 = 40 reads
    assert set(p.pair_counts().values()) == {8}
    assert len(p.pair_counts()) == 15
    assert set(p.loads().values()) == {40}
    assert all(len(set(pair)) == 2 for pair in p.pairs.values())


def test_never_a_reader_of_the_study_site_and_adjudicator_distinct():
    readers = [Person("a1", "A"), Person("a2", "A"), Person("b1", "B"), Person("b2", "B"), Person("x", "")]
    judges = [Person("ja", "A"), Person("jb", "B")]
    studies = _studies(60)
    p = plan(studies, readers, judges, seed=3)
    site = {r.name: r.site for r in readers + judges}
    for s in studies:
        pair = p.pairs[s.key]
        assert s.site not in {site[pair[0]], site[pair[1]]}
        assert p.adjudicators[s.key] not in pair and site[p.adjudicators[s.key]] != s.site
    # site A studies can only go to b1, b2, x: the three pairs of those readers share them evenly (30 / 3)
    counts = Counter(frozenset(p.pairs[s.key]) for s in studies if s.site == "A")
    assert sorted(counts.values()) == [10, 10, 10]


def test_same_inputs_and_seed_give_the_same_plan_and_another_seed_another_order():
    readers = [Person(f"r{i}") for i in range(4)]
    a = plan(_studies(30), readers, [Person("j")], seed=11)
    b = plan(_studies(30), readers, [Person("j")], seed=11)
    c = plan(_studies(30), readers, [Person("j")], seed=12)
    assert a == b
    assert [w.key for w in a.worklists["r0"]] != [w.key for w in c.worklists["r0"]]


def test_worklists_hold_each_assigned_study_once_in_a_shuffled_order_with_repeats_last():
    readers = [Person(f"r{i}") for i in range(3)]
    p = plan(_studies(40), readers, [Person("j")], seed=5, repeat_fraction=0.1)
    for name, items in p.worklists.items():
        firsts = [w for w in items if w.slot != "repeat"]
        repeats = [w for w in items if w.slot == "repeat"]
        mine = sorted(k for k, pair in p.pairs.items() if name in pair)
        assert sorted(w.key for w in firsts) == mine
        assert [w.key for w in firsts] != mine  # shuffled, not in study order
        assert [w.position for w in items] == list(range(1, len(items) + 1))
        assert len(repeats) == round(0.1 * len(mine)) and {w.key for w in repeats} <= set(mine)
        assert min(w.position for w in repeats) > max(w.position for w in firsts)


def test_a_study_without_two_readers_from_other_sites_is_named():
    readers = [Person("a1", "A"), Person("b1", "B"), Person("b2", "B")]
    with pytest.raises(InputError) as exc:
        plan([Item("S1", "B"), Item("S2", "A")], readers, [Person("j")], seed=1)
    assert "S1" in str(exc.value) and "S2" not in str(exc.value)


def test_pairs_stay_balanced_with_uneven_numbers():
    readers = [Person(f"r{i}") for i in range(5)]
    p = plan(_studies(23, "X"), readers, [Person("j")], seed=2)
    pair_counts = [p.pair_counts().get(frozenset(c), 0) for c in itertools.combinations([r.name for r in readers], 2)]
    assert max(pair_counts) - min(pair_counts) <= 1
    assert max(p.loads().values()) - min(p.loads().values()) <= 2
