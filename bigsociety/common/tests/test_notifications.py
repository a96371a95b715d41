import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import Notification
from bigsociety.common.notifications import mark_read, notify, set_preference

pytestmark = pytest.mark.django_db


def test_a_notification_is_shown_and_emailed_after_commit(django_capture_on_commit_callbacks):
    # given
    person = UserFactory(email="rosa@example.org")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=person,
            topic="data_request",
            subject="Your request was answered",
            body="The council published the dataset.",
            url="/data-requests/abc/",
        )
    # then
    assert person.notifications.get() == notification
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.org"]
    assert mail.outbox[0].subject == "Your request was answered"
    assert "http://127.0.0.1:8000/data-requests/abc/" in mail.outbox[0].body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_nothing_is_emailed_if_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=person, topic="t", subject="s", body="b")
    assert len(callbacks) == 1  # would run only on commit
    assert mail.outbox == []


def test_site_only_topics_are_not_emailed(django_capture_on_commit_callbacks):
    person = UserFactory()
    set_preference(user=person, topic="organisation", delivery="site")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=person, topic="organisation", subject="s", body="b")
    assert mail.outbox == []
    assert person.notifications.count() == 1


def test_the_daily_digest_gathers_pending_notifications_once(django_capture_on_commit_callbacks):
    # given two people with digest preferences and three notifications
    rosa, sam = UserFactory(email="rosa@example.org"), UserFactory(email="sam@example.org")
    for person in (rosa, sam):
        set_preference(user=person, topic="crime", delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=rosa, topic="crime", subject="March figures", body="b1")
        notify(recipient=rosa, topic="crime", subject="April figures", body="b2")
        notify(recipient=sam, topic="crime", subject="April figures", body="b3")
    assert mail.outbox == []
    # when
    call_command("send_notification_digests")
    call_command("send_notification_digests")  # a second run sends nothing more
    # then
    assert sorted(m.to[0] for m in mail.outbox) == ["rosa@example.org", "sam@example.org"]
    rosa_mail = next(m for m in mail.outbox if m.to == ["rosa@example.org"])
    assert rosa_mail.subject == "Your Big Society digest: 2 updates"
    assert "March figures" in rosa_mail.body and "April figures" in rosa_mail.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_people_mark_only_their_own_notifications_read():
    rosa, sam = UserFactory(), UserFactory()
    notification = notify(recipient=rosa, topic="t", subject="s", body="b")
    with pytest.raises(PermissionDenied):
        mark_read(notification=notification, user=sam)
    notification.refresh_from_db()
    assert notification.read_at is None
    assert mark_read(notification=notification, user=rosa).read_at is not None


def test_unknown_deliveries_are_refused():
    with pytest.raises(ValueError, match="unknown delivery"):
        set_preference(user=UserFactory(), topic="t", delivery="pigeon")
