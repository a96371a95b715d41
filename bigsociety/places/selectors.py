"""Reads about places: which places hold a point, which place a postcode is in."""

from __future__ import annotations

from .geometry import PolygonIndex, geometry_from_geojson
from .models import Place, Postcode
from .postcodes import normalise_postcode


def places_for_point(lat: float, lng: float) -> list[Place]:
    """Every place whose boundary holds the point, from the largest to the smallest."""
    candidates = Place.objects.containing_bbox(lat, lng).exclude(boundary=None)
    index = PolygonIndex(
        [(place, geometry_from_geojson(place.boundary)) for place in candidates]  # type: ignore[arg-type]
    )
    found = index.keys_containing(lng, lat) if len(index) else []
    return sorted(found, key=lambda p: (Place.DEPTH[Place.Kind(p.kind)], p.name))


def place_for_point(lat: float, lng: float, kind: str | None = None) -> Place | None:
    """The smallest place holding the point (or the one of ``kind``), or None."""
    found = places_for_point(lat, lng)
    if kind is not None:
        found = [p for p in found if p.kind == kind]
    return found[-1] if found else None


def place_for_postcode(postcode: str) -> Place | None:
    """The smallest place a postcode lies in, or None for an unknown postcode."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    row = Postcode.objects.select_related("place").filter(postcode=normalised).first()
    return row.place if row else None


class PlaceLocator:
    """Point-in-polygon for many points (an import): loads the boundaries once.

    ``locate(lat, lng)`` answers ``{kind: place_id}`` for every place holding the point.
    """

    def __init__(self, kinds: list[str] | None = None):
        places = Place.objects.exclude(boundary=None)
        if kinds:
            places = places.filter(kind__in=kinds)
        self._index = PolygonIndex(
            [
                ((place.kind, place.pk), geometry_from_geojson(place.boundary))  # type: ignore[arg-type]
                for place in places.only("pk", "kind", "boundary")
            ]
        )

    def locate(self, lat: float, lng: float) -> dict[str, int]:
        if not len(self._index):
            return {}
        return dict(self._index.keys_containing(lng, lat))
