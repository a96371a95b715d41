"""Template context every page needs: the service name and the navigation by pillar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# The primary navigation: one entry per pillar that has a public page today.
# (url name, label); a url name that does not resolve is left out, so a pillar appears as
# soon as its app is installed and routed.
NAVIGATION: list[tuple[str, Any]] = [
    ("opendata:dataset_list", _("Publish data")),
    ("crime:area_search", _("Crime data")),
    ("budgeting:process_list", _("Have your say")),
    ("organisations:organisation_list", _("Organisations")),
    ("places:place_list", _("Places")),
]


def site(request: HttpRequest) -> dict[str, Any]:
    from django.urls import NoReverseMatch, reverse

    items = []
    for name, label in NAVIGATION:
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        items.append(
            {"href": href, "text": label, "active": request.path.startswith(href) and href != "/"}
        )
    from django.conf import settings

    return {
        "service_name": _("Big Society"),
        "navigation": items,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
