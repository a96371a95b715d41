"""The phase state machine, exhaustively, and freezing the ballot when voting opens."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bigsociety.budgeting.models import PHASE_TRANSITIONS, Count, Phase, Process
from bigsociety.budgeting.services.processes import (
    TransitionNotAllowed,
    process_transition,
    process_update,
)
from bigsociety.common.models import AuditEntry

from .factories import make_process, officer

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(Phase.values, Phase.values))


def test_the_table_names_every_phase():
    assert set(PHASE_TRANSITIONS) == set(Phase.values)
    assert PHASE_TRANSITIONS[Phase.VOTING] == {Phase.CLOSED}
    assert PHASE_TRANSITIONS[Phase.DELIVERY] == frozenset()
    assert PHASE_TRANSITIONS[Phase.CANCELLED] == frozenset()


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_transition_is_allowed_exactly_when_the_table_says(current, target):
    # given a process that is otherwise ready for any move
    process = make_process(phase=current)
    if target == Phase.RESULTS:
        Count.objects.create(
            budget=process.budgets.get(), rule="greedy", ballots_counted=0, spent=0
        )
    user = officer()
    allowed = target in PHASE_TRANSITIONS[current]
    # when
    if allowed:
        process_transition(process=process, target=target, acting_user=user)
    else:
        with pytest.raises(TransitionNotAllowed):
            process_transition(process=process, target=target, acting_user=user)
    # then
    process.refresh_from_db()
    assert process.phase == (target if allowed else current)
    audited = AuditEntry.objects.filter(action="budgeting.process.transition").count()
    assert audited == (1 if allowed else 0)


def test_opening_voting_freezes_the_ballot_and_refuses_later_changes():
    # given
    process = make_process(phase=Phase.REVIEW, voting_opens_at=None)
    user = officer()
    # when
    process_transition(process=process, target=Phase.VOTING, acting_user=user)
    # then
    process.refresh_from_db()
    assert process.config_frozen_at is not None
    with pytest.raises(ValidationError) as caught:
        process_update(process=process, acting_user=user, max_projects=2)
    assert caught.value.message_dict == {
        "max_projects": ["The ballot was frozen when voting opened; this cannot change."]
    }
    process.refresh_from_db()
    assert process.max_projects is None
    # but the public text can still be corrected
    process_update(process=process, acting_user=user, summary="Typo fixed")
    assert Process.objects.get(pk=process.pk).summary == "Typo fixed"


def test_voting_cannot_open_with_projects_awaiting_review_or_a_closing_time_in_the_past():
    process = make_process(
        phase=Phase.REVIEW, voting_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    project = process.budgets.get().projects.first()
    project.feasibility = "pending"
    project.save()
    with pytest.raises(ValidationError) as caught:
        process_transition(process=process, target=Phase.VOTING, acting_user=officer())
    assert caught.value.messages == [
        "The closing time of the vote is already in the past.",
        "1 projects still await a feasibility decision.",
    ]
    process.refresh_from_db()
    assert (process.phase, process.config_frozen_at) == (Phase.REVIEW, None)


def test_results_cannot_be_published_before_every_budget_is_counted():
    process = make_process(phase=Phase.CLOSED)
    with pytest.raises(ValidationError) as caught:
        process_transition(process=process, target=Phase.RESULTS, acting_user=officer())
    assert caught.value.messages == [
        "Count every budget before publishing results (not yet counted: Area-wide)."
    ]


def test_people_without_the_role_cannot_move_a_phase():
    from django.core.exceptions import PermissionDenied

    from bigsociety.accounts.tests.factories import UserFactory

    process = make_process(phase=Phase.DRAFT)
    with pytest.raises(PermissionDenied):
        process_transition(process=process, target=Phase.IDEAS, acting_user=UserFactory())
    process.refresh_from_db()
    assert process.phase == Phase.DRAFT
