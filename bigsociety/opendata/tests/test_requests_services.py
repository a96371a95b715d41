"""The right-to-data services: making, clarifying, answering, withdrawing, hiding."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import AuditEntry, Notification
from bigsociety.opendata.models import DataRequest, DataRequestEvent, Dataset, Frequency
from bigsociety.opendata.selectors_requests import request_register, request_statistics
from bigsociety.opendata.services import requests as services
from bigsociety.opendata.tests.requests_support import (
    DataRequestFactory,
    OrganisationFactory,
    freeze_today,
    member_of,
    published_dataset,
)
from bigsociety.organisations.models import Membership

pytestmark = pytest.mark.django_db

S = DataRequest.Status
D = dt.date


@pytest.fixture
def officer():
    return UserFactory(roles=[Role.DATA_OFFICER])


def _make(user, **kwargs):
    values = {"title": "Street light faults", "description": "Every fault reported in 2025."}
    values.update(kwargs)
    return services.request_create(acting_user=user, **values)


def test_a_confirmed_person_makes_a_request_due_in_twenty_working_days(
    monkeypatch, django_capture_on_commit_callbacks
):
    # given a confirmed resident on Thursday 11 December 2025
    freeze_today(monkeypatch, D(2025, 12, 11))
    resident = UserFactory(email="rosa@example.org")
    council = OrganisationFactory(name="Kingsbridge Council")
    # when they ask for data
    with django_capture_on_commit_callbacks(execute=True):
        data_request = _make(resident, purpose="To map dark streets.", publisher=council)
    # then it is awaiting response, due after Christmas and New Year
    assert data_request.status == S.AWAITING_RESPONSE
    assert (data_request.received_on, data_request.due_on, data_request.very_overdue_on) == (
        D(2025, 12, 11),
        D(2026, 1, 14),
        D(2026, 2, 11),
    )
    assert data_request.channel == DataRequest.Channel.WEB
    assert len(data_request.reference) == 10
    assert data_request.requester_email == ""  # the account's own address is followed
    # and its timeline, audit log and the requester's notifications say so
    event = data_request.events.get()
    assert (event.kind, event.by, event.on) == ("received", "requester", D(2025, 12, 11))
    audit = AuditEntry.objects.get(target_id=str(data_request.pk))
    assert audit.action == "data_request.create"
    note = Notification.objects.get(recipient=resident)
    assert note.topic == "data_request"
    assert note.subject == f"Your data request {data_request.reference}: request received"
    assert note.url.endswith(f"/data-requests/{data_request.reference}/")
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]


def test_references_are_random_not_sequential():
    references = {DataRequestFactory().reference for _ in range(20)}
    assert len(references) == 20
    assert all(r.isalnum() and len(r) == 10 for r in references)


@pytest.mark.parametrize(
    ("confirmed", "active"), [(False, True), (True, False)], ids=["unconfirmed", "inactive"]
)
def test_only_confirmed_active_people_make_requests(confirmed, active):
    user = UserFactory(is_active=active)
    if not confirmed:
        user.email_confirmed_at = None
        user.save()
    with pytest.raises(PermissionDenied):
        _make(user)
    assert DataRequest.objects.count() == 0


def test_only_data_officers_give_a_date_of_receipt(monkeypatch, officer):
    freeze_today(monkeypatch, D(2026, 3, 25))
    resident = UserFactory()
    with pytest.raises(ValidationError) as caught:
        _make(resident, received_on=D(2026, 3, 20))
    assert caught.value.message_dict == {
        "received_on": ["Only data officers can give the date a request was received."]
    }
    assert DataRequest.objects.count() == 0
    # a data officer may, and the deadline counts from that day
    data_request = _make(officer, received_on=D(2026, 3, 2))
    assert (data_request.received_on, data_request.due_on) == (D(2026, 3, 2), D(2026, 3, 31))
    # but never from the future
    with pytest.raises(ValidationError) as caught:
        _make(officer, received_on=D(2026, 3, 26))
    assert caught.value.message_dict == {"received_on": ["The date cannot be in the future."]}


def test_blank_title_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        _make(UserFactory(), title="   ")
    assert caught.value.message_dict == {"title": ["This field is required."]}
    assert DataRequest.objects.count() == 0


def test_clarification_stops_the_clock_and_the_reply_restarts_it(monkeypatch, officer):
    # given a request received on Monday 2 March 2026 (due 31 March)
    freeze_today(monkeypatch, D(2026, 3, 2))
    data_request = _make(UserFactory())
    assert data_request.due_on == D(2026, 3, 31)
    # when the publisher asks for clarification on 5 March
    freeze_today(monkeypatch, D(2026, 3, 5))
    data_request = services.request_ask_clarification(
        request=data_request, acting_user=officer, message="Which streets?"
    )
    assert (data_request.status, data_request.clock_stopped_on) == (
        S.AWAITING_CLARIFICATION,
        D(2026, 3, 5),
    )
    # then it is never overdue while the clock is stopped
    assert not data_request.is_overdue(D(2026, 4, 30))
    # when the requester replies on 25 March
    freeze_today(monkeypatch, D(2026, 3, 25))
    data_request = services.request_clarify(
        request=data_request, acting_user=data_request.requester, message="All of Abbey ward."
    )
    # then 20 working days count again from the reply (day 0), across Easter
    assert data_request.status == S.AWAITING_RESPONSE
    assert (data_request.clock_started_on, data_request.due_on, data_request.very_overdue_on) == (
        D(2026, 3, 25),
        D(2026, 4, 24),
        D(2026, 5, 26),
    )
    assert data_request.received_on == D(2026, 3, 2)
    assert data_request.clock_stopped_on is None
    assert [e.kind for e in data_request.events.all()] == [
        "received",
        "clarification_asked",
        "clarified",
    ]


def test_overdue_and_very_overdue_are_computed_from_the_day_after(monkeypatch):
    freeze_today(monkeypatch, D(2025, 12, 11))
    data_request = _make(UserFactory())
    assert not data_request.is_overdue(D(2026, 1, 14))
    assert data_request.is_overdue(D(2026, 1, 15))
    assert not data_request.is_very_overdue(D(2026, 2, 11))
    assert data_request.is_very_overdue(D(2026, 2, 12))
    assert data_request.display_status(D(2026, 1, 15)) == "Overdue"
    assert data_request.display_status(D(2026, 2, 12)) == "Very overdue"
    assert list(DataRequest.objects.overdue(D(2026, 1, 15))) == [data_request]
    assert list(DataRequest.objects.very_overdue(D(2026, 1, 15))) == []


def test_success_links_a_published_dataset_with_a_release_schedule(
    monkeypatch, officer, django_capture_on_commit_callbacks
):
    # given a request and a published dataset with a schedule
    freeze_today(monkeypatch, D(2026, 3, 2))
    data_request = _make(UserFactory())
    dataset = published_dataset(publisher=data_request.publisher)
    # when the data officer answers on the due date
    freeze_today(monkeypatch, D(2026, 3, 31))
    with django_capture_on_commit_callbacks(execute=True):
        services.request_respond(
            request=data_request,
            acting_user=officer,
            outcome=S.SUCCESSFUL,
            dataset=dataset,
            message="Published, updated monthly.",
        )
    # then the request is successful and was answered on time
    data_request.refresh_from_db()
    assert (data_request.status, data_request.dataset, data_request.closed_on) == (
        S.SUCCESSFUL,
        dataset,
        D(2026, 3, 31),
    )
    assert (data_request.responded_on, data_request.answered_on_time) == (D(2026, 3, 31), True)
    note = Notification.objects.get(topic="data_request")
    assert (note.recipient, note.subject) == (
        data_request.requester,
        f"Your data request {data_request.reference}: response",
    )


def test_success_without_a_dataset_or_with_an_unpublished_one_changes_nothing(officer):
    data_request = _make(UserFactory())
    draft = published_dataset(state=Dataset.State.DRAFT, published_at=None)
    cases = [
        (None, {"dataset": ["Link the published dataset to mark the request successful."]}),
        (draft, {"dataset": ["Publish the dataset in the catalogue before linking it."]}),
    ]
    for dataset, errors in cases:
        with pytest.raises(ValidationError) as caught:
            services.request_respond(
                request=data_request, acting_user=officer, outcome=S.SUCCESSFUL, dataset=dataset
            )
        assert caught.value.message_dict == errors
    data_request.refresh_from_db()
    assert (data_request.status, data_request.dataset) == (S.AWAITING_RESPONSE, None)
    assert data_request.events.count() == 1


def test_a_dataset_without_a_schedule_must_be_given_one(monkeypatch, officer):
    freeze_today(monkeypatch, D(2026, 3, 2))
    data_request = _make(UserFactory())
    dataset = published_dataset(scheduled=False)
    with pytest.raises(ValidationError) as caught:
        services.request_respond(
            request=data_request, acting_user=officer, outcome=S.SUCCESSFUL, dataset=dataset
        )
    assert list(caught.value.message_dict) == ["release_frequency"]
    data_request.refresh_from_db()
    assert data_request.status == S.AWAITING_RESPONSE
    # when a schedule is given, the dataset carries it
    services.request_respond(
        request=data_request,
        acting_user=officer,
        outcome=S.SUCCESSFUL,
        dataset=dataset,
        release_frequency=Frequency.QUARTERLY,
        next_release_on=D(2026, 6, 30),
    )
    dataset.refresh_from_db()
    assert (dataset.update_frequency, dataset.next_release_on) == (
        Frequency.QUARTERLY,
        D(2026, 6, 30),
    )


def test_refusal_needs_a_reason_from_the_coded_list(officer):
    assert DataRequest.RefusalReason.values == [
        "personal_data",
        "commercially_confidential",
        "cost_limit",
        "already_published",
        "future_publication",
        "vexatious",
    ]
    data_request = _make(UserFactory())
    for reason in ("", "too_busy"):
        with pytest.raises(ValidationError) as caught:
            services.request_respond(
                request=data_request,
                acting_user=officer,
                outcome=S.REFUSED,
                refusal_reason=reason,
                message="No.",
            )
        assert caught.value.message_dict == {"refusal_reason": ["Choose the reason for refusing."]}
    data_request.refresh_from_db()
    assert data_request.status == S.AWAITING_RESPONSE
    services.request_respond(
        request=data_request,
        acting_user=officer,
        outcome=S.REFUSED,
        refusal_reason="cost_limit",
        message="Finding it would cost more than £450.",
    )
    data_request.refresh_from_db()
    assert (data_request.status, data_request.refusal_reason) == (S.REFUSED, "cost_limit")


def test_a_late_first_answer_counts_late_even_after_review(monkeypatch, officer):
    freeze_today(monkeypatch, D(2026, 3, 2))
    data_request = _make(UserFactory())
    freeze_today(monkeypatch, D(2026, 4, 1))  # due 31 March
    data_request = services.request_respond(
        request=data_request, acting_user=officer, outcome=S.NOT_HELD, message="We have none."
    )
    assert (data_request.responded_on, data_request.answered_on_time) == (D(2026, 4, 1), False)
    freeze_today(monkeypatch, D(2026, 4, 2))
    data_request = services.request_request_review(
        request=data_request, acting_user=data_request.requester, message="You do hold it."
    )
    # the review is owed within 20 working days of being asked for
    assert (data_request.status, data_request.due_on) == (S.INTERNAL_REVIEW, D(2026, 5, 5))
    freeze_today(monkeypatch, D(2026, 4, 10))
    data_request = services.request_respond(
        request=data_request,
        acting_user=officer,
        outcome=S.SUCCESSFUL,
        dataset=published_dataset(),
    )
    assert (data_request.responded_on, data_request.answered_on_time) == (D(2026, 4, 1), False)


@pytest.mark.parametrize("role", [Membership.Role.ADMIN, Membership.Role.EDITOR])
def test_a_publishers_admins_and_editors_answer_its_requests(role):
    data_request = _make(UserFactory(), publisher=OrganisationFactory())
    editor = member_of(data_request.publisher, role)
    services.request_ask_clarification(
        request=data_request, acting_user=editor, message="Which year?"
    )
    assert data_request.events.last().by == "publisher"


def test_other_organisations_and_plain_members_cannot_answer():
    data_request = _make(UserFactory(), publisher=OrganisationFactory())
    outsiders = [
        member_of(OrganisationFactory(), Membership.Role.ADMIN),
        member_of(data_request.publisher, Membership.Role.MEMBER),
        UserFactory(roles=[Role.MODERATOR]),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            services.request_respond(
                request=data_request, acting_user=outsider, outcome=S.NOT_HELD, message="None."
            )
    data_request.refresh_from_db()
    assert data_request.status == S.AWAITING_RESPONSE
    assert AuditEntry.objects.filter(action="data_request.respond").count() == 0


def test_staff_log_a_postal_request_and_the_requester_is_emailed_if_possible(
    monkeypatch, officer, django_capture_on_commit_callbacks
):
    freeze_today(monkeypatch, D(2026, 3, 25))
    with django_capture_on_commit_callbacks(execute=True):
        by_email = services.request_log_offline(
            acting_user=officer,
            title="Allotment waiting list",
            description="Length of each waiting list.",
            received_on=D(2026, 3, 2),
            channel=DataRequest.Channel.EMAIL,
            requester_name="Ann Other",
            requester_email="Ann@Example.org",
        )
        by_post = services.request_log_offline(
            acting_user=officer,
            title="Bin collections",
            description="Missed collections by street.",
            received_on=D(2026, 3, 2),
            channel=DataRequest.Channel.POST,
            requester_name="Bob Other",
            requester_address="1 High Street\nKingsbridge",
        )
    assert (by_email.due_on, by_email.requester, by_email.logged_by) == (
        D(2026, 3, 31),
        None,
        officer,
    )
    assert by_email.events.get().by == "staff"
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert by_post.requester_address == "1 High Street\nKingsbridge"
    # staff act for the offline requester
    services.request_withdraw(request=by_post, acting_user=officer, message="By letter.")


def test_logging_needs_the_role_and_a_way_to_reply(officer):
    values = {
        "title": "Allotments",
        "description": "Waiting lists.",
        "received_on": D(2025, 1, 6),
        "channel": DataRequest.Channel.POST,
        "requester_name": "Ann Other",
    }
    with pytest.raises(PermissionDenied):
        services.request_log_offline(acting_user=UserFactory(), **values)
    with pytest.raises(ValidationError) as caught:
        services.request_log_offline(acting_user=officer, **values)
    assert list(caught.value.message_dict) == ["requester_email"]
    assert DataRequest.objects.count() == 0


def test_a_second_contact_address_is_emailed_too(django_capture_on_commit_callbacks):
    resident = UserFactory(email="rosa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _make(resident, contact_email="rosa.work@example.org")
    assert sorted(m.to[0] for m in mail.outbox) == ["rosa.work@example.org", "rosa@example.org"]


def test_moderators_hide_a_request_from_the_register_and_the_requester_still_sees_it():
    data_request = _make(UserFactory())
    moderator = UserFactory(roles=[Role.MODERATOR])
    with pytest.raises(PermissionDenied):
        services.request_hide(
            request=data_request, acting_user=UserFactory(roles=[Role.DATA_OFFICER]), reason="x"
        )
    services.request_hide(request=data_request, acting_user=moderator, reason="Abusive language")
    data_request.refresh_from_db()
    assert data_request.is_hidden
    assert list(request_register()) == []
    assert services.can_view(data_request.requester, data_request)
    assert not services.can_view(UserFactory(), data_request)
    assert not services.can_view(None, data_request)
    with pytest.raises(services.TransitionNotAllowed):
        services.request_hide(request=data_request, acting_user=moderator, reason="again")
    services.request_unhide(request=data_request, acting_user=moderator)
    assert list(request_register()) == [data_request]
    hidden = DataRequestEvent.objects.get(kind="hidden")
    assert not hidden.is_public


def test_every_change_notifies_the_requester(
    monkeypatch, officer, django_capture_on_commit_callbacks
):
    freeze_today(monkeypatch, D(2026, 3, 2))
    resident = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        data_request = _make(resident)
    steps = [
        lambda: services.request_ask_clarification(
            request=data_request, acting_user=officer, message="?"
        ),
        lambda: services.request_clarify(request=data_request, acting_user=resident, message="!"),
        lambda: services.request_respond(
            request=data_request, acting_user=officer, outcome=S.NOT_HELD, message="None."
        ),
        lambda: services.request_request_review(
            request=data_request, acting_user=resident, message="Look."
        ),
        lambda: services.request_withdraw(request=data_request, acting_user=resident),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
    subjects = list(
        Notification.objects.filter(recipient=resident)
        .order_by("id")
        .values_list("subject", flat=True)
    )
    ref = data_request.reference
    assert subjects == [
        f"Your data request {ref}: request received",
        f"Your data request {ref}: clarification asked",
        f"Your data request {ref}: requester clarified",
        f"Your data request {ref}: response",
        f"Your data request {ref}: internal review requested",
        f"Your data request {ref}: withdrawn",
    ]


def test_statistics_count_answers_on_time_per_month_and_publisher(monkeypatch, officer):
    north = OrganisationFactory(name="North Council")
    south = OrganisationFactory(name="South Council")
    freeze_today(monkeypatch, D(2026, 3, 2))
    on_time = _make(UserFactory(), publisher=north)
    late = _make(UserFactory(), publisher=north)
    open_overdue = _make(UserFactory(), publisher=south)
    withdrawn = _make(UserFactory(), publisher=north)
    services.request_withdraw(request=withdrawn, acting_user=withdrawn.requester)
    freeze_today(monkeypatch, D(2026, 3, 31))
    services.request_respond(
        request=on_time, acting_user=officer, outcome=S.NOT_HELD, message="None."
    )
    freeze_today(monkeypatch, D(2026, 4, 1))
    services.request_respond(request=late, acting_user=officer, outcome=S.NOT_HELD, message="None.")
    rows = request_statistics(today=D(2026, 4, 1))
    assert [
        (
            r.month,
            r.publisher,
            r.received,
            r.answered,
            r.answered_on_time,
            r.answered_late,
            r.open_overdue,
            r.percent_on_time,
        )
        for r in rows
    ] == [
        (D(2026, 3, 1), "North Council", 3, 2, 1, 1, 0, 50),
        (D(2026, 3, 1), "South Council", 1, 0, 0, 0, 1, None),
    ]
    assert open_overdue.is_overdue(D(2026, 4, 1))


def test_the_demo_has_a_request_in_every_state_and_is_idempotent():
    # given the demo accounts, a council and a scheduled dataset
    from bigsociety.accounts import demo as accounts_demo
    from bigsociety.opendata import demo_requests

    accounts_demo.seed()
    published_dataset(publisher=OrganisationFactory(name="Demo Council"))
    # when the demo is seeded twice
    demo_requests.seed()
    demo_requests.seed()
    # then every state is there once, and overdue and very overdue requests too
    statuses = sorted(DataRequest.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            S.AWAITING_RESPONSE,
            S.AWAITING_RESPONSE,
            S.AWAITING_RESPONSE,
            S.AWAITING_CLARIFICATION,
            S.SUCCESSFUL,
            S.PARTIALLY_SUCCESSFUL,
            S.NOT_HELD,
            S.REFUSED,
            S.INTERNAL_REVIEW,
            S.WITHDRAWN,
        ]
    )
    assert DataRequest.objects.overdue().count() == 2
    assert DataRequest.objects.very_overdue().count() == 1


def test_a_publisher_cannot_schedule_another_publishers_dataset(monkeypatch):
    # given an editor of the request's publisher and an unscheduled dataset of someone else
    freeze_today(monkeypatch, D(2026, 3, 2))
    data_request = _make(UserFactory(), publisher=OrganisationFactory())
    editor = member_of(data_request.publisher, Membership.Role.EDITOR)
    theirs = published_dataset(scheduled=False)
    audits = AuditEntry.objects.count()
    # when the editor answers with it, giving it a schedule
    with pytest.raises(ValidationError) as caught:
        services.request_respond(
            request=data_request,
            acting_user=editor,
            outcome=S.SUCCESSFUL,
            dataset=theirs,
            release_frequency=Frequency.MONTHLY,
            next_release_on=D(2026, 4, 1),
        )
    # then the form field is named and nothing changed, neither request nor dataset
    assert list(caught.value.message_dict) == ["release_frequency"]
    data_request.refresh_from_db()
    theirs.refresh_from_db()
    assert (data_request.status, data_request.dataset, data_request.responded_on) == (
        S.AWAITING_RESPONSE,
        None,
        None,
    )
    assert (theirs.update_frequency, theirs.next_release_on) == (Frequency.IRREGULAR, None)
    assert AuditEntry.objects.count() == audits
