"""/api/v1/data-requests: the register as JSON and making a request with a token."""

import datetime as dt
import json
import urllib.request

import pytest

from bigsociety.accounts.services import api_token_issue
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.opendata.models import DataRequest
from bigsociety.opendata.services import requests as services
from bigsociety.opendata.tests.requests_support import (
    PEOPLE,
    DataRequestFactory,
    OrganisationFactory,
    freeze_today,
    person,
    published_dataset,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/data-requests"
D = dt.date


def _headers(user):
    if user is None:
        return {}
    _, raw = api_token_issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, headers, body):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("kind", PEOPLE)
def test_post_matrix(client, kind, monkeypatch):
    # given the day is 25 March 2026
    freeze_today(monkeypatch, D(2026, 3, 25))
    council = OrganisationFactory(slug="kingsbridge")
    headers = _headers(person(kind, DataRequestFactory(received_on=D(2026, 3, 2))))
    count = DataRequest.objects.count()
    # when they post a request
    response = _post(
        client,
        headers,
        {"title": "Potholes", "description": "All of them.", "publisher": "kingsbridge"},
    )
    # then anyone with a token makes one, received today; anonymous people get a 401
    if kind == "anonymous":
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "status": 401,
                "code": "unauthenticated",
                "message": "Send a valid API token.",
                "fields": [],
            }
        }
        assert DataRequest.objects.count() == count
        return
    assert response.status_code == 201
    body = response.json()
    made = DataRequest.objects.get(reference=body["id"])
    assert (made.publisher, made.channel) == (council, "api")
    assert {
        k: body[k]
        for k in (
            "title",
            "status",
            "received_on",
            "due_on",
            "very_overdue_on",
            "publisher",
            "dataset",
        )
    } == {
        "title": "Potholes",
        "status": "awaiting_response",
        "received_on": "2026-03-25",
        "due_on": "2026-04-24",
        "very_overdue_on": "2026-05-26",
        "publisher": "kingsbridge",
        "dataset": None,
    }


@pytest.mark.parametrize("kind", PEOPLE)
def test_received_on_is_for_data_officers_only(client, kind, monkeypatch):
    freeze_today(monkeypatch, D(2026, 3, 25))
    user = person(kind, DataRequestFactory(received_on=D(2026, 3, 2)))
    count = DataRequest.objects.count()
    response = _post(
        client,
        _headers(user),
        {"title": "Potholes", "description": "All of them.", "received_on": "2026-03-02"},
    )
    if kind == "data_officer":
        assert response.status_code == 201
        assert (response.json()["received_on"], response.json()["due_on"]) == (
            "2026-03-02",
            "2026-03-31",
        )
    elif kind == "anonymous":
        assert response.status_code == 401
        assert DataRequest.objects.count() == count
    else:
        assert response.status_code == 422
        assert response.json()["error"]["fields"] == [
            {
                "field": "received_on",
                "message": "Only data officers can give the date a request was received.",
            }
        ]
        assert DataRequest.objects.count() == count


def test_bad_input_names_the_field_and_makes_nothing(client):
    headers = _headers(UserFactory())
    unknown = _post(client, headers, {"title": "T", "description": "D", "publisher": "nope"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"] == [
        {"field": "publisher", "message": "No organisation has the slug 'nope'."}
    ]
    missing = _post(client, headers, {"title": "T"})
    assert missing.status_code == 422
    assert [f["field"] for f in missing.json()["error"]["fields"]] == ["description"]
    blank = _post(client, headers, {"title": " ", "description": "D"})
    assert blank.status_code == 422
    assert blank.json()["error"]["fields"] == [
        {"field": "title", "message": "This field is required."}
    ]
    assert DataRequest.objects.count() == 0


def test_unconfirmed_and_unknown_tokens_are_refused(client):
    unconfirmed = UserFactory(email_confirmed_at=None)
    response = _post(client, _headers(unconfirmed), {"title": "T", "description": "D"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    response = _post(
        client, {"HTTP_AUTHORIZATION": "Bearer bs_nope"}, {"title": "T", "description": "D"}
    )
    assert response.status_code == 401
    assert DataRequest.objects.count() == 0


def test_list_and_detail_never_show_the_requester(client):
    requester = UserFactory(email="rosa@example.org", display_name="Rosa Secret")
    data_request = services.request_create(
        acting_user=requester, title="Potholes", description="All.", contact_email="r@x.org"
    )
    listing = client.get(URL)
    detail = client.get(f"{URL}/{data_request.reference}")
    assert listing.status_code == detail.status_code == 200
    assert listing.json()["count"] == 1
    assert listing.json()["items"][0] == detail.json()
    for private in ("rosa@example.org", "Rosa Secret", "r@x.org", "requester"):
        assert private not in listing.content.decode()
        assert private not in detail.content.decode()
    assert set(detail.json()) == {
        "id",
        "url",
        "title",
        "description",
        "purpose",
        "status",
        "status_label",
        "overdue",
        "very_overdue",
        "received_on",
        "due_on",
        "very_overdue_on",
        "responded_on",
        "publisher",
        "dataset",
        "refusal_reason",
    }


def test_a_successful_request_links_its_dataset(client):
    dataset = published_dataset()
    data_request = DataRequestFactory(status="successful", dataset=dataset)
    body = client.get(f"{URL}/{data_request.reference}").json()
    assert (body["status"], body["dataset"]) == ("successful", dataset.name)


@pytest.mark.parametrize("kind", PEOPLE)
def test_hidden_requests_matrix(client, kind):
    hidden = DataRequestFactory(hidden_at="2026-01-01T00:00Z", hidden_reason="Abuse")
    headers = _headers(person(kind, hidden))
    listing = client.get(URL, **headers)
    assert listing.json()["count"] == 0
    detail = client.get(f"{URL}/{hidden.reference}", **headers)
    visible = {"requester", "org_admin", "org_editor", "data_officer", "moderator"}
    assert detail.status_code == (200 if kind in visible else 404)


def test_pks_are_not_ids(client):
    data_request = DataRequestFactory()
    assert client.get(f"{URL}/{data_request.pk}").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow(client, count, django_assert_num_queries):
    dataset = published_dataset()
    for n in range(count):
        DataRequestFactory(dataset=dataset if n % 2 else None)
    with django_assert_num_queries(2):  # count, one page with publisher and dataset
        response = client.get(URL, {"limit": 50})
    assert len(response.json()["items"]) == count


def test_filters(client, monkeypatch):
    freeze_today(monkeypatch, D(2026, 3, 2))
    council = OrganisationFactory(slug="north")
    overdue = DataRequestFactory(publisher=council, received_on=D(2026, 1, 5))
    DataRequestFactory(received_on=D(2026, 1, 5))
    DataRequestFactory(publisher=council, received_on=D(2026, 2, 27))
    body = client.get(URL, {"status": "overdue", "publisher": "north"}).json()
    assert [item["id"] for item in body["items"]] == [overdue.reference]
    assert body["items"][0]["overdue"] is True


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_standard_http_client_against_a_live_server(live_server):
    # given a token holder
    user = UserFactory()
    _, raw = api_token_issue(user=user, name="live")
    # when they post with urllib and read it back
    post = urllib.request.Request(
        live_server.url + URL,
        data=json.dumps({"title": "Potholes", "description": "All."}).encode(),
        headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post) as response:
        assert response.status == 201
        made = json.load(response)
    with urllib.request.urlopen(f"{live_server.url}{URL}/{made['id']}") as response:
        assert json.load(response)["title"] == "Potholes"
