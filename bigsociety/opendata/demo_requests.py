"""Demo right-to-data requests: one in each state, plus an overdue and a very overdue one.

Called by the catalogue's ``demo.seed`` after datasets exist. Idempotent: a request whose title
is already in the register is left alone. Everything goes through the services, so each demo
request has a real timeline and audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from bigsociety.accounts.models import User
from bigsociety.common.calendar import is_working_day
from bigsociety.organisations.models import Organisation

from .models import DataRequest, Dataset
from .services import requests as services

Status = DataRequest.Status


def _working_days_ago(n: int) -> dt.date:
    """The day from which ``n`` working days lead to today (for overdue examples)."""
    day = timezone.localdate()
    while n:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _make(resident: Any, title: str, description: str, publisher: Any, purpose: str = "") -> Any:
    return services.request_create(
        acting_user=resident,
        title=title,
        description=description,
        purpose=purpose,
        publisher=publisher,
    )


@transaction.atomic
def seed(*, stdout: Any = None) -> None:
    resident = User.objects.filter(email="resident@demo.invalid").first()
    officer = User.objects.filter(email="data.officer@demo.invalid").first()
    if resident is None or officer is None:
        if stdout is not None:
            stdout.write("Data requests: skipped (the demo accounts are missing).")
        return
    council = (
        Organisation.objects.filter(kind=Organisation.Kind.COUNCIL).order_by("id").first()
        or Organisation.objects.order_by("id").first()
    )
    existing = set(DataRequest.objects.values_list("title", flat=True))
    made = 0

    def wanted(title: str) -> bool:
        return title not in existing

    title = "Public toilet opening hours"
    if wanted(title):
        _make(resident, title, "Opening hours of every public toilet the council runs.", council)
        made += 1

    title = "Grit bins"
    if wanted(title):
        r = _make(resident, title, "Where the grit bins are.", council, "To plan winter walks.")
        services.request_ask_clarification(
            request=r,
            acting_user=officer,
            message="Do you mean the bins on roads, or also those in parks and car parks?",
        )
        made += 1

    dataset = (
        Dataset.objects.published()
        .filter(next_release_on__isnull=False)
        .exclude(update_frequency__in=["irregular", "never"])
        .order_by("id")
        .first()
    )
    title = "Street light faults"
    if wanted(title) and dataset is not None:
        r = _make(
            resident,
            title,
            "Every street light fault reported, with the dates reported and fixed.",
            council,
            "To show which streets stay dark longest.",
        )
        services.request_respond(
            request=r,
            acting_user=officer,
            outcome=Status.SUCCESSFUL,
            dataset=dataset,
            message="We have published this data and will update it on its release schedule.",
        )
        made += 1

    title = "Planning enforcement cases"
    if wanted(title):
        r = _make(resident, title, "Open planning enforcement cases with their wards.", council)
        services.request_respond(
            request=r,
            acting_user=officer,
            outcome=Status.PARTIALLY_SUCCESSFUL,
            message="Counts by ward are attached; case addresses could identify people.",
        )
        made += 1

    title = "Bus shelter advertising income"
    if wanted(title):
        r = _make(resident, title, "Income from adverts on bus shelters, by year.", council)
        services.request_respond(
            request=r,
            acting_user=officer,
            outcome=Status.NOT_HELD,
            message="Bus shelters belong to the transport authority; please ask them.",
        )
        made += 1

    title = "Names of people fined for littering"
    if wanted(title):
        r = _make(resident, title, "The names of everyone fined for dropping litter.", council)
        services.request_respond(
            request=r,
            acting_user=officer,
            outcome=Status.REFUSED,
            refusal_reason=DataRequest.RefusalReason.PERSONAL_DATA,
            message="Names of individuals are personal data. Counts per month are published.",
        )
        made += 1

    title = "Cost of the town hall refurbishment"
    if wanted(title):
        r = _make(resident, title, "Every payment for the town hall refurbishment.", council)
        services.request_respond(
            request=r,
            acting_user=officer,
            outcome=Status.REFUSED,
            refusal_reason=DataRequest.RefusalReason.FUTURE_PUBLICATION,
            message="The final account will be published when the works are complete.",
        )
        services.request_request_review(
            request=r,
            acting_user=resident,
            message="The works finished in the spring, so the payments so far can be published.",
        )
        made += 1

    title = "Dog fouling reports"
    if wanted(title):
        r = _make(resident, title, "Dog fouling reports by street.", council)
        services.request_withdraw(
            request=r, acting_user=resident, message="I found it in the spend data."
        )
        made += 1

    title = "Allotment waiting lists"
    if wanted(title):
        services.request_log_offline(
            acting_user=officer,
            title=title,
            description="How many people wait for each allotment site, and for how long.",
            publisher=council,
            received_on=_working_days_ago(25),
            channel=DataRequest.Channel.EMAIL,
            requester_name="Ann Example",
            requester_email="ann@demo.invalid",
        )
        made += 1

    title = "Library visitor numbers"
    if wanted(title):
        services.request_log_offline(
            acting_user=officer,
            title=title,
            description="Visitor numbers for each library, by month, for the last five years.",
            publisher=council,
            received_on=_working_days_ago(45),
            channel=DataRequest.Channel.POST,
            requester_name="Bob Example",
            requester_address="1 Demo Street\nDemotown",
        )
        made += 1

    if stdout is not None:
        note = "" if dataset is not None else " (no scheduled dataset yet: no successful one)"
        stdout.write(f"Data requests: {made} made{note}.")
