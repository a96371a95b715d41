"""Rule and ballot parameters that make no sense are refused when configured."""

import pytest
from django.core.exceptions import ValidationError

from bigsociety.budgeting.models import Budget, Elector, Phase, Process
from bigsociety.budgeting.services.processes import budget_save, process_create, process_transition

from .factories import make_process, officer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"rule": "greedy-threshold"},
            {"rule_threshold": ["Enter the minimum number of votes (at least 1)."]},
        ),
        (
            {"rule": "greedy", "rule_threshold": 5},
            {"rule_threshold": ["A vote threshold only applies to the greedy-threshold rule."]},
        ),
        (
            {"ballot_kind": "cumulative", "total_points": 10, "rule": "mes"},
            {
                "rule": [
                    "Method of Equal Shares counts approval-style ballots; it cannot count a "
                    "cumulative ballot."
                ]
            },
        ),
        (
            {"ballot_kind": "cumulative"},
            {"total_points": ["Enter how many points each voter shares out (at least 1)."]},
        ),
        (
            {"ballot_kind": "ranked"},
            {"rank_k": ["Enter how many projects voters rank (at least 1)."]},
        ),
        (
            {"min_projects": 3, "max_projects": 2},
            {"max_projects": ["The maximum number of projects cannot be below the minimum."]},
        ),
        (
            {"ballot_kind": "choose1", "max_projects": 2},
            {"max_projects": ["A choose-one ballot has exactly one project."]},
        ),
    ],
)
def test_nonsense_configurations_are_refused_at_once(fields, errors):
    with pytest.raises(ValidationError) as caught:
        process_create(acting_user=officer(), title="Youth budget", **fields)
    assert caught.value.message_dict == errors
    assert Process.objects.count() == 0


def test_an_empty_budget_is_refused():
    process = process_create(acting_user=officer(), title="Youth budget")
    with pytest.raises(ValidationError) as caught:
        budget_save(process=process, acting_user=officer(), name="Empty", amount=0)
    assert caught.value.message_dict == {"amount": ["A budget must be more than £0."]}
    assert Budget.objects.count() == 0


def test_a_spending_limit_above_the_budget_is_refused():
    process = process_create(
        acting_user=officer(), title="Cart", ballot_kind="knapsack", cost_cap=90_000
    )
    with pytest.raises(ValidationError) as caught:
        budget_save(process=process, acting_user=officer(), name="Area", amount=50_000)
    assert caught.value.message_dict == {
        "cost_cap": ["The spending limit £90000 is more than the budget Area (£50000)."]
    }


def test_a_threshold_above_the_possible_vote_count_stops_voting_opening():
    # given 2 people on the roll and a threshold of 3 votes
    process = make_process(phase=Phase.REVIEW, rule="greedy-threshold", rule_threshold=3)
    for n in range(2):
        Elector.objects.create(process=process, source="list", secret_hash=f"h{n}")
    # when / then
    with pytest.raises(ValidationError) as caught:
        process_transition(process=process, target=Phase.VOTING, acting_user=officer())
    assert caught.value.messages == [
        "The vote threshold (3) is above the most votes any project could get "
        "(2 from 2 eligible voters)."
    ]


def test_reserved_slugs_are_not_given_to_processes():
    process = process_create(acting_user=officer(), title="Staff")
    assert process.slug == "staff-2"
