"""A real station server (waitress) in its own process on 127.0.0.1, for load, crash and browser tests."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from ._run import ROOT, env

PASSWORD = "live-test-password-42"
MAKE = """
import json, sys
from neurohlh.station.bootstrap import setup, migrate
folder, spec = sys.argv[1], json.loads(sys.argv[2])
setup(folder, create=True, secure_cookies=False)
migrate()
from pathlib import Path
Path(folder, "station.json").write_text("{}")
from neurohlh.station import services
for name, role, site in spec["users"]:
    services.add_user(name, role, spec["password"], site, actor="test")
if spec.get("import"):
    from neurohlh.datasets import demo_cohort_path
    services.import_cohort(demo_cohort_path(), "test")
    services.assign_reading("test", seed=spec.get("seed", 1))
"""


def make_station(folder: Path, users: list[tuple[str, str, str]], import_demo: bool = False) -> None:
    spec = json.dumps({"users": users, "password": PASSWORD, "import": import_demo})
    run = subprocess.run([sys.executable, "-c", MAKE, str(folder), spec], env=env(), capture_output=True, text=True,
                         timeout=1800, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(folder: Path, threads: int = 8) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from neurohlh.cli import main; main()", "station", "serve",
                             str(folder), "--port", str(port), "--threads", str(threads)],
                            env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/login/", timeout=20)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the station server did not start: " +
                                         (proc.stderr.read().decode()[-2000:] if proc.stderr else "")) from None
                time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def login(url: str, username: str) -> requests.Session:
    s = requests.Session()
    s.get(url + "/login/", timeout=120)
    token = s.cookies["station_csrf"]
    r = s.post(url + "/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
               timeout=180, allow_redirects=False)
    assert r.status_code == 302, (username, r.status_code, r.text[:300])
    return s


def worklist(url: str, s: requests.Session) -> list[int]:
    return [int(x) for x in re.findall(r'href="/read/(\d+)/"', s.get(url + "/worklist/", timeout=120).text)]


def post_read(url: str, s: requests.Session, assignment: int, values: dict, action: str = "submit"
              ) -> requests.Response:
    data = {**values, "action": action, "csrfmiddlewaretoken": s.cookies["station_csrf"]}
    return s.post(f"{url}/read/{assignment}/", data=data, timeout=180)
