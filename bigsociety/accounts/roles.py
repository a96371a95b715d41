"""Staff roles. Each role is a Django group of the same name; a superuser holds every role."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DATA_OFFICER = "Data officer", _("Data officer")
    ENGAGEMENT_OFFICER = "Engagement officer", _("Engagement officer")
    COMMUNITY_ASSETS_OFFICER = "Community assets officer", _("Community assets officer")
    VOLUNTEERING_COORDINATOR = "Volunteering coordinator", _("Volunteering coordinator")
    GRANTS_OFFICER = "Grants officer", _("Grants officer")
    MODERATOR = "Moderator", _("Moderator")
    ADMINISTRATOR = "Administrator", _("Administrator")


def has_role(user: Any, role: Role | str) -> bool:
    """Whether ``user`` holds ``role``. Roles are for staff; a superuser holds all of them."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return str(role) in cache or Role.ADMINISTRATOR.value in cache


def roles_of(user: Any) -> list[Role]:
    return [role for role in Role if has_role(user, role)]
