"""Point-in-polygon on GeoJSON boundaries, with shapely."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry


def geometry_from_geojson(data: dict[str, Any]) -> BaseGeometry:
    """A shapely geometry from a GeoJSON Polygon or MultiPolygon (ValueError otherwise)."""
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError("a boundary must be a GeoJSON Polygon or MultiPolygon")
    geometry = shape(data)
    if geometry.is_empty:
        raise ValueError("the boundary is empty")
    if not geometry.is_valid:
        geometry = geometry.buffer(0)
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError("the boundary is not a valid polygon")
    return geometry


@dataclass(frozen=True)
class Bounds:
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float
    centre_lat: float
    centre_lng: float


def bounds_of(geometry: BaseGeometry) -> Bounds:
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    centre = geometry.representative_point()
    return Bounds(min_lat, max_lat, min_lng, max_lng, centre.y, centre.x)


class PolygonIndex:
    """An in-memory spatial index of (key, geometry) pairs for many point look-ups at once."""

    def __init__(self, items: list[tuple[Any, BaseGeometry]]):
        self._keys = [key for key, _ in items]
        self._geometries = [geometry for _, geometry in items]
        self._tree = STRtree(self._geometries)

    def __len__(self) -> int:
        return len(self._keys)

    def keys_containing(self, lng: float, lat: float) -> list[Any]:
        point = Point(lng, lat)
        return [self._keys[i] for i in self._tree.query(point, predicate="intersects")]
