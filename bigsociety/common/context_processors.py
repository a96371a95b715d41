"""Template context every page needs: the service name and the navigation by pillar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The primary navigation: one entry per pillar that has a public page today.
# (url name, label, one-line description for the home page's cards); a url name that does not
# resolve is left out, so a pillar appears as soon as its app is installed and routed.
NAVIGATION: list[tuple[str, Any, Any]] = [
    (
        "opendata:dataset_list",
        _("Publish data"),
        _("Find open data about the area, and ask for data that is not published yet."),
    ),
    (
        "crime:area_search",
        _("Crime data"),
        _("See recorded crime and its outcomes for a neighbourhood."),
    ),
    (
        "budgeting:process_list",
        _("Have your say"),
        _("Propose and vote on how local budgets are spent."),
    ),
    (
        "organisations:organisation_list",
        _("Organisations"),
        _("Find councils, charities and community groups working here."),
    ),
    (
        "places:place_list",
        _("Places"),
        _("Browse the council areas, wards and neighbourhoods we cover."),
    ),
]


def site(request: HttpRequest) -> dict[str, Any]:
    items = []
    for name, label, description in NAVIGATION:
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "href": href,
                "text": label,
                "description": description,
                "active": request.path.startswith(href) and href != "/",
            }
        )
    return {
        "service_name": _("Big Society"),
        "navigation": items,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
