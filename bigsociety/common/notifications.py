"""Notifications: a message to one person, on the site and by email.

``notify(recipient=, topic=, subject=, body=, url=)`` stores an on-site notification and, by the
person's preference for the topic, emails it:

* ``immediate`` (the default): one email, sent by the ``send_notification_email`` background
  task after the transaction commits, so a rolled-back change never emails anyone;
* ``digest``: gathered into one email a day by ``send_notification_digests`` (the
  ``send_notification_digests`` management command, run daily by cron or a timer);
* ``site``: shown on the site only.

Topics are dotted names owned by the app that sends them (``crime.monthly``, ``data_request``).
An app may ``register_topic`` a topic with a label and its own default delivery, so the
preferences page can list it; unregistered topics work and default to ``immediate``.
People who are inactive, anonymised or without an email address are never emailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Notification, NotificationPreference

Delivery = Notification.Delivery
DEFAULT_DELIVERY = Delivery.IMMEDIATE


@dataclass(frozen=True)
class Topic:
    key: str
    label: str | Promise
    default: str = DEFAULT_DELIVERY


_TOPICS: dict[str, Topic] = {}


def register_topic(key: str, *, label: str | Promise, default: str = DEFAULT_DELIVERY) -> Topic:
    """Declare a topic people can choose a delivery for. Registering again replaces it."""
    if default not in Delivery.values:
        raise ValueError(f"unknown delivery {default!r}")
    topic = Topic(key=key, label=label, default=default)
    _TOPICS[key] = topic
    return topic


def registered_topics() -> list[Topic]:
    """Every registered topic, by key."""
    return [_TOPICS[key] for key in sorted(_TOPICS)]


def default_delivery(topic: str) -> str:
    registered = _TOPICS.get(topic)
    return registered.default if registered else DEFAULT_DELIVERY


def delivery_for(*, user: Any, topic: str) -> str:
    """How ``user`` wants ``topic`` delivered: their preference, else the topic's default."""
    preference = (
        NotificationPreference.objects.filter(user=user, topic=topic)
        .values_list("delivery", flat=True)
        .first()
    )
    return preference or default_delivery(topic)


def can_be_emailed(user: Any) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "email", "")
        and getattr(user, "anonymised_at", None) is None
    )


def notify(*, recipient: Any, topic: str, subject: str, body: str, url: str = "") -> Notification:
    """Tell one person something. Returns the on-site notification.

    ``url`` is a path on this site (``/data/requests/abc/``) or a full address; emails make a
    path absolute with ``settings.SITE_URL``. Email goes out only after the surrounding
    transaction commits.
    """
    if not topic or len(topic) > 60:
        raise ValueError("a topic is 1 to 60 characters")
    subject = " ".join(str(subject).split())  # one line, as an email subject must be
    notification = Notification.objects.create(
        recipient=recipient,
        topic=topic,
        subject=subject[:200],
        body=str(body),
        url=str(url)[:500],
        delivery=delivery_for(user=recipient, topic=topic),
    )
    if notification.delivery == Delivery.IMMEDIATE and can_be_emailed(recipient):
        from .tasks import send_notification_email

        notification_id = notification.pk
        transaction.on_commit(
            lambda: send_notification_email.enqueue(notification_id=notification_id)
        )
    return notification


@transaction.atomic
def set_preference(*, user: Any, topic: str, delivery: str) -> NotificationPreference:
    """Choose how ``user`` hears about ``topic``: ``immediate``, ``digest`` or ``site``."""
    if delivery not in Delivery.values:
        raise ValueError(f"unknown delivery {delivery!r}")
    existing = (
        NotificationPreference.objects.select_for_update().filter(user=user, topic=topic).first()
    )
    before = existing.delivery if existing else default_delivery(topic)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, topic=topic, defaults={"delivery": delivery}
    )
    if before != delivery:
        audit_record(
            actor=user,
            action="notification_preference.set",
            target=preference,
            changes={"topic": topic, "delivery": {"before": before, "after": delivery}},
        )
    return preference


@dataclass(frozen=True)
class TopicPreference:
    topic: Topic
    delivery: str
    chosen: bool  # False: the topic's default applies


def preferences_for(*, user: Any) -> list[TopicPreference]:
    """Every registered topic with ``user``'s delivery for it (for the preferences page)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("topic", "delivery"))
    return [
        TopicPreference(topic=t, delivery=chosen.get(t.key, t.default), chosen=t.key in chosen)
        for t in registered_topics()
    ]


def mark_read(*, notification: Notification, user: Any) -> Notification:
    """Mark one of the person's own notifications as read. Anyone else: PermissionDenied."""
    if not getattr(user, "is_authenticated", False) or notification.recipient_id != user.pk:
        raise PermissionDenied(_("That notification is someone else's."))
    if notification.read_at is None:
        now = timezone.now()
        # Conditional update: two tabs marking it at once keep the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
        notification.refresh_from_db(fields=["read_at", "updated_at"])
    return notification


def mark_all_read(*, user: Any) -> int:
    """Mark all the person's unread notifications as read. Returns how many."""
    now = timezone.now()
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
