"""The shared permission-matrix helper is itself tested: it must fail when it should."""

import itertools

import pytest

from bigsociety.accounts.roles import Role, has_role
from bigsociety.accounts.tokens import user_for_api_token
from bigsociety.organisations import testing
from bigsociety.organisations.api import is_member, member_role
from bigsociety.organisations.models import Membership
from bigsociety.organisations.testing import (
    ADMIN,
    ANONYMOUS,
    EDITOR,
    MEMBER,
    RESIDENT,
    STAFF,
    STAFF_WITH_ROLE,
    SUPERUSER,
    assert_permission_matrix,
    login_verified,
    personas,
)

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ALL_200 = {p: 200 for p in testing.PERSONAS}


def test_personas_are_who_they_say():
    organisation = OrganisationFactory()
    people = personas(organisation, role=Role.DATA_OFFICER, extras=[EDITOR, SUPERUSER])
    assert people[ANONYMOUS] is None
    assert member_role(people[RESIDENT], organisation) is None
    assert member_role(people[MEMBER], organisation) == Membership.Role.MEMBER
    assert member_role(people[ADMIN], organisation) == Membership.Role.ADMIN
    assert member_role(people[EDITOR], organisation) == Membership.Role.EDITOR
    assert people[STAFF].is_staff and not has_role(people[STAFF], Role.DATA_OFFICER)
    assert has_role(people[STAFF_WITH_ROLE], Role.DATA_OFFICER)
    assert not has_role(people[STAFF_WITH_ROLE], Role.ADMINISTRATOR)
    assert has_role(people[SUPERUSER], Role.GRANTS_OFFICER)


def test_without_an_organisation_the_members_belong_to_another():
    organisation = OrganisationFactory()
    people = personas()
    assert not is_member(people[MEMBER], organisation)
    assert not is_member(people[ADMIN], organisation)


def test_a_matrix_missing_a_persona_is_an_error(client):
    with pytest.raises(AssertionError, match="missing \\['staff_with_role'\\]"):
        expected = dict(ALL_200)
        del expected[STAFF_WITH_ROLE]
        assert_permission_matrix(client, "get", "/organisations/", expected)


def test_wrong_statuses_are_all_reported(client):
    expected = {**ALL_200, RESIDENT: 403, STAFF: 404}
    with pytest.raises(AssertionError) as error:
        assert_permission_matrix(client, "get", "/organisations/", expected)
    message = str(error.value)
    assert "resident         expected 403    got 200" in message
    assert "staff            expected 404    got 200" in message
    assert "anonymous" not in message


def test_a_denial_that_changed_something_fails(client):
    counter = itertools.count()
    with pytest.raises(AssertionError, match="was refused \\(404\\) but something changed"):
        assert_permission_matrix(
            client,
            "get",
            "/organisations/no-such-organisation/",
            {p: 404 for p in testing.PERSONAS},
            unchanged=lambda: next(counter),
        )


def test_each_persona_starts_from_the_same_state(client):
    # given an organisation every persona may ask to join
    organisation = OrganisationFactory()
    seen = []
    # when each asks in turn (a write), then the next sees no earlier persona's request
    assert_permission_matrix(
        client,
        "post",
        lambda persona, user: (
            seen.append(Membership.objects.requested().count())
            or f"/organisations/{organisation.slug}/join/"
        ),
        {p: 302 for p in testing.PERSONAS} | {ANONYMOUS: testing.LOGIN},
        organisation=organisation,
        data={"message": ""},
    )
    assert seen == [0] * 6
    assert Membership.objects.requested().count() == 0


def test_login_verified_opens_the_back_office(client):
    login_verified(client, testing._user_factory()(roles=[Role.ADMINISTRATOR]))
    assert client.get("/admin/").status_code == 200


def test_token_auth_sends_a_working_token():
    user = testing._user_factory()()
    header = testing._token_header(user)["HTTP_AUTHORIZATION"]
    assert user_for_api_token(header) == user
