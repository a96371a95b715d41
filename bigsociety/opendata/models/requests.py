"""Right-to-data requests: a person asks a publisher to publish data; the register shows it.

The life of a request is an explicit state machine (``DataRequest.Status`` and
``TRANSITIONS``). Deadlines are working days from the shared calendar: the day the request is
received is day 0, the response is due 20 working days later and the request is *very overdue*
after 40. Asking the requester to clarify stops the clock; their reply restarts it from day 0
(see ``services.requests``).

The requester's personal details (name, email, postal address, account) are private: the
register shows the request, its publisher and its timeline, never who asked.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel

__all__ = [
    "TRANSITIONS",
    "DataRequest",
    "DataRequestEvent",
    "can_transition",
    "new_reference",
]

# Unambiguous lower-case letters and digits: no 0/o, 1/l/i.
_REFERENCE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
REFERENCE_LENGTH = 10


def new_reference() -> str:
    """A short random public reference, e.g. ``k7p2mx9qat``: stable, non-sequential."""
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _today() -> dt.date:
    return timezone.localdate()


class DataRequestQuerySet(models.QuerySet["DataRequest"]):
    def public(self) -> DataRequestQuerySet:
        """Requests shown in the public register (not hidden by a moderator)."""
        return self.filter(hidden_at__isnull=True)

    def open(self) -> DataRequestQuerySet:
        """Requests waiting for the publisher (the clock is running)."""
        return self.filter(status__in=DataRequest.CLOCK_RUNNING)

    def overdue(self, today: dt.date | None = None) -> DataRequestQuerySet:
        """Open requests past their due date (overdue from the day after the due date)."""
        return self.open().filter(due_on__lt=today or _today())

    def very_overdue(self, today: dt.date | None = None) -> DataRequestQuerySet:
        return self.open().filter(very_overdue_on__lt=today or _today())

    def for_publisher_ids(self, organisation_ids: list[int]) -> DataRequestQuerySet:
        return self.filter(publisher_id__in=organisation_ids)

    def for_register(self) -> DataRequestQuerySet:
        """What every register row and API item shows, in one query."""
        return self.select_related("publisher", "dataset")


class DataRequest(BaseModel):
    """One request for data. ``reference`` is its public identifier; the pk never leaves."""

    class Status(models.TextChoices):
        AWAITING_RESPONSE = "awaiting_response", _("Awaiting response")
        AWAITING_CLARIFICATION = "awaiting_clarification", _("Awaiting clarification")
        SUCCESSFUL = "successful", _("Successful")
        PARTIALLY_SUCCESSFUL = "partially_successful", _("Partially successful")
        NOT_HELD = "not_held", _("Not held")
        REFUSED = "refused", _("Refused")
        INTERNAL_REVIEW = "internal_review", _("Internal review requested")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RefusalReason(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Personal data")
        COMMERCIALLY_CONFIDENTIAL = "commercially_confidential", _("Commercially confidential")
        COST_LIMIT = "cost_limit", _("Over the cost limit")
        ALREADY_PUBLISHED = "already_published", _("Already published")
        FUTURE_PUBLICATION = "future_publication", _("Intended for future publication")
        VEXATIOUS = "vexatious", _("Vexatious")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        API = "api", _("API")
        EMAIL = "email", _("Email")
        POST = "post", _("Post")

    # Statuses in which the publisher owes a response and the deadline counts.
    CLOCK_RUNNING = (Status.AWAITING_RESPONSE, Status.INTERNAL_REVIEW)
    # The answers a publisher may give (``request_respond``'s outcome).
    OUTCOMES = (
        Status.SUCCESSFUL,
        Status.PARTIALLY_SUCCESSFUL,
        Status.NOT_HELD,
        Status.REFUSED,
    )

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_reference, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what data is wanted"))
    purpose = models.TextField(_("why it is wanted"), blank=True)
    publisher = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("publisher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_requests",
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=Status.choices,
        default=Status.AWAITING_RESPONSE,
        db_index=True,
    )
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )

    # Private: who asked and how to reach them. Never shown in the register or the API.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    requester_name = models.CharField(_("requester's name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester's email"), blank=True)
    requester_address = models.TextField(_("requester's postal address"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Deadlines (working days from the shared calendar).
    received_on = models.DateField(_("received on"))
    clock_started_on = models.DateField(
        _("clock started on"),
        help_text=_("Day 0 of the current deadline: receipt, or the reply to a clarification."),
    )
    clock_stopped_on = models.DateField(_("clock stopped on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), db_index=True)
    very_overdue_on = models.DateField(_("very overdue after"))

    # The answer.
    responded_on = models.DateField(_("first answered on"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("first answer on time"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    dataset = models.ForeignKey(
        "opendata.Dataset",
        verbose_name=_("published dataset"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_requests",
    )
    refusal_reason = models.CharField(
        _("reason for refusal"), max_length=30, choices=RefusalReason.choices, blank=True
    )

    # Moderation.
    hidden_at = models.DateTimeField(_("hidden from the register at"), null=True, blank=True)
    hidden_reason = models.TextField(_("why it is hidden"), blank=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        indexes = [
            models.Index(fields=["received_on", "id"], name="data_request_register"),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["publisher", "received_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="successful") | models.Q(dataset__isnull=False),
                name="data_request_successful_has_dataset",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="data_request_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("clock_started_on"))
                & models.Q(very_overdue_on__gte=models.F("due_on")),
                name="data_request_deadlines_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("opendata:request_detail", kwargs={"reference": self.reference})

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def clock_running(self) -> bool:
        return self.status in self.CLOCK_RUNNING

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Overdue from the day after the due date, while the publisher owes a response."""
        return self.clock_running and (today or _today()) > self.due_on

    def is_very_overdue(self, today: dt.date | None = None) -> bool:
        return self.clock_running and (today or _today()) > self.very_overdue_on

    def display_status(self, today: dt.date | None = None) -> str:
        """The status a reader sees, with the computed overdue / very overdue."""
        if self.is_very_overdue(today):
            return str(_("Very overdue"))
        if self.is_overdue(today):
            return str(_("Overdue"))
        return str(self.get_status_display())

    def contact_email(self) -> str:
        """Where updates go: the address given with the request, else the account's."""
        if self.requester_email:
            return self.requester_email
        return self.requester.email if self.requester_id else ""  # type: ignore[union-attr]


_S = DataRequest.Status

# The one table of allowed transitions: from-status -> the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    _S.AWAITING_RESPONSE: frozenset(
        {
            _S.AWAITING_CLARIFICATION,
            _S.SUCCESSFUL,
            _S.PARTIALLY_SUCCESSFUL,
            _S.NOT_HELD,
            _S.REFUSED,
            _S.WITHDRAWN,
        }
    ),
    _S.AWAITING_CLARIFICATION: frozenset({_S.AWAITING_RESPONSE, _S.WITHDRAWN}),
    _S.SUCCESSFUL: frozenset(),
    _S.PARTIALLY_SUCCESSFUL: frozenset({_S.INTERNAL_REVIEW}),
    _S.NOT_HELD: frozenset({_S.INTERNAL_REVIEW}),
    _S.REFUSED: frozenset({_S.INTERNAL_REVIEW}),
    _S.INTERNAL_REVIEW: frozenset(
        {_S.SUCCESSFUL, _S.PARTIALLY_SUCCESSFUL, _S.NOT_HELD, _S.REFUSED, _S.WITHDRAWN}
    ),
    _S.WITHDRAWN: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


class DataRequestEvent(BaseModel):
    """One entry of a request's public timeline. Names no person: only who, by role."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Request received")
        CLARIFICATION_ASKED = "clarification_asked", _("Clarification asked")
        CLARIFIED = "clarified", _("Requester clarified")
        RESPONDED = "responded", _("Response")
        REVIEW_REQUESTED = "review_requested", _("Internal review requested")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        HIDDEN = "hidden", _("Hidden from the register")
        UNHIDDEN = "unhidden", _("Back in the register")

    class By(models.TextChoices):
        REQUESTER = "requester", _("The requester")
        PUBLISHER = "publisher", _("The publisher")
        STAFF = "staff", _("Council staff")
        MODERATOR = "moderator", _("A moderator")

    # Kinds only staff see on the page (moderation is not part of the public story).
    STAFF_ONLY = (Kind.HIDDEN, Kind.UNHIDDEN)

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=30, choices=Kind.choices)
    by = models.CharField(_("by"), max_length=20, choices=By.choices)
    on = models.DateField(_("on"))
    status_before = models.CharField(max_length=30, choices=DataRequest.Status.choices, blank=True)
    status_after = models.CharField(max_length=30, choices=DataRequest.Status.choices)
    message = models.TextField(_("message"), blank=True)
    due_on = models.DateField(_("due on after this"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.kind} {self.on}"

    @property
    def is_public(self) -> bool:
        return self.kind not in self.STAFF_ONLY
