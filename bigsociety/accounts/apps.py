from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_role_groups(*, app_config: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Every staff role's group exists and may open the back office.

    Migration 0002 creates them; this runs after every ``migrate`` and ``flush`` too (as Django
    re-creates permissions then), so a flushed database (transactional tests) keeps its roles.
    """
    if app_config.label != "wagtailadmin":  # once per migrate or flush
        return
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .roles import Role

    # Wagtail's own migration makes this permission; made here too, as Django's
    # create_permissions may not have run yet for Wagtail's app when this handler does.
    admin_type, _created = ContentType.objects.db_manager(using).get_or_create(
        app_label="wagtailadmin", model="admin"
    )
    access_admin, _created = Permission.objects.using(using).get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=str(role))
        group.permissions.add(access_admin)


class AccountsConfig(AppConfig):
    name = "bigsociety.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
