"""Every write about right-to-data requests, and who may make it.

Each transition of the state machine (``models.requests.TRANSITIONS``) is one service here:
keyword-only, atomic, row-locked, audited, and it tells the requester after commit.

Deadlines (documented choice, following Alaveteli and the ICO's guidance):

* The day a request is received is day 0; the response is due 20 working days later and the
  request becomes *very overdue* after 40 working days. Working days skip weekends and the bank
  holidays of every UK nation (``bigsociety.common.calendar``).
* Asking the requester to clarify stops the clock on the day it is asked. The requester's reply
  restarts it: the new due date is 20 working days counted from the day of the reply as day 0
  (ICO: a request that needs clarifying is treated as received when the clarification arrives).
* An internal review is owed within 20 working days of being asked for (40 at most), so
  requesting one restarts the clock from that day in the same way.
* "Answered on time" (the statistics) is decided by the first answer: on or before the due date
  in force on that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bigsociety.accounts.roles import Role, has_role
from bigsociety.common.audit import audit_record, diff, snapshot
from bigsociety.common.calendar import add_working_days
from bigsociety.organisations.models import Membership, Organisation

from ..models import FREQUENCY_STEPS, DataRequest, DataRequestEvent, Dataset, can_transition
from ..tasks_requests import notify_requester_of_event
from .catalogue import dataset_set_release_schedule

Status = DataRequest.Status
By = DataRequestEvent.By
Kind = DataRequestEvent.Kind

RESPONSE_WORKING_DAYS = 20
VERY_OVERDUE_WORKING_DAYS = 40

AUDITED_FIELDS = [
    "status",
    "clock_started_on",
    "clock_stopped_on",
    "due_on",
    "very_overdue_on",
    "responded_on",
    "answered_on_time",
    "closed_on",
    "dataset",
    "refusal_reason",
    "hidden_at",
    "hidden_reason",
]

RESPONDING_MEMBERSHIP_ROLES = (Membership.Role.ADMIN, Membership.Role.EDITOR)


class TransitionNotAllowed(ValidationError):
    """The request's status does not allow this change (someone else got there first?)."""


# --- deadlines -------------------------------------------------------------------------------


def deadlines_from(day0: dt.date) -> tuple[dt.date, dt.date]:
    """(due on, very overdue after) for a clock that starts on ``day0`` (day 0)."""
    return (
        add_working_days(day0, RESPONSE_WORKING_DAYS),
        add_working_days(day0, VERY_OVERDUE_WORKING_DAYS),
    )


# --- who may do what -------------------------------------------------------------------------


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_data_officer(user: Any) -> bool:
    return has_role(user, Role.DATA_OFFICER)


def is_moderator(user: Any) -> bool:
    return has_role(user, Role.MODERATOR)


def responding_organisation_ids(user: Any) -> list[int]:
    """Organisations whose requests ``user`` may answer as an active admin or editor."""
    if not _authenticated(user):
        return []
    cache = getattr(user, "_responding_org_ids", None)
    if cache is None:
        cache = list(
            Membership.objects.active()
            .filter(user=user, role__in=RESPONDING_MEMBERSHIP_ROLES)
            .values_list("organisation_id", flat=True)
        )
        user._responding_org_ids = cache
    return cache


def is_requester(user: Any, request: DataRequest) -> bool:
    return (
        _authenticated(user)
        and request.requester_id is not None
        and (request.requester_id == user.pk)
    )


def can_respond(user: Any, request: DataRequest) -> bool:
    """Data officers answer any request; a publisher's admins and editors answer theirs."""
    if is_data_officer(user):
        return True
    return request.publisher_id is not None and request.publisher_id in (
        responding_organisation_ids(user)
    )


def can_act_for_requester(user: Any, request: DataRequest) -> bool:
    """The requester themselves; data officers act for people who wrote by post or email."""
    if is_requester(user, request):
        return True
    return request.requester_id is None and is_data_officer(user)


def can_view(user: Any, request: DataRequest) -> bool:
    """Everyone sees a request in the register; a hidden one only its requester and staff."""
    if not request.is_hidden:
        return True
    return (
        is_requester(user, request)
        or is_moderator(user)
        or is_data_officer(user)
        or can_respond(user, request)
    )


def can_see_queue(user: Any) -> bool:
    return is_data_officer(user) or bool(responding_organisation_ids(user))


def can_make_request(user: Any) -> bool:
    """A signed-in person whose email address is confirmed."""
    return _authenticated(user) and user.email_confirmed_at is not None


# --- helpers ---------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _lock(request: DataRequest) -> DataRequest:
    """Re-read the request under a row lock, so two transitions never race."""
    return DataRequest.objects.select_for_update().get(pk=request.pk)


def _check_transition(request: DataRequest, target: str) -> None:
    if not can_transition(request.status, target):
        raise TransitionNotAllowed(
            _("A request that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": request.get_status_display(),
                "target": Status(target).label,
            },
            code="transition_not_allowed",
        )


def _check_day(day: dt.date, *, field: str, not_before: dt.date | None = None) -> None:
    if day > _today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and day < not_before:
        raise ValidationError(
            {field: _("The date cannot be before %(day)s.") % {"day": not_before.isoformat()}}
        )


def _record(
    *,
    request: DataRequest,
    before: dict[str, Any],
    kind: str,
    by: str,
    on: dt.date,
    status_before: str,
    message: str,
    acting_user: Any,
    action: str,
    extra: dict[str, Any] | None = None,
) -> DataRequestEvent:
    """The timeline entry, the audit entry and, after commit, the requester's notification."""
    event = DataRequestEvent.objects.create(
        request=request,
        kind=kind,
        by=by,
        on=on,
        status_before=status_before,
        status_after=request.status,
        message=message,
        due_on=request.due_on if request.clock_running else None,
    )
    changes: dict[str, Any] = diff(before, snapshot(request, AUDITED_FIELDS))
    if message:
        changes["message"] = message
    if extra:
        changes.update(extra)
    audit_record(actor=acting_user, action=action, target=request, changes=changes)
    event_id = event.pk
    transaction.on_commit(lambda: notify_requester_of_event.enqueue(event_id=event_id))
    return event


def _by_for_responder(user: Any) -> str:
    return By.STAFF if is_data_officer(user) else By.PUBLISHER


def _by_for_requester(user: Any, request: DataRequest) -> str:
    return By.REQUESTER if is_requester(user, request) else By.STAFF


# --- creating ---------------------------------------------------------------------------------


def _clean_text(value: str, *, field: str, required: bool, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: _("Use %(n)d characters or fewer.") % {"n": max_length}})
    return value


def _create(
    *,
    acting_user: Any,
    title: str,
    description: str,
    purpose: str,
    publisher: Organisation | None,
    received_on: dt.date,
    channel: str,
    requester: Any,
    requester_name: str,
    requester_email: str,
    requester_address: str,
    action: str,
) -> DataRequest:
    title = _clean_text(title, field="title", required=True, max_length=200)
    description = _clean_text(description, field="description", required=True)
    purpose = _clean_text(purpose, field="purpose", required=False)
    _check_day(received_on, field="received_on")
    due_on, very_overdue_on = deadlines_from(received_on)
    request = DataRequest(
        title=title,
        description=description,
        purpose=purpose,
        publisher=publisher,
        channel=channel,
        requester=requester,
        requester_name=requester_name,
        requester_email=requester_email,
        requester_address=requester_address,
        logged_by=acting_user if requester is None else None,
        received_on=received_on,
        clock_started_on=received_on,
        due_on=due_on,
        very_overdue_on=very_overdue_on,
    )
    request.full_clean(exclude=["dataset", "publisher", "requester", "logged_by"])
    request.save()
    _record(
        request=request,
        before={},
        kind=Kind.RECEIVED,
        by=By.REQUESTER if requester is not None else By.STAFF,
        on=received_on,
        status_before="",
        message="",
        acting_user=acting_user,
        action=action,
        extra={"title": title, "publisher": publisher.slug if publisher else None},
    )
    return request


@transaction.atomic
def request_create(
    *,
    acting_user: Any,
    title: str,
    description: str,
    purpose: str = "",
    publisher: Organisation | None = None,
    contact_email: str = "",
    received_on: dt.date | None = None,
    channel: str = DataRequest.Channel.WEB,
) -> DataRequest:
    """A signed-in person with a confirmed email asks for data, on the web or through the API.

    Only a data officer may give ``received_on`` (a request that reached them another way);
    everyone else's request is received today.
    """
    if not can_make_request(acting_user):
        raise PermissionDenied(_("Confirm your email address before making a request."))
    if received_on is not None and received_on != _today() and not is_data_officer(acting_user):
        raise ValidationError(
            {"received_on": _("Only data officers can give the date a request was received.")}
        )
    email = (contact_email or "").strip().lower()
    if email == acting_user.email.lower():
        email = ""  # the account's own address: follow it if it changes
    return _create(
        acting_user=acting_user,
        title=title,
        description=description,
        purpose=purpose,
        publisher=publisher,
        received_on=received_on or _today(),
        channel=channel,
        requester=acting_user,
        requester_name="",
        requester_email=email,
        requester_address="",
        action="data_request.create",
    )


@transaction.atomic
def request_log_offline(
    *,
    acting_user: Any,
    title: str,
    description: str,
    purpose: str = "",
    publisher: Organisation | None = None,
    received_on: dt.date,
    channel: str,
    requester_name: str,
    requester_email: str = "",
    requester_address: str = "",
) -> DataRequest:
    """A data officer logs a request that arrived by post or email, with its date of receipt."""
    if not is_data_officer(acting_user):
        raise PermissionDenied(_("Only data officers can log requests."))
    if channel not in (DataRequest.Channel.POST, DataRequest.Channel.EMAIL):
        raise ValidationError({"channel": _("Choose post or email.")})
    requester_name = _clean_text(
        requester_name, field="requester_name", required=True, max_length=200
    )
    requester_email = (requester_email or "").strip().lower()
    requester_address = (requester_address or "").strip()
    if not requester_email and not requester_address:
        raise ValidationError(
            {"requester_email": _("Give an email address or a postal address for the reply.")}
        )
    return _create(
        acting_user=acting_user,
        title=title,
        description=description,
        purpose=purpose,
        publisher=publisher,
        received_on=received_on,
        channel=channel,
        requester=None,
        requester_name=requester_name,
        requester_email=requester_email,
        requester_address=requester_address,
        action="data_request.log_offline",
    )


# --- transitions -----------------------------------------------------------------------------


@transaction.atomic
def request_ask_clarification(
    *, request: DataRequest, acting_user: Any, message: str
) -> DataRequest:
    """The publisher asks what exactly is wanted. The clock stops today."""
    request = _lock(request)
    if not can_respond(acting_user, request):
        raise PermissionDenied(_("You cannot answer this request."))
    message = _clean_text(message, field="message", required=True)
    _check_transition(request, Status.AWAITING_CLARIFICATION)
    before, status_before = snapshot(request, AUDITED_FIELDS), request.status
    request.status = Status.AWAITING_CLARIFICATION
    request.clock_stopped_on = _today()
    request.save()
    _record(
        request=request,
        before=before,
        kind=Kind.CLARIFICATION_ASKED,
        by=_by_for_responder(acting_user),
        on=request.clock_stopped_on,
        status_before=status_before,
        message=message,
        acting_user=acting_user,
        action="data_request.ask_clarification",
    )
    return request


@transaction.atomic
def request_clarify(
    *,
    request: DataRequest,
    acting_user: Any,
    message: str,
    replied_on: dt.date | None = None,
) -> DataRequest:
    """The requester replies. The clock restarts: due 20 working days from the reply (day 0).

    ``replied_on`` is for a data officer recording a reply that came by post or email.
    """
    request = _lock(request)
    if not can_act_for_requester(acting_user, request):
        raise PermissionDenied(_("Only the requester can clarify this request."))
    message = _clean_text(message, field="message", required=True)
    _check_transition(request, Status.AWAITING_RESPONSE)
    if replied_on is not None and not is_data_officer(acting_user):
        replied_on = None
    day0 = replied_on or _today()
    _check_day(day0, field="replied_on", not_before=request.clock_stopped_on)
    before, status_before = snapshot(request, AUDITED_FIELDS), request.status
    request.status = Status.AWAITING_RESPONSE
    request.clock_started_on = day0
    request.clock_stopped_on = None
    request.due_on, request.very_overdue_on = deadlines_from(day0)
    request.save()
    _record(
        request=request,
        before=before,
        kind=Kind.CLARIFIED,
        by=_by_for_requester(acting_user, request),
        on=day0,
        status_before=status_before,
        message=message,
        acting_user=acting_user,
        action="data_request.clarify",
    )
    return request


@transaction.atomic
def request_respond(
    *,
    request: DataRequest,
    acting_user: Any,
    outcome: str,
    dataset: Dataset | None = None,
    refusal_reason: str = "",
    message: str = "",
    release_frequency: str = "",
    next_release_on: dt.date | None = None,
) -> DataRequest:
    """The publisher answers: successful (with the published dataset), partially successful,
    not held or refused (with a coded reason).

    A successful answer links a dataset that is published in the catalogue and carries a
    release schedule, so the data is kept up to date (FOIA s.19 as amended): if the dataset has
    none, ``release_frequency`` and ``next_release_on`` give it one.
    """
    request = _lock(request)
    if not can_respond(acting_user, request):
        raise PermissionDenied(_("You cannot answer this request."))
    if outcome not in DataRequest.OUTCOMES:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    _check_transition(request, outcome)
    message = _clean_text(message, field="message", required=outcome != Status.SUCCESSFUL)
    if outcome == Status.REFUSED:
        if refusal_reason not in DataRequest.RefusalReason.values:
            raise ValidationError({"refusal_reason": _("Choose the reason for refusing.")})
    elif refusal_reason:
        raise ValidationError({"refusal_reason": _("Only a refusal has a reason for refusing.")})
    if outcome == Status.SUCCESSFUL and dataset is None:
        raise ValidationError(
            {"dataset": _("Link the published dataset to mark the request successful.")}
        )
    if outcome in (Status.NOT_HELD, Status.REFUSED) and dataset is not None:
        raise ValidationError({"dataset": _("Only a successful answer links a dataset.")})
    if dataset is not None:
        _check_dataset(
            dataset, release_frequency=release_frequency, next_release_on=next_release_on
        )
    elif release_frequency or next_release_on:
        raise ValidationError({"release_frequency": _("Only a linked dataset has a schedule.")})

    today = _today()
    before, status_before = snapshot(request, AUDITED_FIELDS), request.status
    if request.responded_on is None:
        request.responded_on = today
        request.answered_on_time = today <= request.due_on
    request.status = outcome
    request.dataset = dataset
    request.refusal_reason = refusal_reason
    request.closed_on = today
    request.save()
    if dataset is not None:
        _give_release_schedule(
            dataset=dataset,
            acting_user=acting_user,
            release_frequency=release_frequency,
            next_release_on=next_release_on,
        )
    _record(
        request=request,
        before=before,
        kind=Kind.RESPONDED,
        by=_by_for_responder(acting_user),
        on=today,
        status_before=status_before,
        message=message,
        acting_user=acting_user,
        action="data_request.respond",
    )
    return request


@transaction.atomic
def request_request_review(*, request: DataRequest, acting_user: Any, message: str) -> DataRequest:
    """The requester asks for an internal review of an answer. Due 20 working days later."""
    request = _lock(request)
    if not can_act_for_requester(acting_user, request):
        raise PermissionDenied(_("Only the requester can ask for a review."))
    message = _clean_text(message, field="message", required=True)
    _check_transition(request, Status.INTERNAL_REVIEW)
    today = _today()
    before, status_before = snapshot(request, AUDITED_FIELDS), request.status
    request.status = Status.INTERNAL_REVIEW
    request.clock_started_on = today
    request.due_on, request.very_overdue_on = deadlines_from(today)
    request.closed_on = None
    request.save()
    _record(
        request=request,
        before=before,
        kind=Kind.REVIEW_REQUESTED,
        by=_by_for_requester(acting_user, request),
        on=today,
        status_before=status_before,
        message=message,
        acting_user=acting_user,
        action="data_request.request_review",
    )
    return request


@transaction.atomic
def request_withdraw(*, request: DataRequest, acting_user: Any, message: str = "") -> DataRequest:
    """The requester no longer wants the data."""
    request = _lock(request)
    if not can_act_for_requester(acting_user, request):
        raise PermissionDenied(_("Only the requester can withdraw this request."))
    _check_transition(request, Status.WITHDRAWN)
    message = _clean_text(message, field="message", required=False)
    today = _today()
    before, status_before = snapshot(request, AUDITED_FIELDS), request.status
    request.status = Status.WITHDRAWN
    request.closed_on = today
    request.save()
    _record(
        request=request,
        before=before,
        kind=Kind.WITHDRAWN,
        by=_by_for_requester(acting_user, request),
        on=today,
        status_before=status_before,
        message=message,
        acting_user=acting_user,
        action="data_request.withdraw",
    )
    return request


@transaction.atomic
def request_hide(*, request: DataRequest, acting_user: Any, reason: str) -> DataRequest:
    """A moderator takes a request out of the public register (its status is unchanged)."""
    request = _lock(request)
    if not is_moderator(acting_user):
        raise PermissionDenied(_("Only moderators can hide requests."))
    reason = _clean_text(reason, field="reason", required=True)
    if request.is_hidden:
        raise TransitionNotAllowed(_("The request is already hidden."), code="already_hidden")
    before = snapshot(request, AUDITED_FIELDS)
    request.hidden_at = timezone.now()
    request.hidden_reason = reason
    request.save()
    _record(
        request=request,
        before=before,
        kind=Kind.HIDDEN,
        by=By.MODERATOR,
        on=_today(),
        status_before=request.status,
        message=reason,
        acting_user=acting_user,
        action="data_request.hide",
    )
    return request


@transaction.atomic
def request_unhide(*, request: DataRequest, acting_user: Any) -> DataRequest:
    """A moderator puts a hidden request back in the public register."""
    request = _lock(request)
    if not is_moderator(acting_user):
        raise PermissionDenied(_("Only moderators can hide requests."))
    if not request.is_hidden:
        raise TransitionNotAllowed(_("The request is not hidden."), code="not_hidden")
    before = snapshot(request, AUDITED_FIELDS)
    request.hidden_at = None
    request.hidden_reason = ""
    request.save()
    _record(
        request=request,
        before=before,
        kind=Kind.UNHIDDEN,
        by=By.MODERATOR,
        on=_today(),
        status_before=request.status,
        message="",
        acting_user=acting_user,
        action="data_request.unhide",
    )
    return request


# --- the catalogue edge ------------------------------------------------------------------------


def dataset_has_release_schedule(dataset: Dataset) -> bool:
    """A regular update frequency and the date the next release is due."""
    return FREQUENCY_STEPS.get(dataset.update_frequency) is not None and (
        dataset.next_release_on is not None
    )


def datasets_for_response(request: DataRequest) -> Any:
    """The datasets a successful answer may link: published ones, the publisher's first."""
    datasets = Dataset.objects.published().select_related("publisher")
    if request.publisher_id is not None:
        datasets = datasets.annotate(
            theirs=Case(When(publisher_id=request.publisher_id, then=0), default=1)
        ).order_by("theirs", "title", "id")
    return datasets


def _check_dataset(
    dataset: Dataset, *, release_frequency: str, next_release_on: dt.date | None
) -> None:
    if not dataset.is_published:
        raise ValidationError(
            {"dataset": _("Publish the dataset in the catalogue before linking it.")}
        )
    if release_frequency or next_release_on:
        if FREQUENCY_STEPS.get(release_frequency) is None:
            raise ValidationError(
                {"release_frequency": _("Choose how often the dataset will be updated.")}
            )
        if next_release_on is None:
            raise ValidationError({"next_release_on": _("Give the date the next release is due.")})
        if next_release_on <= _today():
            raise ValidationError(
                {"next_release_on": _("The next release must be due after today.")}
            )
    elif not dataset_has_release_schedule(dataset):
        raise ValidationError(
            {
                "release_frequency": _(
                    "The dataset has no release schedule: say how often it will be updated "
                    "and when the next release is due."
                )
            }
        )


def _give_release_schedule(
    *,
    dataset: Dataset,
    acting_user: Any,
    release_frequency: str,
    next_release_on: dt.date | None,
) -> None:
    """Through the catalogue's own service, which checks the person may edit the dataset."""
    if not release_frequency:
        return  # it has one already (checked by _check_dataset)
    try:
        dataset_set_release_schedule(
            dataset=dataset,
            frequency=release_frequency,
            next_release_on=next_release_on,
            acting_user=acting_user,
        )
    except PermissionDenied as error:
        raise ValidationError(
            {
                "release_frequency": _(
                    "You cannot set this dataset's release schedule: ask a data officer or "
                    "the dataset's publisher."
                )
            }
        ) from error
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {"frequency": "release_frequency"}
        raise ValidationError(
            {renamed.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from error
