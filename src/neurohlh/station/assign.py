"""Assignment engine: two readers per study from the pool, never from the study's site, pairs balanced.

Pure functions of their inputs and a seed, so a reading can be re-derived and checked: the same studies,
readers and seed give the same pairs, adjudicators and worklist order.
"""
from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass

from neurohlh.errors import InputError, Problem


@dataclass(frozen=True)
class Person:
    name: str
    site: str = ""


@dataclass(frozen=True)
class Item:
    key: str
    site: str = ""


@dataclass(frozen=True)
class WorkItem:
    key: str
    slot: str          # reader_1 | reader_2 | repeat
    position: int


@dataclass(frozen=True)
class Plan:
    pairs: dict[str, tuple[str, str]]          # study -> (reader_1, reader_2)
    adjudicators: dict[str, str]
    worklists: dict[str, tuple[WorkItem, ...]]

    def pair_counts(self) -> Counter[frozenset[str]]:
        return Counter(frozenset(p) for p in self.pairs.values())

    def loads(self) -> Counter[str]:
        return Counter(r for p in self.pairs.values() for r in p)


def _eligible(people: list[Person], site: str, exclude: tuple[str, ...] = ()) -> list[Person]:
    return [p for p in people if p.name not in exclude and not (site and p.site and p.site == site)]


def plan(studies: list[Item], readers: list[Person], adjudicators: list[Person], seed: int,
         repeat_fraction: float = 0.0) -> Plan:
    """Pairs, adjudicators and stored worklists for every study.

    Each study gets the eligible pair read together least often so far, then the pair with the smallest
    combined load (ties broken by the seeded generator). Each reader's worklist is shuffled by a generator
    seeded with the reading's seed and the reader's name; repeat reads (``repeat_fraction`` of a reader's
    studies) go at the end.
    """
    if not 0 <= repeat_fraction <= 1:
        raise InputError(f"repeat fraction must be between 0 and 1, got {repeat_fraction}")
    rng = random.Random(seed)
    problems: list[Problem] = []
    if len(readers) < 2:
        problems.append(Problem("reader pool", f"needs at least 2 readers, has {len(readers)}"))
    if not adjudicators:
        problems.append(Problem("adjudicators", "needs at least one adjudicator"))
    if problems:
        raise InputError("cannot assign the reading", problems)
    order = sorted(studies, key=lambda s: s.key)
    rng.shuffle(order)
    pair_count: Counter[frozenset[str]] = Counter()
    load: Counter[str] = Counter()
    adj_load: Counter[str] = Counter()
    pairs: dict[str, tuple[str, str]] = {}
    adjs: dict[str, str] = {}
    for study in order:
        pool = _eligible(readers, study.site)
        if len(pool) < 2:
            problems.append(Problem("worklist", f"only {len(pool)} reader(s) from outside site {study.site!r}",
                                    column="study", value=study.key,
                                    suggestion="add readers from other sites"))
            continue
        candidates = [(a.name, b.name) for a, b in itertools.combinations(pool, 2)]
        keyed = [(pair_count[frozenset(c)], load[c[0]] + load[c[1]], max(load[c[0]], load[c[1]]), rng.random(), c)
                 for c in candidates]
        chosen = min(keyed)[4]
        first, second = chosen if rng.random() < 0.5 else (chosen[1], chosen[0])
        pairs[study.key] = (first, second)
        pair_count[frozenset(chosen)] += 1
        load[first] += 1
        load[second] += 1
        judges = _eligible(adjudicators, study.site, exclude=chosen)
        if not judges:
            problems.append(Problem("adjudicators", "no adjudicator outside the study's site and its two readers",
                                    column="study", value=study.key))
            continue
        judge = min((adj_load[j.name], rng.random(), j.name) for j in judges)[2]
        adjs[study.key] = judge
        adj_load[judge] += 1
    if problems:
        raise InputError("cannot assign the reading", problems)
    worklists: dict[str, tuple[WorkItem, ...]] = {}
    for reader in sorted(r.name for r in readers):
        mine = sorted((key, "reader_1" if pair[0] == reader else "reader_2")
                      for key, pair in pairs.items() if reader in pair)
        own = random.Random(f"{seed}/{reader}")
        own.shuffle(mine)
        n_repeat = math.floor(repeat_fraction * len(mine) + 0.5)
        repeats = own.sample([key for key, _ in mine], n_repeat) if n_repeat else []
        items = [WorkItem(key, slot, i + 1) for i, (key, slot) in enumerate(mine)]
        items += [WorkItem(key, "repeat", len(mine) + i + 1) for i, key in enumerate(repeats)]
        worklists[reader] = tuple(items)
    return Plan(pairs, adjs, worklists)
