"""Helpers for the catalogue tests: organisations, datasets and CSV uploads made through the
services (so the search documents are built exactly as in production)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.organisations.models import Membership, Organisation

from ..models import Dataset, Theme
from ..services import catalogue as services

CSV = (
    "Month,Ward,Crime type,Count,Rate,Reported\r\n"
    "2024-01,Castle,Burglary,12,1.5,2024-02-01\r\n"
    "2024-01,Castle,Robbery,3,0.25,2024-02-01\r\n"
    "2024-01,Abbey,Burglary,7,0.9,2024-02-01\r\n"
    "2024-02,Castle,Burglary,9,1.1,2024-03-01\r\n"
)


def organisation(slug: str = "city-council", name: str = "City Council") -> Organisation:
    org, _created = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": Organisation.Kind.COUNCIL}
    )
    return org


def officer() -> Any:
    return UserFactory(roles=[Role.DATA_OFFICER])


def member(org: Organisation, role: str = Membership.Role.EDITOR) -> Any:
    user = UserFactory()
    Membership.objects.create(
        organisation=org, user=user, role=role, status=Membership.Status.ACTIVE
    )
    return user


def theme(slug: str = "crime-and-justice", title: str = "Crime and justice") -> Theme:
    return Theme.objects.get_or_create(slug=slug, defaults={"title": title})[0]


def csv_upload(text: str = CSV, name: str = "data.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def dataset(
    *,
    title: str = "Street crime",
    publisher: Organisation | None = None,
    publish: bool = True,
    csv: str | None = None,
    url: str = "https://example.org/data.json",
    tags: tuple[str, ...] = ("crime",),
    themes: tuple[Theme, ...] = (),
    **kwargs: Any,
) -> Dataset:
    publisher = publisher or organisation()
    item = services.dataset_create(
        publisher=publisher,
        title=title,
        description=kwargs.pop("description", f"All about {title.lower()}."),
        acting_user=None,
        tags=tags,
        themes=themes,
        **kwargs,
    )
    if csv is not None:
        services.resource_create(
            dataset=item, name=f"{title} CSV", acting_user=None, upload=csv_upload(csv)
        )
    elif url:
        services.resource_create(dataset=item, name=f"{title} link", acting_user=None, url=url)
    if publish:
        item = services.dataset_publish(dataset=item, acting_user=None)
    return item


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
