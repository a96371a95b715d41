import json

import pytest

from bigsociety.places.demo import demo_boundaries
from bigsociety.places.services import boundaries_import, postcodes_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    boundaries_import(text=json.dumps(demo_boundaries()))
    postcodes_import(data="postcode,latitude,longitude\nKB1 1AA,51.52,-0.11\n")


def test_places_are_listed_with_pagination(client, area):
    response = client.get("/api/v1/places/?kind=ward&limit=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [p["code"] for p in body["items"]] == ["E05999001", "E05999002"]
    assert body["items"][0]["parent"] == "E06999001"


def test_a_postcode_resolves_to_its_chain_of_places(client, area):
    response = client.get("/api/v1/places/postcodes/kb11aa")
    assert response.status_code == 200
    body = response.json()
    assert body["postcode"] == "KB1 1AA"
    assert [p["kind"] for p in body["places"]] == ["local_authority", "ward", "neighbourhood"]


def test_point_lookup(client, area):
    response = client.get("/api/v1/places/point?lat=51.52&lng=-0.11")
    assert [p["name"] for p in response.json()] == ["Kingsbridge", "Abbey Fields", "Abbey Green"]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/places/postcodes/nonsense", 400, "bad_request"),
        ("/api/v1/places/postcodes/SW1A%201AA", 404, "not_found"),
        ("/api/v1/places/E99999999", 404, "not_found"),
        ("/api/v1/places/point?lat=north&lng=0", 422, "invalid"),
        ("/api/v1/places/point?lat=95&lng=0", 400, "bad_request"),
        ("/api/v1/places/?kind=planet", 422, "invalid"),
    ],
)
def test_bad_requests_get_the_one_error_shape(client, area, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    if code == "invalid":
        assert error["fields"][0]["field"] in {"lat", "kind"}


def test_the_api_is_rate_limited_per_client(client, area, settings):
    import importlib

    api = importlib.import_module(settings.ROOT_URLCONF).api  # the NinjaAPI being served
    throttle = api.throttle[0]
    old_rate = throttle.rate
    throttle.rate = "3/m"
    throttle.num_requests, throttle.duration = throttle.parse_rate(throttle.rate)
    try:
        statuses = [client.get("/api/v1/places/").status_code for _ in range(5)]
    finally:
        throttle.rate = old_rate
        throttle.num_requests, throttle.duration = throttle.parse_rate(old_rate)
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Big Society API"
    assert client.get("/api/v1/docs").status_code == 200
