"""Who may use each page and endpoint: the permission matrix, with nothing changed on denial."""

import pytest
from django.urls import reverse

from bigsociety.budgeting.models import Ballot, Budget, Elector, Phase, Process, Project
from bigsociety.common.models import AuditEntry

from .conftest import ACTORS, make_actor, verified_login
from .factories import make_process

pytestmark = pytest.mark.django_db


def _login(client, kind):
    user = make_actor(kind)
    if user is not None:
        if user.is_staff:
            verified_login(client, user)
        else:
            client.force_login(user)
    return user


def _state():
    return (
        list(Process.objects.values_list("slug", "phase", "max_projects")),
        Budget.objects.count(),
        Project.objects.count(),
        Elector.objects.count(),
        Ballot.objects.count(),
        AuditEntry.objects.count(),
    )


PUBLIC_GET = ["process_list", "process_detail", "vote"]


@pytest.mark.parametrize("kind", ACTORS)
@pytest.mark.parametrize("name", PUBLIC_GET)
def test_public_pages_are_open_to_everyone(client, kind, name):
    process = make_process(phase=Phase.VOTING)
    _login(client, kind)
    args = [] if name == "process_list" else [process.slug]
    assert client.get(reverse(f"budgeting:{name}", args=args)).status_code == 200


@pytest.mark.parametrize("kind", ACTORS)
def test_drafts_are_for_officers_only(client, kind):
    process = make_process(phase=Phase.DRAFT)
    _login(client, kind)
    response = client.get(reverse("budgeting:process_detail", args=[process.slug]))
    assert response.status_code == (200 if kind == "officer" else 404)


STAFF_GET = [
    ("staff_process_list", lambda p: []),
    ("staff_process_create", lambda p: []),
    ("staff_pb_import", lambda p: []),
    ("staff_process_edit", lambda p: [p.slug]),
    ("staff_budget_create", lambda p: [p.slug]),
    ("staff_project_create", lambda p: [p.slug, "area-wide"]),
    ("staff_project_review", lambda p: [p.slug, p.budgets.get().projects.first().pk]),
    ("staff_electors", lambda p: [p.slug]),
]
STAFF_POST = [
    (
        "staff_process_create",
        lambda p: [],
        {
            "title": "Sneaky",
            "min_projects": 1,
            "ballot_kind": "approval",
            "rule": "greedy",
            "eligibility_method": "list",
            "ward_rule": "any",
            "other_wards_allowed": 1,
        },
    ),
    (
        "staff_process_edit",
        lambda p: [p.slug],
        {
            "title": "Changed",
            "max_projects": 3,
            "min_projects": 1,
            "ballot_kind": "approval",
            "rule": "greedy",
            "eligibility_method": "list",
            "ward_rule": "any",
            "other_wards_allowed": 1,
        },
    ),
    ("staff_transition", lambda p: [p.slug], {"target": "ideas"}),
    ("staff_budget_create", lambda p: [p.slug], {"name": "Ward", "amount": 1000}),
    ("staff_project_create", lambda p: [p.slug, "area-wide"], {"title": "New", "cost": 100}),
    ("staff_electors", lambda p: [p.slug], {"list-identifiers": "someone@example.org"}),
    ("staff_codes_generate", lambda p: [p.slug], {"codes-count": 3}),
]


@pytest.mark.parametrize("kind", ACTORS)
@pytest.mark.parametrize(("name", "args"), STAFF_GET)
def test_staff_pages_are_for_engagement_officers_with_two_factors(client, kind, name, args):
    process = make_process(phase=Phase.DRAFT)
    _login(client, kind)
    response = client.get(reverse(f"budgeting:{name}", args=args(process)))
    expected = {"anonymous": 302, "officer": 200}.get(kind, 403)
    assert response.status_code == expected
    if kind == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("kind", ACTORS)
@pytest.mark.parametrize(("name", "args", "data"), STAFF_POST)
def test_staff_writes_change_nothing_for_anyone_else(client, kind, name, args, data):
    process = make_process(phase=Phase.DRAFT)
    _login(client, kind)
    before = _state()
    response = client.post(reverse(f"budgeting:{name}", args=args(process)), data)
    if kind == "officer":
        assert response.status_code in (200, 302)
        assert _state() != before
    else:
        assert response.status_code in (302, 403)
        assert _state() == before


def test_an_officer_without_a_second_factor_is_sent_to_verify(client):
    from .factories import officer

    client.force_login(officer())
    response = client.get(reverse("budgeting:staff_process_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.parametrize("kind", ACTORS)
def test_casting_a_ballot_needs_an_eligible_signed_in_voter(client, kind):
    process = make_process(phase=Phase.VOTING)
    user = _login(client, kind)
    project = process.budgets.get().projects.get(reference="P1")
    before = _state()
    response = client.post(
        reverse("budgeting:ballot_edit", args=[process.slug, "area-wide"]),
        {"projects": [project.pk]},
    )
    if user is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        assert "You are not on the list of voters" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("kind", ACTORS)
def test_results_and_open_data_stay_hidden_while_voting_is_open(client, kind):
    process = make_process(phase=Phase.VOTING)
    _login(client, kind)
    assert client.get(reverse("budgeting:results", args=[process.slug])).status_code == 404
    assert client.get(reverse("budgeting:results_json", args=[process.slug])).status_code == 404
    assert (
        client.get(reverse("budgeting:export_pb", args=[process.slug, "area-wide"])).status_code
        == 404
    )
    assert client.get(f"/api/v1/budgeting/processes/{process.slug}/results").status_code == 404


@pytest.mark.parametrize("kind", ACTORS)
def test_the_api_ballot_endpoint_needs_a_token_of_an_eligible_voter(client, kind):
    from bigsociety.accounts.models import ApiToken
    from bigsociety.accounts.tokens import new_api_token

    process = make_process(phase=Phase.VOTING)
    user = make_actor(kind)
    headers = {}
    if user is not None:
        raw = new_api_token()
        ApiToken.objects.create(user=user, name="t", prefix=raw[:8], digest=ApiToken.digest_of(raw))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    before = _state()
    response = client.put(
        f"/api/v1/budgeting/processes/{process.slug}/budgets/area-wide/ballot",
        data={"projects": ["P1"]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == (401 if user is None else 403)
    assert response.json()["error"]["code"] == ("unauthenticated" if user is None else "forbidden")
    assert _state() == before


def test_the_api_ballot_endpoint_casts_for_an_eligible_voter(client):
    from bigsociety.accounts.models import ApiToken
    from bigsociety.accounts.tests.factories import UserFactory
    from bigsociety.accounts.tokens import new_api_token

    from .factories import enrol

    process = make_process(phase=Phase.VOTING, ballot_kind="knapsack")
    user = UserFactory()
    enrol(process, user)
    raw = new_api_token()
    ApiToken.objects.create(user=user, name="t", prefix=raw[:8], digest=ApiToken.digest_of(raw))
    url = f"/api/v1/budgeting/processes/{process.slug}/budgets/area-wide/ballot"
    over = client.put(
        url,
        data={"projects": ["P1", "P2"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert over.status_code == 422
    assert over.json()["error"]["fields"] == [
        {
            "field": "selection",
            "message": "Your choices cost £70,000, which is over the £60,000 you can spend.",
        }
    ]
    ok = client.put(
        url,
        data={"projects": ["P1", "P4"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "budget": "area-wide",
        "projects": ["P1", "P4"],
        "points": [],
        "revision": 1,
        "voting_method": "internet",
    }
