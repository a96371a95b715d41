from __future__ import annotations

from typing import Any

import factory

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.organisations.models import Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Kingsbridge Organisation {n}")
    slug = factory.Sequence(lambda n: f"kingsbridge-organisation-{n}")
    kind = Organisation.Kind.CHARITY

    @factory.post_generation
    def places(self, create: bool, extracted: list[Any] | None, **kwargs: object) -> None:
        if create and extracted:
            self.places.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member unless ``status=`` says otherwise."""

    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE


def member_of(organisation: Organisation, role: str = Membership.Role.MEMBER, **kwargs: Any) -> Any:
    """A new person who is an active member of ``organisation`` in ``role``."""
    return MembershipFactory(organisation=organisation, role=role, **kwargs).user
