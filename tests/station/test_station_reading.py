"""Reading, submitting, amending, comparing and adjudicating, through the HTTP views."""
from __future__ import annotations

import re

import pytest

from neurohlh.station.models import (
    Adjudication,
    Assignment,
    AuditEvent,
    Consensus,
    Read,
    ReadStatus,
    Slot,
    Study,
)
from neurohlh.station.sheet import SHEET_HASH, SHEET_VERSION

from ._sheets import LESIONAL, form

pytestmark = pytest.mark.django_db


def _pair(study: Study) -> tuple[Assignment, Assignment]:
    a = {x.slot: x for x in study.assignments.select_related("reader")}
    return a[Slot.READER_1], a[Slot.READER_2]


def _read(client_for, assignment: Assignment, values: dict, action: str = "submit"):
    return client_for(assignment.reader.username).post(f"/read/{assignment.pk}/", form(values, action))


def test_every_study_has_two_readers_none_from_its_site(station):
    for study in Study.objects.all():
        slots = sorted(study.assignments.exclude(slot=Slot.REPEAT).values_list("slot", flat=True))
        assert slots == ["reader_1", "reader_2"]
        assert "ex.reader" not in {a.reader.username for a in study.assignments.all()}  # ex.reader is of site EX
        assert study.adjudicator.username == "judge"


def test_draft_then_submit_stores_values_sheet_version_hash_and_reading_time(station, client_for):
    a1, _ = _pair(Study.objects.get(study_id="EX01-1"))
    client = client_for(a1.reader.username)
    assert client.get(f"/read/{a1.pk}/").status_code == 200
    draft = client.post(f"/read/{a1.pk}/", form({"supra_lesion_number": "multiple"}, "save"))
    assert draft.status_code == 200 and b"Draft saved" in draft.content
    read = Read.objects.get(assignment=a1)
    assert read.status == ReadStatus.DRAFT and read.values["supra_lesion_number"] == "multiple"
    assert read.reading_seconds > 0
    done = client.post(f"/read/{a1.pk}/", form(LESIONAL))
    assert done.status_code == 200 and b"Submitted" in done.content
    read.refresh_from_db()
    assert read.status == ReadStatus.SUBMITTED and read.submitted_at is not None
    assert (read.sheet_version, read.sheet_hash) == (SHEET_VERSION, SHEET_HASH)
    assert read.values["sequences"] == "t2;flair;dwi;t1_postcontrast" and read.values["largest_enhancing_nodule_mm"] == "4"
    again = client.post(f"/read/{a1.pk}/", form({**LESIONAL, "supra_lesion_number": "few"}))
    assert again.status_code == 409
    read.refresh_from_db()
    assert read.values["supra_lesion_number"] == "multiple"


def test_htmx_draft_save_returns_a_fragment(station, client_for):
    a1, _ = _pair(Study.objects.get(study_id="EX01-1"))
    r = client_for(a1.reader.username).post(f"/read/{a1.pk}/", form({}, "save"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"<html" not in r.content and b"Draft saved" in r.content


def test_a_draft_save_reads_and_writes_only_what_it_needs(station, client_for):
    """Every statement of a save is work that the other readers' saves queue behind: the session, the user with
    its role (one query), the assignment; then, in one transaction, the stored read, its update and the audit
    entry chained to the last one. PostgreSQL adds the row lock of the assignment and the audit lock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a1, _ = _pair(Study.objects.get(study_id="EX01-1"))
    client = client_for(a1.reader.username)
    client.post(f"/read/{a1.pk}/", form({"supra_lesion_number": "few"}, "save"), HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as queries:
        r = client.post(f"/read/{a1.pk}/", form({"supra_lesion_number": "multiple"}, "save"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"Draft saved" in r.content
    tables = [re.findall(r'(?:FROM|UPDATE|INTO) "(\w+)"', q["sql"])[:1] for q in queries.captured_queries]
    touched = [t[0] for t in tables if t]
    assert touched[:3] == ["django_session", "auth_user", "station_assignment"]
    assert "station_member" in queries.captured_queries[1]["sql"]  # the role comes with the user
    expected = ["station_read", "station_read", "station_auditevent", "station_auditevent"]
    if connection.vendor == "postgresql":
        expected = ["station_assignment", *expected]  # SELECT ... FOR UPDATE
    assert touched[3:] == expected, touched
    # one transaction: the audit entry opens no savepoint of its own (the test's transaction makes the save's a
    # savepoint)
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]) <= 1
    assert Read.objects.get(assignment=a1).values["supra_lesion_number"] == "multiple"
    assert AuditEvent.objects.filter(action="read_saved").count() == 2


def test_loader_checks_run_on_the_server_and_a_failed_submit_keeps_the_draft(station, client_for):
    a1, _ = _pair(Study.objects.get(study_id="EX01-1"))
    values = {**LESIONAL, "ventriculomegaly": "no", "ventriculomegaly_obstructive": "yes",
              "largest_enhancing_nodule_mm": "250", "pontine_enhancing_lesion_count": "2.5"}
    r = _read(client_for, a1, values)
    assert r.status_code == 422
    text = r.content.decode()
    assert "is yes but ventriculomegaly is no" in text            # the loader's cross-field check
    assert "is above the possible maximum 100 mm" in text          # the loader's range (FieldSpec maximum)
    assert "is not a whole number" in text
    read = Read.objects.get(assignment=a1)
    assert read.status == ReadStatus.DRAFT and read.values["largest_enhancing_nodule_mm"] == "250"


@pytest.mark.parametrize("tamper", [
    {"patient_id": "EX01"},                          # a field that is not on the sheet
    {"supra_lesion_number": "enormous"},             # outside the vocabulary
    {"loc_pons": "maybe"},
    {"sequences": ["t2", "x-ray"]},
    {"supra_lesion_number": ["few", "single"]},      # two values for one field
])
def test_tampered_posts_are_refused_and_logged(station, client_for, tamper):
    a1, _ = _pair(Study.objects.get(study_id="EX01-1"))
    r = _read(client_for, a1, {**LESIONAL, **tamper})
    assert r.status_code == 400
    assert not Read.objects.filter(assignment=a1).exists()
    event = AuditEvent.objects.filter(action="request_refused").last()
    assert event.actor == a1.reader.username and "does not come from the sheet" in event.detail["why"]


def test_another_readers_study_is_refused_and_logged(station, client_for):
    a1, a2 = _pair(Study.objects.get(study_id="EX01-1"))
    other = next(u for u in ("alpha.reader", "bravo.reader", "charlie.reader") if u not in (a1.reader.username, a2.reader.username))
    client = client_for(other)
    assert client.get(f"/read/{a1.pk}/").status_code == 404
    assert client.post(f"/read/{a1.pk}/", form(LESIONAL)).status_code == 404
    assert not Read.objects.filter(assignment=a1).exists()
    assert AuditEvent.objects.filter(action="request_refused", actor=other).count() == 2


def test_agreeing_reads_make_the_consensus_with_provenance_and_tolerance(station, client_for):
    study = Study.objects.get(study_id="EX02-1")
    a1, a2 = _pair(study)
    _read(client_for, a1, {**LESIONAL, "notes": "first"})
    assert not Consensus.objects.filter(study=study).exists()
    _read(client_for, a2, {**LESIONAL, "largest_enhancing_nodule_mm": "5", "notes": "second"})
    c = Consensus.objects.get(study=study)
    assert not Adjudication.objects.filter(study=study).exists()
    # 4 mm and 5 mm agree within the 1 mm tolerance; the consensus takes the mean
    assert c.values["largest_enhancing_nodule_mm"] == "4.5"
    assert c.provenance["largest_enhancing_nodule_mm"] == "within_tolerance"
    assert c.provenance["supra_lesion_number"] == "agreed"
    assert c.values["notes"] == "first | second"


def _disagree(station, client_for, study_id: str = "EX03-1") -> tuple[Study, Assignment, Assignment]:
    study = Study.objects.get(study_id=study_id)
    a1, a2 = _pair(study)
    _read(client_for, a1, {**LESIONAL, "notes": "ZZREADERONESECRET"})
    _read(client_for, a2, {**LESIONAL, "infra_lesion_number": "none", "pontine_enhancing_lesion_count": "5",
                           "notes": "ZZREADERTWOSECRET"})
    return study, a1, a2


def test_disagreement_goes_to_the_adjudicator_field_by_field_with_a_mandatory_reason(station, client_for):
    study, a1, a2 = _disagree(station, client_for)
    adj = Adjudication.objects.get(study=study)
    assert sorted(adj.discordant) == ["infra_lesion_number", "pontine_enhancing_lesion_count"]
    judge = client_for("judge")
    page = judge.get(f"/adjudicate/{adj.pk}/").content.decode()
    assert "Reader A" in page and "Reader B" in page
    assert "ZZREADER" not in page                         # agreed / ignored fields are not shown
    assert a1.reader.username not in page and a2.reader.username not in page
    no_reason = judge.post(f"/adjudicate/{adj.pk}/", {"choice__infra_lesion_number": "A",
                                                       "choice__pontine_enhancing_lesion_count": "new",
                                                       "new__pontine_enhancing_lesion_count": "4"})
    assert no_reason.status_code == 422 and not Consensus.objects.filter(study=study).exists()
    a_slot = "reader_1" if study.a_is_reader_1 else "reader_2"
    ok = judge.post(f"/adjudicate/{adj.pk}/", {
        "choice__infra_lesion_number": "A", "reason__infra_lesion_number": "cerebellar lesions seen on FLAIR",
        "choice__pontine_enhancing_lesion_count": "new", "new__pontine_enhancing_lesion_count": "4",
        "reason__pontine_enhancing_lesion_count": "counted again on T1 post contrast"})
    assert ok.status_code == 302
    c = Consensus.objects.get(study=study)
    expected_infra = (a1 if a_slot == "reader_1" else a2).read.values["infra_lesion_number"]
    assert c.values["infra_lesion_number"] == expected_infra
    assert c.provenance["infra_lesion_number"] == a_slot
    assert c.values["pontine_enhancing_lesion_count"] == "4" and c.provenance["pontine_enhancing_lesion_count"] == \
        "adjudicator"
    done = judge.get(f"/adjudicate/{adj.pk}/").content.decode()
    assert "Pattern allocation of the consensus" in done and "parenchymal" in done
    events = AuditEvent.objects.filter(action="field_adjudicated")
    assert {e.reason for e in events} == {"cerebellar lesions seen on FLAIR", "counted again on T1 post contrast"}


def test_adjudicator_sees_nothing_before_both_reads_are_submitted(station, client_for):
    study = Study.objects.get(study_id="EX03-1")
    a1, a2 = _pair(study)
    _read(client_for, a1, LESIONAL)
    _read(client_for, a2, {**LESIONAL, "infra_lesion_number": "none"}, action="save")
    assert not Adjudication.objects.filter(study=study).exists()
    assert "EX03" not in client_for("judge").get("/adjudicate/").content.decode()


def test_reader_a_b_order_is_drawn_per_study():
    orders = set()
    from neurohlh.station import services

    for _ in range(40):
        orders.add(services.secrets.randbelow(2) == 0)
    assert orders == {True, False}


def test_a_b_labels_follow_the_stored_order(station, client_for):
    study, a1, a2 = _disagree(station, client_for)
    adj = Adjudication.objects.get(study=study)
    page = client_for("judge").get(f"/adjudicate/{adj.pk}/").content.decode()
    row = re.search(r"Infratentorial lesion number.*?<td>(.*?)</td><td>(.*?)</td>", page, re.DOTALL)
    first, second = a1.read.values["infra_lesion_number"], a2.read.values["infra_lesion_number"]
    assert (row.group(1), row.group(2)) == ((first, second) if study.a_is_reader_1 else (second, first))


def test_amendment_needs_a_reason_and_the_coordinators_approval(station, client_for):
    study = Study.objects.get(study_id="EX04-1")
    a1, _ = _pair(study)
    reader = client_for(a1.reader.username)
    _read(client_for, a1, LESIONAL)
    assert reader.post(f"/read/{a1.pk}/amend/", {"reason": " "}).status_code == 409
    assert reader.post(f"/read/{a1.pk}/amend/", {"reason": "missed the medulla lesion"}).status_code == 302
    assert reader.post(f"/read/{a1.pk}/", form({**LESIONAL, "loc_medulla": "yes"})).status_code == 409
    amendment = Read.objects.get(assignment=a1).amendments.get()
    assert reader.post(f"/coordinator/amendments/{amendment.pk}/", {"decision": "approve"}).status_code == 403
    assert client_for("coord").post(f"/coordinator/amendments/{amendment.pk}/",
                                    {"decision": "approve"}).status_code == 302
    assert reader.post(f"/read/{a1.pk}/", form({**LESIONAL, "loc_medulla": "yes"})).status_code == 200
    read = Read.objects.get(assignment=a1)
    assert read.status == ReadStatus.SUBMITTED and read.values["loc_medulla"] == "yes" and read.revision == 2
    amended = AuditEvent.objects.get(action="read_amended")
    assert amended.reason == "missed the medulla lesion"
    assert amended.detail["changes"]["loc_medulla"] == {"old": "", "new": "yes"}


def test_coordinator_sees_the_allocation_trace_and_agreement(station, client_for):
    _disagree(station, client_for)
    other = Study.objects.get(study_id="EX02-1")
    for a in _pair(other):
        _read(client_for, a, LESIONAL)
    coord = client_for("coord")
    dash = coord.get("/coordinator/").content.decode()
    assert "2 studies read by both readers; 1 with at least one discordant field" in dash
    assert "EX03-1" in dash                                 # waiting for adjudication
    detail = coord.get(f"/coordinator/studies/{other.pk}/").content.decode()
    assert "Pattern allocation of the consensus" in detail and "onset subpattern <strong>1.1</strong>" in detail


def test_a_consensus_within_tolerance_is_accepted_by_the_loader(station, client_for, tmp_path):
    from neurohlh.io import load_cohort
    from neurohlh.station.export import export_cohort

    study = Study.objects.get(study_id="EX02-1")
    a1, a2 = _pair(study)
    _read(client_for, a1, {**LESIONAL, "notes": "first"})
    _read(client_for, a2, {**LESIONAL, "largest_enhancing_nodule_mm": "5", "notes": "second"})
    export_cohort(tmp_path / "out", actor="test")
    cohort = load_cohort(tmp_path / "out")
    row = cohort.studies[(cohort.studies["study_id"] == "EX02-1") & (cohort.studies["reader"] == "consensus")]
    assert float(row["largest_enhancing_nodule_mm"].iloc[0]) == 4.5


def test_repeat_reads_open_after_the_first_read_and_the_washout(db):
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from neurohlh.station import services

    from .conftest import EXAMPLE, PASSWORD

    for name, role in (("solo.one", "reader"), ("solo.two", "reader"), ("judge", "adjudicator")):
        services.add_user(name, role, PASSWORD, actor="test")
    services.import_cohort(EXAMPLE, "test")
    services.assign_reading("test", seed=1, repeat_fraction=0.5, washout_days=14)
    repeats = Assignment.objects.filter(slot=Slot.REPEAT, reader__username="solo.one")
    n_studies = Study.objects.count()
    assert repeats.count() == round(0.5 * n_studies)
    rep = repeats.first()
    first = Assignment.objects.get(study=rep.study, reader=rep.reader, slot__in=[Slot.READER_1, Slot.READER_2])
    c = Client()
    c.force_login(rep.reader)
    assert f"/read/{rep.pk}/" not in c.get("/worklist/").content.decode()
    c.post(f"/read/{first.pk}/", form(LESIONAL))
    assert f"/read/{rep.pk}/" not in c.get("/worklist/").content.decode()      # washout not over
    assert c.get(f"/read/{rep.pk}/").status_code == 404
    Assignment.objects.filter(pk=rep.pk).update(available_from=timezone.now() - dt.timedelta(days=1))
    assert f"/read/{rep.pk}/" in c.get("/worklist/").content.decode()
    assert c.post(f"/read/{rep.pk}/", form({**LESIONAL, "loc_pons": "yes"})).status_code == 200
    assert Read.objects.get(assignment=rep).status == ReadStatus.SUBMITTED
    assert not Consensus.objects.filter(study=rep.study).exists()   # a repeat read never feeds the consensus
