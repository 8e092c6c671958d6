"""Benchmark: reading-station saves and pages under 50 concurrent reader sessions, against a bare Django page.

Usage: ``python benchmarks/bench_station.py [ROUNDS] [READERS]``  (defaults 10 rounds, 50 readers)

Both servers run the same way: waitress with 8 threads on 127.0.0.1, each in its own process. The station is a
demo station (``neurohlh station demo --no-serve``: the synthetic demo cohort, assigned to READERS readers).
Each round, every reader session saves a draft of one of its studies at the same moment, as the sheet's *Save
draft* button does (htmx; the save runs the sheet's cell checks, writes the read and its audit entry in one
transaction and answers with the status line), then opens the sheet page of a study;
then the same number of concurrent sessions fetch the bare Django page. Rounds are interleaved so both sides see
the same machine state, after one warm-up round each. Goal: p95 save latency < 200 ms.
"""
from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
GOAL_P95_MS = 200.0
BARE = """
import sys, waitress, django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path
settings.configure(DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF=__name__,
                   MIDDLEWARE=["django.middleware.security.SecurityMiddleware",
                               "django.middleware.common.CommonMiddleware"])
django.setup()
def page(request):
    return HttpResponse("<!doctype html><title>bare</title><p>a bare Django page</p>")
urlpatterns = [path("", page)]
from django.core.wsgi import get_wsgi_application
waitress.serve(get_wsgi_application(), host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
"""
SHEET = {"supra_lesion_number": "multiple", "infra_lesion_number": "few", "supra_lesion_type": "focal",
         "loc_cerebral_wm": "yes", "cerebellar_diffuse_edema": "no", "pontine_enhancing_lesion_count": "0",
         "sequences": ["t2", "flair"], "notes": "benchmark draft"}


def _env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("DATABASE_URL", None)
    return e


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            if proc.poll() is not None:
                raise SystemExit(f"server for {url} exited") from None
            time.sleep(0.2)
    raise SystemExit(f"server for {url} did not start")


def _login(url: str, user: str, password: str) -> requests.Session:
    s = requests.Session()
    s.get(url + "/login/", timeout=60)
    r = s.post(url + "/login/", data={"username": user, "password": password,
                                       "csrfmiddlewaretoken": s.cookies["station_csrf"]},
               allow_redirects=False, timeout=60)
    if r.status_code != 302:
        raise SystemExit(f"login of {user} failed: {r.status_code}")
    return s


def _timed(fn) -> float:
    t0 = time.perf_counter()
    r = fn()
    ms = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise SystemExit(f"unexpected status {r.status_code}: {r.text[:200]}")
    return ms


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main(rounds: int = 10, readers: int = 50) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "station"
        setup = subprocess.run([sys.executable, "-c", "from neurohlh.cli import main; main()", "station", "demo",
                                "--dir", str(folder), "--readers", str(readers), "--no-serve"],
                               env=_env(), capture_output=True, text=True, check=False)
        if setup.returncode:
            raise SystemExit(setup.stderr)
        logins = [x for x in json.loads((folder / "demo-logins.json").read_text()) if x["role"] == "reader"]
        sp, bp = _port(), _port()
        station = subprocess.Popen([sys.executable, "-c", "from neurohlh.cli import main; main()", "station",
                                    "serve", str(folder), "--port", str(sp), "--threads", "8"], env=_env(),
                                   stdout=subprocess.DEVNULL)
        bare = subprocess.Popen([sys.executable, "-c", BARE, str(bp)], env=_env())
        surl, burl = f"http://127.0.0.1:{sp}", f"http://127.0.0.1:{bp}/"
        try:
            _wait(surl + "/login/", station)
            _wait(burl, bare)
            with ThreadPoolExecutor(readers) as pool:
                sessions = list(pool.map(lambda x: _login(surl, x["user"], x["password"]), logins))
                work = [[int(a) for a in re.findall(r'href="/read/(\d+)/"', s.get(surl + "/worklist/").text)]
                        for s in sessions]
                plain = [requests.Session() for _ in range(readers)]
                saves: list[float] = []
                pages: list[float] = []
                bares: list[float] = []

                def save(i: int, k: int) -> float:
                    s, mine = sessions[i], work[i]
                    data = {**SHEET, "action": "save", "csrfmiddlewaretoken": s.cookies["station_csrf"]}
                    return _timed(lambda: s.post(f"{surl}/read/{mine[k % len(mine)]}/", data=data, timeout=120,
                                                 headers={"HX-Request": "true"}))  # as the sheet's button does

                def page(i: int, k: int) -> float:
                    s, mine = sessions[i], work[i]
                    return _timed(lambda: s.get(f"{surl}/read/{mine[(k + 1) % len(mine)]}/", timeout=120))

                def bare_page(i: int) -> float:
                    return _timed(lambda: plain[i].get(burl, timeout=120))

                for k in range(rounds + 1):  # round 0 warms both servers up and is not counted
                    s_ms = list(pool.map(save, range(readers), [k] * readers))
                    p_ms = list(pool.map(page, range(readers), [k] * readers))
                    b_ms = list(pool.map(bare_page, range(readers)))
                    if k:
                        saves += s_ms
                        pages += p_ms
                        bares += b_ms
        finally:
            for proc in (station, bare):
                proc.terminate()
                proc.wait(timeout=20)
    out = {
        "save_median_ms": statistics.median(saves), "save_p95_ms": _p95(saves),
        "page_median_ms": statistics.median(pages), "page_p95_ms": _p95(pages),
        "bare_median_ms": statistics.median(bares), "bare_p95_ms": _p95(bares),
    }
    print(f"{readers} concurrent reader sessions, {rounds} rounds, waitress 8 threads on 127.0.0.1, "
          f"{os.cpu_count()} CPUs")
    print(f"{'':28}{'median ms':>12}{'p95 ms':>10}")
    for label, key in (("station save (draft)", "save"), ("station sheet page", "page"), ("bare Django page", "bare")):
        print(f"{label:28}{out[key + '_median_ms']:>12.1f}{out[key + '_p95_ms']:>10.1f}")
    print(f"ratio save / bare page: median {out['save_median_ms'] / out['bare_median_ms']:.1f}x, "
          f"p95 {out['save_p95_ms'] / out['bare_p95_ms']:.1f}x")
    verdict = "met" if out["save_p95_ms"] < GOAL_P95_MS else "NOT met"
    print(f"goal p95 save < {GOAL_P95_MS:.0f} ms: {verdict}")
    return out


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
