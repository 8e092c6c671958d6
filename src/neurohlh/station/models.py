"""Station records: members and roles, studies, assignments, reads, adjudication, consensus, audit log.

A reader's pages are built only from :class:`Study` ``code`` and ``age_band``; the identifying and clinical
columns (``study_id``, ``patient_id``, ``site``, dates, the imported patient rows) are read by coordinator views only.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from neurohlh.station.choices import TextChoices


class Role(TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    READER = "reader", "Reader"
    ADJUDICATOR = "adjudicator", "Adjudicator"


class Member(models.Model):
    """A station account's role and site (a reader never reads a study of their own site)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member")
    role = models.CharField(max_length=16, choices=Role.choices)
    site = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role})"


class Reading(models.Model):
    """The reading's set-up (one row): the seed of every random choice, washout and repeat fraction."""

    seed = models.BigIntegerField()
    repeat_fraction = models.FloatField(default=0.0)
    washout_days = models.PositiveIntegerField(default=28)
    assigned_at = models.DateTimeField(null=True, blank=True)


class PatientRecord(models.Model):
    """An imported patient row, kept as the file's cells for export (coordinator only)."""

    patient_id = models.CharField(max_length=128, unique=True)
    site = models.CharField(max_length=64, blank=True, default="")
    cells = models.JSONField()


class VariantRecord(models.Model):
    position = models.PositiveIntegerField(unique=True)
    cells = models.JSONField()


class Study(models.Model):
    """One MR study of the worklist. ``code`` is the pseudonym readers see, unrelated to ``study_id``."""

    code = models.CharField(max_length=16, unique=True)
    study_id = models.CharField(max_length=128, unique=True)
    patient = models.ForeignKey(PatientRecord, on_delete=models.PROTECT, related_name="studies")
    site = models.CharField(max_length=64, blank=True, default="")
    study_date = models.DateField(null=True, blank=True)
    age_months = models.FloatField(null=True, blank=True)
    age_band = models.CharField(max_length=32)
    imported_cells = models.JSONField(default=dict)  # the imported read (if any), for the coordinator only
    a_is_reader_1 = models.BooleanField(default=True)  # adjudicator's Reader A/B order, random per study
    adjudicator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="adjudicated_studies")

    class Meta:
        ordering = ["id"]


class Slot(TextChoices):
    READER_1 = "reader_1", "first reader"
    READER_2 = "reader_2", "second reader"
    REPEAT = "repeat", "repeat read after washout"


class Assignment(models.Model):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="assignments")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    slot = models.CharField(max_length=16, choices=Slot.choices)
    position = models.PositiveIntegerField()  # place in the reader's stored shuffled worklist
    available_from = models.DateTimeField(null=True, blank=True)  # repeat reads: after the washout

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "slot", "reader"], name="one_slot_per_reader"),
            models.UniqueConstraint(fields=["reader", "position"], name="one_position_per_reader"),
        ]
        ordering = ["reader_id", "position"]


class ReadStatus(TextChoices):
    DRAFT = "draft", "draft"
    SUBMITTED = "submitted", "submitted"
    AMENDING = "amending", "amendment approved, being edited"


class Read(models.Model):
    """One reader's sheet for one assignment; ``values`` holds file-format cells of the sheet fields."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="read")
    values = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=ReadStatus.choices, default=ReadStatus.DRAFT)
    sheet_version = models.CharField(max_length=32)
    sheet_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reading_seconds = models.FloatField(default=0.0)
    revision = models.PositiveIntegerField(default=0)


class Amendment(models.Model):
    read = models.ForeignKey(Read, on_delete=models.PROTECT, related_name="amendments")
    reason = models.TextField()
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)


class ToleranceRule(models.Model):
    """How two readers' values of one field are compared (data, editable by the coordinator)."""

    field = models.CharField(max_length=64, unique=True)
    rule = models.CharField(max_length=16)  # exact | absolute | ignore
    tolerance = models.FloatField(default=0.0)


class Adjudication(models.Model):
    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="adjudication")
    adjudicator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    discordant = models.JSONField()  # field names sent to the adjudicator
    completed_at = models.DateTimeField(null=True, blank=True)


class FieldDecision(models.Model):
    adjudication = models.ForeignKey(Adjudication, on_delete=models.PROTECT, related_name="decisions")
    field = models.CharField(max_length=64)
    choice = models.CharField(max_length=8)  # reader_1 | reader_2 | new (stored by slot, not by A/B label)
    value = models.TextField(blank=True, default="")
    reason = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["adjudication", "field"], name="one_decision_per_field")]


class Consensus(models.Model):
    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="consensus")
    values = models.JSONField()
    provenance = models.JSONField()  # field -> agreed | within_tolerance | reader_1 | reader_2 | adjudicator
    sheet_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()


class AuditEvent(models.Model):
    """Append-only, hash-chained event log; database triggers refuse UPDATE and DELETE (see migrations)."""

    at = models.CharField(max_length=40)  # ISO time as hashed, so the chain does not depend on the driver
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200)
    detail = models.JSONField(default=dict)  # e.g. {"field": ..., "old": ..., "new": ...}
    reason = models.TextField(blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]


from neurohlh.station.images.models import (  # noqa: E402,F401  (registered with the station app)
    HeldBackFile,
    ImageKey,
    ImageSeries,
    ImageSlice,
    ImageStudy,
    SequenceKind,
    UidMap,
)
