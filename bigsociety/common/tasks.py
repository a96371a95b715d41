"""Background jobs for notifications. Each takes ids, and running one twice sends nothing twice.

They run on django-tasks' database backend (``manage.py db_worker``); the tests use the
immediate backend. ``send_notification_digests`` is also run daily by the management command
of the same name.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks import task

from .models import Notification
from .notifications import can_be_emailed


def absolute_url(url: str) -> str:
    """A link for an email: paths on this site get ``settings.SITE_URL`` in front."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def _email_context() -> dict[str, str]:
    try:  # where people choose how they hear from us (a name, not an import: common is lowest)
        settings_link = absolute_url(reverse("accounts:account"))
    except NoReverseMatch:
        settings_link = settings.SITE_URL
    return {"site_url": settings.SITE_URL, "settings_link": settings_link}


@task()
def send_notification_email(*, notification_id: int) -> bool:
    """Email one immediate notification, once. Returns whether an email was sent.

    The row is locked while the email is sent and marked, so two workers running the same
    task send one email; an email that fails to send leaves it unmarked for a retry.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(
                pk=notification_id,
                emailed_at__isnull=True,
                delivery=Notification.Delivery.IMMEDIATE,
            )
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        if not can_be_emailed(recipient):
            return False
        body = render_to_string(
            "common/email/notification.txt",
            {
                **_email_context(),
                "user": recipient,
                "notification": notification,
                "link": absolute_url(notification.url),
            },
        )
        send_mail(notification.subject, body, None, [recipient.email])
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(emailed_at=now, updated_at=now)
    return True


@task()
def send_notification_digests() -> int:
    """One email per person with every digest notification not yet emailed, oldest first.

    Returns how many emails were sent. Each person's digest is sent and marked in its own
    transaction, with their notifications locked, so a second run (or one running at the same
    time) sends nothing twice; a failure for one person leaves theirs for the next run.
    """
    pending = Notification.objects.filter(
        delivery=Notification.Delivery.DIGEST, emailed_at__isnull=True
    )
    people = get_user_model().objects.filter(pk__in=pending.values("recipient_id")).order_by("pk")
    sent = 0
    for person in people.iterator():
        if not can_be_emailed(person):
            continue
        with transaction.atomic():
            items = list(
                pending.select_for_update().filter(recipient=person).order_by("created_at", "pk")
            )
            if not items:
                continue
            body = render_to_string(
                "common/email/digest.txt",
                {
                    **_email_context(),
                    "user": person,
                    "items": [(n, absolute_url(n.url)) for n in items],
                },
            )
            subject = ngettext(
                "Your Big Society digest: %(count)d update",
                "Your Big Society digest: %(count)d updates",
                len(items),
            ) % {"count": len(items)}
            send_mail(subject, body, None, [person.email])
            now = timezone.now()
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=now, updated_at=now
            )
        sent += 1
    return sent
