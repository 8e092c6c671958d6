"""The analysis service pauses the cyclic garbage collector while it works, and always gives it back."""
from __future__ import annotations

import gc
import threading

import pytest

from neurohlh import service
from neurohlh.datasets import demo_cohort_path


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_off_inside_and_back_on_after():
    with service.cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with service.cyclic_gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_an_error_inside_still_switches_it_back_on():
    with pytest.raises(ValueError, match="bad cohort"), service.cyclic_gc_paused():
        raise ValueError("bad cohort")
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_switch_it_on_only_when_the_last_ends():
    first_inside, release_first = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with service.cyclic_gc_paused():
            first_inside.set()
            release_first.wait(5)

    worker = threading.Thread(target=first)
    worker.start()
    first_inside.wait(5)
    with service.cyclic_gc_paused():
        pass
    seen.append(gc.isenabled())  # the second pause ended while the first still runs
    release_first.set()
    worker.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_run_analysis_works_with_the_collector_paused(tmp_path, monkeypatch):
    states: list[bool] = []
    analyze = service.analyze

    def watching(*args, **kwargs):
        states.append(gc.isenabled())
        return analyze(*args, **kwargs)

    monkeypatch.setattr(service, "analyze", watching)
    run = service.run_analysis(demo_cohort_path(), tmp_path / "out", "paper")
    assert states == [False]
    assert gc.isenabled()
    assert (tmp_path / "out" / "report.html").exists()
    assert run.result is not None
