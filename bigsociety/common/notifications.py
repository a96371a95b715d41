"""Notifications: a message to one person, on the site and by email.

Each person chooses, per topic, how a topic reaches them: straight away by email, in a daily
digest, or on the site only. With no preference the topic's default applies (straight away).
Email is sent by a background task after the transaction commits, so a rolled-back change
never emails anyone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Notification, NotificationPreference

DEFAULT_DELIVERY = Notification.Delivery.IMMEDIATE


def delivery_for(*, user: Any, topic: str) -> str:
    preference = NotificationPreference.objects.filter(user=user, topic=topic).first()
    return preference.delivery if preference else DEFAULT_DELIVERY


def notify(*, recipient: Any, topic: str, subject: str, body: str, url: str = "") -> Notification:
    """Tell one person something. Returns the on-site notification."""
    notification = Notification.objects.create(
        recipient=recipient,
        topic=topic,
        subject=subject[:200],
        body=body,
        url=url,
        delivery=delivery_for(user=recipient, topic=topic),
    )
    if notification.delivery == Notification.Delivery.IMMEDIATE and recipient.is_active:
        from .tasks import send_notification_email

        transaction.on_commit(
            lambda: send_notification_email.enqueue(notification_id=notification.pk)
        )
    return notification


@transaction.atomic
def set_preference(*, user: Any, topic: str, delivery: str) -> NotificationPreference:
    if delivery not in Notification.Delivery.values:
        raise ValueError(f"unknown delivery {delivery!r}")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, topic=topic, defaults={"delivery": delivery}
    )
    return preference


def mark_read(*, notification: Notification, user: Any) -> Notification:
    """Mark one of the person's own notifications as read."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied("That notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification
