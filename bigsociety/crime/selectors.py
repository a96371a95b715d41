"""Reads of the crime app: radius and polygon queries, months, and the area summaries."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, QuerySet, Sum
from django.utils.text import slugify

from bigsociety.places.api import Place

from . import bulk
from .models import Crime, CrimeOutcome, CrimeQuerySet, ForceMonth, PlaceMonthCount, StopSearch

# What the police API needs of a crime, in this order.
CRIME_FIELDS = (
    "id",
    "category",
    "crime_id",
    "latitude",
    "longitude",
    "location_id",
    "location",
    "context",
    "month",
    "last_outcome",
    "outcome_month",
    "force",
)
PLACE_COLUMN = {
    Place.Kind.NEIGHBOURHOOD: "neighbourhood_id",
    Place.Kind.WARD: "ward_id",
    Place.Kind.LOCAL_AUTHORITY: "authority_id",
}


# --- months --------------------------------------------------------------------------------


def latest_month() -> dt.date | None:
    return (
        ForceMonth.objects.filter(kind=ForceMonth.Kind.STREET)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def months_available() -> list[tuple[dt.date, list[str]]]:
    """Every month with street crime, newest first, with the forces that published stops."""
    months: dict[dt.date, list[str]] = {
        month: []
        for month in ForceMonth.objects.filter(kind=ForceMonth.Kind.STREET).values_list(
            "month", flat=True
        )
    }
    for month, force in ForceMonth.objects.filter(kind=ForceMonth.Kind.STOP_AND_SEARCH).values_list(
        "month", "force__slug"
    ):
        if month in months:
            months[month].append(force)
    return [(m, sorted(forces)) for m, forces in sorted(months.items(), reverse=True)]


# --- spatial queries -----------------------------------------------------------------------


def _radius_filter(
    rows: Iterable[tuple[Any, ...]], lat: float, lng: float, radius_m: float, lat_i: int, lng_i: int
) -> list[tuple[Any, ...]]:
    """Exact haversine (bulk.haversine_m, the one definition) on rows inside the bounding box.

    A vectorised flat-earth estimate (off by far less than 0.1 % over a few miles) settles
    every row clearly inside or clearly outside; only rows within 1 % of the circle's edge
    are decided by the exact haversine, so the answer is the haversine's.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return rows
    lats = np.fromiter((r[lat_i] for r in rows), float, len(rows))
    lngs = np.fromiter((r[lng_i] for r in rows), float, len(rows))
    scale = math.radians(1) * bulk.EARTH_RADIUS_M
    dy = (lats - lat) * scale
    dx = (lngs - lng) * scale * np.cos(np.radians((lats + lat) / 2))
    estimate = np.hypot(dx, dy)
    inside = (estimate <= radius_m * 0.99).tolist()
    edge = (np.abs(estimate - radius_m) < radius_m * 0.01).tolist()
    distance = bulk.haversine_m
    return [
        r
        for r, sure, near in zip(rows, inside, edge, strict=True)
        if sure or (near and distance(lat, lng, r[lat_i], r[lng_i]) <= radius_m)
    ]


def _poly_filter(
    rows: Iterable[tuple[Any, ...]], points: list[tuple[float, float]], lat_i: int, lng_i: int
) -> list[tuple[Any, ...]]:
    rows = list(rows)
    if not rows:
        return rows
    polygon = shapely.Polygon([(p_lng, p_lat) for p_lat, p_lng in points])
    if not polygon.is_valid:
        polygon = polygon.buffer(0)
    shapely.prepare(polygon)
    xs = np.fromiter((r[lng_i] for r in rows), float, len(rows))
    ys = np.fromiter((r[lat_i] for r in rows), float, len(rows))
    keep = shapely.intersects_xy(polygon, xs, ys)
    return [row for row, k in zip(rows, keep.tolist(), strict=True) if k]


def crimes_near(
    *, lat: float, lng: float, month: dt.date, category: str, radius_m: float = bulk.MILE_M
) -> list[tuple[Any, ...]]:
    """Crimes of ``month`` within ``radius_m`` of the point (rows of CRIME_FIELDS)."""
    rows = (
        Crime.objects.in_month(month)
        .in_bbox(*bulk.radius_bbox(lat, lng, radius_m))
        .of_category(category)
        .order_by()
        .values_list(*CRIME_FIELDS)
    )
    return _radius_filter(rows, lat, lng, radius_m, 3, 4)


def crimes_in_polygon(
    *, points: list[tuple[float, float]], month: dt.date, category: str
) -> list[tuple[Any, ...]]:
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    rows = (
        Crime.objects.in_month(month)
        .in_bbox(min(lats), max(lats), min(lngs), max(lngs))
        .of_category(category)
        .order_by()
        .values_list(*CRIME_FIELDS)
    )
    return _poly_filter(rows, points, 3, 4)


def nearest_location_id(*, lat: float, lng: float, month: dt.date) -> int | None:
    """The published location nearest the point (within a mile) that month."""
    rows = list(
        Crime.objects.in_month(month)
        .in_bbox(*bulk.radius_bbox(lat, lng, bulk.MILE_M))
        .values_list("location_id", "latitude", "longitude")
        .distinct()
    )
    # The box excludes rows with no location, so every latitude and longitude here is a float.
    points = [(loc, la, ln) for loc, la, ln in rows if la is not None and ln is not None]
    if not points:
        return None
    best = min(points, key=lambda r: bulk.haversine_m(lat, lng, r[1], r[2]))
    return best[0] if bulk.haversine_m(lat, lng, best[1], best[2]) <= bulk.MILE_M else None


STOP_FIELDS = (
    "type",
    "date_text",
    "part_of_operation",
    "operation_name",
    "latitude",
    "longitude",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
    "outcome_linked",
    "removal_of_clothing",
)


def stops_near(*, lat: float, lng: float, month: dt.date) -> list[tuple[Any, ...]]:
    rows = (
        StopSearch.objects.filter(month=month)
        .filter(
            latitude__range=bulk.radius_bbox(lat, lng, bulk.MILE_M)[:2],
            longitude__range=bulk.radius_bbox(lat, lng, bulk.MILE_M)[2:],
        )
        .order_by("date_text")
        .values_list(*STOP_FIELDS)
    )
    return _radius_filter(rows, lat, lng, bulk.MILE_M, 4, 5)


def stops_in_polygon(*, points: list[tuple[float, float]], month: dt.date) -> list[tuple[Any, ...]]:
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    rows = (
        StopSearch.objects.filter(
            month=month,
            latitude__range=(min(lats), max(lats)),
            longitude__range=(min(lngs), max(lngs)),
        )
        .order_by("date_text")
        .values_list(*STOP_FIELDS)
    )
    return _poly_filter(rows, points, 4, 5)


def outcome_code(name: str) -> str:
    return slugify(name)


def outcome_history(crime_id: str) -> list[tuple[dt.date, str]]:
    return list(
        CrimeOutcome.objects.filter(crime_key=bulk.crime_key(crime_id), crime_id=crime_id)
        .order_by("month", "id")
        .values_list("month", "outcome")
    )


# --- area pages ----------------------------------------------------------------------------


def crimes_for_place(place: Place, month: dt.date) -> CrimeQuerySet:
    """A place's crimes in a month: its box first (the month-point index), then its id."""
    column = PLACE_COLUMN.get(Place.Kind(place.kind))
    if column is None or place.min_lat is None:
        return Crime.objects.none()  # type: ignore[return-value]  # the manager's none() is a CrimeQuerySet
    return (
        Crime.objects.in_month(month)
        .in_bbox(place.min_lat, place.max_lat, place.min_lng, place.max_lng)  # type: ignore[arg-type]
        .filter(**{column: place.pk})
    )


def stops_for_place(place: Place, month: dt.date) -> QuerySet[StopSearch]:
    column = PLACE_COLUMN.get(Place.Kind(place.kind))
    if column is None or place.min_lat is None:
        return StopSearch.objects.none()
    return StopSearch.objects.filter(
        month=month,
        latitude__range=(place.min_lat, place.max_lat),
        longitude__range=(place.min_lng, place.max_lng),
        **{column: place.pk},
    )


@dataclass
class CategoryRow:
    slug: str
    name: str
    count: int
    previous: int
    year_before: int
    area_count: int

    @property
    def change_month(self) -> int:
        return self.count - self.previous

    @property
    def change_year(self) -> int:
        return self.count - self.year_before


@dataclass
class AreaSummary:
    place: Place
    month: dt.date
    months: list[dt.date]
    area: Place | None
    categories: list[CategoryRow] = field(default_factory=list)
    total: int = 0
    previous_total: int = 0
    year_before_total: int = 0
    area_total: int = 0
    trend: list[tuple[dt.date, int]] = field(default_factory=list)
    outcomes: list[tuple[str, int, float]] = field(default_factory=list)
    stops: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    stop_total: int = 0

    @property
    def share_of_area(self) -> float | None:
        return round(100 * self.total / self.area_total, 1) if self.area_total else None


def area_of(place: Place) -> Place | None:
    """The whole area a place is compared with: its local authority (None for the authority)."""
    node = place
    while node.parent_id is not None:
        node = node.parent  # type: ignore[assignment]
    return node if node.pk != place.pk else None


def area_summary(place: Place, month: dt.date) -> AreaSummary:
    first = bulk.add_months(month, -12)
    months = list(bulk.iter_months(bulk.add_months(month, -11), month))
    area = area_of(place)
    summary = AreaSummary(place=place, month=month, months=months, area=area)
    ids = [place.pk] + ([area.pk] if area else [])
    counts: dict[tuple[int, dt.date, str], int] = defaultdict(int)
    for place_id, m, category, n in (
        PlaceMonthCount.objects.filter(place_id__in=ids, month__gte=first, month__lte=month)
        .values_list("place_id", "month", "category")
        .annotate(n=Sum("count"))
        .values_list("place_id", "month", "category", "n")
    ):
        counts[(place_id, m, category)] += n
    previous = bulk.add_months(month, -1)
    for slug, name in sorted(bulk.CATEGORY_NAMES.items(), key=lambda kv: kv[1]):
        row = CategoryRow(
            slug=slug,
            name=name,
            count=counts[(place.pk, month, slug)],
            previous=counts[(place.pk, previous, slug)],
            year_before=counts[(place.pk, first, slug)],
            area_count=counts[(area.pk, month, slug)] if area else 0,
        )
        summary.categories.append(row)
    summary.total = sum(r.count for r in summary.categories)
    summary.previous_total = sum(r.previous for r in summary.categories)
    summary.year_before_total = sum(r.year_before for r in summary.categories)
    summary.area_total = sum(r.area_count for r in summary.categories)
    by_month: dict[dt.date, int] = defaultdict(int)
    for (place_id, m, _category), n in counts.items():
        if place_id == place.pk:
            by_month[m] += n
    summary.trend = [(m, by_month[m]) for m in months]
    outcome_rows = list(
        crimes_for_place(place, month)
        .exclude(category="anti-social-behaviour")
        .values_list("last_outcome")
        .annotate(n=Count("id"))
        .order_by("-n", "last_outcome")
    )
    with_outcome = sum(n for _, n in outcome_rows)
    summary.outcomes = [
        (name or "", n, round(100 * n / with_outcome, 1)) for name, n in outcome_rows
    ]
    stops = stops_for_place(place, month)
    for label, column in (
        ("object_of_search", "object_of_search"),
        ("outcome", "outcome"),
        ("gender", "gender"),
        ("age_range", "age_range"),
        ("officer_defined_ethnicity", "officer_defined_ethnicity"),
    ):
        summary.stops[label] = [
            (value or "", n)
            for value, n in stops.values_list(column).annotate(n=Count("id")).order_by("-n", column)
        ]
    summary.stop_total = sum(n for _, n in summary.stops["outcome"])
    return summary
