"""Passwords, login throttling, CSRF, cookies, security headers and the content security policy."""
from __future__ import annotations

import pytest
from django.test import Client

from neurohlh.station.config import build_settings
from neurohlh.station.models import AuditEvent, LoginAttempt
from neurohlh.station.security import MAX_FAILURES_PER_USER

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_station_settings_hash_with_scrypt_and_set_strict_cookies(tmp_path):
    s = build_settings(tmp_path)
    assert s["PASSWORD_HASHERS"][0].endswith("ScryptPasswordHasher")
    assert s["DEBUG"] is False
    for prefix in ("SESSION", "CSRF"):
        assert s[f"{prefix}_COOKIE_SECURE"] and s[f"{prefix}_COOKIE_HTTPONLY"]
        assert s[f"{prefix}_COOKIE_SAMESITE"] == "Strict"
    assert s["DATABASES"]["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["DATABASES"]["default"]["OPTIONS"]["init_command"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_scrypt_hashes_verify_and_never_hold_the_password():
    from django.contrib.auth.hashers import ScryptPasswordHasher

    hasher = ScryptPasswordHasher()
    encoded = hasher.encode("a long password 123", hasher.salt())
    assert encoded.startswith("scrypt$") and "a long password" not in encoded
    assert hasher.verify("a long password 123", encoded) and not hasher.verify("wrong", encoded)


def test_stored_passwords_are_hashed(station):
    assert all(PASSWORD not in u.password and "$" in u.password for u in station.values())


def test_login_logout_and_headers(station):
    c = Client()
    r = c.post("/login/", {"username": "coord", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    cookie = r.cookies["station_session"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Strict"
    page = c.get("/coordinator/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin" and page["Cache-Control"] == "no-store"
    assert b"<script src=\"/static/station/htmx.min.js\"" in page.content and b"<script>" not in page.content
    assert c.post("/logout/").status_code == 302
    assert c.get("/coordinator/").status_code == 302


def test_login_is_throttled_after_repeated_failures_and_logged(station):
    c = Client()
    for _ in range(MAX_FAILURES_PER_USER):
        assert c.post("/login/", {"username": "coord", "password": "wrong password"}).status_code == 401
    r = c.post("/login/", {"username": "coord", "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in c.session
    assert AuditEvent.objects.filter(action="login_throttled").count() == 1
    assert LoginAttempt.objects.filter(ok=False).count() == MAX_FAILURES_PER_USER
    # another user from another address is not locked out by these failures
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/login/", {"username": "judge", "password": PASSWORD}).status_code == 302


def test_posts_without_the_csrf_token_are_refused_and_logged(station):
    c = Client(enforce_csrf_checks=True)
    r = c.post("/login/", {"username": "coord", "password": PASSWORD})
    assert r.status_code == 403
    assert any("CSRF" in e.detail["why"] for e in AuditEvent.objects.filter(action="request_refused"))


def test_the_vendored_htmx_is_served_with_its_licence(station):
    r = Client().get("/static/station/htmx.min.js")
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and b"htmx" in body and len(body) > 40000
    assert Client().get("/static/station/htmx.LICENSE").status_code == 200
    assert Client().get("/static/station/../../config.py").status_code in (400, 404)  # never the source file
