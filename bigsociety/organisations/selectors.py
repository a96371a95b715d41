"""Reads: the public directory, an organisation's page, and who belongs where.

Every list says what it fetches with it, so a page costs the same number of queries whatever
is on it (the tests pin the numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from bigsociety.places.models import Place

from .models import Membership, Organisation

# The kinds of place someone filters the directory by (census LSOAs are too fine-grained).
FILTER_PLACE_KINDS = (
    Place.Kind.LOCAL_AUTHORITY,
    Place.Kind.WARD,
    Place.Kind.NEIGHBOURHOOD,
)


def _places_prefetch() -> Prefetch:
    return Prefetch("places", queryset=Place.objects.only("id", "code", "name", "slug", "kind"))


def place_choices() -> list[tuple[str, str, str]]:
    """(code, name, kind) of the places the directory can be filtered by, biggest first."""
    depth: dict[str, int] = {str(kind): i for i, kind in enumerate(FILTER_PLACE_KINDS)}
    rows = Place.objects.filter(kind__in=FILTER_PLACE_KINDS).values_list("code", "name", "kind")
    return sorted(rows, key=lambda row: (depth[row[2]], row[1]))


def place_for_filter(code: str) -> Place | None:
    """The place a directory filter names, by GSS code."""
    if not code:
        return None
    return Place.objects.select_related("parent__parent__parent").filter(code=code).first()


def places_related_to(place: Place) -> QuerySet[Place, Any]:
    """The place itself, the areas it lies within and the areas within it (as a subquery):
    an organisation serving any of them works in ``place``."""
    pid = place.pk
    ids = [pid, *(ancestor.pk for ancestor in place.ancestors())]
    return Place.objects.filter(
        Q(pk__in=ids)
        | Q(parent_id=pid)
        | Q(parent__parent_id=pid)
        | Q(parent__parent__parent_id=pid)
    ).values("id")


@dataclass(frozen=True)
class DirectoryFilter:
    q: str = ""
    kinds: tuple[str, ...] = ()
    place: Place | None = None


def organisation_directory(filters: DirectoryFilter) -> QuerySet[Organisation]:
    """The public directory, filtered, in name order, with the places each serves."""
    organisations = Organisation.objects.of_kinds(list(filters.kinds))
    if filters.place is not None:
        through = Organisation.places.through
        organisations = organisations.filter(
            pk__in=through.objects.filter(place_id__in=places_related_to(filters.place)).values(
                "organisation_id"
            )
        )
    if filters.q:
        organisations = organisations.matching(filters.q)
    return (
        organisations.only("id", "name", "slug", "kind", "org_id", "description", "verified")
        .prefetch_related(_places_prefetch())
        .order_by("name", "id")
    )


def with_members_count(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate ``members_count``: active members, counted in a subquery (no GROUP BY)."""
    counts = (
        Membership.objects.active()
        .filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return organisations.annotate(members_count=Coalesce(Subquery(counts), Value(0)))


def organisation_page(slug: str) -> Organisation | None:
    """One organisation with its places served and its number of active members."""
    return (
        with_members_count(Organisation.objects.filter(slug=slug))
        .prefetch_related(_places_prefetch())
        .first()
    )


def pending_requests(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.requested().select_related("user").order_by("created_at", "id")


def active_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        organisation.memberships.active()
        .select_related("user")
        .order_by("user__display_name", "user__email", "id")
    )


def organisations_of(user: Any, *, roles: tuple[str, ...] = ()) -> QuerySet[Organisation]:
    """Organisations ``user`` is an active member of (only with one of ``roles`` if given)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    memberships = Membership.objects.active().filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id")).order_by(
        "name", "id"
    )
