import re

import pytest
from django.core import mail
from django.urls import reverse

from bigsociety.accounts.models import User
from bigsociety.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from bigsociety.common.models import AuditEntry

pytestmark = pytest.mark.django_db

GOOD = {"email": "Sam@Example.org", "display_name": "Sam", "password": "a-long-enough-passphrase"}


def _link(message) -> str:
    return re.search(r"http://\S+", message.body).group(0)


def test_sign_up_creates_an_unconfirmed_account_and_emails_a_link(
    client, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:sign_up"), GOOD)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_up_done")
    user = User.objects.get()
    assert user.email == "sam@example.org"
    assert user.email_confirmed_at is None
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    assert "/accounts/confirm/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="account.sign_up", target_id=str(user.pk)).count() == 1


def test_confirming_by_post_confirms_and_signs_in(client, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:sign_up"), GOOD)
    link = _link(mail.outbox[0])
    # when: a GET (as a mail scanner would) does not confirm
    assert client.get(link).status_code == 200
    assert User.objects.get().email_confirmed_at is None
    response = client.post(link)
    # then
    assert response.status_code == 302
    assert User.objects.get().email_confirmed_at is not None
    assert client.get(reverse("accounts:account")).status_code == 200


def test_a_used_confirmation_link_stops_working(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:sign_up"), GOOD)
    link = _link(mail.outbox[0])
    client.post(link)
    client.logout()
    assert client.post(link).status_code == 400


def test_signing_up_with_a_known_address_creates_nothing_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    # given
    UserFactory(email="sam@example.org")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:sign_up"), GOOD)
    # then: same answer as a new address, no new account, an email to the owner
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "already" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**GOOD, "email": "not-an-email"}, "email", "Enter a valid email address."),
        ({**GOOD, "display_name": ""}, "display_name", "This field is required."),
        ({**GOOD, "password": "short"}, "password", "This password is too short."),
        ({**GOOD, "password": "1234567890123"}, "password", "This password is entirely numeric."),
    ],
)
def test_bad_sign_up_says_which_field_is_wrong_and_creates_nothing(client, data, field, message):
    response = client.post(reverse("accounts:sign_up"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors)
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_unconfirmed_people_cannot_sign_in_and_are_told_why(client):
    UserFactory(email="new@example.org", email_confirmed_at=None)
    response = client.post(
        reverse("accounts:login"), {"username": "new@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "Confirm your email address first" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_residents_sign_in_and_out(client):
    UserFactory(email="rosa@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "ROSA@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    response = client.post(reverse("accounts:logout"))
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session


def test_repeated_failed_sign_ins_are_throttled(client, settings):
    # given
    UserFactory(email="rosa@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "rosa@example.org", "password": "x"})
    # when: even the right password is refused while locked
    response = client.post(
        reverse("accounts:login"), {"username": "rosa@example.org", "password": DEFAULT_PASSWORD}
    )
    # then
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client):
    UserFactory(email="rosa@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "rosa@example.org"})
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    assert User.objects.get().check_password("another-long-passphrase")


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user(
        email="a@example.org", password="a-long-passphrase", display_name="A"
    )
    assert user.password.startswith("argon2$argon2id$")
