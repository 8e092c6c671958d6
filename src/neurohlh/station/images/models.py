"""Stored images: series and slices readers see, files held back for the coordinator, the coordinator's key.

Paths are relative to the station folder (``settings.STATION_DIR``); the files live under its ``images/`` and
``held-back/`` folders, which no URL serves directly.
"""
from __future__ import annotations

from django.db import models

from neurohlh.station.models import PatientRecord, Study


class SequenceKind(models.TextChoices):
    """What a series shows, decided from its own acquisition attributes (see ``images.classify``)."""

    T2 = "T2", "T2"
    FLAIR = "FLAIR", "FLAIR"
    DWI = "DWI", "DWI"
    ADC = "ADC", "ADC map"
    T1 = "T1", "T1"
    T1_POST = "T1_post", "T1 post-contrast"
    SWI = "SWI", "SWI"
    OTHER = "other", "other"


class ImageSeries(models.Model):
    """One de-identified series of a worklist study, as readers see it.

    ``code`` is the opaque name used in URLs; ``description`` is written by the station from the series'
    technical attributes (never the scanner's free text). The window is in rescaled units (after the slope and
    intercept of the slices).
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="image_series")
    code = models.CharField(max_length=16, unique=True)
    series_uid = models.CharField(max_length=64, unique=True)  # the remapped UID written in the stored files
    modality = models.CharField(max_length=16, default="MR")
    kind = models.CharField(max_length=16, choices=SequenceKind.choices)
    description = models.CharField(max_length=200)
    slice_count = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    columns = models.PositiveIntegerField()
    window_center = models.FloatField()
    window_width = models.FloatField()
    field_strength_t = models.FloatField(null=True, blank=True)
    order = models.PositiveIntegerField()  # place in the study's series list (by series number)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["study_id", "order"]
        constraints = [models.UniqueConstraint(fields=["study", "order"], name="one_series_per_place")]


class ImageSlice(models.Model):
    """One displayed slice: a frame of a stored de-identified file (frame 0 of a single-frame file).

    ``pixels * rescale_slope + rescale_intercept`` gives the values the series window applies to.
    """

    series = models.ForeignKey(ImageSeries, on_delete=models.PROTECT, related_name="slices")
    index = models.PositiveIntegerField()  # 0 .. slice_count - 1, in order along the slice normal
    path = models.CharField(max_length=255)  # relative to the station folder
    frame = models.PositiveIntegerField(default=0)
    slice_location = models.FloatField(null=True, blank=True)
    rescale_slope = models.FloatField(default=1.0)
    rescale_intercept = models.FloatField(default=0.0)

    class Meta:
        ordering = ["series_id", "index"]
        constraints = [models.UniqueConstraint(fields=["series", "index"], name="one_slice_per_index")]


class ImageStudy(models.Model):
    """What the images tell about a worklist study (the header prefill); one per study with images."""

    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="image_study")
    study_uid = models.CharField(max_length=64, unique=True)  # remapped
    age_months = models.FloatField(null=True, blank=True)  # age at scan, from the header's dates
    field_strength_t = models.FloatField(null=True, blank=True)
    imported_at = models.DateTimeField()


class HeldBackFile(models.Model):
    """A file not shown to readers (burned-in annotation flagged or suspected); the coordinator reviews it.

    The stored copy has a de-identified header but its pixels are untouched: they may show identifying text.
    """

    study = models.ForeignKey(Study, null=True, blank=True, on_delete=models.PROTECT, related_name="held_back")
    source = models.CharField(max_length=500)  # path relative to the imported folder
    sop_uid = models.CharField(max_length=64, unique=True)  # remapped: the same file is held back once
    reason = models.CharField(max_length=300)
    path = models.CharField(max_length=255)  # relative to the station folder
    held_at = models.DateTimeField()


class ImageKey(models.Model):
    """The coordinator's key for one patient: the shift added to every date of their images."""

    patient = models.OneToOneField(PatientRecord, on_delete=models.PROTECT, related_name="image_key")
    date_shift_days = models.IntegerField()


class UidMap(models.Model):
    """The coordinator's key for UIDs: the same original UID always gets the same replacement."""

    original = models.CharField(max_length=64, unique=True)
    replacement = models.CharField(max_length=64, unique=True)
