import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common import notifications
from bigsociety.common.models import AuditEntry, Notification, NotificationPreference
from bigsociety.common.notifications import (
    mark_all_read,
    mark_read,
    notify,
    preferences_for,
    register_topic,
    set_preference,
    unread_count,
)
from bigsociety.common.tasks import send_notification_digests, send_notification_email

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture(autouse=True)
def _own_topic_registry(monkeypatch):
    monkeypatch.setattr(notifications, "_TOPICS", {})


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run notify() as a committed transaction would: its after-commit email goes out."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(**kwargs)

    return run


# --- immediate email ---------------------------------------------------------------------


def test_a_notification_is_shown_and_emailed_after_commit(send):
    # given
    person = UserFactory(email="rosa@example.org", display_name="Rosa")
    # when
    notification = send(
        recipient=person,
        topic="data_request",
        subject="Your request was answered",
        body="The council published the dataset.",
        url="/data-requests/abc/",
    )
    # then
    assert list(person.notifications.all()) == [notification]
    assert notification.delivery == "immediate"
    [email] = mail.outbox
    assert email.to == ["rosa@example.org"]
    assert email.subject == "Your request was answered"
    assert email.body.startswith(
        "Hello Rosa,\n\nThe council published the dataset.\n\n"
        "http://127.0.0.1:8000/data-requests/abc/\n"
    )
    assert "Change them on your account page: http://127.0.0.1:8000/accounts/" in email.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.read_at is None


def test_running_the_email_task_again_sends_nothing_more(send):
    notification = send(recipient=UserFactory(), topic="t", subject="s", body="b")
    assert send_notification_email.call(notification_id=notification.pk) is False
    assert send_notification_email.call(notification_id=-1) is False
    assert len(mail.outbox) == 1


def test_full_links_are_left_alone_and_no_link_means_none(send):
    send(recipient=UserFactory(), topic="t", subject="a", body="b", url="https://gov.uk/x")
    send(recipient=UserFactory(), topic="t", subject="c", body="d")
    assert "https://gov.uk/x\n" in mail.outbox[0].body
    assert "http" not in mail.outbox[1].body.split("--")[0]


def test_a_subject_is_one_line(send):
    notification = send(recipient=UserFactory(), topic="t", subject="Two\nlines  here", body="b")
    assert notification.subject == mail.outbox[0].subject == "Two lines here"


def test_nothing_is_emailed_before_commit(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=person, topic="t", subject="s", body="b")
    assert len(callbacks) == 1  # would run only on commit
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_or_emailed_if_the_transaction_rolls_back():
    person = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=person, topic="t", subject="s", body="b")
        raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    # and a committed one really is emailed by the task after commit
    with transaction.atomic():
        notify(recipient=person, topic="t", subject="kept", body="b")
    assert [m.subject for m in mail.outbox] == ["kept"]


def test_a_failed_email_is_left_unmarked_for_a_retry(send):
    person = UserFactory()
    with override_settings(
        EMAIL_BACKEND="bigsociety.common.tests.test_notifications.BrokenBackend"
    ):
        notification = notify(recipient=person, topic="t", subject="s", body="b")
        with pytest.raises(ConnectionRefusedError):
            send_notification_email.call(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert send_notification_email.call(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "person",
    [
        {"is_active": False},
        {"anonymised_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)},
    ],
)
def test_people_who_left_are_not_emailed(send, person):
    recipient = UserFactory(**person)
    set_preference(user=recipient, topic="digested", delivery="digest")
    send(recipient=recipient, topic="t", subject="s", body="b")
    send(recipient=recipient, topic="digested", subject="s", body="b")
    assert send_notification_digests.call() == 0
    assert mail.outbox == []
    assert recipient.notifications.count() == 2


# --- preferences ---------------------------------------------------------------------------


def test_site_only_topics_are_not_emailed(send):
    person = UserFactory()
    set_preference(user=person, topic="organisation", delivery="site")
    notification = send(recipient=person, topic="organisation", subject="s", body="b")
    assert notification.delivery == "site"
    assert mail.outbox == []
    assert send_notification_email.call(notification_id=notification.pk) is False
    assert person.notifications.count() == 1


def test_preferences_are_per_person_and_per_topic(send):
    rosa, sam = UserFactory(), UserFactory()
    set_preference(user=rosa, topic="crime.monthly", delivery="site")
    assert send(recipient=rosa, topic="crime.monthly", subject="s", body="b").delivery == "site"
    assert send(recipient=rosa, topic="other", subject="s", body="b").delivery == "immediate"
    assert send(recipient=sam, topic="crime.monthly", subject="s", body="b").delivery == (
        "immediate"
    )


def test_setting_a_preference_again_updates_it_and_is_audited():
    # given
    person = UserFactory()
    # when
    set_preference(user=person, topic="crime.monthly", delivery="digest")
    set_preference(user=person, topic="crime.monthly", delivery="digest")  # no change
    preference = set_preference(user=person, topic="crime.monthly", delivery="site")
    # then
    assert list(NotificationPreference.objects.values_list("topic", "delivery")) == [
        ("crime.monthly", "site")
    ]
    entries = AuditEntry.objects.filter(action="notification_preference.set").order_by("id")
    assert [(e.actor_id, e.target_id, e.changes) for e in entries] == [
        (
            person.pk,
            str(preference.pk),
            {"topic": "crime.monthly", "delivery": {"before": "immediate", "after": "digest"}},
        ),
        (
            person.pk,
            str(preference.pk),
            {"topic": "crime.monthly", "delivery": {"before": "digest", "after": "site"}},
        ),
    ]


def test_unknown_deliveries_are_refused():
    person = UserFactory()
    with pytest.raises(ValueError, match="unknown delivery"):
        set_preference(user=person, topic="t", delivery="pigeon")
    assert not NotificationPreference.objects.exists()
    with pytest.raises(ValueError, match="unknown delivery"):
        register_topic("t", label="T", default="pigeon")


def test_a_registered_topic_brings_its_own_default(send):
    # given a topic that by default goes into the digest
    register_topic("crime.monthly", label="Monthly crime figures", default="digest")
    register_topic("data_request", label="Your data requests")
    rosa, sam = UserFactory(), UserFactory()
    set_preference(user=sam, topic="crime.monthly", delivery="immediate")
    # when
    for person in (rosa, sam):
        send(recipient=person, topic="crime.monthly", subject="March", body="b")
    # then
    assert [m.to for m in mail.outbox] == [[sam.email]]
    assert rosa.notifications.get().delivery == "digest"
    assert [(p.topic.key, p.delivery, p.chosen) for p in preferences_for(user=sam)] == [
        ("crime.monthly", "immediate", True),
        ("data_request", "immediate", False),
    ]
    assert [(p.topic.key, p.delivery, p.chosen) for p in preferences_for(user=rosa)] == [
        ("crime.monthly", "digest", False),
        ("data_request", "immediate", False),
    ]


def test_topics_must_have_a_name_that_fits():
    with pytest.raises(ValueError):
        notify(recipient=UserFactory(), topic="", subject="s", body="b")
    with pytest.raises(ValueError):
        notify(recipient=UserFactory(), topic="x" * 61, subject="s", body="b")


# --- the daily digest ----------------------------------------------------------------------


def test_the_daily_digest_gathers_pending_notifications_once(send):
    # given two people with digest preferences and three notifications
    rosa = UserFactory(email="rosa@example.org", display_name="Rosa")
    sam = UserFactory(email="sam@example.org")
    for person in (rosa, sam):
        set_preference(user=person, topic="crime", delivery="digest")
    send(recipient=rosa, topic="crime", subject="March figures", body="b1", url="/crime/m/")
    send(recipient=rosa, topic="crime", subject="April figures", body="b2")
    send(recipient=sam, topic="crime", subject="April figures", body="b3")
    send(recipient=sam, topic="other", subject="Straight away", body="b4")
    assert [m.subject for m in mail.outbox] == ["Straight away"]
    mail.outbox.clear()
    # when
    out = StringIO()
    call_command("send_notification_digests", stdout=out)
    call_command("send_notification_digests", stdout=out)  # a second run sends nothing more
    # then
    assert out.getvalue() == "2 digest(s) sent.\n0 digest(s) sent.\n"
    assert sorted(m.to[0] for m in mail.outbox) == ["rosa@example.org", "sam@example.org"]
    rosa_mail = next(m for m in mail.outbox if m.to == ["rosa@example.org"])
    sam_mail = next(m for m in mail.outbox if m.to == ["sam@example.org"])
    assert rosa_mail.subject == "Your Big Society digest: 2 updates"
    assert sam_mail.subject == "Your Big Society digest: 1 update"
    assert rosa_mail.body.startswith(
        "Hello Rosa,\n\nHere is what happened since your last digest:\n\n"
        "* March figures\n  b1\n  http://127.0.0.1:8000/crime/m/\n\n"
        "* April figures\n  b2\n"
    )
    assert "Straight away" not in sam_mail.body
    assert not Notification.objects.filter(delivery="digest", emailed_at__isnull=True).exists()


def test_a_later_notification_goes_in_the_next_digest(send):
    person = UserFactory()
    set_preference(user=person, topic="crime", delivery="digest")
    send(recipient=person, topic="crime", subject="March", body="b")
    assert send_notification_digests.call() == 1
    send(recipient=person, topic="crime", subject="April", body="b")
    assert send_notification_digests.call() == 1
    assert ["* April" in m.body and "* March" not in m.body for m in mail.outbox] == [False, True]


def test_a_failed_digest_is_sent_on_the_next_run(send):
    person = UserFactory()
    set_preference(user=person, topic="crime", delivery="digest")
    send(recipient=person, topic="crime", subject="March", body="b")
    with (
        override_settings(EMAIL_BACKEND="bigsociety.common.tests.test_notifications.BrokenBackend"),
        pytest.raises(ConnectionRefusedError),
    ):
        send_notification_digests.call()
    assert person.notifications.get().emailed_at is None
    assert send_notification_digests.call() == 1


def test_the_digest_command_can_queue_the_job_for_the_worker(send):
    person = UserFactory()
    set_preference(user=person, topic="crime", delivery="digest")
    send(recipient=person, topic="crime", subject="March", body="b")
    out = StringIO()
    call_command("send_notification_digests", "--enqueue", stdout=out)
    assert out.getvalue().startswith("Digest job queued (")
    assert len(mail.outbox) == 1  # the immediate backend of the tests ran it at once


# --- reading -------------------------------------------------------------------------------


def test_people_mark_only_their_own_notifications_read():
    rosa, sam = UserFactory(), UserFactory()
    notification = notify(recipient=rosa, topic="t", subject="s", body="b")
    for intruder in (sam, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            mark_read(notification=notification, user=intruder)
    notification.refresh_from_db()
    assert notification.read_at is None
    first = mark_read(notification=notification, user=rosa).read_at
    assert first is not None
    assert mark_read(notification=notification, user=rosa).read_at == first  # kept


def test_marking_all_read_and_counting_unread():
    rosa, sam = UserFactory(), UserFactory()
    for _ in range(3):
        notify(recipient=rosa, topic="t", subject="s", body="b")
    notify(recipient=sam, topic="t", subject="s", body="b")
    assert (unread_count(user=rosa), unread_count(user=AnonymousUser())) == (3, 0)
    assert mark_all_read(user=rosa) == 3
    assert mark_all_read(user=rosa) == 0
    assert (unread_count(user=rosa), unread_count(user=sam)) == (0, 1)
    assert Notification.objects.filter(recipient=rosa, read_at__lte=timezone.now()).count() == 3
