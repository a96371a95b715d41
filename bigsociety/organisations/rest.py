"""/api/v1/organisations/: the public directory (read-only)."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from . import selectors
from .models import Organisation

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: Organisation.Kind
    org_id: str = Field(description="The org-id identifier (https://org-id.guide), or empty.")
    org_id_register: str | None = Field(description="The register the org-id comes from.")
    places: list[str] = Field(description="GSS codes of the places served.")
    verified: bool
    url: str

    @staticmethod
    def resolve_org_id_register(obj: Organisation) -> str | None:
        org_list = obj.org_id_list
        return org_list.register if org_list else None

    @staticmethod
    def resolve_places(obj: Organisation) -> list[str]:
        return sorted(place.code for place in obj.places.all())

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return obj.get_absolute_url()


class OrganisationDetailOut(OrganisationOut):
    description: str
    website: str
    email: str
    phone: str
    address: str
    members_count: int


class OrganisationFilter(Schema):
    kind: list[Organisation.Kind] = Field(
        default_factory=list, description="One or more types; repeat the parameter for more."
    )
    place: str = Field(
        default="",
        description="A place's GSS code: organisations serving it, an area it lies within, "
        "or an area within it.",
    )
    q: str = Field(default="", max_length=100, description="Words in the name or description.")


@router.get("/", response=list[OrganisationOut], summary="List organisations")
@paginate(LimitOffsetPagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    """Public. An unknown place code is a 404."""
    place = selectors.place_for_filter(filters.place)
    if filters.place and place is None:
        raise Http404(f"No place has the code {filters.place}.")
    return selectors.organisation_directory(
        selectors.DirectoryFilter(
            q=filters.q.strip(), kinds=tuple(str(k) for k in filters.kind), place=place
        )
    )


@router.get("/{slug}", response=OrganisationDetailOut, summary="One organisation")
def organisation_detail(request: HttpRequest, slug: str) -> Any:
    """Public."""
    organisation = selectors.organisation_page(slug)
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation
