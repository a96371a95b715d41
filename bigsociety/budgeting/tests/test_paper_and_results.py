"""Paper ballots with double entry; counting, override, results page and open data."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting.models import Ballot, PaperBallot, Phase, Process
from bigsociety.budgeting.services.ballots import paper_ballot_enter, paper_ballot_resolve
from bigsociety.budgeting.services.counting import budget_count, count_override
from bigsociety.budgeting.services.eligibility import voting_codes_generate
from bigsociety.budgeting.services.processes import process_transition

from .factories import enrol, make_process, officer, project_ids

pytestmark = pytest.mark.django_db


def _key(process, who, paper, code, refs):
    ids = project_ids(process)
    return paper_ballot_enter(
        budget=process.budgets.get(),
        paper_number=paper,
        voter_secret=code,
        selection=[ids[r] for r in refs],
        acting_user=who,
    )


def test_a_paper_ballot_counts_when_two_officers_key_the_same():
    process = make_process(phase=Phase.VOTING)
    a, b = officer(), officer()
    [code] = voting_codes_generate(process=process, count=1, acting_user=a)
    assert _key(process, a, "0001", code, ["P1", "P2"]).status == "awaiting"
    with pytest.raises(ValidationError) as caught:
        _key(process, a, "0001", code, ["P1", "P2"])
    assert caught.value.message_dict == {
        "paper_number": ["You have already keyed paper 0001; a second officer must key it."]
    }
    paper = _key(process, b, "0001", code, ["P1", "P2"])
    assert paper.status == "matched"
    assert Ballot.objects.get().voting_method == "paper"


def test_mismatched_entries_are_flagged_and_a_third_officer_resolves_them():
    process = make_process(phase=Phase.VOTING)
    a, b, c = officer(), officer(), officer()
    [code] = voting_codes_generate(process=process, count=1, acting_user=a)
    _key(process, a, "7", code, ["P1"])
    paper = _key(process, b, "7", code, ["P2"])
    assert paper.status == "mismatch"
    assert Ballot.objects.count() == 0
    first = paper.entries.order_by("created_at", "id").first()
    resolved = paper_ballot_resolve(
        paper=paper, acting_user=c, accept_entry=first, note="Cross is in box 1"
    )
    assert resolved.status == PaperBallot.Status.RESOLVED
    assert Ballot.objects.get().selection == [project_ids(process)["P1"]]


def test_a_paper_ballot_for_someone_who_voted_online_is_refused():
    process = make_process(phase=Phase.VOTING)
    voter = UserFactory(email="rosa@example.org")
    enrol(process, voter)
    Ballot.objects.create(
        budget=process.budgets.get(),
        elector=voter_elector(process, voter),
        voting_method="internet",
        selection=[project_ids(process)["P1"]],
    )
    a, b = officer(), officer()
    _key(process, a, "9", "rosa@example.org", ["P2"])
    with pytest.raises(ValidationError) as caught:
        _key(process, b, "9", "rosa@example.org", ["P2"])
    assert caught.value.message_dict == {
        "voter_code": ["This voter already has a ballot in this budget (Online)."]
    }
    assert Ballot.objects.count() == 1


def voter_elector(process, user):
    return process.electors.get(user=user)


def _voted_process(**fields):
    process = make_process(phase=Phase.VOTING, **fields)
    ids = project_ids(process)
    budget = process.budgets.get()
    # P1 40k: 3 votes, P2 30k: 2 votes, P3 20k: 2 votes, P4 10k: 1 vote; budget 60k
    for selection in (["P1"], ["P1", "P3"], ["P1", "P2"], ["P2", "P3"], ["P4"]):
        user = UserFactory()
        elector = enrol(process, user)
        Ballot.objects.create(
            budget=budget,
            elector=elector,
            voting_method="internet",
            selection=[ids[r] for r in selection],
        )
    Process.objects.filter(pk=process.pk).update(phase=Phase.CLOSED)
    process.refresh_from_db()
    return process, budget, ids


def test_greedy_count_and_published_results_page(client):
    process, budget, ids = _voted_process()
    count = budget_count(budget=budget, acting_user=officer())
    # greedy: P1 (3 votes, 40k) fits; P2 (30k) does not; P3 (20k) fits -> 60k spent
    assert (count.funded, count.spent, count.ballots_counted) == (
        sorted([ids["P1"], ids["P3"]]),
        60_000,
        5,
    )
    # not public until results are published
    assert client.get(reverse("budgeting:results", args=[process.slug])).status_code == 404
    process_transition(process=process, target=Phase.RESULTS, acting_user=officer())
    response = client.get(reverse("budgeting:results", args=[process.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Spent on funded projects" in page and "£60,000" in page
    data = client.get(reverse("budgeting:results_json", args=[process.slug])).json()
    result = data["budgets"][0]
    assert [p["reference"] for p in result["funded"]] == ["P1", "P3"]
    assert result["fairness"]["share_of_voters_with_a_funded_project"] == 0.8
    assert result["turnout"]["by_voting_method"] == [{"method": "internet", "ballots": 5}]


def test_an_override_needs_a_reason_which_is_published(client):
    process, budget, ids = _voted_process()
    budget_count(budget=budget, acting_user=officer())
    with pytest.raises(ValidationError):
        count_override(budget=budget, funded_ids=[ids["P2"]], reason=" ", acting_user=officer())
    with pytest.raises(ValidationError) as caught:
        count_override(
            budget=budget, funded_ids=[ids["P1"], ids["P2"]], reason="x", acting_user=officer()
        )
    assert caught.value.message_dict == {
        "funded": ["Those projects cost £70,000, more than the £60,000 budget."]
    }
    count_override(
        budget=budget,
        funded_ids=[ids["P2"], ids["P3"]],
        reason="P1 land became unavailable.",
        acting_user=officer(),
    )
    process_transition(process=process, target=Phase.RESULTS, acting_user=officer())
    page = client.get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "P1 land became unavailable." in page
    pb = client.get(
        reverse("budgeting:export_pb", args=[process.slug, budget.slug])
    ).content.decode()
    assert "outcome overridden by the council: P1 land became unavailable." in pb


def test_open_data_is_never_published_while_voting_is_open(client):
    process = make_process(phase=Phase.VOTING)
    for name in ("export_pb", "export_ballots_csv", "export_results_csv"):
        assert (
            client.get(reverse(f"budgeting:{name}", args=[process.slug, "area-wide"])).status_code
            == 404
        )


def test_exported_pb_round_trips_through_the_importer(client):
    process, budget, _ids = _voted_process()
    budget_count(budget=budget, acting_user=officer())
    text = client.get(
        reverse("budgeting:export_pb", args=[process.slug, budget.slug])
    ).content.decode()
    assert text.startswith("META\nkey;value\n")
    assert "vote_type;approval" in text and "num_votes;5" in text
    from bigsociety.budgeting.services.pabulib import process_import_pb

    imported = process_import_pb(text=text, acting_user=officer())
    assert imported.phase == Phase.CLOSED
    assert Ballot.objects.filter(budget__process=imported).count() == 5
    new_budget = imported.budgets.get()
    assert budget_count(budget=new_budget, acting_user=officer()).spent == 60_000
