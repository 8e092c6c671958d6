"""The station's database tests again, on PostgreSQL (psycopg 3), in their own pytest run.

Needs ``NEUROHLH_TEST_DATABASE_URL`` (``.ci/run`` starts a server on 127.0.0.1 and sets it); skipped without it
unless ``NEUROHLH_REQUIRE_POSTGRES=1``, which makes a missing server a failure.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ._run import ROOT, env

URL = os.environ.get("NEUROHLH_TEST_DATABASE_URL", "")
ON_POSTGRES = ("test_station_reading.py", "test_station_roles.py", "test_station_audit.py")


def _require() -> None:
    if not URL:
        if os.environ.get("NEUROHLH_REQUIRE_POSTGRES") == "1":
            pytest.fail("NEUROHLH_REQUIRE_POSTGRES=1 but NEUROHLH_TEST_DATABASE_URL is not set")
        pytest.skip("NEUROHLH_TEST_DATABASE_URL is not set (no PostgreSQL server for the station tests)")
    if os.environ.get("NEUROHLH_STATION_TEST_BACKEND") == "postgresql":
        pytest.skip("already running on PostgreSQL")


def test_station_database_tests_pass_on_postgresql():
    _require()
    files = [str(ROOT / "tests" / "station" / f) for f in ON_POSTGRES]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *files],
                         check=False, capture_output=True, text=True, timeout=900, cwd=ROOT,
                         env=env(NEUROHLH_STATION_TEST_BACKEND="postgresql", NEUROHLH_TEST_DATABASE_URL=URL))
    tail = "\n".join(run.stdout.splitlines()[-30:])
    assert run.returncode == 0, tail
    assert " passed" in tail and "skipped" not in tail.split(" passed")[-1], tail


def test_the_postgresql_backend_has_the_audit_triggers():
    _require()
    code = ("from neurohlh.station.bootstrap import setup, migrate; import tempfile, sys;"
            "setup(tempfile.mkdtemp(), create=True, database_url=sys.argv[1]);"
            "from django.db import connection;"
            "c = connection.cursor(); c.execute(\"select tgname from pg_trigger where tgrelid = "
            "'station_auditevent'::regclass and not tgisinternal order by tgname\");"
            "print(connection.vendor, [r[0] for r in c.fetchall()])")
    import psycopg

    admin = URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS neurohlh_station_triggers")
        conn.execute("CREATE DATABASE neurohlh_station_triggers")
    url = URL.rsplit("/", 1)[0] + "/neurohlh_station_triggers"
    migrate_code = ("from neurohlh.station.bootstrap import setup, migrate; import tempfile, sys;"
                    "setup(tempfile.mkdtemp(), create=True, database_url=sys.argv[1]); migrate()")
    assert subprocess.run([sys.executable, "-c", migrate_code, url], env=env(), capture_output=True, check=False,
                          timeout=300).returncode == 0
    out = subprocess.run([sys.executable, "-c", code, url], env=env(), check=False, capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "postgresql ['station_audit_no_change', 'station_audit_no_truncate']", out.stderr
