"""What other apps may use from the open-data catalogue (the one allowed edge: crime ->
opendata.api). Everything here is keyword-only and goes through the catalogue services, so
search documents, history and the audit log stay right.

Publishing a monthly release (the crime app)::

    from bigsociety.opendata import api as opendata

    dataset = opendata.dataset_get_or_create(
        publisher=force_org, name="street-crime-city-police", title="Street crime",
        description="Street-level crime ...", update_frequency="R/P1M", tags=["crime"],
    )
    opendata.release_publish(
        dataset=dataset, name="Street crime, April 2025", filename="2025-04-street.csv",
        content=csv_bytes, released_on=date(2025, 5, 20), acting_user=None,
    )

``acting_user=None`` means the system itself (a scheduled import). ``release_publish`` adds
the CSV (loaded into the datastore; a bad file raises ``ValidationError`` naming the line and
nothing is saved), publishes the dataset if it was a draft and moves the next release date one
frequency step on. It is atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from .models import Dataset, Frequency, Resource
from .services import catalogue as _services

__all__ = [
    "Dataset",
    "Frequency",
    "Resource",
    "dataset_get_or_create",
    "dataset_url",
    "release_publish",
]


@transaction.atomic
def dataset_get_or_create(
    *,
    publisher: Any,
    name: str,
    title: str,
    description: str,
    update_frequency: str = Frequency.MONTHLY,
    tags: Iterable[str] = (),
    acting_user: Any = None,
) -> Dataset:
    """The dataset called ``name``, created as a draft of ``publisher`` if it is new."""
    existing = Dataset.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return _services.dataset_create(
        publisher=publisher,
        name=name,
        title=title,
        description=description,
        update_frequency=update_frequency,
        tags=tags,
        acting_user=acting_user,
    )


@transaction.atomic
def release_publish(
    *,
    dataset: Dataset,
    name: str,
    filename: str,
    content: bytes,
    released_on: dt.date | None = None,
    description: str = "",
    acting_user: Any = None,
    max_bytes: int | None = None,
) -> Resource:
    """Add one release's file to ``dataset``, publish it and advance its next release date."""
    upload = SimpleUploadedFile(filename, content, content_type="text/csv")
    resource = _services.resource_create(
        dataset=dataset,
        name=name,
        upload=upload,
        description=description,
        acting_user=acting_user,
        max_bytes=max_bytes,
    )
    dataset.refresh_from_db()
    if dataset.state != Dataset.State.PUBLISHED:
        dataset = _services.dataset_publish(dataset=dataset, acting_user=acting_user)
    _services.release_record(dataset=dataset, acting_user=acting_user, released_on=released_on)
    return resource


def dataset_url(dataset: Dataset) -> str:
    return dataset.get_absolute_url()
