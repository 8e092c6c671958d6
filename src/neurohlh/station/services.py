"""What the station does, each in one database transaction with its audit entries.

Views and commands call these functions; nothing here knows about HTTP.
"""
from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from neurohlh.errors import InputError, Problem
from neurohlh.io.cells import format_cell
from neurohlh.schema import Patient, Variant, field_specs
from neurohlh.station import assign as engine
from neurohlh.station import audit
from neurohlh.station.compare import compare, default_rules
from neurohlh.station.models import (
    Adjudication,
    Amendment,
    Assignment,
    Consensus,
    FieldDecision,
    Member,
    PatientRecord,
    Read,
    Reading,
    ReadStatus,
    Role,
    Slot,
    Study,
    ToleranceRule,
    VariantRecord,
)
from neurohlh.station.sheet import SHEET_HASH, SHEET_VERSION, Parsed, check

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Age bands at scan (months, upper bound exclusive): the only patient information a reader sees.
AGE_BANDS = ((12, "under 1 year"), (24, "1 to 2 years"), (60, "2 to 5 years"), (120, "5 to 10 years"),
             (10**6, "10 years or older"))
MAX_SECONDS_PER_VISIT = 3600.0  # a sheet left open longer counts as one hour of reading


class Refused(Exception):
    """An action the station refuses (not allowed now, or not by this user); the message says why."""


def age_band(months: float | None) -> str:
    if months is None:
        return "age unknown"
    return next(label for bound, label in AGE_BANDS if months < bound)


def new_code() -> str:
    while True:
        code = "S-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not Study.objects.filter(code=code).exists():
            return code


def ensure_rules() -> dict[str, tuple[str, float]]:
    stored = {r.field: (r.rule, r.tolerance) for r in ToleranceRule.objects.all()}
    missing = [ToleranceRule(field=f, rule=rule, tolerance=tol) for f, (rule, tol) in default_rules().items()
               if f not in stored]
    if missing:
        ToleranceRule.objects.bulk_create(missing)
        stored.update({r.field: (r.rule, r.tolerance) for r in missing})
    return stored


# ------------------------------------------------------------------ accounts


def add_user(username: str, role: str, password: str, site: str = "", actor: str = "command line") -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if role not in Role.values:
        raise InputError(f"role must be one of {', '.join(Role.values)}, got {role!r}")
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InputError(f"user {username!r} already exists")
        user = User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InputError(f"password for {username!r} refused: " + " ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        Member.objects.create(user=user, role=role, site=site)
        audit.record(actor, "user_added", f"user {username}", {"role": role, "site": site})
    return user


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:  # loaded with the user (station.security.StationBackend), so no query of its own
        return str(user.member.role)
    except Member.DoesNotExist:
        return None


# ------------------------------------------------------------------ import


@dataclass(frozen=True)
class ImportSummary:
    patients: int
    studies: int
    skipped: tuple[str, ...]


def _typed(value: Any) -> Any:
    if isinstance(value, frozenset) or value is None:
        return value
    return None if pd.isna(value) else value


def _cells(frame: pd.DataFrame, record_type: type) -> list[dict[str, str]]:
    """Rows of a loaded frame back in the file's cell format."""
    specs = field_specs(record_type)
    return [{name: format_cell(_typed(row[name]), spec) for name, spec in specs.items()}
            for _, row in frame.iterrows()]


def _months_between(birth: dt.date | None, when: dt.date | None) -> float | None:
    if birth is None or when is None:
        return None
    return round((when - birth).days / 30.4375, 1)


def import_cohort(path: str | Path, actor: str) -> ImportSummary:
    """Patients and studies of a cohort folder or workbook (validated by the loader) become the worklist."""
    from neurohlh.io import load_cohort

    cohort = load_cohort(path)
    patients = _cells(cohort.patients, Patient)
    variants = _cells(cohort.variants, Variant)
    study_rows = cohort.studies.sort_values(["study_id", "reader"])
    skipped: list[str] = []
    with transaction.atomic():
        existing = {p.patient_id: p for p in PatientRecord.objects.all()}
        births: dict[str, dt.date | None] = {}
        for cells in patients:
            pid = cells["patient_id"]
            births[pid] = dt.date.fromisoformat(cells["birth_date"]) if cells["birth_date"] else None
            if pid not in existing:
                existing[pid] = PatientRecord.objects.create(patient_id=pid, site=cells["site"], cells=cells)
        if not VariantRecord.objects.exists():
            VariantRecord.objects.bulk_create(VariantRecord(position=i, cells=c) for i, c in enumerate(variants))
        known = set(Study.objects.values_list("study_id", flat=True))
        consensus = {c["study_id"]: c for c in _cells(study_rows[study_rows["reader"] == "consensus"],
                                                            _study_type())}
        created = 0
        for study_id, group in study_rows.groupby("study_id", sort=True):
            if study_id in known:
                skipped.append(str(study_id))
                continue
            first = group.iloc[0]
            patient = existing[first["patient_id"]]
            date = first["study_date"] if first["study_date"] is not None and not pd.isna(first["study_date"]) \
                else None
            age = first["age_at_study_months"]
            age = float(age) if age is not None and not pd.isna(age) else _months_between(
                births.get(patient.patient_id), date)
            Study.objects.create(
                code=new_code(), study_id=study_id, patient=patient, site=patient.site, study_date=date,
                age_months=age, age_band=age_band(age), imported_cells=consensus.get(study_id, {}),  # type: ignore[arg-type]
                a_is_reader_1=secrets.randbelow(2) == 0,
            )
            created += 1
        ensure_rules()
        audit.record(actor, "cohort_imported", str(Path(path).name),
                     {"patients": str(len(patients)), "studies_created": str(created),
                      "studies_skipped": str(len(skipped)), "checksums": cohort.checksums})
    return ImportSummary(len(patients), created, tuple(skipped))


def _study_type() -> type:
    from neurohlh.schema import Study as StudyRecord

    return StudyRecord


# ------------------------------------------------------------------ assignment


def assign_reading(actor: str, seed: int | None = None, repeat_fraction: float = 0.0,
                   washout_days: int = 28) -> engine.Plan:
    """Pairs, adjudicators and worklists for every study not yet assigned (stored; audit-logged)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with transaction.atomic():
        reading = Reading.objects.first()
        if reading is None:
            reading = Reading.objects.create(seed=seed if seed is not None else secrets.randbits(48),
                                             repeat_fraction=repeat_fraction, washout_days=washout_days)
        elif Assignment.objects.exists():
            raise Refused("the reading is already assigned; its worklists are stored and are not redrawn")
        else:
            reading.seed = seed if seed is not None else reading.seed
            reading.repeat_fraction, reading.washout_days = repeat_fraction, washout_days
        members = Member.objects.select_related("user")
        readers = [engine.Person(m.user.username, m.site) for m in members if m.role == Role.READER]
        judges = [engine.Person(m.user.username, m.site) for m in members if m.role == Role.ADJUDICATOR]
        studies = list(Study.objects.all())
        if not studies:
            raise Refused("there are no studies: import a cohort first")
        by_key = {s.study_id: s for s in studies}
        result = engine.plan([engine.Item(s.study_id, s.site) for s in studies], readers, judges, reading.seed,
                             repeat_fraction)
        users = {u.username: u for u in User.objects.all()}
        now = timezone.now()
        rows = []
        for reader, items in result.worklists.items():
            for item in items:
                rows.append(Assignment(
                    study=by_key[item.key], reader=users[reader], slot=item.slot, position=item.position,
                    available_from=now + dt.timedelta(days=washout_days) if item.slot == Slot.REPEAT else None))
        Assignment.objects.bulk_create(rows)
        for key, judge in result.adjudicators.items():
            by_key[key].adjudicator = users[judge]
        Study.objects.bulk_update(list(by_key.values()), ["adjudicator"])
        reading.assigned_at = now
        reading.save()
        audit.record(actor, "reading_assigned", "worklists",
                     {"seed": str(reading.seed), "studies": str(len(studies)), "readers": [r.name for r in readers],
                      "repeat_fraction": str(repeat_fraction), "washout_days": str(washout_days)})
        ensure_rules()
    return result


# ------------------------------------------------------------------ reading


def _repeat_open(a: Assignment, now: Any) -> bool:
    """A repeat read opens after its washout and after the reader's first read of the study is submitted."""
    if a.available_from and a.available_from > now:
        return False
    return Read.objects.filter(assignment__reader_id=a.reader_id, assignment__study_id=a.study_id,
                               status=ReadStatus.SUBMITTED).exclude(assignment__slot=Slot.REPEAT).exists()


def visible_assignments(user: Any) -> list[Assignment]:
    """A reader's worklist in its stored order; repeat reads only once open (see :func:`_repeat_open`)."""
    now = timezone.now()
    qs = (Assignment.objects.filter(reader=user).select_related("study").defer("study__imported_cells")
          .order_by("position"))
    return [a for a in qs if a.slot != Slot.REPEAT or _repeat_open(a, now)]


def assignment_for(user: Any, assignment_id: int) -> Assignment:
    """One assignment of this reader's worklist, or ``LookupError`` (not theirs, or not open yet)."""
    a = (Assignment.objects.select_related("study").defer("study__imported_cells")
         .filter(pk=assignment_id, reader=user).first())
    if a is None or (a.slot == Slot.REPEAT and not _repeat_open(a, timezone.now())):
        raise LookupError(assignment_id)
    return a


def _diff(old: dict[str, str], new: dict[str, str]) -> dict[str, dict[str, str]]:
    return {k: {"old": old.get(k, ""), "new": v} for k, v in new.items() if old.get(k, "") != v}


@dataclass(frozen=True)
class SaveResult:
    read: Read
    submitted: bool
    problems: dict[str, str]


_SQLITE_WRITES = threading.Lock()


@contextmanager
def _one_writer() -> Iterator[None]:
    """On SQLite, saves of this process queue here instead of in SQLite's sleeping busy handler."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with _SQLITE_WRITES:
        yield


def save_read(user: Any, assignment: Assignment, parsed: Parsed, submit: bool, seconds: float) -> SaveResult:
    """Save a draft or submit a read; a submitted read changes only through an approved amendment."""
    from django.db import connection

    with _one_writer(), transaction.atomic():
        a = assignment
        if connection.vendor != "sqlite":  # on SQLite the transaction already holds the write lock (IMMEDIATE)
            a = Assignment.objects.select_for_update().get(pk=assignment.pk)
        read = Read.objects.filter(assignment=a).first()
        if read is not None and read.status == ReadStatus.SUBMITTED:
            raise Refused("this read is submitted; ask the coordinator for an amendment to change it")
        now = timezone.now()
        if read is None:
            read = Read(assignment=a, values={}, sheet_version=SHEET_VERSION, sheet_hash=SHEET_HASH, started_at=now)
        old = dict(read.values)
        read.values = parsed.cells
        read.sheet_version, read.sheet_hash = SHEET_VERSION, SHEET_HASH
        read.reading_seconds += max(0.0, min(seconds, MAX_SECONDS_PER_VISIT))
        target = f"read {assignment.study.code} {a.slot} by {user.username}"
        changes = _diff(old, parsed.cells)
        amending = read.status == ReadStatus.AMENDING
        do_submit = submit and not parsed.problems
        if do_submit:
            read.status = ReadStatus.SUBMITTED
            read.submitted_at = now
            read.revision += 1
        read.save()
        if changes or not do_submit:
            audit.record(user.username, "read_amended" if amending else "read_saved", target, {"changes": changes},
                         reason=_open_amendment_reason(read) if amending else "")
        if do_submit:
            audit.record(user.username, "read_submitted", target,
                         {"sheet_version": SHEET_VERSION, "sheet_hash": SHEET_HASH, "revision": str(read.revision),
                          "reading_seconds": f"{read.reading_seconds:.0f}"})
            if a.slot != Slot.REPEAT:
                _after_submission(assignment.study)
    return SaveResult(read, do_submit, parsed.problems)


def _open_amendment_reason(read: Read) -> str:
    am = read.amendments.filter(approved=True).order_by("-id").first()
    return am.reason if am else ""


def double_reads(study: Study) -> tuple[Read | None, Read | None]:
    reads = {r.assignment.slot: r for r in Read.objects.filter(
        assignment__study=study, assignment__slot__in=[Slot.READER_1, Slot.READER_2]).select_related("assignment")}
    return reads.get(Slot.READER_1), reads.get(Slot.READER_2)


def _after_submission(study: Study) -> None:
    """When both reads are in: consensus if they agree on every field, else open the adjudication."""
    r1, r2 = double_reads(study)
    if not (r1 and r2 and r1.status == ReadStatus.SUBMITTED and r2.status == ReadStatus.SUBMITTED):
        return
    if Consensus.objects.filter(study=study).exists():
        return
    rules = ensure_rules()
    fields = compare(r1.values, r2.values, rules)
    discordant = [f.field for f in fields if not f.agree]
    if discordant:
        judge = study.adjudicator
        if judge is None:
            raise Refused(f"study {study.code} has no adjudicator")
        Adjudication.objects.get_or_create(study=study, defaults={"adjudicator": judge, "discordant": discordant})
        audit.record("station", "adjudication_opened", f"study {study.code}",
                     {"discordant": discordant, "adjudicator": judge.username})
        return
    _make_consensus(study, {f.field: f.merged for f in fields}, {f.field: f.how for f in fields})


def _make_consensus(study: Study, values: dict[str, str], provenance: dict[str, str]) -> Consensus:
    canonical, problems = check(values)
    if problems:
        raise Refused("the consensus does not pass the sheet's checks: " +
                      "; ".join(f"{k}: {v}" for k, v in problems.items()))
    c = Consensus.objects.create(study=study, values=canonical, provenance=provenance, sheet_hash=SHEET_HASH,
                                 created_at=timezone.now())
    audit.record("station", "consensus_created", f"study {study.code}",
                 {"provenance": {k: v for k, v in provenance.items() if v not in ("agreed", "ignored")}})
    return c


# ------------------------------------------------------------------ amendments


def request_amendment(user: Any, assignment: Assignment, reason: str) -> Amendment:
    reason = reason.strip()
    if not reason:
        raise Refused("an amendment needs a reason")
    with transaction.atomic():
        read = Read.objects.select_for_update().filter(assignment=assignment).first()
        if read is None or read.status != ReadStatus.SUBMITTED:
            raise Refused("only a submitted read can be amended")
        if Consensus.objects.filter(study=assignment.study).exists() and assignment.slot != Slot.REPEAT:
            raise Refused("the consensus of this study is final; the coordinator can reopen it only by a new reading")
        if read.amendments.filter(approved__isnull=True).exists():
            raise Refused("an amendment of this read is already waiting for the coordinator")
        am = Amendment.objects.create(read=read, reason=reason, requested_at=timezone.now())
        audit.record(user.username, "amendment_requested", f"read {assignment.study.code} {assignment.slot}",
                     reason=reason)
    return am


def decide_amendment(user: Any, amendment_id: int, approve: bool) -> Amendment:
    with transaction.atomic():
        am = Amendment.objects.select_for_update().select_related("read__assignment__study").get(pk=amendment_id)
        if am.approved is not None:
            raise Refused("this amendment request is already decided")
        am.approved, am.decided_by, am.decided_at = approve, user, timezone.now()
        am.save()
        if approve:
            read = am.read
            read.status = ReadStatus.AMENDING
            read.save()
        a = am.read.assignment
        audit.record(user.username, "amendment_approved" if approve else "amendment_refused",
                     f"read {a.study.code} {a.slot}", reason=am.reason)
    return am


# ------------------------------------------------------------------ adjudication


@dataclass(frozen=True)
class Decision:
    field: str
    choice: str   # A | B | new
    value: str
    reason: str


def adjudicate(user: Any, adjudication_id: int, decisions: Iterable[Decision], parsed_new: dict[str, str]
               ) -> Consensus:
    """Record the adjudicator's choice per discordant field (reason mandatory) and build the consensus."""
    with transaction.atomic():
        adj = Adjudication.objects.select_for_update().select_related("study").get(pk=adjudication_id)
        if adj.adjudicator_id != user.pk:
            raise LookupError(adjudication_id)
        if adj.completed_at is not None:
            raise Refused("this study is already adjudicated")
        study = adj.study
        r1, r2 = double_reads(study)
        assert r1 is not None and r2 is not None
        chosen = {d.field: d for d in decisions}
        problems = [Problem("adjudication", "no decision", column=f) for f in adj.discordant if f not in chosen]
        problems += [Problem("adjudication", "a reason is required", column=f) for f, d in chosen.items()
                     if not d.reason.strip()]
        if problems:
            raise InputError("every discordant field needs A, B or a new value, and a reason", problems)
        fields = compare(r1.values, r2.values, ensure_rules())
        values = {f.field: f.merged for f in fields if f.agree}
        provenance = {f.field: f.how for f in fields if f.agree}
        a_slot, b_slot = ("reader_1", "reader_2") if study.a_is_reader_1 else ("reader_2", "reader_1")
        for name in adj.discordant:
            d = chosen[name]
            if d.choice == "A":
                slot = a_slot
            elif d.choice == "B":
                slot = b_slot
            else:
                slot = "new"
            value = r1.values.get(name, "") if slot == "reader_1" else r2.values.get(name, "") \
                if slot == "reader_2" else parsed_new.get(name, "")
            values[name] = value
            provenance[name] = "adjudicator" if slot == "new" else slot
            FieldDecision.objects.create(adjudication=adj, field=name, choice=slot, value=value, reason=d.reason)
            audit.record(user.username, "field_adjudicated", f"study {study.code} field {name}",
                         {"choice": slot, "reader_1": r1.values.get(name, ""), "reader_2": r2.values.get(name, ""),
                          "new": value}, reason=d.reason)
        adj.completed_at = timezone.now()
        adj.save()
        return _make_consensus(study, values, provenance)


def adjudication_ready(adj: Adjudication) -> bool:
    r1, r2 = double_reads(adj.study)
    return bool(r1 and r2 and r1.status == ReadStatus.SUBMITTED and r2.status == ReadStatus.SUBMITTED)


def adjudication_for(user: Any, adjudication_id: int) -> Adjudication:
    """One adjudication of this adjudicator, once both reads are in, or ``LookupError``."""
    adj = Adjudication.objects.select_related("study").filter(pk=adjudication_id, adjudicator=user).first()
    if adj is None or not adjudication_ready(adj):
        raise LookupError(adjudication_id)
    return adj


# ------------------------------------------------------------------ allocation and progress


def allocation_of(study: Study, values: dict[str, str]) -> Any:
    """Pattern allocation (and its rule trace) of one set of sheet values for this study."""
    from neurohlh.patterns import classify_study
    from neurohlh.station.sheet import study_record

    extra = {"study_date": study.study_date.isoformat() if study.study_date else "",
             "age_at_study_months": format_cell(study.age_months, field_specs(_study_type())["age_at_study_months"])}
    return classify_study(study_record(values, study.study_id, study.patient.patient_id, "consensus", extra))


def progress() -> dict[str, Any]:
    per_reader = []
    for m in Member.objects.select_related("user").filter(role=Role.READER).order_by("user__username"):
        total = Assignment.objects.filter(reader=m.user).count()
        done = Read.objects.filter(assignment__reader=m.user, status=ReadStatus.SUBMITTED).count()
        drafts = Read.objects.filter(assignment__reader=m.user).exclude(status=ReadStatus.SUBMITTED).count()
        per_reader.append({"name": m.user.username, "site": m.site, "assigned": total, "submitted": done,
                           "drafts": drafts})
    waiting = Adjudication.objects.filter(completed_at__isnull=True).select_related("study", "adjudicator")
    return {
        "studies": Study.objects.count(),
        "consensus": Consensus.objects.count(),
        "per_reader": per_reader,
        "waiting": list(waiting),
        "amendments": list(Amendment.objects.filter(approved__isnull=True)
                           .select_related("read__assignment__study", "read__assignment__reader")),
    }
