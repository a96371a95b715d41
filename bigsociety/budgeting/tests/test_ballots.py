"""Casting ballots: each ballot kind's limits, eligibility, closing time, changes, wards."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting.models import Ballot, Budget, Elector, Phase, Process
from bigsociety.budgeting.services.ballots import ballot_cast
from bigsociety.budgeting.services.eligibility import (
    elector_redeem_code,
    electors_import,
    voting_codes_generate,
)
from bigsociety.places.tests.factories import PlaceFactory

from .factories import enrol, make_process, officer, project_ids

pytestmark = pytest.mark.django_db


def _cast(process, user, refs, points=None, budget=None):
    ids = project_ids(process)
    return ballot_cast(
        budget=budget or process.budgets.get(),
        acting_user=user,
        selection=[ids[r] for r in refs],
        points=points,
    )


def _refused(process, user, refs, points=None):
    with pytest.raises(ValidationError) as caught:
        _cast(process, user, refs, points)
    return caught.value.messages


def test_an_eligible_voter_casts_and_changes_one_ballot():
    # given
    process = make_process(phase=Phase.VOTING, max_projects=2)
    voter = UserFactory(date_of_birth=dt.date(1990, 5, 1))
    enrol(process, voter)
    # when
    _cast(process, voter, ["P1", "P2"])
    ballot = _cast(process, voter, ["P3"])
    # then
    assert Ballot.objects.count() == 1
    ids = project_ids(process)
    assert (ballot.selection, ballot.revision, ballot.voting_method) == ([ids["P3"]], 2, "internet")
    assert ballot.age_band == "35-44"


def test_approval_limits_are_enforced_with_reasons():
    process = make_process(phase=Phase.VOTING, min_projects=2, max_projects=3)
    voter = UserFactory()
    enrol(process, voter)
    assert _refused(process, voter, ["P1"]) == ["Choose at least 2 projects; you chose 1."]
    assert _refused(process, voter, ["P1", "P2", "P3", "P4"]) == [
        "Choose at most 3 projects; you chose 4."
    ]
    assert Ballot.objects.count() == 0


def test_a_shopping_cart_over_the_budget_is_refused():
    process = make_process(phase=Phase.VOTING, ballot_kind="knapsack", amount=60_000)
    voter = UserFactory()
    enrol(process, voter)
    assert _refused(process, voter, ["P1", "P2"]) == [
        "Your choices cost £70,000, which is over the £60,000 you can spend."
    ]
    _cast(process, voter, ["P1", "P3"])
    assert Ballot.objects.count() == 1


def test_cumulative_points_must_add_up():
    process = make_process(phase=Phase.VOTING, ballot_kind="cumulative")
    voter = UserFactory()
    enrol(process, voter)
    assert _refused(process, voter, ["P1", "P2"], [6, 5]) == [
        "You gave 11 points but have 10 to share out."
    ]
    assert _refused(process, voter, ["P1", "P2"], [6]) == [
        "Give each chosen project a number of points."
    ]
    ballot = _cast(process, voter, ["P1", "P2"], [6, 4])
    assert ballot.points == [6, 4]


def test_ranked_and_choose_one_ballots():
    ranked = make_process(phase=Phase.VOTING, ballot_kind="ranked", slug="ranked")
    voter = UserFactory()
    enrol(ranked, voter)
    assert _refused(ranked, voter, ["P1", "P2", "P3", "P4"]) == [
        "Rank at most 3 projects; you ranked 4."
    ]
    one = make_process(
        phase=Phase.VOTING, ballot_kind="choose1", slug="one", min_projects=1, max_projects=1
    )
    enrol(one, voter)
    assert _refused(one, voter, ["P1", "P2"]) == ["Choose exactly one project."]
    assert _cast(one, voter, ["P2"]).selection == [project_ids(one)["P2"]]


def test_ineligible_voters_are_refused_and_told_why():
    process = make_process(phase=Phase.VOTING)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied) as caught:
        _cast(process, stranger, ["P1"])
    assert "You are not on the list of voters for this process." in str(caught.value)
    assert Ballot.objects.count() == 0


def test_minimum_age_is_checked():
    process = make_process(phase=Phase.VOTING, minimum_age=16)
    young = UserFactory(
        date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 15)
    )
    enrol(process, young)
    assert _refused(process, young, ["P1"]) == ["This vote is for people aged 16 or over."]
    unknown = UserFactory(date_of_birth=None)
    enrol(process, unknown)
    assert _refused(process, unknown, ["P1"])[0].startswith(
        "This vote is for people aged 16 or over. Add your date of birth"
    )


def test_ballots_after_close_are_refused():
    process = make_process(
        phase=Phase.VOTING,
        voting_closes_at=timezone.now() - dt.timedelta(seconds=1),
        voting_opens_at=timezone.now() - dt.timedelta(days=2),
    )
    voter = UserFactory()
    enrol(process, voter)
    messages = _refused(process, voter, ["P1"])
    assert messages[0].startswith("Voting closed at ")
    Process.objects.filter(pk=process.pk).update(phase=Phase.CLOSED)
    assert _refused(process, voter, ["P1"])[0].startswith("Voting closed at ")
    assert Ballot.objects.count() == 0


def test_an_email_list_lets_people_vote_without_typing_anything():
    process = make_process(phase=Phase.VOTING)
    voter = UserFactory(email="rosa@example.org")
    electors_import(
        process=process, text="ROSA@example.org\nsam@example.org\n", acting_user=officer()
    )
    _cast(process, voter, ["P1"])
    elector = Elector.objects.get(user=voter)
    assert elector.source == "list"
    assert "rosa" not in elector.secret_hash and len(elector.secret_hash) == 64


def test_a_voting_code_works_once():
    process = make_process(phase=Phase.VOTING)
    [code] = voting_codes_generate(process=process, count=1, acting_user=officer())
    first, second = UserFactory(), UserFactory()
    elector_redeem_code(process=process, code=code.lower().replace("-", " "), acting_user=first)
    _cast(process, first, ["P1"])
    with pytest.raises(ValidationError) as caught:
        elector_redeem_code(process=process, code=code, acting_user=second)
    assert caught.value.message_dict == {"code": ["That voting code has already been used."]}
    assert not Elector.objects.filter(secret_hash__contains=code).exists()


def test_home_ward_plus_one_other():
    # given three ward budgets and a voter living in the first ward
    home, other, third = (
        PlaceFactory(name="Abbey"),
        PlaceFactory(name="Bridge"),
        PlaceFactory(name="Castle"),
    )
    process = make_process(phase=Phase.VOTING, ward_rule="home_plus", other_wards_allowed=1)
    budgets = {}
    for ward in (home, other, third):
        budgets[ward.name] = Budget.objects.create(
            process=process, name=ward.name, slug=ward.slug, amount=50_000, ward=ward
        )
        budgets[ward.name].projects.create(
            reference=f"W{ward.pk}",
            title="Benches",
            cost=5_000,
            origin="staff",
            feasibility="feasible",
        )
    voter = UserFactory(home_place=home)
    enrol(process, voter)

    def cast(name):
        budget = budgets[name]
        return ballot_cast(budget=budget, acting_user=voter, selection=[budget.projects.get().pk])

    # when / then
    cast("Abbey")
    cast("Bridge")
    with pytest.raises(ValidationError) as caught:
        cast("Castle")
    assert caught.value.messages == [
        "You can vote in your home ward (Abbey) and 1 other ward(s). You have already voted "
        "in 1 other ward(s); remove one of those ballots first."
    ]
    cast("Bridge")  # changing the other ward's ballot is fine
    assert Ballot.objects.filter(elector__user=voter).count() == 2
