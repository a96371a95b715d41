"""Test helpers for right-to-data requests: factories and the people of the permission matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import StaffFactory, UserFactory
from bigsociety.opendata.models import DataRequest, Dataset, Frequency, Licence
from bigsociety.opendata.services.requests import deadlines_from
from bigsociety.organisations.models import Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Publisher {n}")
    slug = factory.Sequence(lambda n: f"publisher-{n}")
    kind = Organisation.Kind.COUNCIL


class DataRequestFactory(factory.django.DjangoModelFactory):
    """A request as ``request_create`` leaves it; tests move it on through the services."""

    class Meta:
        model = DataRequest

    title = factory.Sequence(lambda n: f"Street light faults {n}")
    description = "Every street light fault reported, with the date fixed."
    requester = factory.SubFactory(UserFactory)
    publisher = factory.SubFactory(OrganisationFactory)
    received_on = factory.LazyFunction(timezone.localdate)
    clock_started_on = factory.SelfAttribute("received_on")
    due_on = factory.LazyAttribute(lambda o: deadlines_from(o.received_on)[0])
    very_overdue_on = factory.LazyAttribute(lambda o: deadlines_from(o.received_on)[1])


def member_of(organisation: Organisation, role: str, **kwargs: Any) -> Any:
    user = UserFactory(**kwargs)
    Membership.objects.create(
        organisation=organisation, user=user, role=role, status=Membership.Status.ACTIVE
    )
    return user


# The permission matrix of the style guide, plus the roles this workflow uses.
PEOPLE = (
    "anonymous",
    "resident",
    "requester",
    "org_member",
    "org_admin",
    "org_editor",
    "staff",
    "data_officer",
    "moderator",
)


def person(kind: str, data_request: DataRequest | None = None) -> Any:
    """One person of the matrix. Organisation roles are in the request's publisher."""
    organisation = data_request.publisher if data_request else OrganisationFactory()
    if kind == "anonymous":
        return None
    if kind == "resident":
        return UserFactory()
    if kind == "requester":
        assert data_request is not None
        return data_request.requester
    if kind == "org_member":
        return member_of(organisation, Membership.Role.MEMBER)
    if kind == "org_admin":
        return member_of(organisation, Membership.Role.ADMIN)
    if kind == "org_editor":
        return member_of(organisation, Membership.Role.EDITOR)
    if kind == "staff":
        return StaffFactory()
    if kind == "data_officer":
        return UserFactory(roles=[Role.DATA_OFFICER])
    if kind == "moderator":
        return UserFactory(roles=[Role.MODERATOR])
    raise ValueError(kind)


def freeze_today(monkeypatch: Any, day: dt.date) -> None:
    """Make ``timezone.localdate()`` answer ``day`` (no time-travel library is installed)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def published_dataset(
    *, publisher: Organisation | None = None, scheduled: bool = True, **kwargs: Any
) -> Dataset:
    """A dataset published in the catalogue, with a monthly release schedule unless not
    ``scheduled``. Made directly: the catalogue's own services are tested by the catalogue."""
    licence, _ = Licence.objects.get_or_create(
        code="OGL-UK-3.0", defaults={"title": "Open Government Licence v3.0"}
    )
    n = Dataset.objects.count() + 1
    values: dict[str, Any] = {
        "name": f"requested-data-{n}",
        "title": f"Requested data {n}",
        "description": "Data published because someone asked for it.",
        "publisher": publisher or OrganisationFactory(),
        "licence": licence,
        "state": Dataset.State.PUBLISHED,
        "published_at": timezone.now(),
    }
    if scheduled:
        values["update_frequency"] = Frequency.MONTHLY
        values["next_release_on"] = timezone.localdate() + dt.timedelta(days=30)
    values.update(kwargs)
    return Dataset.objects.create(**values)
