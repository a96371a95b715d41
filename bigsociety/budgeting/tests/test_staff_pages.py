"""Pages not covered elsewhere: submitting an idea, the officers' paper entry, override and
delivery pages, closing an ended vote at request time and from cron, the demo, the menu."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting.models import (
    Ballot,
    Count,
    Elector,
    Milestone,
    PaperBallot,
    Phase,
    Process,
    Project,
)
from bigsociety.budgeting.services.counting import budget_count
from bigsociety.budgeting.services.eligibility import voting_codes_generate
from bigsociety.common.models import AuditEntry

from .conftest import verified_login
from .factories import make_process, officer, project_ids

pytestmark = pytest.mark.django_db


def test_a_resident_submits_an_idea_while_ideas_are_collected(client):
    # given a process collecting ideas and a signed-in resident
    process = make_process(phase=Phase.IDEAS)
    resident = UserFactory()
    client.force_login(resident)
    url = reverse("budgeting:idea_create", args=[process.slug])
    budget = process.budgets.get()
    # when they send an idea with no title
    response = client.post(url, {"budget": budget.pk, "description": "x", "cost": 500})
    # then the form says what is missing and nothing is saved
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Project.objects.filter(origin="resident").count() == 0
    # when they send a complete idea
    response = client.post(
        url,
        {"budget": budget.pk, "title": "Bat boxes", "description": "For the park", "cost": 800},
    )
    # then it is saved as their idea awaiting review
    assert response.status_code == 302
    idea = Project.objects.get(origin="resident")
    assert (idea.title, idea.cost, idea.proposer, idea.feasibility, idea.reference) == (
        "Bat boxes",
        800,
        resident,
        "pending",
        "P5",
    )


def test_ideas_are_not_taken_outside_the_ideas_phase(client):
    process = make_process(phase=Phase.VOTING)
    client.force_login(UserFactory())
    response = client.get(reverse("budgeting:idea_create", args=[process.slug]))
    assert response.status_code == 404


def test_two_officers_key_a_paper_ballot_on_the_paper_entry_page(client):
    # given a vote with one voting code
    process = make_process(phase=Phase.VOTING)
    first, second = officer(), officer()
    [code] = voting_codes_generate(process=process, count=1, acting_user=first)
    ids = project_ids(process)
    url = reverse("budgeting:staff_paper_entry", args=[process.slug, "area-wide"])
    form = {"paper_number": "0042", "voter_code": code, "projects": [ids["P2"]], "age_band": ""}
    # when the first officer keys it
    verified_login(client, first)
    assert client.get(url).status_code == 200
    response = client.post(url, form)
    # then it waits for a second entry
    assert response.status_code == 302
    assert PaperBallot.objects.get().status == "awaiting"
    assert Ballot.objects.count() == 0
    # when the second officer keys the same
    client.logout()
    verified_login(client, second)
    client.post(url, form)
    # then it counts as a paper ballot
    assert PaperBallot.objects.get().status == "matched"
    ballot = Ballot.objects.get()
    assert (ballot.voting_method, ballot.selection) == ("paper", [ids["P2"]])


def test_the_paper_entry_page_names_a_wrong_code(officer_client):
    process = make_process(phase=Phase.VOTING)
    ids = project_ids(process)
    url = reverse("budgeting:staff_paper_entry", args=[process.slug, "area-wide"])
    response = officer_client.post(
        url, {"paper_number": "1", "voter_code": "NOPE-NOPE", "projects": [ids["P1"]]}
    )
    assert response.status_code == 200
    assert "That voting code or identifier is not on the roll." in response.content.decode()
    assert PaperBallot.objects.count() == 0


def _counted(process):
    budget = process.budgets.get()
    ids = project_ids(process)
    for n, refs in enumerate([["P1"], ["P1"], ["P3"]]):
        elector = Elector.objects.create(process=process, source="list", secret_hash=f"e{n}")
        Ballot.objects.create(
            budget=budget,
            elector=elector,
            voting_method="internet",
            selection=[ids[r] for r in refs],
        )
    Process.objects.filter(pk=process.pk).update(phase=Phase.CLOSED)
    budget_count(budget=budget, acting_user=officer())
    return budget, ids


def test_the_override_page_replaces_the_outcome_with_a_reason(officer_client):
    process = make_process(phase=Phase.VOTING)
    budget, ids = _counted(process)
    url = reverse("budgeting:staff_override", args=[process.slug, budget.slug])
    assert officer_client.get(url).status_code == 200
    # without a reason: refused, nothing changes
    response = officer_client.post(url, {"funded": [ids["P2"]], "reason": ""})
    assert response.status_code == 200
    assert Count.objects.get().override_reason == ""
    # with a reason
    response = officer_client.post(
        url, {"funded": [ids["P2"], ids["P4"]], "reason": "P1's site was sold."}
    )
    assert response.status_code == 302
    count = Count.objects.get()
    assert (count.funded, count.override_reason, count.computed_funded) == (
        sorted([ids["P2"], ids["P4"]]),
        "P1's site was sold.",
        sorted([ids["P1"], ids["P3"]]),
    )
    assert AuditEntry.objects.filter(action="budgeting.count.override").count() == 1


def test_the_delivery_page_updates_status_and_adds_milestones(officer_client, client):
    process = make_process(phase=Phase.VOTING)
    _budget, ids = _counted(process)
    Process.objects.filter(pk=process.pk).update(phase=Phase.RESULTS)
    url = reverse("budgeting:staff_delivery", args=[process.slug, ids["P1"]])
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(
        url, {"which": "delivery", "status": "in_progress", "progress": 40}
    )
    assert response.status_code == 302
    response = officer_client.post(
        url, {"which": "milestone", "title": "Contractor appointed", "due_on": "2027-03-01"}
    )
    assert response.status_code == 302
    project = Project.objects.get(pk=ids["P1"])
    assert (project.delivery_status, project.progress) == ("in_progress", 40)
    assert list(Milestone.objects.values_list("title", "due_on")) == [
        ("Contractor appointed", dt.date(2027, 3, 1))
    ]
    # progress over 100 is refused by the form, naming the field
    response = officer_client.post(url, {"which": "delivery", "status": "delayed", "progress": 140})
    assert response.status_code == 200
    assert Project.objects.get(pk=ids["P1"]).progress == 40
    # and the public delivery page shows it
    page = client.get(reverse("budgeting:delivery", args=[process.slug])).content.decode()
    assert "Contractor appointed" in page


def test_an_unfunded_project_has_no_delivery_tracking(officer_client):
    process = make_process(phase=Phase.VOTING)
    _budget, ids = _counted(process)
    Process.objects.filter(pk=process.pk).update(phase=Phase.RESULTS)
    url = reverse("budgeting:staff_delivery", args=[process.slug, ids["P2"]])
    response = officer_client.post(
        url, {"which": "delivery", "status": "completed", "progress": 100}
    )
    assert response.status_code == 200
    assert "Only funded projects are tracked in delivery." in response.content.decode()
    assert Project.objects.get(pk=ids["P2"]).delivery_status == "not_started"


def test_a_vote_past_its_closing_time_is_closed_and_counted_when_its_page_is_visited(
    client, django_capture_on_commit_callbacks
):
    # given a vote whose closing time passed a minute ago
    process = make_process(
        phase=Phase.VOTING,
        voting_opens_at=timezone.now() - dt.timedelta(days=2),
        voting_closes_at=timezone.now() - dt.timedelta(minutes=1),
    )
    # when anyone opens the process page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("budgeting:process_detail", args=[process.slug]))
    # then the vote is closed (audited as automatic) and counted
    assert response.status_code == 200
    process.refresh_from_db()
    assert process.phase == Phase.CLOSED
    entry = AuditEntry.objects.get(action="budgeting.process.transition")
    assert entry.changes["automatic"] is True
    assert Count.objects.filter(budget__process=process).count() == 1


def test_a_vote_still_open_is_not_closed_by_a_visit(client):
    process = make_process(phase=Phase.VOTING)
    client.get(reverse("budgeting:process_detail", args=[process.slug]))
    process.refresh_from_db()
    assert process.phase == Phase.VOTING


def test_the_close_due_votes_command_closes_only_ended_votes(django_capture_on_commit_callbacks):
    ended = make_process(
        phase=Phase.VOTING,
        slug="ended",
        voting_opens_at=timezone.now() - dt.timedelta(days=2),
        voting_closes_at=timezone.now() - dt.timedelta(seconds=1),
    )
    running = make_process(phase=Phase.VOTING, slug="running")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("close_due_votes", stdout=__import__("io").StringIO())
    ended.refresh_from_db()
    running.refresh_from_db()
    assert (ended.phase, running.phase) == (Phase.CLOSED, Phase.VOTING)
    assert Count.objects.filter(budget__process=ended).count() == 1


def test_the_demo_is_idempotent_and_lets_the_resident_vote():
    from bigsociety.accounts import demo as accounts_demo
    from bigsociety.budgeting import demo
    from bigsociety.budgeting.eligibility import elector_for
    from bigsociety.places import demo as places_demo

    places_demo.seed()
    accounts_demo.seed()
    demo.seed()
    demo.seed()
    open_vote = Process.objects.get(slug=demo.OPEN_SLUG)
    results = Process.objects.get(slug=demo.RESULTS_SLUG)
    assert Process.objects.count() == 2
    assert (open_vote.phase, open_vote.rule, open_vote.voting_is_open) == (
        Phase.VOTING,
        "mes-add1",
        True,
    )
    assert open_vote.budgets.count() == 5
    assert Project.objects.filter(budget__process=open_vote).count() == 12
    from bigsociety.accounts.models import User

    resident = User.objects.get(email="resident@demo.invalid")
    assert elector_for(user=resident, process=open_vote).eligible is True
    assert results.phase == Phase.RESULTS
    count = Count.objects.get(budget__process=results)
    assert (count.rule, count.ballots_counted) == ("mes-add1", 274)


def test_the_back_office_menu_links_to_the_staff_pages():
    from bigsociety.budgeting.wagtail_hooks import register_budgeting_menu_item

    item = register_budgeting_menu_item()
    assert item.url == reverse("budgeting:staff_process_list") == "/budgeting/staff/"
    assert str(item.label) == "Participatory budgeting"
