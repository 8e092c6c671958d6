"""``neurohlh redcap ...``: the REDCap data dictionary, reading flat exports, writing them, pulling through the API."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import typer

from neurohlh.cli.output import OUTPUT
from neurohlh.errors import InputError

redcap_app = typer.Typer(
    help="REDCap in and out: the data dictionary to upload, flat record exports read as a cohort, records pulled "
    "through the REDCap API.",
    no_args_is_help=True,
)

TOKEN_ENV = "NEUROHLH_REDCAP_TOKEN"
_TOKEN = re.compile(r"^[0-9A-Fa-f]{32}$")


def _report(source: Path, as_json: bool) -> Any:
    """Validate a flat export; print the outcome; return the report."""
    from neurohlh.io import validate

    report = validate(source)
    if as_json:
        OUTPUT.json(report.to_dict())
        return report
    for note in report.notes:
        OUTPUT.note(note)
    if report.ok:
        counts = ", ".join(f"{n} {t}" for t, n in report.counts.items())
        OUTPUT.done("OK", f"{source}: {counts}; no problems found")
    else:
        OUTPUT.problems(f"{len(report.problems)} problem(s) in {source}; nothing was imported", report.problems)
    return report


def dictionary_cmd(
    out: Path = typer.Argument(..., help="OUT.csv: the data dictionary to upload (REDCap: Project Setup > Data "
                               "Dictionary)"),
) -> None:
    """Write the REDCap data dictionary generated from the schema (instruments patient, mr_read, variant)."""
    from neurohlh.redcap.dictionary import INSTRUMENTS, redcap_fields, write_dictionary

    if out.suffix.lower() != ".csv":
        OUTPUT.stop(f"{out}: give a name ending in .csv")
    write_dictionary(out)
    repeating = ", ".join(f for f, (_, _, rep) in INSTRUMENTS.items() if rep)
    OUTPUT.line(f"wrote {out}: {len(redcap_fields())} variables in instruments "
                f"{', '.join(INSTRUMENTS)}. In REDCap, make {repeating} repeating instruments (Project Setup > "
                "Repeating instruments) and give each site a data access group.")


def import_cmd(
    export: Path = typer.Argument(..., help="A REDCap flat record export, .csv or .json, raw or with labels"),
    out: Path | None = typer.Option(None, "--out", help="Also write the cohort as a folder of CSV files here"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Read a REDCap flat export as a cohort and list every problem (record, instrument, instance, variable).

    Every command that takes a cohort also takes the export itself; --out writes the toolkit's own files.
    """
    from neurohlh.io import load_cohort, validate, write_cohort_csv

    if not export.is_file() or export.suffix.lower() not in (".csv", ".json"):
        OUTPUT.fail(InputError(f"{export}: give a REDCap flat export file ending in .csv or .json"), export, as_json)
    report = _report(export, as_json) if out is None or not as_json else validate(export)
    if not report.ok:
        if as_json and out is not None:
            OUTPUT.json(report.to_dict())
        raise typer.Exit(1)
    if out is None:
        return
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        OUTPUT.fail(InputError(f"{out} exists and is not an empty folder; nothing was written"), export, as_json)
    cohort = load_cohort(export)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_cohort_csv({"patients": cohort.patients, "studies": cohort.studies, "variants": cohort.variants},
                         tmp, header_comment=f"Imported from the REDCap export {export.name}")
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if as_json:
        OUTPUT.json({**report.to_dict(), "written": str(out)})
    else:
        OUTPUT.line(f"wrote the cohort to {out}/ (patients.csv, studies.csv, variants.csv)")


def export_cmd(
    cohort_path: Path = typer.Argument(..., metavar="COHORT", help="Cohort folder, .xlsx workbook or REDCap export"),
    out: Path = typer.Argument(..., help="OUT.csv or OUT.json: records for REDCap's Data Import Tool or API"),
    labels: bool = typer.Option(False, "--labels", help="Labels as headers and values, as REDCap's 'CSV (labels)'"),
) -> None:
    """Write a cohort as a REDCap flat record file (repeating instruments mr_read and variant, site as the data
    access group)."""
    from neurohlh.io import load_cohort
    from neurohlh.redcap.export import write_flat_export

    if out.suffix.lower() not in (".csv", ".json"):
        OUTPUT.stop(f"{out}: give a name ending in .csv or .json")
    try:
        cohort = load_cohort(cohort_path)
    except InputError as exc:
        OUTPUT.fail(exc, cohort_path, False, "nothing was written")
    write_flat_export(cohort, out, labels=labels)
    OUTPUT.line(f"wrote {out}: {len(cohort.patients)} records, {len(cohort.studies)} MR reads, "
                f"{len(cohort.variants)} variants")


def pull_cmd(
    url: str = typer.Option(..., "--url", help="The project's API address, e.g. https://redcap.example.org/api/"),
    out: Path = typer.Option(Path("redcap-pull"), "--out", help="Folder for records.csv and metadata.csv"),
    token_env: str = typer.Option(TOKEN_ENV, "--token-env", help="Environment variable holding the API token"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Export the records (raw, flat, with data access groups) and the metadata through the REDCap API, then read
    the records as a cohort. The API token is read from an environment variable, never from the command line."""
    from neurohlh.redcap.api import PullError, pull

    token = os.environ.get(token_env, "").strip()
    try:
        if not token:
            raise PullError(f"set the environment variable {token_env} to the project's API token "
                            "(REDCap: API > your token); it is never read from the command line")
        if not _TOKEN.match(token):
            raise PullError(f"the value of {token_env} is not a REDCap API token (32 hexadecimal characters)")
        files = pull(url, token, out)
    except PullError as exc:
        OUTPUT.fail(InputError(str(exc)), url, as_json)
    if not as_json:
        OUTPUT.line(f"saved {files.records} and {files.metadata}")
        for note in files.notes:
            OUTPUT.note(note)
    report = _report(files.records, as_json)
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    redcap_app.command("dictionary")(dictionary_cmd)
    redcap_app.command("import")(import_cmd)
    redcap_app.command("export")(export_cmd)
    redcap_app.command("pull")(pull_cmd)
    app.add_typer(redcap_app, name="redcap")
