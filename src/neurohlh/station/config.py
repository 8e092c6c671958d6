"""Django settings of the reading station, built from the station folder (and ``DATABASE_URL`` when set).

The station keeps everything in one folder: the SQLite database (WAL journal), the secret key and the analysis
outputs. With ``DATABASE_URL=postgresql://user:password@host:port/name`` the records go to PostgreSQL instead.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from neurohlh.errors import InputError

SECRET_FILE = "secret_key"
DB_FILE = "station.sqlite3"
MARKER = "station.json"


def database_from_url(url: str) -> dict[str, Any]:
    """Django ``DATABASES['default']`` from a ``postgresql://`` URL (psycopg 3)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise InputError(f"DATABASE_URL: only postgresql://user:password@host:port/name is supported, "
                         f"got scheme {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise InputError("DATABASE_URL: the database name is missing (postgresql://user@host/NAME)")
    options = dict(parse_qsl(parts.query))
    host = unquote(parts.hostname or options.pop("host", "") or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": 0,
    }


def sqlite_database(folder: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(folder / DB_FILE),
        # IMMEDIATE: every transaction takes the write lock first, so two saves never interleave and the audit
        # chain stays linear. WAL lets pages be read while a save is written; with synchronous=NORMAL a commit is
        # durable when the process is killed (tested with kill -9); a power cut can lose the last commits, never
        # leave a half one.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def secret_key(folder: Path) -> str:
    path = folder / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    os.replace(tmp, path)
    return key


def build_settings(folder: Path, database_url: str | None = None, *, secure_cookies: bool = True,
                   allowed_hosts: list[str] | None = None) -> dict[str, Any]:
    """Every Django setting of the station."""
    folder = Path(folder).resolve()
    database = database_from_url(database_url) if database_url else sqlite_database(folder)
    return {
        "DEBUG": False,
        "SECRET_KEY": secret_key(folder),
        "ALLOWED_HOSTS": allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"],
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "neurohlh.station.apps.StationConfig",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "neurohlh.station.security.SecurityHeadersMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "neurohlh.station.urls",
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.csrf",
                                               "django.template.context_processors.request",
                                               "neurohlh.station.views.station_context"]},
        }],
        "DATABASES": {"default": database},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "LANGUAGE_CODE": "en",
        "USE_I18N": False,
        "AUTHENTICATION_BACKENDS": ["neurohlh.station.security.StationBackend"],
        # scrypt: memory-hard, in the standard library; PBKDF2 kept so that older hashes still verify.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.ScryptPasswordHasher",
                             "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        ],
        "LOGIN_URL": "/login/",
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_AGE": 8 * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_NAME": "station_session",
        "CSRF_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Strict",
        "CSRF_COOKIE_NAME": "station_csrf",
        "CSRF_FAILURE_VIEW": "neurohlh.station.security.csrf_failure",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": 400,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 20 * 1024 * 1024,
        "STATION_DIR": str(folder),
        "LOGGING_CONFIG": None,
    }
