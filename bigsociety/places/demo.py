"""The fictional demo area: Kingsbridge, a local authority laid over the City of London's
streets (so the real City of London police sample data falls inside it), with four wards,
three neighbourhoods in each, and a few hundred fictional 'KB' postcodes."""

from __future__ import annotations

import json
import random
from typing import Any

from django.db import transaction

from .models import Place, Postcode
from .services import boundaries_import

WEST, EAST, SOUTH, NORTH = -0.1150, -0.0700, 51.5050, 51.5250
AUTHORITY = ("E06999001", "Kingsbridge")
WARDS = [
    ("E05999001", "Abbey Fields"),
    ("E05999002", "Bellfounders"),
    ("E05999003", "Cheapside Market"),
    ("E05999004", "Dockside"),
]
NEIGHBOURHOODS = [
    ["Abbey Green", "Priory Lane", "Chapel Yard"],
    ["Bell Wharf", "Founders Row", "Guild Gardens"],
    ["Market Cross", "Poultry Hill", "Silver Street"],
    ["Harbourside", "Rope Walk", "Tower Steps"],
]


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def demo_boundaries() -> dict[str, Any]:
    """The demo area as a GeoJSON FeatureCollection (also written to docs for reference)."""
    features = []

    def add(code: str, name: str, kind: str, parent: str | None, geometry: dict) -> None:
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "kind": kind, "parent_code": parent},
                "geometry": geometry,
            }
        )

    add(*AUTHORITY, "local_authority", None, _box(WEST, SOUTH, EAST, NORTH))
    mid_lng, mid_lat = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
    quads = [
        (WEST, mid_lat, mid_lng, NORTH),
        (mid_lng, mid_lat, EAST, NORTH),
        (WEST, SOUTH, mid_lng, mid_lat),
        (mid_lng, SOUTH, EAST, mid_lat),
    ]
    n = 0
    for (code, name), (west, south, east, north), hoods in zip(
        WARDS, quads, NEIGHBOURHOODS, strict=True
    ):
        add(code, name, "ward", AUTHORITY[0], _box(west, south, east, north))
        step = (east - west) / len(hoods)
        for i, hood in enumerate(hoods):
            n += 1
            add(
                f"E63999{n:03d}",
                hood,
                "neighbourhood",
                code,
                _box(west + i * step, south, west + (i + 1) * step, north),
            )
    return {"type": "FeatureCollection", "features": features}


def _postcodes(count: int) -> list[tuple[str, float, float]]:
    rng = random.Random(20100719)  # the day the Big Society was launched
    seen: set[str] = set()
    rows: list[tuple[str, float, float]] = []
    while len(rows) < count:
        district = rng.randint(1, 9)
        letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code may use
        code = f"KB{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        if code in seen:
            continue
        seen.add(code)
        lat = rng.uniform(SOUTH + 0.0005, NORTH - 0.0005)
        lng = rng.uniform(WEST + 0.0005, EAST - 0.0005)
        rows.append((code, round(lat, 6), round(lng, 6)))
    return rows


@transaction.atomic
def seed(*, stdout: Any = None) -> None:
    boundaries_import(text=json.dumps(demo_boundaries()))
    from .selectors import PlaceLocator

    locator = PlaceLocator()
    by_id = {p.pk: p for p in Place.objects.all()}
    created = 0
    for code, lat, lng in _postcodes(300):
        found = locator.locate(lat, lng)
        smallest = found.get("neighbourhood") or found.get("ward") or found.get("local_authority")
        ward = by_id.get(found.get("ward", 0))
        _, was_created = Postcode.objects.update_or_create(
            postcode=code,
            defaults={
                "latitude": lat,
                "longitude": lng,
                "ward_code": ward.code if ward else "",
                "lsoa_code": "",
                "place_id": smallest,
            },
        )
        created += was_created
    if stdout is not None:
        stdout.write(f"Places: {Place.objects.count()} places, {created} new postcodes.")
