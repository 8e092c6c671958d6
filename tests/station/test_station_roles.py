"""Every URL pattern walked as every role: what each may open, and what a reader's responses never contain."""
from __future__ import annotations

import csv

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver

from neurohlh.station.models import Adjudication, Amendment, Slot, Study

from ._sheets import LESIONAL, form
from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db

COORDINATOR_ONLY = {"dashboard", "studies", "study", "import", "assign", "decide_amendment", "rules", "audit",
                    "export", "analysis", "analysis_file", "images_import", "held_back_file", "image_key"}
READER_ONLY = {"worklist", "read", "amend", "images", "image_slice"}
ADJUDICATOR_ONLY = {"queue", "adjudicate", "adj_images", "adj_image_slice"}
OWN_STUDY_ONLY = {"read", "amend", "images", "image_slice"}  # another reader is told "not found"
PUBLIC = {"login", "logout", "static"}
SIGNED_IN = {"home"}
SECRET_NOTE = "ZZOTHERREADERSECRET"


def _patterns() -> list[URLPattern]:
    return [p for p in get_resolver().url_patterns if isinstance(p, URLPattern)]


def test_every_url_pattern_declares_its_roles_and_is_in_the_walk():
    names = set()
    for p in _patterns():
        assert hasattr(p.callback, "station_roles"), f"{p.pattern} has no @roles(...)"
        names.add(p.name)
    assert names == COORDINATOR_ONLY | READER_ONLY | ADJUDICATOR_ONLY | PUBLIC | SIGNED_IN


def _forbidden_strings() -> set[str]:
    """Identifiers and clinical text of the example cohort: none may reach a reader or the adjudicator."""
    out: set[str] = set()
    for table, columns in (("patients", ("patient_id", "birth_date", "notes", "secondary_etiology_detail",
                                         "mutated_genes")),
                           ("studies", ("study_id", "study_date")), ("variants", ("hgvs",))):
        lines = [line for line in (EXAMPLE / f"{table}.csv").read_text().splitlines() if not line.startswith("#")]
        for row in csv.DictReader(lines):
            out |= {row[c] for c in columns if row.get(c)}
    return {s for s in out if len(s) >= 4}


@pytest.fixture
def walked(station, client_for, tmp_path):
    """A reading in progress: one discordant study waiting (with stored images), one with a consensus, one
    amendment request."""
    from . import dicom_phantom
    from ._images import store_phantom

    stored = store_phantom(dicom_phantom.write_study(tmp_path / "dicom", ("T2", "FLAIR"), slices=3), "EX03-1")
    disc = Study.objects.get(study_id="EX03-1")
    agreed = Study.objects.get(study_id="EX02-1")
    slots = {s: {a.slot: a for a in s.assignments.select_related("reader")} for s in (disc, agreed)}
    a1, a2 = slots[disc][Slot.READER_1], slots[disc][Slot.READER_2]
    client_for(a1.reader.username).post(f"/read/{a1.pk}/", form({**LESIONAL, "notes": "first reader note"}))
    client_for(a2.reader.username).post(f"/read/{a2.pk}/", form({**LESIONAL, "infra_lesion_number": "none",
                                                                 "notes": SECRET_NOTE}))
    for a in slots[agreed].values():
        client_for(a.reader.username).post(f"/read/{a.pk}/", form(LESIONAL))
    client_for(a1.reader.username).post(f"/read/{a1.pk}/amend/", {"reason": "recheck"})
    return {"reader": a1.reader.username, "other": a2.reader.username, "a1": a1, "a2": a2,
            "adj": Adjudication.objects.get(study=disc), "study": disc,
            "amendment": Amendment.objects.get(), "series": stored["series"][1].code}


def _urls(w) -> dict[str, str]:
    return {
        "home": "/", "login": "/login/", "logout": "/logout/", "static": "/static/station/station.css",
        "worklist": "/worklist/", "read": f"/read/{w['a1'].pk}/", "amend": f"/read/{w['a1'].pk}/amend/",
        "images": f"/read/{w['a1'].pk}/images/", "image_slice": f"/read/{w['a1'].pk}/images/{w['series']}/2.png",
        "queue": "/adjudicate/", "adjudicate": f"/adjudicate/{w['adj'].pk}/",
        "adj_images": f"/adjudicate/{w['adj'].pk}/images/",
        "adj_image_slice": f"/adjudicate/{w['adj'].pk}/images/{w['series']}/0.png?center=900&width=1200",
        "dashboard": "/coordinator/", "studies": "/coordinator/studies/",
        "study": f"/coordinator/studies/{w['study'].pk}/", "import": "/coordinator/import/",
        "assign": "/coordinator/assign/", "decide_amendment": f"/coordinator/amendments/{w['amendment'].pk}/",
        "rules": "/coordinator/rules/", "audit": "/coordinator/audit/", "export": "/coordinator/export/",
        "analysis": "/coordinator/analysis/", "analysis_file": "/coordinator/analysis/none/report.html",
        "images_import": "/coordinator/images/", "held_back_file": "/coordinator/images/held-back/999999/",
        "image_key": "/coordinator/images/key.csv",
    }


POST_ONLY = {"logout", "amend", "decide_amendment", "export"}


def _expected_get(name: str, role: str) -> set[int]:
    if name in PUBLIC:
        return {405} if name in POST_ONLY else {200}
    if role == "anonymous":
        return {302}
    base = role.replace("other ", "")
    owner = ("coordinator" if name in COORDINATOR_ONLY else "reader" if name in READER_ONLY
             else "adjudicator" if name in ADJUDICATOR_ONLY else base)
    if role == "other reader" and name in OWN_STUDY_ONLY:
        return {405} if name in POST_ONLY else {404}  # not their study (amend is POST only)
    if base != owner:
        return {403}
    if name in POST_ONLY:
        return {405}
    if name == "home":
        return {302}
    return {404} if name in ("analysis_file", "held_back_file") else {200}


def _clients(w, client_for) -> dict[str, Client]:
    return {"anonymous": Client(), "coordinator": client_for("coord"), "reader": client_for(w["reader"]),
            "other reader": client_for(w["other"]), "adjudicator": client_for("judge")}


def test_walk_every_url_as_every_role(walked, client_for):
    from .dicom_phantom import IDENTIFYING

    urls = _urls(walked)
    forbidden = _forbidden_strings() | set(IDENTIFYING)  # and the fake identity in the stored images' headers
    assert "EX03" in forbidden and "EX03-1" in forbidden
    seen = 0
    for role, client in _clients(walked, client_for).items():
        for name, url in urls.items():
            r = client.get(url)
            assert r.status_code in _expected_get(name, role), (role, name, r.status_code)
            body = b"".join(r.streaming_content) if r.streaming else r.content
            if role in ("reader", "other reader", "adjudicator", "anonymous") and name != "static":
                text = body.decode("utf-8", "replace")
                leaked = [s for s in forbidden if s in text]
                assert not leaked, (role, name, leaked)
                if role == "reader":
                    assert SECRET_NOTE not in text and walked["other"] not in text, name
                if role == "other reader":
                    assert "first reader note" not in text and walked["reader"] not in text, name
                if role == "adjudicator":
                    assert SECRET_NOTE not in text and walked["reader"] not in text and walked["other"] not in text
            seen += 1
    assert seen == 5 * len(urls)


def test_posts_by_the_wrong_role_are_refused_and_change_nothing(walked, client_for):
    from neurohlh.station.models import AuditEvent, Read

    urls = _urls(walked)
    before = {r.pk: (r.status, dict(r.values)) for r in Read.objects.all()}
    clients = _clients(walked, client_for)
    for role, client in clients.items():
        for name, url in urls.items():
            if name in PUBLIC | SIGNED_IN:
                continue
            owner = ("coordinator" if name in COORDINATOR_ONLY else "reader" if name in READER_ONLY
                     else "adjudicator")
            if role == owner:
                continue
            r = client.post(url, {**form({}, "save"), "decision": "approve", "demo": "1"})
            allowed_other_reader = ({404} if name in ("read", "amend") else {405} if name in OWN_STUDY_ONLY
                                    else {200})
            expected = {302} if role == "anonymous" else allowed_other_reader if (
                role == "other reader" and name in READER_ONLY) else {403}
            assert r.status_code in expected, (role, name, r.status_code)
    assert {r.pk: (r.status, dict(r.values)) for r in Read.objects.all()} == before
    assert walked["amendment"].__class__.objects.get().approved is None
    assert AuditEvent.objects.filter(action="request_refused").count() > 20
