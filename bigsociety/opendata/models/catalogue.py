"""Catalogue models: datasets, their resources (distributions), licences, themes, tags,
the history of changes, release schedules, the datastore and the search document.

Vocabulary (docs/CONTEXT.md): a *dataset* is published by a *publisher* (an organisation)
and has *resources* (files or links). A published dataset has a *release schedule*: its
update frequency (ISO 8601 repeating duration, e.g. ``R/P1M``) and the date its next release
is due. The CKAN and DCAT adapters translate these names at the edge.

Writes go through ``bigsociety.opendata.services.catalogue``: it keeps each dataset's
search document (``SearchDocument`` + ``SearchFacet``) in step, so reads never rebuild a
dataset dict per result.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel

__all__ = [
    "DATASET_TRANSITIONS",
    "FREQUENCY_STEPS",
    "Dataset",
    "DatasetChange",
    "Frequency",
    "Licence",
    "Resource",
    "SearchChange",
    "SearchDocument",
    "SearchFacet",
    "SearchTerm",
    "SearchTermFacet",
    "Tag",
    "Theme",
]


class Licence(BaseModel):
    """A licence a dataset may be published under. ``code`` is CKAN's licence id."""

    code = models.CharField(_("CKAN licence id"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("URL"), blank=True)
    is_open = models.BooleanField(_("open licence"), default=True)
    is_default = models.BooleanField(_("default for new datasets"), default=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_licence",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Theme(BaseModel):
    """A broad subject (a CKAN *group*; a DCAT ``dcat:theme``)."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(
        _("concept URI"),
        blank=True,
        help_text=_("A URI for the theme, e.g. an ESD function http://id.esd.org.uk/function/20"),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    """A free keyword. Names are lower-case, as CKAN's free tags usually are."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    """Update frequency as an ISO 8601 repeating duration (data.gov.uk's DCAT profile)."""

    DAILY = "R/P1D", _("Daily")
    WEEKLY = "R/P1W", _("Weekly")
    MONTHLY = "R/P1M", _("Monthly")
    QUARTERLY = "R/P3M", _("Quarterly")
    BIANNUAL = "R/P6M", _("Every six months")
    ANNUAL = "R/P1Y", _("Annually")
    IRREGULAR = "irregular", _("Irregularly")
    NEVER = "never", _("Not updated")


# Days / months added to a release date to get the next one. None: no schedule.
FREQUENCY_STEPS: dict[str, tuple[int, int] | None] = {
    Frequency.DAILY: (1, 0),
    Frequency.WEEKLY: (7, 0),
    Frequency.MONTHLY: (0, 1),
    Frequency.QUARTERLY: (0, 3),
    Frequency.BIANNUAL: (0, 6),
    Frequency.ANNUAL: (0, 12),
    Frequency.IRREGULAR: None,
    Frequency.NEVER: None,
}


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def published(self) -> DatasetQuerySet:
        return self.filter(state=Dataset.State.PUBLISHED)

    def of_publisher(self, organisation_id: int) -> DatasetQuerySet:
        return self.filter(publisher_id=organisation_id)

    def scheduled(self) -> DatasetQuerySet:
        """Published datasets with a next release date."""
        return self.published().filter(next_release_on__isnull=False)

    def overdue(self, today: dt.date | None = None) -> DatasetQuerySet:
        """Published datasets whose next release was due before today."""
        return self.scheduled().filter(next_release_on__lt=today or timezone.localdate())

    def due_between(self, start: dt.date, end: dt.date) -> DatasetQuerySet:
        return self.scheduled().filter(next_release_on__gte=start, next_release_on__lte=end)

    def for_page(self) -> DatasetQuerySet:
        """What a dataset page and a CKAN package dict show, in a fixed number of queries."""
        return self.select_related("publisher", "licence").prefetch_related(
            "tags",
            "themes",
            "spatial",
            models.Prefetch("resources", queryset=Resource.objects.order_by("position", "id")),
        )


class Dataset(BaseModel):
    """A dataset in the catalogue. ``uuid`` is its stable public id (CKAN ``id``)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(
        _("URL name"),
        max_length=100,
        unique=True,
        help_text=_("Lower-case letters, digits and hyphens, e.g. street-crime-monthly."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), help_text=_("Markdown. Links and lists are kept; scripts are removed.")
    )
    publisher = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("publisher"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    licence = models.ForeignKey(
        Licence, verbose_name=_("licence"), on_delete=models.PROTECT, related_name="datasets"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="datasets")
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="datasets"
    )
    spatial = models.ManyToManyField(
        "places.Place", verbose_name=_("spatial coverage"), blank=True, related_name="datasets"
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    update_frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    next_release_on = models.DateField(_("next release due"), null=True, blank=True)
    last_reminded_for = models.DateField(
        _("reminder sent for release due"), null=True, blank=True, editable=False
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # CKAN's metadata_modified: the last change to the dataset or any of its resources.
    modified_at = models.DateTimeField(_("metadata modified"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temporal_start__isnull=True)
                | models.Q(temporal_end__isnull=True)
                | models.Q(temporal_end__gte=models.F("temporal_start")),
                name="dataset_temporal_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="dataset_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_release_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("opendata:dataset_detail", kwargs={"name": self.name})

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.is_published
            and self.next_release_on is not None
            and self.next_release_on < (today or timezone.localdate())
        )


_DS = Dataset.State

# The one table of allowed dataset state changes.
DATASET_TRANSITIONS: dict[str, frozenset[str]] = {
    _DS.DRAFT: frozenset({_DS.PUBLISHED}),
    _DS.PUBLISHED: frozenset({_DS.WITHDRAWN}),
    _DS.WITHDRAWN: frozenset({_DS.PUBLISHED}),
}


def resource_upload_to(instance: Resource, filename: str) -> str:
    return f"opendata/{instance.uuid}/{filename}"


class Resource(BaseModel):
    """A distribution of a dataset: an uploaded file or a link."""

    class DatastoreStatus(models.TextChoices):
        NONE = "", _("Not loaded")
        LOADED = "loaded", _("Loaded")
        FAILED = "failed", _("Could not be loaded")

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to=resource_upload_to, blank=True, max_length=300)
    format = models.CharField(_("format"), max_length=30, blank=True)
    media_type = models.CharField(_("media type"), max_length=100, blank=True)
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now)
    # The datastore: CSV resources are loaded into a table of their own.
    datastore_status = models.CharField(
        max_length=10, choices=DatastoreStatus.choices, default=DatastoreStatus.NONE, blank=True
    )
    datastore_table = models.CharField(max_length=63, blank=True)
    datastore_fields = models.JSONField(default=list, blank=True)  # [{"id", "type"}]
    datastore_rows = models.BigIntegerField(null=True, blank=True)
    datastore_error = models.TextField(blank=True)
    preview = models.JSONField(default=dict, blank=True)  # {"header": [...], "rows": [[...]]}

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(file=""), name="resource_file_or_url"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "opendata:resource_detail", kwargs={"name": self.dataset.name, "resource": self.uuid}
        )

    @property
    def is_upload(self) -> bool:
        return bool(self.file)

    @property
    def datastore_active(self) -> bool:
        return self.datastore_status == self.DatastoreStatus.LOADED

    def download_path(self) -> str:
        """The site path a person downloads the data from (uploads are served by us)."""
        if self.file:
            return reverse("opendata:resource_download", kwargs={"resource": self.uuid})
        return self.url


class DatasetChange(models.Model):
    """One entry in a dataset's public history of changes (who by role, what, when)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("what"), max_length=40)
    summary = models.CharField(_("summary"), max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["dataset", "at"])]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.action} {self.at:%Y-%m-%d}"


class SearchDocument(models.Model):
    """The denormalised search document of one dataset, kept by the services.

    ``package`` is the full CKAN package dict, so search and harvests read one row per
    result. Full-text search: PostgreSQL adds a generated, weighted ``search_vector``
    column with a GIN index; SQLite keeps an FTS5 table in step by triggers (migration 0002).
    """

    dataset = models.OneToOneField(
        Dataset, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    uuid = models.CharField(max_length=36, unique=True)
    name = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    title_sort = models.CharField(max_length=200, db_index=True)
    tags_text = models.TextField(blank=True)
    body = models.TextField(blank=True)  # description, resource names, publisher
    state = models.CharField(max_length=20)
    publisher_id = models.BigIntegerField()
    metadata_created = models.DateTimeField()
    metadata_modified = models.DateTimeField()
    package = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["state", "uuid"], name="opendata_sd_state_uuid"),
            models.Index(fields=["state", "metadata_modified"], name="opendata_sd_state_mod"),
            models.Index(fields=["state", "name"], name="opendata_sd_state_name"),
            models.Index(fields=["state", "title_sort"], name="opendata_sd_state_title"),
        ]

    def __str__(self) -> str:
        return self.name


class SearchFacet(models.Model):
    """One facet value of one dataset (field: organization, tags, res_format, license_id,
    groups). Facet counts are GROUP BY queries on this table; ``fq`` filters use it too."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["field", "value", "dataset"], name="one_facet_value")
        ]
        indexes = [models.Index(fields=["dataset", "field"], name="opendata_sf_dataset")]

    def __str__(self) -> str:
        return f"{self.field}:{self.value}"


class SearchTerm(models.Model):
    """One stemmed word of one published dataset, with the dataset's score for it: the term
    index's postings (see ``term_index.py``). Kept by the services, never edited."""

    pk = models.CompositePrimaryKey("term", "dataset")
    term = models.CharField(max_length=64)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    metadata_modified = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                "term",
                models.F("score").desc(),
                models.F("metadata_modified").desc(),
                "dataset",
                name="opendata_st_rank",
            )
        ]

    def __str__(self) -> str:
        return self.term


class SearchTermFacet(models.Model):
    """How many published datasets holding ``term`` carry a facet value (field ``*`` counts
    the datasets holding the term): the count and facets of a one-word search, aggregated."""

    pk = models.CompositePrimaryKey("term", "field", "value")
    term = models.CharField(max_length=64)
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=200)
    datasets = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.term} {self.field}:{self.value}"


class SearchChange(models.Model):
    """One dataset whose term index entries a catalogue edit changed: the change log that keeps
    each process's in-memory term snapshot (``term_snapshot.py``) fresh. Written by the term
    index writer while it holds the one-writer lock, so ``seq`` grows in commit order; only the
    newest ``term_index.LOG_KEEP`` rows are kept."""

    seq = models.BigAutoField(primary_key=True)
    dataset_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.seq}: {self.dataset_id}"
