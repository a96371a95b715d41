"""Every write to the catalogue: datasets, resources, release schedules, the search index.

Each service is keyword-only and atomic, checks who is acting (``acting_user=None`` means the
system itself, e.g. the crime app's monthly release through ``opendata.api``), records an
audit entry and a line in the dataset's public history, and rebuilds the dataset's search
document before it returns, so reads never see a stale or half-built dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import re
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F as models_F
from django.utils import timezone
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record, diff, snapshot
from bigsociety.common.uploads import validate_upload
from bigsociety.organisations.models import Organisation

from ..ckan.packages import package_dict
from ..models import (
    DATASET_TRANSITIONS,
    FREQUENCY_STEPS,
    Dataset,
    DatasetChange,
    Frequency,
    Licence,
    Resource,
    SearchDocument,
    SearchFacet,
    Tag,
    Theme,
)
from ..selectors import can_edit_dataset, can_publish_for
from ..term_index import TermIndexUpdate
from ..text import markdown_to_text
from . import datastore

__all__ = [
    "RESOURCE_UPLOAD_TYPES",
    "dataset_create",
    "dataset_publish",
    "dataset_reindex",
    "dataset_set_release_schedule",
    "dataset_update",
    "dataset_withdraw",
    "default_licence",
    "next_release_after",
    "release_record",
    "release_reminders_send",
    "resource_create",
    "resource_delete",
]

NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
TAG_RE = re.compile(r"^[\w .-]{1,100}$", re.UNICODE)
RESOURCE_UPLOAD_TYPES = ["csv", "json", "geojson", "xml", "ttl", "txt", "zip", "xlsx", "ods", "pdf"]
FORMAT_MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XML": "application/xml",
    "TTL": "text/turtle",
    "TXT": "text/plain",
    "ZIP": "application/zip",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "PDF": "application/pdf",
}
DATASET_FIELDS = [
    "name",
    "title",
    "description",
    "publisher",
    "contact_name",
    "contact_email",
    "licence",
    "temporal_start",
    "temporal_end",
    "update_frequency",
    "next_release_on",
    "state",
    "withdrawn_reason",
]


# --- helpers --------------------------------------------------------------------------------


def default_licence() -> Licence:
    """The Open Government Licence v3.0 (or whichever licence is marked default)."""
    licence = Licence.objects.filter(is_default=True).first()
    if licence is None:
        licence, _created = Licence.objects.get_or_create(
            code="OGL-UK-3.0",
            defaults={
                "title": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
                "is_open": True,
                "is_default": True,
            },
        )
    return licence


def next_release_after(frequency: str, released_on: dt.date) -> dt.date | None:
    """The date the release after ``released_on`` is due, or None for irregular/never."""
    step = FREQUENCY_STEPS.get(frequency)
    if step is None:
        return None
    days, months = step
    return released_on + relativedelta(days=days, months=months)


def _check_actor(acting_user: Any, publisher: Organisation) -> None:
    if acting_user is None:  # the system itself (e.g. another app through opendata.api)
        return
    if not can_publish_for(acting_user, publisher):
        raise PermissionDenied(
            _("You cannot publish data for %(publisher)s.") % {"publisher": publisher.name}
        )


def _record(
    *, dataset: Dataset, acting_user: Any, action: str, summary: str, changes: dict[str, Any]
) -> None:
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    DatasetChange.objects.create(
        dataset=dataset, actor=actor, action=action, summary=summary[:300], changes=changes
    )
    audit_record(actor=acting_user, action=f"dataset.{action}", target=dataset, changes=changes)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    names: list[str] = []
    for raw in tags:
        name = str(raw).strip().lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise ValidationError(
                {
                    "tags": _("Tag “%(tag)s” may only contain letters, digits, spaces, -, _ and .")
                    % {"tag": name[:40]}
                }
            )
        if name not in names:
            names.append(name)
    return names


def _validate_dataset(dataset: Dataset) -> None:
    errors: dict[str, list[str]] = {}
    if not NAME_RE.match(dataset.name or ""):
        errors.setdefault("name", []).append(
            _("Use 2 to 100 lower-case letters, digits, - or _ for the URL name.")
        )
    elif Dataset.objects.filter(name=dataset.name).exclude(pk=dataset.pk).exists():
        errors.setdefault("name", []).append(_("That URL is already in use."))
    if not (dataset.title or "").strip():
        errors.setdefault("title", []).append(_("Enter a title."))
    elif len(dataset.title) > 200:
        errors.setdefault("title", []).append(_("The title must be 200 characters or fewer."))
    if not (dataset.description or "").strip():
        errors.setdefault("description", []).append(_("Enter a description."))
    elif len(dataset.description) > 20000:
        errors.setdefault("description", []).append(
            _("The description must be 20,000 characters or fewer.")
        )
    if dataset.contact_email:
        try:
            validate_email(dataset.contact_email)
        except ValidationError:
            errors.setdefault("contact_email", []).append(_("Enter a valid email address."))
    if dataset.update_frequency not in Frequency.values:
        errors.setdefault("update_frequency", []).append(
            _("Choose an update frequency such as R/P1M (monthly).")
        )
    if (
        dataset.temporal_start
        and dataset.temporal_end
        and dataset.temporal_end < dataset.temporal_start
    ):
        errors.setdefault("temporal_end", []).append(
            _("The end of the period must be on or after its start.")
        )
    if errors:
        raise ValidationError(errors)


def slug_for(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:90] or "dataset"
    candidate, n = slug, 2
    while Dataset.objects.filter(name=candidate).exists():
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def _set_relations(
    dataset: Dataset,
    *,
    tags: Iterable[str] | None,
    themes: Iterable[Theme] | None,
    places: Iterable[Any] | None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if tags is not None:
        names = _clean_tags(tags)
        before = sorted(dataset.tags.values_list("name", flat=True))
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        missing = [Tag(name=n) for n in names if n not in existing]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        dataset.tags.set([existing[n] for n in names])
        if before != sorted(names):
            changes["tags"] = {"before": before, "after": sorted(names)}
    if themes is not None:
        themes = list(themes)
        before = sorted(dataset.themes.values_list("slug", flat=True))
        dataset.themes.set(themes)
        after = sorted(t.slug for t in themes)
        if before != after:
            changes["themes"] = {"before": before, "after": after}
    if places is not None:
        places = list(places)
        before = sorted(dataset.spatial.values_list("slug", flat=True))
        dataset.spatial.set(places)
        after = sorted(p.slug for p in places)
        if before != after:
            changes["spatial"] = {"before": before, "after": after}
    return changes


# --- the search document ----------------------------------------------------------------------


@transaction.atomic
def dataset_reindex(*, dataset_ids: Iterable[int]) -> int:
    """Rebuild the search documents (text, facets, package dict) and the term index entries
    of these datasets. Their rows are locked first, so two reindexes of one dataset cannot
    both take its old terms out of the term index's counts."""
    ids = list(dataset_ids)
    count = 0
    terms = TermIndexUpdate(connection)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        datasets = list(
            Dataset.objects.for_page().filter(pk__in=chunk).select_for_update(of=("self",))
        )
        documents = []
        facets: list[SearchFacet] = []
        for dataset in datasets:
            package = package_dict(dataset)
            tags = [t["name"] for t in package["tags"]]
            body = " ".join(
                [
                    markdown_to_text(dataset.description),
                    dataset.publisher.name,
                    " ".join(r.name + " " + r.format for r in dataset.resources.all()),
                    " ".join(t.title for t in dataset.themes.all()),
                ]
            )
            documents.append(
                SearchDocument(
                    dataset=dataset,
                    uuid=str(dataset.uuid),
                    name=dataset.name,
                    title=dataset.title,
                    title_sort=dataset.title.lower()[:200],
                    tags_text=" ".join(tags),
                    body=body,
                    state=dataset.state,
                    publisher_id=dataset.publisher_id,
                    metadata_created=dataset.created_at,
                    metadata_modified=dataset.modified_at,
                    package=package,
                )
            )
            values = {
                ("organization", dataset.publisher.slug),
                ("license_id", dataset.licence.code),
                *(("tags", t) for t in tags),
                *(("groups", t.slug) for t in dataset.themes.all()),
                *(("res_format", r.format) for r in dataset.resources.all() if r.format),
            }
            facets.extend(
                SearchFacet(dataset=dataset, field=f, value=v[:200]) for f, v in sorted(values)
            )
        # Delete + insert: the FTS5 triggers on SQLite and the generated tsvector on PostgreSQL
        # follow the rows.
        terms.forget(chunk)  # while the old facets are still stored
        SearchDocument.objects.filter(dataset_id__in=chunk).delete()
        SearchFacet.objects.filter(dataset_id__in=chunk).delete()
        SearchDocument.objects.bulk_create(documents, batch_size=500)
        SearchFacet.objects.bulk_create(facets, batch_size=2000)
        terms.add(chunk)
        count += len(documents)
    terms.flush()
    return count


def _touch_and_reindex(dataset: Dataset) -> None:
    dataset.modified_at = timezone.now()
    Dataset.objects.filter(pk=dataset.pk).update(modified_at=dataset.modified_at)
    dataset_reindex(dataset_ids=[dataset.pk])


# --- datasets --------------------------------------------------------------------------------


@transaction.atomic
def dataset_create(
    *,
    publisher: Organisation,
    title: str,
    description: str,
    acting_user: Any,
    name: str = "",
    licence: Licence | None = None,
    contact_name: str = "",
    contact_email: str = "",
    tags: Iterable[str] = (),
    themes: Iterable[Theme] = (),
    places: Iterable[Any] = (),
    temporal_start: dt.date | None = None,
    temporal_end: dt.date | None = None,
    update_frequency: str = Frequency.IRREGULAR,
    next_release_on: dt.date | None = None,
) -> Dataset:
    """A new draft dataset. Licence defaults to the Open Government Licence v3.0."""
    _check_actor(acting_user, publisher)
    dataset = Dataset(
        name=(name or slug_for(title)).strip(),
        title=title.strip(),
        description=description.strip(),
        publisher=publisher,
        licence=licence or default_licence(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        temporal_start=temporal_start,
        temporal_end=temporal_end,
        update_frequency=update_frequency,
        next_release_on=next_release_on,
        state=Dataset.State.DRAFT,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    _validate_dataset(dataset)
    dataset.save()
    relations = _set_relations(dataset, tags=tags, themes=themes, places=places)
    _record(
        dataset=dataset,
        acting_user=acting_user,
        action="create",
        summary=_("Dataset created"),
        changes={**snapshot(dataset, DATASET_FIELDS), **relations},
    )
    dataset_reindex(dataset_ids=[dataset.pk])
    return dataset


@transaction.atomic
def dataset_update(
    *,
    dataset: Dataset,
    acting_user: Any,
    tags: Iterable[str] | None = None,
    themes: Iterable[Theme] | None = None,
    places: Iterable[Any] | None = None,
    **fields: Any,
) -> Dataset:
    """Change a dataset's metadata. Only the fields given change."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot edit this dataset."))
    allowed = {
        "name",
        "title",
        "description",
        "contact_name",
        "contact_email",
        "licence",
        "temporal_start",
        "temporal_end",
        "update_frequency",
        "next_release_on",
        "publisher",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"dataset_update got unknown fields {sorted(unknown)}")
    if "publisher" in fields and fields["publisher"] != dataset.publisher:
        _check_actor(acting_user, fields["publisher"])
    before = snapshot(dataset, DATASET_FIELDS)
    for key, value in fields.items():
        setattr(dataset, key, value.strip() if isinstance(value, str) else value)
    _validate_dataset(dataset)
    dataset.modified_at = timezone.now()
    dataset.save()
    changes: dict[str, Any] = diff(before, snapshot(dataset, DATASET_FIELDS))
    changes.update(_set_relations(dataset, tags=tags, themes=themes, places=places))
    if changes:
        _record(
            dataset=dataset,
            acting_user=acting_user,
            action="update",
            summary=_("Changed %(fields)s") % {"fields": ", ".join(sorted(changes))},
            changes=changes,
        )
    dataset_reindex(dataset_ids=[dataset.pk])
    return dataset


def _transition(dataset: Dataset, target: str) -> None:
    if target not in DATASET_TRANSITIONS.get(dataset.state, frozenset()):
        raise ValidationError(
            {
                "state": _("A %(state)s dataset cannot become %(target)s.")
                % {
                    "state": dataset.get_state_display().lower(),
                    "target": Dataset.State(target).label.lower(),
                }
            },
            code="transition",
        )


@transaction.atomic
def dataset_publish(*, dataset: Dataset, acting_user: Any) -> Dataset:
    """Publish a draft (or republish a withdrawn dataset), as CKAN does even without resources."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot publish this dataset."))
    _transition(dataset, Dataset.State.PUBLISHED)
    before = snapshot(dataset, DATASET_FIELDS)
    now = timezone.now()
    dataset.state = Dataset.State.PUBLISHED
    dataset.withdrawn_reason = ""
    dataset.published_at = dataset.published_at or now
    if dataset.next_release_on is None:
        dataset.next_release_on = next_release_after(dataset.update_frequency, timezone.localdate())
    dataset.modified_at = now
    dataset.save()
    _record(
        dataset=dataset,
        acting_user=acting_user,
        action="publish",
        summary=_("Published"),
        changes=diff(before, snapshot(dataset, DATASET_FIELDS)),
    )
    dataset_reindex(dataset_ids=[dataset.pk])
    return dataset


@transaction.atomic
def dataset_withdraw(*, dataset: Dataset, reason: str, acting_user: Any) -> Dataset:
    """Withdraw a published dataset. Its page stays, saying why; search and the API drop it."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot withdraw this dataset."))
    _transition(dataset, Dataset.State.WITHDRAWN)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the dataset is withdrawn.")})
    before = snapshot(dataset, DATASET_FIELDS)
    dataset.state = Dataset.State.WITHDRAWN
    dataset.withdrawn_reason = reason.strip()
    dataset.modified_at = timezone.now()
    dataset.save()
    _record(
        dataset=dataset,
        acting_user=acting_user,
        action="withdraw",
        summary=_("Withdrawn: %(reason)s") % {"reason": reason.strip()[:200]},
        changes=diff(before, snapshot(dataset, DATASET_FIELDS)),
    )
    dataset_reindex(dataset_ids=[dataset.pk])
    return dataset


@transaction.atomic
def dataset_set_release_schedule(
    *,
    dataset: Dataset,
    frequency: str,
    next_release_on: dt.date | None,
    acting_user: Any,
) -> Dataset:
    """Set how often a dataset is updated and when its next release is due.

    Used by the right-to-data workflow when a successful request commits the publisher to
    keep the data up to date. A regular frequency needs a next release date after today.
    """
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot change this dataset's release schedule."))
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose an update frequency.")})
    if FREQUENCY_STEPS.get(frequency) is not None:
        if next_release_on is None:
            raise ValidationError({"next_release_on": _("Give the date the next release is due.")})
        if next_release_on <= timezone.localdate():
            raise ValidationError(
                {"next_release_on": _("The next release must be due after today.")}
            )
    else:
        next_release_on = None
    before = snapshot(dataset, DATASET_FIELDS)
    dataset.update_frequency = frequency
    dataset.next_release_on = next_release_on
    dataset.modified_at = timezone.now()
    dataset.save()
    changes = diff(before, snapshot(dataset, DATASET_FIELDS))
    if changes:
        _record(
            dataset=dataset,
            acting_user=acting_user,
            action="schedule",
            summary=_("Release schedule set"),
            changes=changes,
        )
    dataset_reindex(dataset_ids=[dataset.pk])
    return dataset


@transaction.atomic
def release_record(
    *, dataset: Dataset, acting_user: Any, released_on: dt.date | None = None
) -> Dataset:
    """A release came out on ``released_on``: the next is due one frequency step after it."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot record releases of this dataset."))
    released_on = released_on or timezone.localdate()
    before = snapshot(dataset, DATASET_FIELDS)
    dataset.next_release_on = next_release_after(dataset.update_frequency, released_on)
    dataset.modified_at = timezone.now()
    dataset.save()
    _record(
        dataset=dataset,
        acting_user=acting_user,
        action="release",
        summary=_("New release on %(date)s") % {"date": released_on.isoformat()},
        changes=diff(before, snapshot(dataset, DATASET_FIELDS)),
    )
    dataset_reindex(dataset_ids=[dataset.pk])
    return dataset


# --- resources -------------------------------------------------------------------------------


def _format_for(filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    return extension.upper() if extension else ""


@transaction.atomic
def resource_create(
    *,
    dataset: Dataset,
    name: str,
    acting_user: Any,
    url: str = "",
    upload: UploadedFile | None = None,
    format: str = "",
    description: str = "",
    media_type: str = "",
    max_bytes: int | None = None,
) -> Resource:
    """Add a file or a link to a dataset. An uploaded CSV is loaded into the datastore in
    the same transaction: if it cannot be decoded or parsed, nothing is saved."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot add files to this dataset."))
    errors: dict[str, list[str]] = {}
    if bool(url) == bool(upload):
        errors["url"] = [_("Give either a file to upload or a link, not both.")]
    if url and not re.match(r"^https?://", url):
        errors["url"] = [_("The link must start with http:// or https://")]
    if not name.strip():
        name = (upload.name if upload else url.rsplit("/", 1)[-1]) or ""
    if not name.strip():
        errors["name"] = [_("Enter a name for the resource.")]
    if upload is not None:
        try:
            validate_upload(upload, allowed=RESOURCE_UPLOAD_TYPES, max_bytes=max_bytes)
        except ValidationError as exc:
            errors["upload"] = list(exc.messages)
            if any(e.code == "encoding" for e in exc.error_list):
                try:  # say on which line the bytes are that are not UTF-8
                    upload.seek(0)
                    datastore.decode(upload)
                except ValidationError as located:
                    errors["upload"] = located.message_dict["upload"]
    if errors:
        raise ValidationError(errors)
    fmt = (format or _format_for((upload.name or "") if upload else url)).strip().upper()[:30]
    resource = Resource(
        dataset=dataset,
        name=name.strip()[:200],
        description=description.strip(),
        url=url,
        format=fmt,
        media_type=media_type
        or FORMAT_MEDIA_TYPES.get(fmt, "")
        or (mimetypes.guess_type(upload.name or "")[0] if upload else "")
        or "",
        position=dataset.resources.count(),
        last_modified=timezone.now(),
    )
    if upload is not None:
        digest = hashlib.sha256()
        size = 0
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        resource.size = size
        resource.checksum = digest.hexdigest()
        upload.seek(0)
        resource.file.save(os.path.basename(upload.name or "data"), upload, save=False)
    resource.save()
    if upload is not None and fmt == "CSV":
        upload.seek(0)
        datastore.load_csv(resource=resource, stream=upload)  # raises ValidationError(line)
    _record(
        dataset=dataset,
        acting_user=acting_user,
        action="resource_create",
        summary=_("Added %(name)s") % {"name": resource.name},
        changes={"resource": str(resource.uuid), "name": resource.name, "format": fmt},
    )
    _touch_and_reindex(dataset)
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, acting_user: Any) -> None:
    dataset = Dataset.objects.select_for_update().get(pk=resource.dataset_id)
    if acting_user is not None and not can_edit_dataset(acting_user, dataset):
        raise PermissionDenied(_("You cannot remove files from this dataset."))
    datastore.drop(resource=resource)
    name, key = resource.name, str(resource.uuid)
    file = resource.file
    resource.delete()
    if file:
        transaction.on_commit(lambda: file.storage.delete(file.name))
    _record(
        dataset=dataset,
        acting_user=acting_user,
        action="resource_delete",
        summary=_("Removed %(name)s") % {"name": name},
        changes={"resource": key, "name": name},
    )
    _touch_and_reindex(dataset)


# --- release reminders -----------------------------------------------------------------------

REMINDER_DAYS = 7


@transaction.atomic
def release_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind each publisher's editors and admins of releases due within REMINDER_DAYS.

    Each due date is reminded once (``Dataset.last_reminded_for``). Returns how many
    notifications were made."""
    from bigsociety.common.notifications import notify
    from bigsociety.organisations.models import Membership

    today = today or timezone.localdate()
    due = list(
        Dataset.objects.due_between(today, today + dt.timedelta(days=REMINDER_DAYS))
        .exclude(last_reminded_for=models_F("next_release_on"))
        .select_related("publisher")
        .select_for_update(of=("self",))
    )
    publisher_ids = {d.publisher_id for d in due}
    people: dict[int, list[Any]] = {}
    for membership in (
        Membership.objects.active()
        .filter(
            organisation_id__in=publisher_ids,
            role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN],
        )
        .select_related("user")
    ):
        people.setdefault(membership.organisation_id, []).append(membership.user)
    sent = 0
    for dataset in due:
        for user in people.get(dataset.publisher_id, []):
            notify(
                recipient=user,
                topic="opendata.release_due",
                subject=_("“%(title)s” is due for release on %(date)s")
                % {"title": dataset.title, "date": dataset.next_release_on.strftime("%-d %B %Y")},  # type: ignore[union-attr]
                body=_(
                    "The next release of “%(title)s” is due on %(date)s. Add the new data to "
                    "the dataset and record the release, or change its schedule."
                )
                % {"title": dataset.title, "date": dataset.next_release_on.isoformat()},  # type: ignore[union-attr]
                url=dataset.get_absolute_url(),
            )
            sent += 1
        Dataset.objects.filter(pk=dataset.pk).update(last_reminded_for=dataset.next_release_on)
    return sent
