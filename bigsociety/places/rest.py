"""/api/v1/places/: places and postcode look-ups (public, read-only)."""

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from .models import Place, Postcode
from .postcodes import normalise_postcode
from .selectors import places_for_point

router = Router(tags=["places"])


class PlaceOut(Schema):
    code: str
    name: str
    slug: str
    kind: str
    parent: str | None

    @staticmethod
    def resolve_parent(obj: Place) -> str | None:
        return obj.parent.code if obj.parent_id else None  # type: ignore[union-attr]


class PlaceDetailOut(PlaceOut):
    boundary: dict[str, Any] | None
    centre: list[float] | None

    @staticmethod
    def resolve_centre(obj: Place) -> list[float] | None:
        if obj.centre_lat is None or obj.centre_lng is None:
            return None
        return [obj.centre_lat, obj.centre_lng]


class PostcodeOut(Schema):
    postcode: str
    latitude: float
    longitude: float
    ward_code: str
    lsoa_code: str
    places: list[PlaceOut]


class PlaceFilter(Schema):
    kind: Place.Kind | None = None
    parent: str | None = None


class PointQuery(Schema):
    lat: float
    lng: float


@router.get("/", response=list[PlaceOut], summary="List places")
@paginate(LimitOffsetPagination)
def place_list(request: HttpRequest, filters: Query[PlaceFilter]) -> Any:
    """Public."""
    places = Place.objects.select_related("parent").order_by("code")
    if filters.kind:
        places = places.filter(kind=filters.kind)
    if filters.parent:
        places = places.filter(parent__code=filters.parent)
    return places


@router.get("/point", response=list[PlaceOut], summary="Places that hold a point")
def place_point(request: HttpRequest, point: Query[PointQuery]) -> Any:
    """Public: every place whose boundary holds (lat, lng), largest first."""
    if not (-90 <= point.lat <= 90 and -180 <= point.lng <= 180):
        from ninja.errors import HttpError

        raise HttpError(400, "lat must be within ±90 and lng within ±180.")
    return places_for_point(point.lat, point.lng)


@router.get("/postcodes/{postcode}", response=PostcodeOut, summary="Look up a postcode")
def postcode_detail(request: HttpRequest, postcode: str) -> Any:
    """Public."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        from ninja.errors import HttpError

        raise HttpError(400, f"{postcode!r} is not a UK postcode.")
    row = (
        Postcode.objects.select_related("place__parent__parent").filter(postcode=normalised).first()
    )
    if row is None:
        raise Http404(f"{normalised} is not in the postcode directory.")
    chain: list[Place] = []
    node = row.place
    while node is not None:
        chain.insert(0, node)
        node = node.parent
    return {
        "postcode": row.postcode,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "ward_code": row.ward_code,
        "lsoa_code": row.lsoa_code,
        "places": chain,
    }


@router.get("/{code}", response=PlaceDetailOut, summary="One place")
def place_detail(request: HttpRequest, code: str) -> Any:
    """Public."""
    return get_object_or_404(Place.objects.select_related("parent"), code=code)
