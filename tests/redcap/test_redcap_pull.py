"""``neurohlh redcap pull`` through PyCap against a local stand-in for a REDCap server (127.0.0.1 only).

The server answers the two documented API calls the command makes, as REDCap does: a POST to ``/api/`` with
form fields ``token``, ``content`` (``metadata`` or ``record``), ``format`` and, for records, ``type=flat``,
``rawOrLabel=raw`` and ``exportDataAccessGroups``; a wrong token gets HTTP 403 and an error message.
"""
from __future__ import annotations

import csv
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from typer.testing import CliRunner

from neurohlh import load_cohort
from neurohlh.cli import app
from neurohlh.redcap.dictionary import METADATA_NAMES, dictionary_rows
from neurohlh.redcap.export import flat_rows

DEMO = Path(__file__).resolve().parents[2] / "src" / "neurohlh" / "data" / "demo"
TOKEN = "0123456789ABCDEF0123456789ABCDEF"
runner = CliRunner()


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@pytest.fixture(scope="module")
def server():
    """A REDCap stand-in on 127.0.0.1 serving the demo cohort; records every request's form fields."""
    header, rows = flat_rows(load_cohort(DEMO))
    records = _csv([header, *rows])
    metadata = _csv([list(METADATA_NAMES), *[list(r) for r in dictionary_rows()[1:]]])
    metadata_json = [dict(zip(METADATA_NAMES, r)) for r in dictionary_rows()[1:]]
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            seen.append(form)
            if self.path != "/api/" or form.get("token") != TOKEN:
                self._send(403, json.dumps({"error": "You do not have permissions to use the API"}),
                           "application/json")
            elif form.get("content") == "metadata" and form.get("format") == "csv":
                self._send(200, metadata, "text/csv")
            elif form.get("content") == "metadata" and form.get("format") == "json":
                self._send(200, json.dumps(metadata_json), "application/json")
            elif (form.get("content") == "record" and form.get("format") == "csv" and form.get("type") == "flat"
                  and form.get("rawOrLabel") == "raw" and form.get("exportDataAccessGroups", "").lower() == "true"):
                self._send(200, records, "text/csv")
            else:
                self._send(400, "ERROR: unsupported request", "text/csv")

        def _send(self, status: int, text: str, ctype: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_pull_saves_records_and_metadata_and_reads_them(server, tmp_path, monkeypatch):
    url, seen = server
    seen.clear()
    monkeypatch.setenv("NEUROHLH_REDCAP_TOKEN", TOKEN)
    out = tmp_path / "pulled"
    result = runner.invoke(app, ["redcap", "pull", "--url", url, "--out", str(out)])
    assert result.exit_code == 0, (result.output, [{k: v for k, v in f.items() if k != "token"} for f in seen])
    assert {(f["content"], f["format"]) for f in seen} >= {("metadata", "csv"), ("record", "csv")}
    assert all(f["token"] == TOKEN for f in seen)
    cohort = load_cohort(out / "records.csv")
    demo = load_cohort(DEMO)
    assert cohort.patients.drop(columns="_row").equals(demo.patients.drop(columns="_row"))
    assert len(cohort.studies) == len(demo.studies) and len(cohort.variants) == len(demo.variants)
    # the demo's studies table holds 123 consensus reads plus the two readers' and the adjudicator's reads
    assert f"57 patients, {len(demo.studies)} studies, 36 variants" in " ".join(result.output.split())
    assert TOKEN not in result.output
    for path in out.iterdir():
        assert TOKEN not in path.read_text()
    assert not any(p.name.startswith(".") for p in out.iterdir())  # no temporary files left


def test_the_metadata_is_compared_with_the_schema(server, tmp_path, monkeypatch):
    from neurohlh.redcap.api import compare_metadata

    rows = [list(METADATA_NAMES), *[list(r) for r in dictionary_rows()[1:]]]
    assert compare_metadata(_csv(rows)) == []
    fever = next(r for r in rows if r[0] == "fever")
    fever[3] = "radio"
    rows = [r for r in rows if r[0] != "sex"]
    notes = compare_metadata(_csv(rows))
    assert "variable sex (patient) is not in the project" in notes
    assert "variable fever is a radio field in the project, yesno here" in notes


def test_a_wrong_token_is_refused_without_showing_it(server, tmp_path, monkeypatch):
    url, _ = server
    wrong = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    monkeypatch.setenv("NEUROHLH_REDCAP_TOKEN", wrong)
    result = runner.invoke(app, ["redcap", "pull", "--url", url, "--out", str(tmp_path / "p")])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "REDCap refused the request" in text and "permissions" in text
    assert wrong not in result.output
    assert not (tmp_path / "p").exists()


def test_the_token_comes_only_from_the_environment(server, tmp_path, monkeypatch):
    url, _ = server
    monkeypatch.delenv("NEUROHLH_REDCAP_TOKEN", raising=False)
    result = runner.invoke(app, ["redcap", "pull", "--url", url])
    assert result.exit_code == 1
    assert "set the environment variable NEUROHLH_REDCAP_TOKEN" in " ".join(result.output.split())
    refused = runner.invoke(app, ["redcap", "pull", "--url", url, "--token", TOKEN])
    assert refused.exit_code != 0 and "No such option" in refused.output
    monkeypatch.setenv("NEUROHLH_REDCAP_TOKEN", "not-a-token")
    result = runner.invoke(app, ["redcap", "pull", "--url", url])
    assert result.exit_code == 1 and "not a REDCap API token" in " ".join(result.output.split())
    assert "not-a-token" not in result.output


def test_an_address_that_is_not_an_api_endpoint(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROHLH_REDCAP_TOKEN", TOKEN)
    result = runner.invoke(app, ["redcap", "pull", "--url", "http://127.0.0.1:9/redcap/"])
    assert result.exit_code == 1 and "must end with /api/" in " ".join(result.output.split())
    result = runner.invoke(app, ["redcap", "pull", "--url", "http://127.0.0.1:9/api/", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "cannot reach" in result.output and TOKEN not in result.output
