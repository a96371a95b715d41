"""Crime: police.uk street-level crime, outcomes and stop and search, by force and month.

``Crime``, ``CrimeOutcome`` and ``StopSearch`` are bulk facts: millions of rows replaced a
whole force-month at a time by the importer (COPY / executemany), never edited one by one.
They deliberately do not inherit ``BaseModel``: their provenance (when, by whom, from which
file) is the ``ForceMonth`` row of the import that wrote them, which does.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel

from .bulk import CATEGORY_NAMES, month_str


class Force(BaseModel):
    """A police force, named by the slug of the bulk files (city-of-london, metropolitan…)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("police force")

    def __str__(self) -> str:
        return self.name


class ForceMonth(BaseModel):
    """One imported file: a force's month of one layout, with what the import found."""

    class Kind(models.TextChoices):
        STREET = "street", _("Street-level crime")
        OUTCOMES = "outcomes", _("Outcomes")
        STOP_AND_SEARCH = "stop-and-search", _("Stop and search")

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="months")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    kind = models.CharField(_("layout"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source file"), max_length=500, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    no_location = models.PositiveIntegerField(_("rows with no location"), default=0)
    without_id = models.PositiveIntegerField(_("rows with no crime ID"), default=0)
    repeated_ids = models.PositiveIntegerField(_("repeated crime IDs"), default=0)
    outside_area = models.PositiveIntegerField(_("rows outside the force's area"), default=0)
    in_our_places = models.PositiveIntegerField(_("rows in the platform's places"), default=0)
    # The ids of the rows this file wrote lie in [first_row_id, last_row_id] (street files).
    # A force-month's crimes are found through this range and the primary key, so the crime
    # table needs no (force, month) index to keep up during an import.
    first_row_id = models.BigIntegerField(null=True, blank=True)
    last_row_id = models.BigIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "force__name", "kind"]
        verbose_name = _("imported force-month")
        constraints = [
            models.UniqueConstraint(fields=["force", "month", "kind"], name="crime_forcemonth_once")
        ]

    def __str__(self) -> str:
        return f"{self.force.slug} {month_str(self.month)} {self.kind}"


class CrimeQuerySet(models.QuerySet["Crime"]):
    def in_month(self, month: dt.date) -> CrimeQuerySet:
        return self.filter(month=month)

    def in_bbox(
        self, min_lat: float, max_lat: float, min_lng: float, max_lng: float
    ) -> CrimeQuerySet:
        return self.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lng,
            longitude__lte=max_lng,
        )

    def located(self) -> CrimeQuerySet:
        return self.filter(latitude__isnull=False)

    def of_category(self, slug: str) -> CrimeQuerySet:
        return self if slug == "all-crime" else self.filter(category=slug)

    def of_force_month(self, force: str, month: dt.date) -> CrimeQuerySet:
        """A force-month's crimes, found through the id range its import recorded."""
        rows = self.filter(force=force, month=month)
        span = (
            ForceMonth.objects.filter(force__slug=force, month=month, kind=ForceMonth.Kind.STREET)
            .values_list("first_row_id", "last_row_id")
            .first()
        )
        if span is not None and span[0] is not None and span[1] is not None:
            rows = rows.filter(id__range=span)
        return rows


class Crime(models.Model):
    """One row of a street-level crime file (an anti-social behaviour row has no crime ID)."""

    month = models.DateField()
    force = models.CharField(max_length=60)
    crime_id = models.CharField(max_length=64, blank=True)
    # The first 60 bits of crime_id as an integer: a small index key for look-ups by id.
    crime_key = models.BigIntegerField(null=True)
    reported_by = models.CharField(max_length=120)
    falls_within = models.CharField(max_length=120)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    location = models.CharField(max_length=300, blank=True)
    location_id = models.IntegerField(null=True)
    lsoa_code = models.CharField(max_length=20, blank=True)
    lsoa_name = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=40)
    last_outcome = models.CharField(max_length=200, blank=True)
    # The month of last_outcome when an outcomes file updated it (None: as the street file said).
    outcome_month = models.DateField(null=True)
    context = models.TextField(blank=True)
    outside_area = models.BooleanField(default=False)
    # The platform's places holding the point (ids of places.Place; plain integers so a
    # boundary re-import never cascades into millions of crime rows).
    neighbourhood_id = models.IntegerField(null=True)
    ward_id = models.IntegerField(null=True)
    authority_id = models.IntegerField(null=True)

    objects = CrimeQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["month", "latitude", "longitude"], name="crime_month_point"),
            # anti-social behaviour rows have no crime ID: a seventh fewer entries to keep
            models.Index(
                fields=["crime_key"],
                name="crime_crime_key",
                condition=models.Q(crime_key__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crime_id or 'ASB'} {self.category} {self.month:%Y-%m}"

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)


class CrimeOutcome(models.Model):
    """One row of an outcomes file: what happened to a crime, in a month."""

    month = models.DateField()
    force = models.CharField(max_length=60)
    crime_id = models.CharField(max_length=64)
    crime_key = models.BigIntegerField(null=True)
    reported_by = models.CharField(max_length=120)
    falls_within = models.CharField(max_length=120)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    location = models.CharField(max_length=300, blank=True)
    location_id = models.IntegerField(null=True)
    lsoa_code = models.CharField(max_length=20, blank=True)
    lsoa_name = models.CharField(max_length=120, blank=True)
    outcome = models.CharField(max_length=200)

    class Meta:
        indexes = [
            models.Index(fields=["crime_key"], name="crime_outcome_key"),
            models.Index(fields=["force", "month"], name="crime_outcome_force_month"),
            models.Index(fields=["month", "latitude", "longitude"], name="crime_outcome_point"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_id} {self.outcome} {self.month:%Y-%m}"


class StopSearch(models.Model):
    """One row of a stop-and-search file."""

    month = models.DateField()
    force = models.CharField(max_length=60)
    type = models.CharField(max_length=60)
    datetime = models.DateTimeField(null=True)
    date_text = models.CharField(max_length=40)
    part_of_operation = models.CharField(max_length=10, blank=True)
    operation_name = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    gender = models.CharField(max_length=40, blank=True)
    age_range = models.CharField(max_length=40, blank=True)
    self_defined_ethnicity = models.CharField(max_length=200, blank=True)
    officer_defined_ethnicity = models.CharField(max_length=60, blank=True)
    legislation = models.CharField(max_length=200, blank=True)
    object_of_search = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    outcome_linked = models.CharField(max_length=10, blank=True)
    removal_of_clothing = models.CharField(max_length=10, blank=True)
    neighbourhood_id = models.IntegerField(null=True)
    ward_id = models.IntegerField(null=True)
    authority_id = models.IntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["month", "latitude", "longitude"], name="crime_stop_point"),
            models.Index(fields=["force", "month"], name="crime_stop_force_month"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.date_text}"


class PlaceMonthCount(models.Model):
    """Crimes per place, force, month and category: what the area pages chart and compare."""

    place_id = models.IntegerField()
    force = models.CharField(max_length=60)
    month = models.DateField()
    category = models.CharField(max_length=40)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["place_id", "month"], name="crime_count_place_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["place_id", "force", "month", "category"], name="crime_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.month:%Y-%m} {self.category}: {self.count}"


class ImportJob(BaseModel):
    """A staff upload of bulk files, imported in the background with progress shown."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Finished with problems")

    TRANSITIONS: dict[str, set[str]] = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }

    upload = models.FileField(_("file"), upload_to="crime/imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    files_total = models.PositiveIntegerField(_("files"), default=0)
    files_done = models.PositiveIntegerField(_("files done"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("crime data import")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("crime:import_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Subscription(BaseModel):
    """A person asks for a monthly email about crime in one place."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crime_subscriptions"
    )
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    last_sent_month = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("crime email subscription")
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="crime_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.place}"
