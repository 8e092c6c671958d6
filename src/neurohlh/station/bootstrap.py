"""Start Django for one station folder (imported only by the station commands, so the core CLI stays light)."""
from __future__ import annotations

import os
from pathlib import Path

from neurohlh.errors import InputError


def require_django() -> None:
    try:
        import django  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError('the reading station needs its optional dependencies: pip install "neurohlh[station]"') \
            from None


def setup(folder: str | Path, *, secure_cookies: bool = True, database_url: str | None = None,
          create: bool = False, **overrides: object) -> Path:
    """Configure Django for the station in ``folder`` (``DATABASE_URL`` selects PostgreSQL) and load the app."""
    require_django()
    import django
    from django.conf import settings

    from neurohlh.station.config import MARKER, build_settings

    folder = Path(folder).expanduser()
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    elif not (folder / MARKER).exists():
        raise InputError(f"{folder}: not a reading-station folder (create one with: neurohlh station init {folder})")
    url = database_url if database_url is not None else os.environ.get("DATABASE_URL") or None
    if not settings.configured:
        values = build_settings(folder, url, secure_cookies=secure_cookies)
        values.update(overrides)
        settings.configure(**values)
        django.setup()
    return folder.resolve()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=verbosity, interactive=False)
