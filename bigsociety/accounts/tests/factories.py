from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from bigsociety.accounts.models import User
from bigsociety.accounts.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="en_GB")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        """``UserFactory(roles=[Role.DATA_OFFICER])`` makes a staff member with those roles."""
        if extracted:
            self.is_staff = True
            for role in extracted:
                group, _ = Group.objects.get_or_create(name=str(role))
                self.groups.add(group)
        if create:
            self.save()


class StaffFactory(UserFactory):
    is_staff = True
