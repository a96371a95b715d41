"""Back-office menu entries for the shared machinery."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):  # type: ignore[no-untyped-def]
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_audit_log_menu_item() -> MenuItem:
    return SuperuserMenuItem(
        _("Audit log"),
        reverse("admin:common_auditentry_changelist"),
        icon_name="history",
        order=900,
    )
