"""``neurohlh station`` commands, each in a fresh process on a real station folder."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

from ._run import env, neurohlh
from .conftest import EXAMPLE


def test_the_core_cli_does_not_import_django():
    code = "import sys; from neurohlh.cli import app; assert 'django' not in sys.modules, 'django imported'"
    assert subprocess.run([sys.executable, "-c", code], env=env(), capture_output=True, check=False).returncode == 0


def test_init_adduser_import_assign_export_and_audit_verify(tmp_path):
    st = tmp_path / "station"
    r = neurohlh("station", "init", str(st))
    assert r.returncode == 0, r.stderr
    assert (st / "station.sqlite3").exists() and (st / "station.json").exists()
    assert neurohlh("station", "init", str(st)).returncode == 1
    for name, role, site in (("coord", "coordinator", ""), ("r1", "reader", "A"), ("r2", "reader", "B"),
                             ("j", "adjudicator", "")):
        r = neurohlh("station", "adduser", str(st), name, "--role", role, "--site", site,
                     stdin="a long enough password 42\n")
        assert r.returncode == 0, r.stderr
    short = neurohlh("station", "adduser", str(st), "x", "--role", "reader", stdin="short\n")
    assert short.returncode == 1 and "too short" in short.stderr and "Traceback" not in short.stderr
    bad_role = neurohlh("station", "adduser", str(st), "y", "--role", "boss", stdin="a long enough password 42\n")
    assert bad_role.returncode == 1 and "role must be one of" in bad_role.stderr
    r = neurohlh("station", "import", str(st), str(EXAMPLE))
    assert r.returncode == 0 and "imported" in r.stdout, r.stderr
    r = neurohlh("station", "assign", str(st), "--seed", "3")
    assert r.returncode == 0 and "r1" in r.stdout, r.stderr
    assert neurohlh("station", "assign", str(st)).returncode == 1  # stored worklists are never redrawn
    r = neurohlh("station", "export", str(st), str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "studies.csv").exists() and (tmp_path / "out" / "patients.csv").exists()
    ok = neurohlh("station", "audit-verify", str(st))
    assert ok.returncode == 0 and "intact" in ok.stdout
    db = sqlite3.connect(st / "station.sqlite3")
    try:
        db.execute("UPDATE station_auditevent SET actor = 'x' WHERE id = 3")
        raise AssertionError("the trigger did not refuse the UPDATE")
    except sqlite3.DatabaseError as exc:
        assert "append-only" in str(exc)
    db.execute("DROP TRIGGER station_audit_no_update")
    db.execute("UPDATE station_auditevent SET actor = 'x' WHERE id = 3")
    db.commit()
    db.close()
    broken = neurohlh("station", "audit-verify", str(st))
    assert broken.returncode == 1 and "broken at entry 3" in broken.stderr


def test_commands_on_a_folder_that_is_not_a_station_say_so(tmp_path):
    r = neurohlh("station", "audit-verify", str(tmp_path))
    assert r.returncode == 1 and "not a reading-station folder" in r.stderr and "Traceback" not in r.stderr


def test_serve_refuses_plain_http_beyond_this_machine(tmp_path):
    assert neurohlh("station", "init", str(tmp_path / "s")).returncode == 0
    r = neurohlh("station", "serve", str(tmp_path / "s"), "--host", "0.0.0.0")
    assert r.returncode == 1 and "plain HTTP" in r.stderr


def test_folder_paths_and_names_print_as_written_on_one_line(tmp_path):
    # Station messages go through the one CLI output object: nothing is read as markup, and lines naming a
    # folder or a command to copy are never broken, however long the path.
    st = tmp_path / ("[bold]station[/bold]-" + "x" * 150)
    r = neurohlh("station", "init", str(st))
    assert r.returncode == 0, r.stderr
    assert f"created the reading station in {st} (sqlite database)" in r.stdout
    assert f"neurohlh station adduser {st} NAME --role coordinator" in r.stdout
    again = neurohlh("station", "init", str(st))
    assert again.returncode == 1 and again.stderr.strip() == f"error {st} is already a station folder"
    r = neurohlh("station", "adduser", str(st), "[red]r1[/red]", "--role", "reader", "--site", "[x]",
                 stdin="a long enough password 42\n")
    assert r.returncode == 0 and r.stdout.strip() == "added reader [red]r1[/red] (site [x])", r.stderr
