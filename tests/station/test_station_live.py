"""A real server under load and killed with SIGKILL: nothing lost, nothing duplicated, no half read."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from neurohlh.station.sheet import SHEET

from ._live import login, make_station, post_read, serve, worklist
from ._run import neurohlh
from ._sheets import LESIONAL

N_READERS = 50
PER_READER = 3  # submissions per session (bounded: the test is about concurrency, not volume)


def _values(tag: str) -> dict:
    return {**LESIONAL, "notes": tag}


def _check_database(db_path) -> dict:
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reads = db.execute("SELECT r.id, r.status, r.submitted_at, r.[values], a.id FROM station_read r "
                           "JOIN station_assignment a ON a.id = r.assignment_id").fetchall()
        submitted = [r for r in reads if r[1] == "submitted"]
        for _, _status, at, values, _ in submitted:
            cells = json.loads(values)
            assert at is not None and cells["supra_lesion_number"] == "multiple" and set(cells) == set(SHEET)
        events = db.execute("SELECT target FROM station_auditevent WHERE action = 'read_submitted'").fetchall()
        assert len(events) == len(submitted)           # a submission and its audit entry are one transaction
        assert len(set(events)) == len(events)
        dupes = db.execute("SELECT assignment_id, count(*) FROM station_read GROUP BY assignment_id "
                           "HAVING count(*) > 1").fetchall()
        assert dupes == []
        return {"submitted": submitted, "reads": reads}
    finally:
        db.close()


@pytest.fixture(scope="module")
def loaded_station(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live") / "station"
    users = [("coord", "coordinator", ""), ("judge", "adjudicator", "")] + [
        (f"reader{i:02d}", "reader", "") for i in range(N_READERS)]
    make_station(folder, users, import_demo=True)
    return folder


def test_50_concurrent_reader_sessions_lose_and_duplicate_nothing(loaded_station):
    folder = loaded_station
    with serve(folder, threads=8) as (url, _):
        sessions = {f"reader{i:02d}": login(url, f"reader{i:02d}") for i in range(N_READERS)}
        lists = {name: worklist(url, s) for name, s in sessions.items()}
        assert sum(len(v) for v in lists.values()) == 2 * 123          # every study read by exactly two readers
        start = threading.Barrier(N_READERS)
        results: dict[str, list[int]] = {}

        def reader(name: str) -> None:
            s = sessions[name]
            start.wait()
            codes = [post_read(url, s, lists[name][0], _values(f"draft {name}"), "save").status_code]
            for assignment in lists[name][:PER_READER]:
                codes.append(post_read(url, s, assignment, _values(f"{name} {assignment}")).status_code)
            # the same submission twice at once: one is taken, the other refused
            first = lists[name][0]
            with ThreadPoolExecutor(2) as pool:
                again = list(pool.map(lambda _: post_read(url, s, first, _values("twice")).status_code, range(2)))
            codes += again
            results[name] = codes

        with ThreadPoolExecutor(N_READERS) as pool:
            list(pool.map(reader, sessions))
    for name, codes in results.items():
        assert codes[:-2] == [200] * (1 + PER_READER), (name, codes)
        assert codes[-2:] == [409, 409], (name, codes)   # already submitted: neither overwrites it
    found = _check_database(folder / "station.sqlite3")
    assert len(found["submitted"]) == N_READERS * PER_READER
    by_assignment = {r[4]: json.loads(r[3])["notes"] for r in found["reads"]}
    assert len(by_assignment) == N_READERS * PER_READER
    for name, assignments in lists.items():
        for a in assignments[:PER_READER]:
            assert by_assignment[a] == f"{name} {a}"                   # each reader's own value, nothing mixed
    verify = neurohlh("station", "audit-verify", str(folder))
    assert verify.returncode == 0, verify.stderr


def test_kill_9_during_submissions_leaves_a_consistent_database(tmp_path):
    folder = tmp_path / "station"
    users = [("coord", "coordinator", ""), ("judge", "adjudicator", "")] + [
        (f"reader{i:02d}", "reader", "") for i in range(8)]
    make_station(folder, users, import_demo=True)
    stop = threading.Event()
    done = []
    with serve(folder, threads=8) as (url, proc):
        sessions = {f"reader{i:02d}": login(url, f"reader{i:02d}") for i in range(8)}
        lists = {name: worklist(url, s) for name, s in sessions.items()}

        def reader(name: str) -> None:
            for assignment in lists[name]:
                if stop.is_set():
                    return
                try:
                    post_read(url, sessions[name], assignment, _values("x"), "save")
                    if post_read(url, sessions[name], assignment, _values(f"{name}")).status_code == 200:
                        done.append(assignment)
                except requests.RequestException:
                    return

        threads = [threading.Thread(target=reader, args=(n,)) for n in sessions]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(done) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        proc.wait(timeout=10)
    assert len(done) >= 20
    found = _check_database(folder / "station.sqlite3")
    submitted = {r[4] for r in found["submitted"]}
    assert set(done) <= submitted                                     # every acknowledged submission is kept
    assert len(submitted) < sum(len(v) for v in lists.values())       # the kill came in the middle
    verify = neurohlh("station", "audit-verify", str(folder))
    assert verify.returncode == 0, verify.stderr
    with serve(folder) as (url, _):                                   # and the station starts again on it
        s = login(url, "reader00")
        assert s.get(url + "/worklist/", timeout=30).status_code == 200
