"""Background jobs for right-to-data requests: telling the requester what changed.

A request made on the site notifies the requester's account (on the site and, by their
preference, by email); if they gave a different address for updates, that address is emailed
too. A request logged by staff for someone who wrote in by email is emailed to them; one that
came by post is answered by post by staff (the timeline says what to send).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_tasks import task

from bigsociety.common.notifications import notify

from .models import DataRequestEvent

TOPIC = "data_request"


@task()
def notify_requester_of_event(*, event_id: int) -> None:
    """Idempotent enough: a retry sends the same message again, never a wrong one."""
    event = (
        DataRequestEvent.objects.select_related("request__requester", "request__publisher")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    request = event.request
    url = settings.SITE_URL + request.get_absolute_url()
    subject = _("Your data request %(reference)s: %(what)s") % {
        "reference": request.reference,
        "what": event.get_kind_display().lower(),
    }
    body = render_to_string(
        "opendata/request_email_event.txt", {"event": event, "data_request": request, "url": url}
    )
    requester = request.requester
    if requester is not None and requester.is_active:
        notify(recipient=requester, topic=TOPIC, subject=subject, body=body, url=url)
        if request.requester_email and request.requester_email != requester.email.lower():
            send_mail(subject, body, None, [request.requester_email])
    elif requester is None and request.requester_email:
        send_mail(subject, body, None, [request.requester_email])
