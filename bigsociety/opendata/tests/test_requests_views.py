"""The pages: permission matrix for every view, the journey, privacy and query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import AuditEntry
from bigsociety.opendata.models import DataRequest
from bigsociety.opendata.tests.requests_support import (
    PEOPLE,
    DataRequestFactory,
    OrganisationFactory,
    freeze_today,
    person,
    published_dataset,
)

pytestmark = pytest.mark.django_db

S = DataRequest.Status
D = dt.date

# Who may do what. A number is the status code; "ok" is a redirect after the change happened.
# Anonymous people are sent to sign in (302) and nothing changes.
LOGIN = "login"
OK = "ok"

MATRIX = {
    # view name: (starting state, POST data, {person: outcome})
    "request_ask_clarification": (
        S.AWAITING_RESPONSE,
        {"message": "Which years?"},
        {"org_admin": OK, "org_editor": OK, "data_officer": OK},
    ),
    "request_respond": (
        S.AWAITING_RESPONSE,
        {"outcome": S.NOT_HELD, "message": "We do not hold it."},
        {"org_admin": OK, "org_editor": OK, "data_officer": OK},
    ),
    "request_clarify": (
        S.AWAITING_CLARIFICATION,
        {"message": "Only 2025."},
        {"requester": OK},
    ),
    "request_request_review": (
        S.NOT_HELD,
        {"message": "You do hold it."},
        {"requester": OK},
    ),
    "request_withdraw": (S.AWAITING_RESPONSE, {"message": ""}, {"requester": OK}),
    "request_hide": (S.AWAITING_RESPONSE, {"reason": "Abusive."}, {"moderator": OK}),
}


def _state(data_request):
    data_request.refresh_from_db()
    return (data_request.status, data_request.hidden_at, data_request.events.count())


def _login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("kind", PEOPLE)
@pytest.mark.parametrize("view", sorted(MATRIX))
def test_transition_pages_permission_matrix(client, view, kind):
    # given a request in the state the page acts on
    status, data, allowed = MATRIX[view]
    data_request = DataRequestFactory(status=status)
    user = person(kind, data_request)
    _login(client, user)
    url = reverse(f"opendata:{view}", args=[data_request.reference])
    before = _state(data_request)
    audits = AuditEntry.objects.count()
    # when they open the page and post it
    page = client.get(url)
    response = client.post(url, data)
    # then only the allowed people change it
    if kind == "anonymous":
        assert page.status_code == response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif kind in allowed:
        assert page.status_code == 200
        assert response.status_code == 302
        assert response["Location"] == data_request.get_absolute_url()
    else:
        assert page.status_code == response.status_code == 403
    if kind in allowed:
        assert _state(data_request) != before
        assert AuditEntry.objects.count() == audits + 1
    else:
        assert _state(data_request) == before
        assert AuditEntry.objects.count() == audits


# Who sees a hidden request: its requester, those who may answer it, moderators, data officers.
HIDDEN_VIEWERS = {"requester", "org_admin", "org_editor", "data_officer", "moderator"}


@pytest.mark.parametrize("kind", PEOPLE)
def test_detail_page_matrix_and_hidden_requests(client, kind):
    shown = DataRequestFactory()
    hidden = DataRequestFactory(hidden_at="2026-01-01T00:00Z", hidden_reason="Abuse")
    # the hidden request's publisher is the one whose members are in the matrix
    user = person(kind, hidden)
    _login(client, user)
    assert client.get(shown.get_absolute_url()).status_code == 200
    expected = 200 if kind in HIDDEN_VIEWERS else 404
    assert client.get(hidden.get_absolute_url()).status_code == expected


@pytest.mark.parametrize("kind", PEOPLE)
def test_unhide_matrix(client, kind):
    hidden = DataRequestFactory(hidden_at="2026-01-01T00:00Z", hidden_reason="Abuse")
    user = person(kind, hidden)
    _login(client, user)
    response = client.post(reverse("opendata:request_unhide", args=[hidden.reference]))
    hidden.refresh_from_db()
    if kind == "moderator":
        assert response.status_code == 302
        assert not hidden.is_hidden
        return
    expected = 302 if kind == "anonymous" else 403 if kind in HIDDEN_VIEWERS else 404
    assert response.status_code == expected
    assert hidden.is_hidden


@pytest.mark.parametrize("kind", PEOPLE)
def test_public_pages_are_open_to_everyone(client, kind):
    _login(client, person(kind, DataRequestFactory()))
    assert client.get(reverse("opendata:request_list")).status_code == 200
    assert client.get(reverse("opendata:request_statistics")).status_code == 200


@pytest.mark.parametrize("kind", PEOPLE)
def test_request_form_matrix(client, kind):
    _login(client, person(kind, DataRequestFactory()))
    count = DataRequest.objects.count()
    url = reverse("opendata:request_create")
    response = client.post(
        url,
        {"title": "Potholes", "description": "All potholes.", "contact_email": "me@example.org"},
    )
    assert response.status_code == 302
    if kind == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
        assert DataRequest.objects.count() == count
    else:
        assert DataRequest.objects.count() == count + 1


def test_people_with_unconfirmed_email_are_asked_to_confirm_first(client):
    user = UserFactory(email_confirmed_at=None)
    client.force_login(user)
    response = client.post(
        reverse("opendata:request_create"),
        {"title": "Potholes", "description": "All potholes.", "contact_email": user.email},
    )
    assert response.status_code == 403
    assert b"Confirm your email address first" in response.content
    assert DataRequest.objects.count() == 0


@pytest.mark.parametrize("kind", PEOPLE)
def test_log_and_queue_matrix(client, kind):
    data_request = DataRequestFactory()
    _login(client, person(kind, data_request))
    count = DataRequest.objects.count()
    log = client.post(
        reverse("opendata:request_log"),
        {
            "requester_name": "Ann Other",
            "requester_email": "ann@example.org",
            "channel": "post",
            "received_on_0": "6",
            "received_on_1": "1",
            "received_on_2": "2025",
            "title": "Allotments",
            "description": "Waiting lists.",
        },
    )
    queue = client.get(reverse("opendata:staff_request_queue"))
    if kind == "anonymous":
        assert log.status_code == queue.status_code == 302
    elif kind == "data_officer":
        assert (log.status_code, queue.status_code) == (302, 200)
    elif kind in ("org_admin", "org_editor"):
        assert (log.status_code, queue.status_code) == (403, 200)
    else:
        assert log.status_code == queue.status_code == 403
    assert DataRequest.objects.count() == count + (1 if kind == "data_officer" else 0)


def test_the_queue_is_sorted_by_due_date_and_publishers_see_only_theirs(client):
    council = OrganisationFactory()
    later = DataRequestFactory(publisher=council, received_on=D(2025, 3, 3))
    sooner = DataRequestFactory(publisher=council, received_on=D(2025, 2, 3))
    other = DataRequestFactory(received_on=D(2025, 1, 6))
    DataRequestFactory(status=S.NOT_HELD, publisher=council)  # answered: not in the queue
    client.force_login(person("data_officer"))
    response = client.get(reverse("opendata:staff_request_queue"))
    assert list(response.context["data_requests"]) == [other, sooner, later]
    client.force_login(person("org_editor", later))
    response = client.get(reverse("opendata:staff_request_queue"))
    assert list(response.context["data_requests"]) == [sooner, later]


def test_the_whole_journey_through_the_pages(client, monkeypatch):
    # given a resident, a council and its data officer
    freeze_today(monkeypatch, D(2026, 3, 2))
    council = OrganisationFactory(name="Kingsbridge Council", slug="kingsbridge")
    resident = UserFactory(email="rosa@example.org", display_name="Rosa Secret")
    officer = person("data_officer")
    # when the resident asks for data
    client.force_login(resident)
    form = client.get(reverse("opendata:request_create"))
    assert form.context["form"]["contact_email"].value() == "rosa@example.org"
    response = client.post(
        reverse("opendata:request_create"),
        {
            "title": "Street light faults",
            "description": "Every fault reported in 2025.",
            "purpose": "Mapping dark streets.",
            "publisher": "kingsbridge",
            "contact_email": "rosa@example.org",
        },
    )
    data_request = DataRequest.objects.get()
    assert response["Location"] == data_request.get_absolute_url()
    # and the officer asks for clarification, which the resident gives on 25 March
    client.force_login(officer)
    client.post(
        reverse("opendata:request_ask_clarification", args=[data_request.reference]),
        {"message": "Which wards?"},
    )
    freeze_today(monkeypatch, D(2026, 3, 25))
    client.force_login(resident)
    client.post(
        reverse("opendata:request_clarify", args=[data_request.reference]),
        {"message": "Abbey ward only."},
    )
    data_request.refresh_from_db()
    assert (data_request.status, data_request.due_on) == (S.AWAITING_RESPONSE, D(2026, 4, 24))
    # and the officer answers with a published dataset that has no schedule yet
    dataset = published_dataset(publisher=council, scheduled=False, title="Street light faults")
    freeze_today(monkeypatch, D(2026, 4, 20))
    client.force_login(officer)
    missing = client.post(
        reverse("opendata:request_respond", args=[data_request.reference]),
        {"outcome": "successful", "dataset": dataset.name, "message": "Here it is."},
    )
    assert missing.status_code == 200
    assert "release_frequency" in missing.context["form"].errors
    client.post(
        reverse("opendata:request_respond", args=[data_request.reference]),
        {
            "outcome": "successful",
            "dataset": dataset.name,
            "release_frequency": "R/P1M",
            "next_release_on_0": "20",
            "next_release_on_1": "5",
            "next_release_on_2": "2026",
            "message": "Here it is, monthly.",
        },
    )
    data_request.refresh_from_db()
    assert (data_request.status, data_request.dataset, data_request.answered_on_time) == (
        S.SUCCESSFUL,
        dataset,
        True,
    )
    # then anyone sees it in the register, on its page and in the statistics
    client.logout()
    register = client.get(reverse("opendata:request_list"), {"status": "successful"})
    assert list(register.context["data_requests"]) == [data_request]
    page = client.get(data_request.get_absolute_url()).content.decode()
    assert "Street light faults" in page
    assert dataset.get_absolute_url() in page
    assert "Abbey ward only." in page
    # and never who asked
    for private in ("rosa@example.org", "Rosa Secret"):
        assert private not in page
        assert private not in register.content.decode()
    stats = client.get(reverse("opendata:request_statistics"))
    rows = [(r.publisher, r.received, r.answered_on_time) for r in stats.context["rows"]]
    assert rows == [("Kingsbridge Council", 1, 1)]
    assert "Kingsbridge Council" in stats.content.decode()


def test_respond_form_errors_name_the_field_and_change_nothing(client):
    data_request = DataRequestFactory()
    client.force_login(person("data_officer"))
    response = client.post(
        reverse("opendata:request_respond", args=[data_request.reference]),
        {"outcome": "refused", "message": "No."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "refusal_reason": ["Choose the reason for refusing."]
    }
    assert b"There is a problem" in response.content
    assert _state(data_request)[0] == S.AWAITING_RESPONSE


def test_register_filters_computed_overdue(client, monkeypatch):
    freeze_today(monkeypatch, D(2026, 3, 2))
    overdue = DataRequestFactory(received_on=D(2026, 1, 5))
    DataRequestFactory(received_on=D(2026, 2, 27))
    response = client.get(reverse("opendata:request_list"), {"status": "overdue"})
    assert list(response.context["data_requests"]) == [overdue]
    assert b"Overdue" in response.content


@pytest.mark.parametrize("count", [3, 25])
def test_register_query_count_does_not_grow_with_requests(client, count, django_assert_num_queries):
    dataset = published_dataset()
    for n in range(count):
        DataRequestFactory(dataset=dataset if n % 2 else None)
    # count, one page of requests with publisher and dataset, the publisher filter
    with django_assert_num_queries(3):
        response = client.get(reverse("opendata:request_list"))
    assert response.status_code == 200
    assert len(response.context["data_requests"]) == min(count, 20)
