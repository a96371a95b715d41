"""The counting engine wired into the app: MES, MES-add1, MES-add1-comparison and Phragmén end
to end (count, results page, JSON), .pb import through the engine's parser, the EJR indicator."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bigsociety.budgeting.models import Ballot, Elector, Phase, Process, Project, Rule
from bigsociety.budgeting.services.counting import budget_count
from bigsociety.budgeting.services.pabulib import process_import_pb
from bigsociety.budgeting.services.processes import process_transition

from .factories import make_process, officer

pytestmark = pytest.mark.django_db
DEMO_FILE = (
    Path(__file__).resolve().parents[1]
    / "demo_data"
    / "US_Stanford_Dataset_PB_Chicago_29th_Ward_2021_vote_approvals.pb"
)


def _closed(rule: str):
    """Budget £60,000; P1 £40k, P2 £30k, P3 £20k, P4 £10k. Three voters want P1 only, two
    want P2 and P3."""
    process = make_process(phase=Phase.VOTING, rule=rule)
    budget = process.budgets.get()
    ids = dict(Project.objects.filter(budget=budget).values_list("reference", "pk"))
    for n, selection in enumerate([["P1"], ["P1"], ["P1"], ["P2", "P3"], ["P2", "P3"]]):
        elector = Elector.objects.create(process=process, source="list", secret_hash=f"h{n}")
        Ballot.objects.create(
            budget=budget,
            elector=elector,
            voting_method="internet",
            selection=[ids[r] for r in selection],
        )
    Process.objects.filter(pk=process.pk).update(phase=Phase.CLOSED)
    process.refresh_from_db()
    return process, budget, ids


def test_mes_funds_what_equal_shares_can_pay_for_and_explains_each_round(client):
    # given five voters with £12,000 each
    process, budget, ids = _closed(Rule.MES)
    # when counted with the Method of Equal Shares (no completion)
    count = budget_count(budget=budget, acting_user=officer())
    # then only P3 is funded: P1's three supporters hold £36,000, less than its £40,000
    assert (count.funded, count.spent) == ([ids["P3"]], 20_000)
    ex = count.explanation
    assert ex["per_voter_budget"] == "£12,000"
    assert [r["reference"] for r in ex["rounds"]] == ["P3"]
    assert ex["rounds"][0]["payments"] == [
        "2 supporters paid £10,000 each.",
        "That is worth 2 full votes (cost divided by the most anyone paid).",
    ]
    reasons = {u["reference"]: u["text"] for u in ex["unfunded"]}
    assert reasons["P1"] == (
        "P1 Project 1 costs £40,000, but even at the start its 3 supporters' shares came to "
        "only £36,000."
    )
    assert reasons["P4"] == "P4 Project 4: nobody voted for it."
    assert ex["fairness"]["ejr"] is True
    assert ex["engine"]["rule"] == "mes"
    # and the published page shows the account
    process_transition(process=process, target=Phase.RESULTS, acting_user=officer())
    page = client.get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "Each voter started with a share of £12,000 of the budget." in page
    assert "2 supporters paid £10,000 each." in page
    assert "Extended justified representation (EJR)" in page
    data = client.get(reverse("budgeting:results_json", args=[process.slug])).json()
    fairness = data["budgets"][0]["fairness"]
    assert fairness["share_of_voters_with_a_funded_project"] == 0.4
    assert fairness["ejr"] is True


def test_mes_add1_raises_the_shares_until_the_budget_is_used():
    # given the same votes, counted with add-one completion
    _process, budget, ids = _closed(Rule.MES_ADD1)
    count = budget_count(budget=budget, acting_user=officer())
    # then shares rise by £1 a step until P1's supporters can pay £40,000 (3 x £13,334)
    assert sorted(count.funded) == sorted([ids["P1"], ids["P3"]])
    assert count.spent == 60_000
    assert count.explanation["per_voter_budget"] == "£13,334"
    assert count.explanation["completion"].startswith(
        "Add-one completion raised each voter's share 1334 times"
    )


def test_mes_add1_comparison_reports_the_comparison():
    _process, budget, ids = _closed(Rule.MES_ADD1_COMPARISON)
    count = budget_count(budget=budget, acting_user=officer())
    assert sorted(count.funded) == sorted([ids["P1"], ids["P3"]])
    assert count.explanation["comparison"] == (
        "Comparison with greedy counting: 0 voters have more funded projects they voted for "
        "under Equal Shares, 0 under greedy; Equal Shares' outcome is used."
    )


def test_phragmen_buys_projects_as_supporters_earn_their_cost():
    # P3 is bought first (2 supporters reach £20,000 at £10,000 each), then P1 (3 at £13,333.33)
    _process, budget, ids = _closed(Rule.PHRAGMEN)
    count = budget_count(budget=budget, acting_user=officer())
    assert [r["reference"] for r in count.explanation["rounds"] if r["decision"] == "funded"] == [
        "P3",
        "P1",
    ]
    assert sorted(count.funded) == sorted([ids["P1"], ids["P3"]])
    assert "each supporter's load is now £10,000" in count.explanation["rounds"][0]["text"]


def test_a_real_election_counted_with_mes_funds_more_than_the_one_big_project():
    # given Chicago's 29th Ward 2021, where one $1,000,000 project has 244 of 274 votes
    process = process_import_pb(
        text=DEMO_FILE.read_text(), acting_user=officer(), rule=Rule.MES_ADD1
    )
    budget = process.budgets.get()
    # when counted with MES (add-one completion)
    count = budget_count(budget=budget, acting_user=officer())
    funded = set(Project.objects.filter(pk__in=count.funded).values_list("reference", flat=True))
    # then the big project is not funded and the others are; greedy would fund only it
    assert "1823" not in funded
    assert funded == {"1824", "1825", "1826", "1827", "1828", "1829", "1830"}
    assert count.explanation["fairness"]["ejr_up_to_one"] is True
    greedy = process_import_pb(text=DEMO_FILE.read_text(), acting_user=officer(), rule="greedy")
    greedy_count = budget_count(budget=greedy.budgets.get(), acting_user=officer())
    assert list(
        Project.objects.filter(pk__in=greedy_count.funded).values_list("reference", flat=True)
    ) == ["1823"]


def test_a_broken_file_is_refused_whole_with_section_and_line():
    text = (
        "META\nkey;value\nbudget;1000\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;500\n"
        "2;abc\nVOTES\nvoter_id;vote\n1;1,9\n"
    )
    with pytest.raises(ValidationError) as caught:
        process_import_pb(text=text, acting_user=officer())
    assert caught.value.messages == [
        "PROJECTS line 8: cost 'abc' of project 2 is not a number",
        "VOTES line 11: voter 1: unknown project 9",
    ]
    assert Process.objects.count() == 0


def test_a_cost_in_pence_is_refused_naming_the_project():
    text = (
        "META\nkey;value\nbudget;1000\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "A;500.50\nVOTES\nvoter_id;vote\n1;A\n"
    )
    with pytest.raises(ValidationError) as caught:
        process_import_pb(text=text, acting_user=officer())
    assert caught.value.messages == [
        "PROJECTS: the cost of project A must be a whole number of pounds above 0."
    ]
    assert Process.objects.count() == 0
