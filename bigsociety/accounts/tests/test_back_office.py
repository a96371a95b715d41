"""The back office: Wagtail at /admin/ for staff who have signed in with two factors."""

import pytest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from bigsociety.accounts.models import User
from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def verified_client(client, user):
    """Sign ``user`` in as if they had entered a code from their second factor."""
    device = StaticDevice.objects.create(user=user, name="test")
    client.force_login(user)
    request = type("R", (), {"session": client.session, "user": user})()
    otp_login(request, device)
    request.session.save()
    return client


def test_administrators_add_people_with_our_user_form(client):
    # given an administrator who signed in with two factors
    admin = UserFactory(is_staff=True, is_superuser=True)
    verified_client(client, admin)
    # when they add a member of staff through Wagtail
    form = client.get("/admin/users/new/")
    assert form.status_code == 200
    assert "display_name" in form.content.decode() and "first_name" not in form.content.decode()
    response = client.post(
        "/admin/users/new/",
        {
            "email": "new.officer@example.org",
            "display_name": "New Officer",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "is_staff": "on",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="new.officer@example.org")
    assert (person.display_name, person.is_staff) == ("New Officer", True)


def test_staff_without_two_factors_are_turned_away_from_every_back_office(client):
    officer = StaffFactory(roles=[Role.GRANTS_OFFICER])
    client.force_login(officer)
    for path in ("/admin/", "/django-admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/set-up/")


def test_the_audit_log_is_read_only_for_superusers(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    verified_client(client, admin)
    assert client.get("/django-admin/common/auditentry/").status_code == 200
    assert client.get("/django-admin/common/auditentry/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_every_role_may_open_the_back_office_even_after_a_flush():
    # given a database emptied by flush (as transactional tests and `manage.py flush` do)
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    # then every role's group is back, with Wagtail's access_admin permission
    groups = {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    assert groups == {str(role): ["access_admin"] for role in Role}
    # and a data officer holding only that role is let into Wagtail
    officer = StaffFactory(roles=[Role.DATA_OFFICER])
    assert officer.has_perm("wagtailadmin.access_admin")
