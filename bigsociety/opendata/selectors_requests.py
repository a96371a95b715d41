"""Reads about right-to-data requests that depend on the reader or span many rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import DataRequest
from .services.requests import (
    can_view,
    is_data_officer,
    is_moderator,
    responding_organisation_ids,
)


def request_register(*, status: str = "", publisher_slug: str = "") -> QuerySet[DataRequest]:
    """The public register: every request not hidden, newest first, filterable.

    ``status`` is a stored status or one of the computed ``overdue`` / ``very_overdue``.
    """
    requests = DataRequest.objects.public().for_register().order_by("-received_on", "-id")
    today = timezone.localdate()
    if status == "overdue":
        requests = requests.overdue(today)
    elif status == "very_overdue":
        requests = requests.very_overdue(today)
    elif status in DataRequest.Status.values:
        requests = requests.filter(status=status)
    if publisher_slug:
        requests = requests.filter(publisher__slug=publisher_slug)
    return requests


def request_queue_for(*, user: Any) -> QuerySet[DataRequest]:
    """Requests waiting for an answer that ``user`` may give, soonest due first.

    Data officers see every open request; a publisher's admins and editors see their own.
    Requests awaiting clarification are listed too (the publisher is waiting on the requester).
    """
    requests = DataRequest.objects.filter(
        status__in=[*DataRequest.CLOCK_RUNNING, DataRequest.Status.AWAITING_CLARIFICATION]
    ).for_register()
    if not is_data_officer(user):
        requests = requests.for_publisher_ids(responding_organisation_ids(user))
    return requests.order_by("due_on", "received_on", "id")


def request_visible_to(*, user: Any, reference: str) -> DataRequest | None:
    """The request with ``reference`` if ``user`` may see it, else None (a 404)."""
    request = DataRequest.objects.for_register().filter(reference=reference).first()
    if request is None or not can_view(user, request):
        return None
    return request


def request_events_visible_to(*, user: Any, request: DataRequest) -> list[Any]:
    events = list(request.events.all())
    if is_moderator(user) or is_data_officer(user):
        return events
    return [e for e in events if e.is_public]


@dataclass(frozen=True)
class StatisticsRow:
    month: dt.date
    publisher: str
    received: int
    answered: int
    answered_on_time: int
    answered_late: int
    open_overdue: int

    @property
    def percent_on_time(self) -> int | None:
        if not self.answered:
            return None
        return round(100 * self.answered_on_time / self.answered)


def request_statistics(*, today: dt.date | None = None) -> list[StatisticsRow]:
    """Per month of receipt and per publisher: how many requests were answered on time.

    Counts every request, hidden ones included (hiding takes a request out of the register; it
    must not improve a publisher's figures). Withdrawn requests never answered count as
    received only.
    """
    today = today or timezone.localdate()
    rows = (
        DataRequest.objects.annotate(month=TruncMonth("received_on"))
        .values("month", "publisher__name")
        .annotate(
            received=Count("id"),
            answered=Count("id", filter=Q(responded_on__isnull=False)),
            on_time=Count("id", filter=Q(answered_on_time=True)),
            late=Count("id", filter=Q(answered_on_time=False)),
            open_overdue=Count(
                "id",
                filter=Q(
                    responded_on__isnull=True,
                    status__in=DataRequest.CLOCK_RUNNING,
                    due_on__lt=today,
                ),
            ),
        )
        .order_by("-month", "publisher__name")
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        result.append(
            StatisticsRow(
                month=month,
                publisher=row["publisher__name"] or "",
                received=row["received"],
                answered=row["answered"],
                answered_on_time=row["on_time"],
                answered_late=row["late"],
                open_overdue=row["open_overdue"],
            )
        )
    return result


def statistics_chart_data(rows: list[StatisticsRow]) -> dict[str, Any]:
    """Monthly totals for the chart, oldest month first."""
    months: dict[dt.date, list[int]] = {}
    for row in rows:
        totals = months.setdefault(row.month, [0, 0, 0])
        totals[0] += row.answered_on_time
        totals[1] += row.answered_late
        totals[2] += row.open_overdue
    ordered = sorted(months)
    return {
        "labels": [m.strftime("%b %Y") for m in ordered],
        "on_time": [months[m][0] for m in ordered],
        "late": [months[m][1] for m in ordered],
        "overdue": [months[m][2] for m in ordered],
    }
