"""Monthly emails about crime in a place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record
from bigsociety.common.notifications import notify
from bigsociety.places.api import Place

from ..bulk import month_str
from ..models import PlaceMonthCount, Subscription

TOPIC = "crime.monthly"


@transaction.atomic
def subscription_create(*, user: Any, place: Place) -> Subscription:
    """Subscribe a signed-in person to a place's monthly crime email (idempotent)."""
    subscription, created = Subscription.objects.get_or_create(user=user, place=place)
    if created:
        audit_record(actor=user, action="crime.subscription.create", target=subscription)
    return subscription


@transaction.atomic
def subscription_delete(*, user: Any, place: Place) -> bool:
    """Unsubscribe; only the person's own subscription can be removed."""
    subscription = Subscription.objects.filter(user=user, place=place).first()
    if subscription is None:
        return False
    audit_record(actor=user, action="crime.subscription.delete", target=subscription)
    subscription.delete()
    return True


@transaction.atomic
def month_announce(*, month: dt.date) -> int:
    """Tell every subscriber whose place has crime in ``month`` (once per month). Returns sent."""
    due = (
        Subscription.objects.select_for_update()
        .select_related("user", "place")
        .filter(Q(last_sent_month__isnull=True) | Q(last_sent_month__lt=month))
        .filter(user__is_active=True)
    )
    sent = 0
    for subscription in due:
        place = subscription.place
        total = (
            PlaceMonthCount.objects.filter(place_id=place.pk, month=month).aggregate(
                n=Sum("count")
            )["n"]
            or 0
        )
        url = (
            reverse("crime:area_detail", kwargs={"slug": place.slug}) + f"?month={month_str(month)}"
        )
        notify(
            recipient=subscription.user,
            topic=TOPIC,
            subject=_("Crime in %(place)s: %(month)s")
            % {"place": place.name, "month": f"{month:%B %Y}"},
            body=_(
                "The police have published %(month)s. %(count)s crimes and incidents were "
                "recorded in %(place)s."
            )
            % {"month": f"{month:%B %Y}", "count": total, "place": place.name},
            url=url,
        )
        subscription.last_sent_month = month
        subscription.save(update_fields=["last_sent_month", "updated_at"])
        sent += 1
    return sent
