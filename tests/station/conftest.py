"""Station tests: Django is configured here only, so the rest of the suite never loads it.

``NEUROHLH_STATION_TEST_BACKEND=postgresql`` (set by ``test_station_postgres.py`` for its own run) puts the test
database on the PostgreSQL server named by ``NEUROHLH_TEST_DATABASE_URL``; otherwise SQLite.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("django", reason="the reading station needs the 'station' extra")

from neurohlh.station.bootstrap import setup

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "example-cohort"
POSTGRES = os.environ.get("NEUROHLH_STATION_TEST_BACKEND") == "postgresql"
_FOLDER = Path(tempfile.mkdtemp(prefix="neurohlh-station-tests-"))

setup(_FOLDER, create=True, database_url=os.environ["NEUROHLH_TEST_DATABASE_URL"] if POSTGRES else "",
      # tests log in hundreds of times: a fast hasher here only (the station itself uses scrypt)
      PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])

PASSWORD = "station-test-password-1"
USERS = (("coord", "coordinator", ""), ("alpha.reader", "reader", "A"), ("bravo.reader", "reader", "B"), ("charlie.reader", "reader", ""),
         ("ex.reader", "reader", "EX"), ("judge", "adjudicator", ""))


@pytest.fixture
def station(db):
    """Users of every role, the hand-made example cohort imported (site EX) and the reading assigned."""
    from django.contrib.auth import get_user_model

    from neurohlh.station import services

    for name, role, site in USERS:
        services.add_user(name, role, PASSWORD, site, actor="test")
    services.import_cohort(EXAMPLE, "test")
    services.assign_reading("test", seed=7)
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def client_for(station):
    from django.test import Client

    def make(username: str) -> Client:
        client = Client()
        client.force_login(station[username])
        return client
    return make


@pytest.fixture
def phantom_study(tmp_path):
    """A synthetic MR study (T2, FLAIR, DWI, ADC, T1, T1 post-contrast, SWI; 6 slices of 64 x 64) of the fake
    patient ``dicom_phantom.ALPHA``, written in ``tmp_path/dicom``."""
    from . import dicom_phantom

    return dicom_phantom.write_study(tmp_path / "dicom")


@pytest.fixture
def imaged_study(station, phantom_study):
    """The example study EX01-1 with the phantom's seven series stored as a reader sees them.

    Returns ``{"study": Study, "series": [ImageSeries, ...]}`` (series in order, slices in order).
    """
    from ._images import store_phantom

    return store_phantom(phantom_study, "EX01-1")
