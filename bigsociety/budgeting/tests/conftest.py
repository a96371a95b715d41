from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.organisations.models import Membership, Organisation

from .factories import officer


def verified_login(client, user):
    """Sign ``user`` in with a confirmed second factor (as staff areas require)."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def officer_client(client):
    user = officer()
    verified_login(client, user)
    client.user = user
    return client


def _org_user(role: str):
    org, _ = Organisation.objects.get_or_create(
        slug="friends-of-the-park", defaults={"name": "Friends of the Park", "kind": "charity"}
    )
    user = UserFactory()
    Membership.objects.create(
        organisation=org, user=user, role=role, status=Membership.Status.ACTIVE
    )
    return user


def make_actor(kind: str):
    """The permission matrix's people. Staff are signed in with two factors."""
    from bigsociety.accounts.roles import Role

    if kind == "anonymous":
        return None
    if kind == "resident":
        return UserFactory()
    if kind == "org_member":
        return _org_user(Membership.Role.MEMBER)
    if kind == "org_admin":
        return _org_user(Membership.Role.ADMIN)
    if kind == "staff_no_role":
        return UserFactory(is_staff=True, roles=[Role.DATA_OFFICER])
    if kind == "officer":
        return officer()
    raise ValueError(kind)


ACTORS = ["anonymous", "resident", "org_member", "org_admin", "staff_no_role", "officer"]


@pytest.fixture(autouse=True)
def _fresh_ballot_projects():
    """Each test starts without cached ballot projects (SQLite reuses ids after a rollback)."""
    from bigsociety.budgeting import selectors

    selectors._BALLOT_PROJECTS.clear()
    yield
