"""Background jobs for notifications. Each takes ids and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import Notification


def _absolute(url: str) -> str:
    return url if not url or url.startswith("http") else settings.SITE_URL + url


@task()
def send_notification_email(*, notification_id: int) -> bool:
    """Email one notification, once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.is_active:
            return False
        body = render_to_string(
            "common/email/notification.txt",
            {"notification": notification, "link": _absolute(notification.url)},
        )
        send_mail(notification.subject, body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at", "updated_at"])
    return True


@task()
def send_notification_digests() -> int:
    """One email per person with every digest notification not yet emailed. Returns how many."""
    User = get_user_model()
    pending = Notification.objects.filter(
        delivery=Notification.Delivery.DIGEST, emailed_at__isnull=True
    )
    sent = 0
    for user in User.objects.filter(is_active=True, pk__in=pending.values("recipient_id")):
        with transaction.atomic():
            items = list(pending.select_for_update().filter(recipient=user).order_by("created_at"))
            if not items:
                continue
            body = render_to_string(
                "common/email/digest.txt",
                {"user": user, "items": [(n, _absolute(n.url)) for n in items]},
            )
            send_mail(
                f"Your Big Society digest: {len(items)} update{'s' if len(items) != 1 else ''}",
                body,
                None,
                [user.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=timezone.now()
            )
            sent += 1
    return sent
