"""Running ``neurohlh`` in a fresh process (station commands configure Django for their own folder)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("DATABASE_URL", None)
    e.update(extra)
    return e


def neurohlh(*args: str, stdin: str | None = None, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from neurohlh.cli import main; main()", *args], input=stdin,
                          check=False, capture_output=True, text=True, timeout=timeout, env=env(**extra), cwd=ROOT)
