"""The state machine, every (from, to) pair, through the services that make each change."""

import itertools

import pytest

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import AuditEntry
from bigsociety.opendata.models import TRANSITIONS, DataRequest, DataRequestEvent, can_transition
from bigsociety.opendata.services import requests as services
from bigsociety.opendata.tests.requests_support import DataRequestFactory, published_dataset

pytestmark = pytest.mark.django_db

S = DataRequest.Status

# Written out by hand from the issue and Alaveteli's states, independently of TRANSITIONS.
EXPECTED = {
    (S.AWAITING_RESPONSE, S.AWAITING_CLARIFICATION),
    (S.AWAITING_RESPONSE, S.SUCCESSFUL),
    (S.AWAITING_RESPONSE, S.PARTIALLY_SUCCESSFUL),
    (S.AWAITING_RESPONSE, S.NOT_HELD),
    (S.AWAITING_RESPONSE, S.REFUSED),
    (S.AWAITING_RESPONSE, S.WITHDRAWN),
    (S.AWAITING_CLARIFICATION, S.AWAITING_RESPONSE),
    (S.AWAITING_CLARIFICATION, S.WITHDRAWN),
    (S.PARTIALLY_SUCCESSFUL, S.INTERNAL_REVIEW),
    (S.NOT_HELD, S.INTERNAL_REVIEW),
    (S.REFUSED, S.INTERNAL_REVIEW),
    (S.INTERNAL_REVIEW, S.SUCCESSFUL),
    (S.INTERNAL_REVIEW, S.PARTIALLY_SUCCESSFUL),
    (S.INTERNAL_REVIEW, S.NOT_HELD),
    (S.INTERNAL_REVIEW, S.REFUSED),
    (S.INTERNAL_REVIEW, S.WITHDRAWN),
}

PAIRS = list(itertools.product(S.values, S.values))


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_the_table_allows_exactly_the_expected_pairs(current, target):
    assert can_transition(current, target) == ((current, target) in EXPECTED)


def _in_status(status):
    extra = {}
    if status == S.SUCCESSFUL:
        extra["dataset"] = published_dataset()
    if status == S.REFUSED:
        extra["refusal_reason"] = DataRequest.RefusalReason.COST_LIMIT
    return DataRequestFactory(status=status, **extra)


def _move(data_request, target, officer):
    requester = data_request.requester
    if target == S.AWAITING_RESPONSE:
        return services.request_clarify(
            request=data_request, acting_user=requester, message="Only 2024, please."
        )
    if target == S.AWAITING_CLARIFICATION:
        return services.request_ask_clarification(
            request=data_request, acting_user=officer, message="Which years?"
        )
    if target == S.INTERNAL_REVIEW:
        return services.request_request_review(
            request=data_request, acting_user=requester, message="Please look again."
        )
    if target == S.WITHDRAWN:
        return services.request_withdraw(request=data_request, acting_user=requester)
    return services.request_respond(
        request=data_request,
        acting_user=officer,
        outcome=target,
        dataset=published_dataset() if target == S.SUCCESSFUL else None,
        refusal_reason=DataRequest.RefusalReason.COST_LIMIT if target == S.REFUSED else "",
        message="Here is our answer.",
    )


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_every_pair_through_its_service(current, target):
    # given a request in the current status
    data_request = _in_status(current)
    officer = UserFactory(roles=[Role.DATA_OFFICER])
    audit_before = AuditEntry.objects.count()
    # when the service for the target status is called
    if (current, target) in EXPECTED:
        moved = _move(data_request, target, officer)
        # then the request moves, with one timeline entry and one audit entry
        data_request.refresh_from_db()
        assert moved.status == data_request.status == target
        event = DataRequestEvent.objects.get(request=data_request)
        assert (event.status_before, event.status_after) == (current, target)
        assert AuditEntry.objects.count() == audit_before + 1
    else:
        with pytest.raises(services.TransitionNotAllowed):
            _move(data_request, target, officer)
        # then nothing changed
        data_request.refresh_from_db()
        assert data_request.status == current
        assert not DataRequestEvent.objects.filter(request=data_request).exists()
        assert AuditEntry.objects.count() == audit_before
