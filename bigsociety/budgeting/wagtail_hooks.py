"""Back-office menu entry: "Participatory budgeting", linking to the officers' pages at
/budgeting/staff/ (shown to engagement officers and administrators only; the pages check
again, with two factors)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .services import is_officer


class OfficerMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return is_officer(request.user)


@hooks.register("register_admin_menu_item")
def register_budgeting_menu_item() -> MenuItem:
    return OfficerMenuItem(
        _("Participatory budgeting"),
        reverse("budgeting:staff_process_list"),
        name="participatory-budgeting",
        icon_name="tasks",
        order=400,
    )
