"""Benchmark: the viewer's next slice of a 200-slice series, against the same PNG served as a static file.

Usage: ``python benchmarks/bench_viewer.py [ROUNDS] [SIZE]``  (defaults 2 rounds, 256 x 256 pixels)

A temporary station gets the hand-made example cohort, two readers and one synthetic 200-slice MR series (the
test phantom, written with pydicom) stored for the first reader's first study. The station is served by waitress
(8 threads, 127.0.0.1 only) inside this process, and a reader session scrolls through the series as the viewer
does: slice k, then k + 1, each a fresh render at the same window (the series' pixel volume is warm in memory
after the first request, which is timed on its own). The peer is the very PNG of that slice, rendered beforehand and
served as a static file by Django's static view through the same server, middleware and URL resolver. Requests
alternate (viewer, static, viewer, static ...), so both sides see the same machine state; a second scenario
changes the window on one slice (dragging the level). Server time is measured around the WSGI application
(until the last byte of the body is produced); the round trip is measured by the client. Goal: p95 of the
server time for the next slice < 50 ms.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
GOAL_P95_MS = 50.0
SLICES = 200
TIME_LIMIT_S = 300.0
PASSWORD = "bench-viewer-password-1"
STATIC_PREFIX = "/bench-static/"
urlpatterns: list[Any] = []  # this module is the benchmark server's URL configuration (station URLs + static)


class Timed:
    """WSGI wrapper: the server time of each request, from the call to the end of its body, and the CPU time of
    the server thread that handled it (which other processes on the machine slow down far less)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app
        self.times: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start, cpu = time.perf_counter(), time.thread_time()
        key = environ.get("HTTP_X_BENCH_ID", "")
        body = self.app(environ, start_response)
        chunks = list(body)
        if hasattr(body, "close"):
            body.close()
        with self._lock:
            self.times[key] = ((time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000)
        return chunks


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _station(folder: Path, size: int) -> dict[str, Any]:
    """Set up Django for a new station in ``folder``: users, the example cohort, one stored 200-slice series."""
    from neurohlh.station.bootstrap import migrate, setup

    setup(folder, create=True, secure_cookies=False, ROOT_URLCONF=__name__)
    migrate()
    (folder / "station.json").write_text("{}", encoding="utf-8")
    from django.urls import path
    from django.utils import timezone
    from django.views.static import serve

    from neurohlh.station import services, urls
    from neurohlh.station.models import Assignment, ImageSeries, ImageSlice
    from neurohlh.station.views import ANONYMOUS, roles
    from tests.station import dicom_phantom

    static_dir = folder / "bench-static"
    static_dir.mkdir()
    urlpatterns[:] = [*urls.urlpatterns, path(STATIC_PREFIX[1:] + "<path:path>", roles(ANONYMOUS)(serve),
                                              {"document_root": str(static_dir)})]
    for name in ("bench.one", "bench.two"):
        services.add_user(name, "reader", PASSWORD, "", actor="benchmark")
    services.add_user("bench.judge", "adjudicator", PASSWORD, "", actor="benchmark")
    services.import_cohort(ROOT / "examples" / "example-cohort", "benchmark")
    services.assign_reading("benchmark", seed=1)
    a = Assignment.objects.filter(reader__username="bench.one").order_by("position").first()
    assert a is not None
    written = dicom_phantom.write_series(folder / "images" / "bench", "T1", slices=SLICES, rows=size, columns=size)
    series = ImageSeries.objects.create(
        study=a.study, code="X-BENCH1", series_uid=written.series_uid, modality="MR", kind="T1",
        description="T1 (benchmark)", slice_count=SLICES, rows=size, columns=size, window_center=1800,
        window_width=3600, order=1, imported_at=timezone.now())
    ImageSlice.objects.bulk_create(ImageSlice(series=series, index=i, path=str(p.relative_to(folder)))
                                   for i, p in enumerate(written.paths))
    return {"assignment": a.pk, "code": series.code, "static": static_dir}


def _login(url: str) -> requests.Session:
    s = requests.Session()
    s.get(url + "/login/", timeout=60)
    r = s.post(url + "/login/", data={"username": "bench.one", "password": PASSWORD,
                                       "csrfmiddlewaretoken": s.cookies["station_csrf"]},
               allow_redirects=False, timeout=60)
    if r.status_code != 302:
        raise SystemExit(f"login failed: {r.status_code}")
    return s


def main(rounds: int = 2, size: int = 256) -> dict[str, float]:
    from waitress.server import create_server

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "station"
        info = _station(folder, size)
        from django.core.wsgi import get_wsgi_application

        app = Timed(get_wsgi_application())
        server = create_server(app, host="127.0.0.1", port=0, threads=8)
        port = server.effective_port  # type: ignore[union-attr]
        def run() -> None:
            try:
                server.run()
            except OSError:  # the socket closed at the end of the benchmark
                pass

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        counter = iter(range(10**9))
        try:
            session = _login(url)
            base = f"{url}/read/{info['assignment']}/images/{info['code']}/"

            def get(target: str) -> tuple[float, float, float, bytes]:
                key = str(next(counter))
                t0 = time.perf_counter()
                r = session.get(target, headers={"X-Bench-Id": key}, timeout=120)
                trip = (time.perf_counter() - t0) * 1000
                if r.status_code != 200 or r.headers.get("Content-Type") != "image/png":
                    raise SystemExit(f"{target}: {r.status_code} {r.text[:200]}")
                wall, cpu = app.times.pop(key)
                return wall, cpu, trip, r.content

            window = "?center=1800&width=3600"
            first_server = get(f"{base}0.png{window}")[0]  # reads the 200 files, writes the cache
            for k in range(SLICES):  # the static peers: the same PNG bytes as the viewer's slice k
                (info["static"] / f"slice-{k}.png").write_bytes(get(f"{base}{k}.png{window}")[3])
            samples: dict[str, list[float]] = {name: [] for name in (
                "viewer", "static", "viewer_cpu", "static_cpu", "viewer_trip", "static_trip", "drag", "drag_static")}
            deadline = time.monotonic() + TIME_LIMIT_S
            for r in range(rounds):
                order = range(SLICES) if r % 2 == 0 else range(SLICES - 1, -1, -1)
                for k in order:
                    pair = [("viewer", f"{base}{k}.png{window}"), ("static", f"{url}{STATIC_PREFIX}slice-{k}.png")]
                    for side, target in (pair if k % 2 == 0 else pair[::-1]):
                        server_ms, cpu_ms, trip_ms, _ = get(target)
                        samples[side].append(server_ms)
                        samples[side + "_cpu"].append(cpu_ms)
                        samples[side + "_trip"].append(trip_ms)
                    if time.monotonic() > deadline:
                        break
            middle = SLICES // 2
            for step in range(60):  # dragging the level on one slice: a new window every request
                samples["drag"].append(get(f"{base}{middle}.png?center={1200 + 10 * step}&width=3000")[0])
                samples["drag_static"].append(get(f"{url}{STATIC_PREFIX}slice-{middle}.png")[0])
        finally:
            server.close()
            thread.join(timeout=10)
    out = {"first_ms": first_server}
    for name, values in samples.items():
        out[f"{name}_median_ms"], out[f"{name}_p95_ms"] = statistics.median(values), _p95(values)
    viewer = samples["viewer"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"next slice of a {SLICES}-slice {size}x{size} series, {len(viewer)} requests per side, interleaved; "
          f"waitress 8 threads on 127.0.0.1, {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    print(f"first request of the series (reads {SLICES} DICOM files, writes the cache): {first_server:.0f} ms")
    print(f"{'':38}{'median ms':>10}{'p95 ms':>9}")
    rows = (("viewer slice, server time", "viewer"), ("static PNG, server time", "static"),
            ("viewer slice, server CPU", "viewer_cpu"), ("static PNG, server CPU", "static_cpu"),
            ("viewer slice, round trip", "viewer_trip"), ("static PNG, round trip", "static_trip"),
            ("new window on one slice, server time", "drag"), ("its static PNG, server time", "drag_static"))
    for label, key in rows:
        print(f"{label:38}{out[key + '_median_ms']:>10.1f}{out[key + '_p95_ms']:>9.1f}")
    print(f"ratio viewer / static (server time): median {out['viewer_median_ms'] / out['static_median_ms']:.1f}x, "
          f"p95 {out['viewer_p95_ms'] / out['static_p95_ms']:.1f}x")
    print(f"ratio viewer / static (server CPU): median "
          f"{out['viewer_cpu_median_ms'] / out['static_cpu_median_ms']:.1f}x, "
          f"p95 {out['viewer_cpu_p95_ms'] / out['static_cpu_p95_ms']:.1f}x")
    print(f"ratio new window / static (server time): median "
          f"{out['drag_median_ms'] / out['drag_static_median_ms']:.1f}x, "
          f"p95 {out['drag_p95_ms'] / out['drag_static_p95_ms']:.1f}x")
    verdict = "met" if out["viewer_p95_ms"] < GOAL_P95_MS else "NOT met"
    print(f"goal p95 server time of the next slice < {GOAL_P95_MS:.0f} ms: {verdict}")
    return out


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
