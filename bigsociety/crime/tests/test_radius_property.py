"""A radius query returns exactly what a brute-force haversine filter of the same CSV returns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigsociety.crime.bulk import CATEGORIES, MILE_M, haversine_m
from bigsociety.crime.services import import_paths

from .conftest import FIXTURES

CSV = FIXTURES / "2018-05" / "2018-05-city-of-london-street.csv"


def _brute_force(lat: float, lng: float, category: str) -> list[tuple[str, str, str, str]]:
    with open(CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(
        (r["Crime ID"], r["Latitude"], r["Longitude"], CATEGORIES[r["Crime type"]])
        for r in rows
        if r["Latitude"]
        and haversine_m(lat, lng, float(r["Latitude"]), float(r["Longitude"])) <= MILE_M
        and category in ("all-crime", CATEGORIES[r["Crime type"]])
    )


@pytest.fixture
def may(db):
    # Function-scoped, so the test's transaction rolls back everything the import wrote (the
    # crimes and the catalogue release it publishes); hypothesis runs every example inside it.
    report = import_paths(paths=[Path(CSV)])
    assert report.ok


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=st.floats(min_value=51.49, max_value=51.54),
    lng=st.floats(min_value=-0.14, max_value=-0.04),
    category=st.sampled_from(
        ["all-crime", "other-theft", "anti-social-behaviour", "violent-crime"]
    ),
)
def test_radius_query_equals_brute_force_haversine(may, lat, lng, category):
    # when
    response = Client().get(
        f"/api/police/crimes-street/{category}",
        {"lat": repr(lat), "lng": repr(lng), "date": "2018-05"},
    )
    # then
    assert response.status_code == 200
    got = sorted(
        (c["persistent_id"], c["location"]["latitude"], c["location"]["longitude"], c["category"])
        for c in response.json()
    )
    assert got == _brute_force(lat, lng, category)
