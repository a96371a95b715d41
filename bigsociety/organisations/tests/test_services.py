import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import AuditEntry, Notification
from bigsociety.organisations import services
from bigsociety.organisations.models import (
    KINDS,
    MEMBERSHIP_TRANSITIONS,
    Membership,
    Organisation,
    can_transition,
)
from bigsociety.places.tests.factories import PlaceFactory

from .factories import MembershipFactory, OrganisationFactory, member_of

pytestmark = pytest.mark.django_db

Status = Membership.Status
MRole = Membership.Role


def administrator():
    return UserFactory(roles=[Role.ADMINISTRATOR])


def audit_actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def subjects_for(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("subject", flat=True)
    )


def test_kinds_list_matches_the_choices():
    assert sorted(KINDS) == sorted(Organisation.Kind.values)


# organisation_create


def test_administrator_creates_an_organisation_with_a_first_admin():
    # given
    staff = administrator()
    ward = PlaceFactory()
    first_admin = UserFactory()
    # when
    organisation = services.organisation_create(
        acting_user=staff,
        name="  Kingsbridge Food Bank ",
        kind=Organisation.Kind.CHARITY,
        org_id="gb-chc 1164883",
        places=[ward],
        first_admin=first_admin,
    )
    # then
    assert organisation.name == "Kingsbridge Food Bank"
    assert organisation.slug == "kingsbridge-food-bank"
    assert organisation.org_id == "GB-CHC-1164883"
    assert list(organisation.places.all()) == [ward]
    assert Membership.objects.get(organisation=organisation).role == MRole.ADMIN
    assert audit_actions() == ["organisation.create", "membership.appoint"]
    created = AuditEntry.objects.get(action="organisation.create")
    assert created.changes["after"]["org_id"] == "GB-CHC-1164883"
    assert created.changes["after"]["places"] == [ward.code]
    assert subjects_for(first_admin) == ["You are an admin of Kingsbridge Food Bank"]


def test_slugs_are_made_unique_and_never_shadow_pages():
    staff = administrator()
    a = services.organisation_create(acting_user=staff, name="Friends of the Park", kind="charity")
    b = services.organisation_create(acting_user=staff, name="Friends of the Park", kind="other")
    c = services.organisation_create(acting_user=staff, name="New", kind="other")
    assert (a.slug, b.slug, c.slug) == (
        "friends-of-the-park",
        "friends-of-the-park-2",
        "new-organisation",
    )


def test_bad_org_id_is_refused_naming_the_field_and_nothing_is_written():
    staff = administrator()
    with pytest.raises(ValidationError) as error:
        services.organisation_create(
            acting_user=staff, name="Bad", kind="charity", org_id="GB-CHC-12"
        )
    assert list(error.value.message_dict) == ["org_id"]
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_duplicate_org_id_is_refused():
    staff = administrator()
    services.organisation_create(
        acting_user=staff, name="One", kind="charity", org_id="GB-CHC-1164883"
    )
    with pytest.raises(ValidationError) as error:
        services.organisation_create(
            acting_user=staff, name="Two", kind="charity", org_id="GB-CHC-1164883"
        )
    assert "org_id" in error.value.message_dict
    assert Organisation.objects.count() == 1


def test_many_organisations_may_have_no_org_id():
    staff = administrator()
    services.organisation_create(acting_user=staff, name="One", kind="other")
    services.organisation_create(acting_user=staff, name="Two", kind="other")
    assert Organisation.objects.filter(org_id="").count() == 2


@pytest.mark.parametrize(
    "maker",
    [
        lambda: UserFactory(),
        lambda: UserFactory(roles=[Role.DATA_OFFICER]),
        lambda: member_of(OrganisationFactory(), MRole.ADMIN),
    ],
)
def test_only_administrators_create(maker):
    user = maker()
    before = Organisation.objects.count()
    with pytest.raises(PermissionDenied):
        services.organisation_create(acting_user=user, name="X", kind="other")
    assert Organisation.objects.count() == before


def test_superuser_holds_every_role():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    organisation = services.organisation_create(acting_user=superuser, name="X", kind="other")
    assert organisation.pk is not None


# organisation_update


def test_editor_changes_contact_details_and_it_is_audited():
    # given
    organisation = OrganisationFactory(email="old@example.org")
    editor = member_of(organisation, MRole.EDITOR)
    # when
    services.organisation_update(
        organisation=organisation,
        acting_user=editor,
        email="new@example.org",
        description=" We run the food bank. ",
    )
    # then
    organisation.refresh_from_db()
    assert organisation.email == "new@example.org"
    assert organisation.description == "We run the food bank."
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.changes == {
        "description": {"before": "", "after": "We run the food bank."},
        "email": {"before": "old@example.org", "after": "new@example.org"},
    }


def test_editor_cannot_change_register_details():
    organisation = OrganisationFactory(name="Original")
    editor = member_of(organisation, MRole.ADMIN)
    with pytest.raises(PermissionDenied):
        services.organisation_update(organisation=organisation, acting_user=editor, name="New")
    organisation.refresh_from_db()
    assert organisation.name == "Original"


@pytest.mark.parametrize("role", [MRole.MEMBER, None])
def test_members_and_strangers_cannot_edit(role):
    organisation = OrganisationFactory(phone="01234")
    user = member_of(organisation, role) if role else UserFactory()
    with pytest.raises(PermissionDenied):
        services.organisation_update(organisation=organisation, acting_user=user, phone="999")
    organisation.refresh_from_db()
    assert organisation.phone == "01234"


def test_pending_request_gives_no_right_to_edit():
    organisation = OrganisationFactory()
    user = MembershipFactory(
        organisation=organisation, role=MRole.ADMIN, status=Status.REQUESTED
    ).user
    with pytest.raises(PermissionDenied):
        services.organisation_update(organisation=organisation, acting_user=user, phone="1")


def test_administrator_changes_register_details_and_places():
    organisation = OrganisationFactory()
    ward = PlaceFactory()
    services.organisation_update(
        organisation=organisation,
        acting_user=administrator(),
        name="Renamed",
        kind="cio",
        org_id="GB-CHC-1000001",
        places=[ward],
    )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.kind, organisation.org_id) == (
        "Renamed",
        "cio",
        "GB-CHC-1000001",
    )
    assert AuditEntry.objects.get(action="organisation.update").changes["places"] == {
        "before": [],
        "after": [ward.code],
    }


def test_update_with_no_change_writes_no_audit_entry():
    organisation = OrganisationFactory(phone="1")
    services.organisation_update(organisation=organisation, acting_user=administrator(), phone="1")
    assert AuditEntry.objects.count() == 0


# organisation_verify


def test_administrator_verifies_and_admins_are_told():
    organisation = OrganisationFactory(name="Kingsbridge Museum")
    admin = member_of(organisation, MRole.ADMIN)
    services.organisation_verify(organisation=organisation, acting_user=administrator())
    organisation.refresh_from_db()
    assert organisation.verified is True
    assert organisation.verified_at is not None
    assert audit_actions() == ["organisation.verify"]
    assert subjects_for(admin) == ["Kingsbridge Museum is now verified"]


def test_unverify():
    organisation = OrganisationFactory(verified=True)
    services.organisation_verify(
        organisation=organisation, acting_user=administrator(), verified=False
    )
    organisation.refresh_from_db()
    assert (organisation.verified, organisation.verified_at) == (False, None)
    assert audit_actions() == ["organisation.unverify"]


def test_org_admin_cannot_verify_their_own_organisation():
    organisation = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.organisation_verify(
            organisation=organisation, acting_user=member_of(organisation, MRole.ADMIN)
        )
    organisation.refresh_from_db()
    assert organisation.verified is False


# membership state machine


def test_state_machine_table():
    assert {
        (None, Status.REQUESTED),
        (Status.DECLINED, Status.REQUESTED),
        (Status.REQUESTED, Status.ACTIVE),
        (Status.REQUESTED, Status.DECLINED),
        (Status.REQUESTED, None),
        (Status.ACTIVE, None),
    } == MEMBERSHIP_TRANSITIONS


@pytest.mark.parametrize("current", [None, *Status.values])
@pytest.mark.parametrize("new", [None, *Status.values])
def test_every_transition_not_in_the_table_is_refused(current, new):
    assert can_transition(current, new) == ((current, new) in MEMBERSHIP_TRANSITIONS)


# membership_request / approve / decline


def test_join_request_is_recorded_and_admins_are_told():
    # given
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    person = UserFactory(display_name="Sam Singer")
    # when
    membership = services.membership_request(
        organisation=organisation, user=person, message=" I sing bass. "
    )
    # then
    assert (membership.status, membership.role, membership.message) == (
        Status.REQUESTED,
        MRole.MEMBER,
        "I sing bass.",
    )
    assert audit_actions() == ["membership.request"]
    assert subjects_for(admin) == ["Sam Singer has asked to join Kingsbridge Choir"]


@pytest.mark.parametrize("status", [Status.REQUESTED, Status.ACTIVE])
def test_cannot_ask_twice(status):
    organisation = OrganisationFactory()
    membership = MembershipFactory(organisation=organisation, status=status)
    with pytest.raises(ValidationError) as error:
        services.membership_request(organisation=organisation, user=membership.user)
    assert error.value.code == "already"
    assert Membership.objects.count() == 1


def test_anonymous_cannot_ask():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.membership_request(organisation=OrganisationFactory(), user=AnonymousUser())


def test_admin_approves_and_person_is_told():
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    request = MembershipFactory(organisation=organisation, status=Status.REQUESTED)
    approved = services.membership_approve(membership=request, acting_user=admin)
    assert (approved.status, approved.role, approved.decided_by) == (
        Status.ACTIVE,
        MRole.MEMBER,
        admin,
    )
    assert approved.decided_at is not None
    assert subjects_for(request.user) == ["You are now a member of Kingsbridge Choir"]
    assert audit_actions() == ["membership.approve"]


def test_admin_declines_then_person_may_ask_again():
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    request = MembershipFactory(organisation=organisation, status=Status.REQUESTED)
    services.membership_decline(membership=request, acting_user=admin)
    request.refresh_from_db()
    assert request.status == Status.DECLINED
    assert subjects_for(request.user) == ["Your request to join Kingsbridge Choir was declined"]
    again = services.membership_request(organisation=organisation, user=request.user)
    assert (again.pk, again.status, again.decided_by) == (request.pk, Status.REQUESTED, None)


def test_a_decided_request_cannot_be_decided_again():
    organisation = OrganisationFactory()
    admin = member_of(organisation, MRole.ADMIN)
    membership = MembershipFactory(organisation=organisation, status=Status.ACTIVE)
    with pytest.raises(ValidationError):
        services.membership_decline(membership=membership, acting_user=admin)
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE


@pytest.mark.parametrize("role", [MRole.MEMBER, MRole.EDITOR])
def test_members_and_editors_cannot_decide(role):
    organisation = OrganisationFactory()
    request = MembershipFactory(organisation=organisation, status=Status.REQUESTED)
    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=request, acting_user=member_of(organisation, role))
    request.refresh_from_db()
    assert request.status == Status.REQUESTED


def test_admin_of_another_organisation_cannot_decide():
    request = MembershipFactory(status=Status.REQUESTED)
    other_admin = member_of(OrganisationFactory(), MRole.ADMIN)
    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=request, acting_user=other_admin)


def test_staff_administrator_can_decide():
    request = MembershipFactory(status=Status.REQUESTED)
    services.membership_approve(membership=request, acting_user=administrator(), role=MRole.EDITOR)
    request.refresh_from_db()
    assert (request.status, request.role) == (Status.ACTIVE, MRole.EDITOR)


# roles, leaving, removing, and the last admin


def test_admin_changes_a_role_and_the_person_is_told():
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    membership = MembershipFactory(organisation=organisation)
    services.membership_set_role(membership=membership, role=MRole.EDITOR, acting_user=admin)
    membership.refresh_from_db()
    assert membership.role == MRole.EDITOR
    assert subjects_for(membership.user) == ["Your role in Kingsbridge Choir is now Editor"]
    assert AuditEntry.objects.get().changes == {"role": {"before": "member", "after": "editor"}}


def test_unknown_role_is_refused():
    organisation = OrganisationFactory()
    admin = member_of(organisation, MRole.ADMIN)
    membership = MembershipFactory(organisation=organisation)
    with pytest.raises(ValidationError):
        services.membership_set_role(membership=membership, role="owner", acting_user=admin)


def test_last_admin_cannot_demote_themselves():
    # given
    organisation = OrganisationFactory()
    admin = member_of(organisation, MRole.ADMIN)
    membership = Membership.objects.get(user=admin)
    # when / then
    with pytest.raises(ValidationError) as error:
        services.membership_set_role(membership=membership, role=MRole.MEMBER, acting_user=admin)
    assert error.value.code == "last_admin"
    membership.refresh_from_db()
    assert membership.role == MRole.ADMIN
    assert AuditEntry.objects.count() == 0


def test_last_admin_cannot_leave_or_remove_themselves():
    organisation = OrganisationFactory()
    admin = member_of(organisation, MRole.ADMIN)
    with pytest.raises(ValidationError) as error:
        services.membership_leave(organisation=organisation, user=admin)
    assert error.value.code == "last_admin"
    with pytest.raises(ValidationError):
        services.membership_remove(membership=Membership.objects.get(user=admin), acting_user=admin)
    assert Membership.objects.filter(user=admin, role=MRole.ADMIN).count() == 1


def test_an_admin_may_step_down_when_another_admin_remains():
    organisation = OrganisationFactory()
    first = member_of(organisation, MRole.ADMIN)
    member_of(organisation, MRole.ADMIN)
    services.membership_set_role(
        membership=Membership.objects.get(user=first), role=MRole.MEMBER, acting_user=first
    )
    assert Membership.objects.get(user=first).role == MRole.MEMBER


def test_a_pending_admin_request_does_not_count_as_another_admin():
    organisation = OrganisationFactory()
    admin = member_of(organisation, MRole.ADMIN)
    MembershipFactory(organisation=organisation, role=MRole.ADMIN, status=Status.REQUESTED)
    with pytest.raises(ValidationError):
        services.membership_leave(organisation=organisation, user=admin)


def test_staff_administrator_may_remove_a_sole_admin():
    organisation = OrganisationFactory()
    admin = member_of(organisation, MRole.ADMIN)
    services.membership_remove(
        membership=Membership.objects.get(user=admin), acting_user=administrator()
    )
    assert not Membership.objects.filter(user=admin).exists()
    assert audit_actions() == ["membership.remove"]


def test_member_leaves():
    organisation = OrganisationFactory()
    member = member_of(organisation)
    services.membership_leave(organisation=organisation, user=member)
    assert not Membership.objects.filter(user=member).exists()
    assert audit_actions() == ["membership.leave"]


def test_request_can_be_withdrawn():
    request = MembershipFactory(status=Status.REQUESTED)
    services.membership_leave(organisation=request.organisation, user=request.user)
    assert Membership.objects.count() == 0


def test_stranger_cannot_leave():
    with pytest.raises(ValidationError) as error:
        services.membership_leave(organisation=OrganisationFactory(), user=UserFactory())
    assert error.value.code == "not_member"


def test_admin_removes_a_member_who_is_told():
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    membership = MembershipFactory(organisation=organisation)
    services.membership_remove(membership=membership, acting_user=admin)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert subjects_for(membership.user) == ["You are no longer a member of Kingsbridge Choir"]


def test_member_cannot_remove_another():
    organisation = OrganisationFactory()
    member = member_of(organisation)
    other = MembershipFactory(organisation=organisation)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=other, acting_user=member)
    assert Membership.objects.filter(pk=other.pk).exists()
