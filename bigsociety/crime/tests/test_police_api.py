"""The data.police.uk-compatible API, driven by the real police-api-client on a live server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from police_api import PoliceAPI
from police_api.service import APIError

from bigsociety.crime.models import Crime, CrimeOutcome

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]
CITY = (51.5155, -0.0922)


@pytest.fixture
def api(imported, live_server):
    return PoliceAPI(base_url=live_server.url + "/api/police/")


def test_forces(api):
    forces = {f.id: f.name for f in api.get_forces()}
    assert forces["city-of-london"] == "City of London Police"
    assert forces["metropolitan"] == "Metropolitan Police Service"
    assert api.get_force("city-of-london").name == "City of London Police"


def test_dates_and_categories(api):
    assert api.get_dates() == ["2018-06", "2018-05", "2018-04"]
    assert api.get_latest_date() == "2018-06"
    categories = api.get_crime_categories(date="2018-06")
    assert len(categories) == 14
    assert [c.id for c in categories][:2] == ["anti-social-behaviour", "bicycle-theft"]


def test_crimes_at_a_point_match_the_database(api):
    # when
    crimes = api.get_crimes_point(*CITY, date="2018-06")
    # then every crime is June's, with string coordinates and ASB without a persistent id
    assert len(crimes) > 100
    assert {c.month for c in crimes} == {"2018-06"}
    asb = [c for c in crimes if c.category.id == "anti-social-behaviour"]
    assert asb and {c.persistent_id for c in asb} == {""}
    assert all(isinstance(c.location.latitude, str) for c in crimes)
    burglary = api.get_crimes_point(*CITY, date="2018-06", category="burglary")
    assert {c.category.id for c in burglary} == {"burglary"}
    assert len(burglary) < len(crimes)


def test_crimes_in_an_area_by_post(api):
    points = [(51.51, -0.10), (51.52, -0.10), (51.52, -0.08), (51.51, -0.08)]
    crimes = api.get_crimes_area(points, date="2018-05")
    expected = Crime.objects.filter(
        month=dt.date(2018, 5, 1),
        latitude__gt=51.51,
        latitude__lt=51.52,
        longitude__gt=-0.10,
        longitude__lt=-0.08,
    ).count()
    assert len(crimes) == expected > 0


def test_crimes_at_location_and_no_location(api):
    crime = api.get_crimes_point(*CITY, date="2018-06")[0]
    at = api.get_crimes_location(crime.location.id, date="2018-06")
    assert crime.id in {c.id for c in at}
    assert {c.location.id for c in at} == {crime.location.id}
    none = api.get_crimes_no_location("city-of-london", date="2018-06")
    assert len(none) == Crime.objects.filter(month=dt.date(2018, 6, 1), latitude=None).count() == 59


def test_a_crime_and_its_outcomes(api):
    # given an outcome recorded later for a June crime
    crime = Crime.objects.filter(month=dt.date(2018, 6, 1)).exclude(crime_id="").first()
    CrimeOutcome.objects.create(
        month=dt.date(2018, 7, 1),
        force="city-of-london",
        crime_id=crime.crime_id,
        crime_key=int(crime.crime_id[:15], 16),
        reported_by="City of London Police",
        falls_within="City of London Police",
        outcome="Offender fined",
    )
    # when
    found = api.get_crime(crime.crime_id)
    # then
    assert found.persistent_id == crime.crime_id
    assert [(o.category.name, o.date) for o in found.outcomes] == [("Offender fined", "2018-07")]


def test_unknown_ids_and_bad_parameters(api, live_server):
    with pytest.raises(APIError):
        api.get_crime("f" * 64)
    with pytest.raises(APIError):
        api.get_crimes_no_location("atlantis")
    client = Client()
    for url, status, message in (
        ("/api/police/crimes-street/all-crime?lat=51.5&lng=-0.1&date=2018-6", 400, "Invalid date"),
        (
            "/api/police/crimes-street/all-crime?lat=north&lng=-0.1",
            400,
            "lat and lng must be numbers",
        ),
        ("/api/police/crimes-street/all-crime?poly=51.5,-0.1:51.6", 400, "Invalid poly"),
        ("/api/police/crimes-street/arson?lat=51.5&lng=-0.1", 400, "Unknown crime category"),
        ("/api/police/crimes-street/all-crime", 400, "Give lat and lng"),
        ("/api/police/crime-categories?date=June", 400, "Invalid date"),
        ("/api/police/outcomes-for-crime/not-hex", 400, "64-character"),
        ("/api/police/outcomes-for-crime/" + "0" * 64, 404, "No crime"),
        ("/api/police/forces/atlantis", 404, "Unknown force"),
        ("/api/police/crimes-at-location?location_id=x", 400, "whole number"),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert message in response.content.decode(), url


def test_street_crime_shape(imported):
    response = Client().get(
        "/api/police/crimes-street/all-crime?lat=51.5155&lng=-0.0922&date=2018-06"
    )
    item = next(i for i in response.json() if i["category"] == "other-theft")
    assert set(item) == {
        "category",
        "location_type",
        "location",
        "context",
        "outcome_status",
        "persistent_id",
        "id",
        "location_subtype",
        "month",
    }
    assert item["location_type"] == "Force"
    assert set(item["location"]) == {"latitude", "street", "longitude"}
    assert set(item["location"]["street"]) == {"id", "name"}
    assert set(item["outcome_status"]) == {"category", "date"}
    assert len(item["persistent_id"]) == 64


def test_other_endpoints(imported):
    client = Client()
    assert client.get("/api/police/crime-last-updated").json() == {"date": "2018-06-01"}
    stops = client.get("/api/police/stops-street?lat=51.5155&lng=-0.0922&date=2018-04").json()
    assert stops and stops[0]["type"] == "Person search"
    assert isinstance(stops[0]["location"]["latitude"], str)
    assert (
        client.get("/api/police/outcomes-at-location?lat=51.5155&lng=-0.0922&date=2018-04").json()
        == []
    )
    post = client.post(
        "/api/police/crimes-street/all-crime",
        {"poly": "51.51,-0.10:51.52,-0.10:51.52,-0.08:51.51,-0.08", "date": "2018-05"},
    )
    assert post.status_code == 200 and len(post.json()) > 0


@pytest.mark.django_db
def test_the_v1_summary_endpoint(imported):
    client = Client()
    months = client.get("/api/v1/crime/months").json()
    assert [m["month"] for m in months] == ["2018-06", "2018-05", "2018-04"]
    body = client.get("/api/v1/crime/places/kingsbridge/summary?month=2018-06").json()
    assert body["month"] == "2018-06"
    assert body["total"] == sum(c["count"] for c in body["categories"])
    assert client.get("/api/v1/crime/places/kingsbridge/summary?month=June").status_code == 400
    assert client.get("/api/v1/crime/places/nowhere/summary").status_code == 404
