"""The audit trail: hash chain, database triggers refusing UPDATE / DELETE, and audit-verify."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from neurohlh.station import audit
from neurohlh.station.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_each_entry_carries_the_hash_of_the_previous_one(station):
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) >= 8  # 6 users, the import and the assignment
    assert events[0].prev_hash == audit.GENESIS
    for before, after in zip(events, events[1:]):
        assert after.prev_hash == before.hash
    e = events[3]
    assert e.hash == audit.entry_hash(e.prev_hash, e.at, e.actor, e.action, e.target, e.detail, e.reason)
    assert audit.verify().ok


@pytest.mark.parametrize("sql", ["UPDATE station_auditevent SET actor = 'someone else' WHERE id = %s",
                                 "DELETE FROM station_auditevent WHERE id = %s"])
def test_the_database_refuses_update_and_delete(station, sql):
    pk = AuditEvent.objects.order_by("id").values_list("id", flat=True)[2]
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=pk).update(reason="changed")
    assert AuditEvent.objects.filter(pk=pk, actor="test").exists()


def _drop_triggers() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER station_audit_no_update")
            cur.execute("DROP TRIGGER station_audit_no_delete")
        else:
            cur.execute("DROP TRIGGER station_audit_no_change ON station_auditevent")


def test_verify_names_the_first_entry_changed_behind_the_applications_back(station):
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    _drop_triggers()  # someone with direct access to the database file
    with connection.cursor() as cur:
        cur.execute("UPDATE station_auditevent SET reason = 'rewritten' WHERE id = %s", [ids[4]])
    result = audit.verify()
    assert not result.ok and result.broken_id == ids[4] and result.entries == 4
    assert "does not match its hash" in str(result)


def test_verify_notices_a_removed_entry(station):
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    _drop_triggers()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM station_auditevent WHERE id = %s", [ids[2]])
    result = audit.verify()
    assert not result.ok and result.broken_id == ids[3] and "link to the previous entry" in result.problem
