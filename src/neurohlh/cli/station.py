"""``neurohlh station ...``: the reading station (Django, imported only when a station command runs)."""
from __future__ import annotations

import getpass
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer

from neurohlh.cli.output import OUTPUT
from neurohlh.errors import InputError

station_app = typer.Typer(
    name="station", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="The reading station: blinded double reads of the MR sheet, adjudication, audit trail, export.",
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _fail(message: str, code: int = 1) -> NoReturn:
    OUTPUT.stop(message, code, soft_wrap=True)


def _say(message: str) -> None:
    """A line on stdout, never broken (it names folders and commands to copy)."""
    OUTPUT.line(message, soft_wrap=True)


def _open(folder: Path, create: bool = False, **kw: Any) -> Path:
    from neurohlh.station.bootstrap import setup

    try:
        return setup(folder, create=create, **kw)
    except InputError as exc:
        _fail(str(exc))


def _guard(action: Callable[[], Any]) -> Any:
    from neurohlh.station.services import Refused

    try:
        return action()
    except (InputError, Refused) as exc:
        _fail(str(exc))


@station_app.command("init")
def init_cmd(folder: Path = typer.Argument(..., help="Station folder to create (database, key, analyses)")) -> None:
    """Create a station folder: the database (SQLite, or PostgreSQL when DATABASE_URL is set) and its key."""
    from neurohlh.station.config import MARKER

    if (folder / MARKER).exists():
        _fail(f"{folder} is already a station folder")
    if folder.exists() and any(folder.iterdir()):
        _fail(f"{folder} exists and is not empty; give a new or empty folder")
    _open(folder, create=True)
    from neurohlh.station import audit
    from neurohlh.station.bootstrap import migrate
    from neurohlh.station.sheet import SHEET_HASH, SHEET_VERSION

    migrate()
    backend = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    (folder / MARKER).write_text(json.dumps({"station": 1, "database": backend, "sheet_version": SHEET_VERSION,
                                             "sheet_hash": SHEET_HASH}, indent=2), encoding="utf-8")
    audit.record("command line", "station_created", str(folder.name), {"database": backend})
    _say(f"created the reading station in {folder} ({backend} database). Next: "
         f"neurohlh station adduser {folder} NAME --role coordinator")


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        _fail("the two passwords differ")
    return first


@station_app.command("adduser")
def adduser_cmd(
    folder: Path = typer.Argument(..., help="Station folder"),
    name: str = typer.Argument(..., help="User name"),
    role: str = typer.Option(..., "--role", help="coordinator, reader or adjudicator"),
    site: str = typer.Option("", "--site", help="The user's site: a reader never reads a study of their own site"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input"),
) -> None:
    """Add a user. The password is asked without echo (or read from standard input)."""
    _open(folder)
    from neurohlh.station.services import add_user

    password = _read_password(password_stdin)
    _guard(lambda: add_user(name, role, password, site))
    _say(f"added {role} {name}" + (f" (site {site})" if site else ""))


@station_app.command("import")
def import_cmd(
    folder: Path = typer.Argument(..., help="Station folder"),
    cohort: Path = typer.Argument(..., help="Cohort folder or .xlsx workbook (the loader's format)"),
) -> None:
    """Import patients and studies of a cohort: they become the worklist (checked by the loader first)."""
    _open(folder)
    from neurohlh.station.services import import_cohort

    try:
        summary = import_cohort(cohort, "command line")
    except InputError as exc:
        _fail(f"{exc}\nnothing was imported")
    _say(f"imported {summary.studies} studies of {summary.patients} patients"
         + (f"; {len(summary.skipped)} already on the worklist" if summary.skipped else ""))


@station_app.command("import-dicom")
def import_dicom_cmd(
    source: Path = typer.Argument(..., help="Folder of DICOM files (searched recursively)"),
    folder: Path = typer.Argument(..., help="Station folder"),
    mapping: Path | None = typer.Option(None, "--mapping", help="CSV 'dicom_study,study_id' (Study Instance UID "
                                        "or Accession Number -> worklist study); default: match Patient ID and "
                                        "Study Date to the worklist's patient_id and study_date"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Store de-identified copies of the MR studies in SOURCE for the readers (all files or none)."""
    _open(folder)
    try:
        from neurohlh.station.images.service import import_dicom
    except ImportError:
        _fail('importing DICOM needs the images extra: pip install "neurohlh[images]"')
    try:
        report = import_dicom(source, "command line", mapping)
    except InputError as exc:
        OUTPUT.fail(exc, source, as_json, consequence="nothing was imported")
    if as_json:
        OUTPUT.json({"ok": True, **report.to_dict()})
        return
    for line in report.lines():
        OUTPUT.line(line)


@station_app.command("assign")
def assign_cmd(
    folder: Path = typer.Argument(..., help="Station folder"),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the random choices (default: drawn and stored)"),
    repeat_fraction: float = typer.Option(0.0, "--repeat-fraction", help="Share of each reader's studies read "
                                          "again after the washout (intra-reader agreement), 0 to 1"),
    washout_days: int = typer.Option(28, "--washout-days", help="Days before repeat reads open"),
) -> None:
    """Assign two readers per study, the adjudicators and the stored shuffled worklists."""
    _open(folder)
    from neurohlh.station.services import assign_reading

    plan = _guard(lambda: assign_reading("command line", seed, repeat_fraction, washout_days))
    loads = plan.loads()
    _say(f"assigned {len(plan.pairs)} studies; reads per reader: "
         + ", ".join(f"{k} {v}" for k, v in sorted(loads.items())))


@station_app.command("serve")
def serve_cmd(
    folder: Path = typer.Argument(..., help="Station folder"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8000, "--port", help="Port"),
    threads: int = typer.Option(8, "--threads", help="Worker threads of the WSGI server"),
    behind_https_proxy: bool = typer.Option(False, "--behind-https-proxy", help="Served to the network through "
                                            "an HTTPS reverse proxy: secure cookies, trust X-Forwarded-Proto"),
) -> None:
    """Serve the station with waitress (only on this machine unless behind an HTTPS proxy)."""
    if host not in LOOPBACK and not behind_https_proxy:
        _fail(f"--host {host} would send passwords and reads over plain HTTP; serve on 127.0.0.1 or put the "
              "station behind an HTTPS reverse proxy and pass --behind-https-proxy")
    extra: dict[str, Any] = {}
    if behind_https_proxy:
        extra = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"), "ALLOWED_HOSTS": ["*"]}
    _open(folder, secure_cookies=behind_https_proxy, **extra)
    serve_wsgi(host, port, threads, f"http://{host}:{port}/")


def serve_wsgi(host: str, port: int, threads: int, url: str) -> None:
    import waitress
    from django.core.wsgi import get_wsgi_application

    _say(f"reading station on {url} (Ctrl+C to stop)")
    sys.stdout.flush()
    waitress.serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="neurohlh-station",
                   channel_timeout=60, connection_limit=200, _quiet=True)


@station_app.command("export")
def export_cmd(
    folder: Path = typer.Argument(..., help="Station folder"),
    out: Path = typer.Argument(..., help="Cohort folder to write (patients, studies with all reads, variants)"),
) -> None:
    """Export a cohort folder in the loader's format: reader_1, reader_2, adjudicator and consensus reads."""
    _open(folder)
    from neurohlh.station.export import export_cohort

    summary = _guard(lambda: export_cohort(out, "command line"))
    _say(f"exported {summary.studies} studies with a consensus into {out}"
         + (f"; {summary.pending} studies still being read (listed in station-export.json)"
            if summary.pending else ""))


@station_app.command("audit-verify")
def audit_verify_cmd(folder: Path = typer.Argument(..., help="Station folder")) -> None:
    """Recompute the audit log's hash chain: exit 0 when intact, 1 with the first broken entry."""
    _open(folder)
    from neurohlh.station.audit import verify

    result = verify()
    if result.ok:
        OUTPUT.done("OK", str(result))
        return
    _fail(str(result))


DEMO_USERS = (("coordinator", "coordinator", ""), ("adjudicator", "adjudicator", ""))


@station_app.command("demo")
def demo_cmd(
    folder: Path | None = typer.Option(None, "--dir", help="Station folder (default: a new temporary folder)"),
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1"),
    readers: int = typer.Option(4, "--readers", min=2, help="Number of demo readers"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server after setting up"),
) -> None:
    """A throw-away station on the synthetic demo cohort, with demo accounts; prints the URL and the logins."""
    folder = folder or Path(tempfile.mkdtemp(prefix="neurohlh-station-demo-"))
    if folder.exists() and any(folder.iterdir()):
        _fail(f"{folder} is not empty; the demo needs a new folder")
    _open(folder, create=True, secure_cookies=False)
    from neurohlh.datasets import demo_cohort_path
    from neurohlh.station import audit
    from neurohlh.station.bootstrap import migrate
    from neurohlh.station.config import MARKER
    from neurohlh.station.services import add_user, assign_reading, import_cohort

    migrate()
    (folder / MARKER).write_text(json.dumps({"station": 1, "database": "sqlite", "demo": True}), encoding="utf-8")
    audit.record("demo", "station_created", folder.name, {"demo": "yes"})
    sites = ["A", "B", ""]
    accounts = [("coordinator", "coordinator", "")] + [
        (f"reader{i + 1}", "reader", sites[i % len(sites)]) for i in range(readers)] + [
        ("adjudicator", "adjudicator", "")]
    logins = []
    for name, role, site in accounts:
        password = f"demo-{secrets.token_hex(4)}"
        add_user(name, role, password, site, actor="demo")
        logins.append({"user": name, "role": role, "site": site, "password": password})
    import_cohort(demo_cohort_path(), "demo")
    assign_reading("demo", seed=2021)
    logins_file = folder / "demo-logins.json"
    logins_file.write_text(json.dumps(logins, indent=2), encoding="utf-8")
    url = f"http://127.0.0.1:{port}/"
    _say(f"demo station in {folder} (synthetic demo cohort, reading assigned)")
    for item in logins:
        _say(f"  {item['role']:<12} {item['user']:<12} password {item['password']}"
             + (f"  (site {item['site']})" if item["site"] else ""))
    if serve:
        serve_wsgi("127.0.0.1", port, 8, url)


def register(app: typer.Typer) -> None:
    app.add_typer(station_app, name="station")
