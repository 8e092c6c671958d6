"""The audit trail: append-only, each entry carrying the hash of the previous one.

Every change the station makes is written in the same database transaction as the event that records it, so an
interrupted save leaves neither. The database refuses UPDATE and DELETE on the table (triggers, see the
migrations); :func:`verify` recomputes the chain and names the first entry that does not match.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

GENESIS = "0" * 64
_LOCK_KEY = 0x4E48_4C48  # PostgreSQL advisory lock serialising appends ("NHLH")


def entry_hash(prev_hash: str, at: str, actor: str, action: str, target: str, detail: dict[str, Any],
               reason: str) -> str:
    payload = json.dumps([prev_hash, at, actor, action, target, detail, reason], sort_keys=True,
                         ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def _plain(value: Any) -> Any:
    """Values stored in the log: text, so that the hash does not depend on how a driver returns numbers."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def record(actor: str, action: str, target: str, detail: dict[str, Any] | None = None, reason: str = "") -> Any:
    """Append one event (inside the caller's transaction when there is one)."""
    from neurohlh.station.models import AuditEvent

    detail = _plain(detail or {})
    with transaction.atomic(savepoint=False):  # inside the caller's transaction, its success or failure is ours
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = last or GENESIS
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        digest = entry_hash(prev, at, actor, action, target, detail, reason)
        return AuditEvent.objects.create(at=at, actor=actor, action=action, target=target, detail=detail,
                                         reason=reason, prev_hash=prev, hash=digest)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    broken_id: int | None = None
    problem: str = ""
    head: str = GENESIS

    def __str__(self) -> str:
        if self.ok:
            return f"audit log intact: {self.entries} entries, every hash matches; last hash {self.head}"
        return f"audit log broken at entry {self.broken_id}: {self.problem}"


def verify() -> Verification:
    """Recompute the chain from the first entry; stop at the first entry that does not match."""
    from neurohlh.station.models import AuditEvent

    prev = GENESIS
    count = 0
    rows = AuditEvent.objects.order_by("id").values_list(
        "id", "at", "actor", "action", "target", "detail", "reason", "prev_hash", "hash")
    for pk, at, actor, action, target, detail, reason, prev_hash, digest in rows.iterator(chunk_size=2000):
        if prev_hash != prev:
            return Verification(False, count, pk, "its link to the previous entry does not match (an entry before "
                                "it was removed or changed)")
        if entry_hash(prev_hash, at, actor, action, target, detail, reason) != digest:
            return Verification(False, count, pk, "its content does not match its hash (changed after it was "
                                "written)")
        prev = digest
        count += 1
    return Verification(True, count, head=prev)
