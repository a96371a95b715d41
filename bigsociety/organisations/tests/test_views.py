import pytest
from django.urls import reverse

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import AuditEntry
from bigsociety.organisations.models import Membership, Organisation
from bigsociety.organisations.testing import (
    ADMIN,
    ANONYMOUS,
    EDITOR,
    LOGIN,
    MEMBER,
    RESIDENT,
    STAFF,
    STAFF_WITH_ROLE,
    SUPERUSER,
    assert_permission_matrix,
    login_verified,
    personas,
)
from bigsociety.places.models import Place
from bigsociety.places.tests.factories import PlaceFactory

from .factories import MembershipFactory, OrganisationFactory, member_of

pytestmark = pytest.mark.django_db

Status = Membership.Status
MRole = Membership.Role

EVERYONE_OK = {
    ANONYMOUS: 200,
    RESIDENT: 200,
    MEMBER: 200,
    ADMIN: 200,
    STAFF: 200,
    STAFF_WITH_ROLE: 200,
}
ADMINS_ONLY = {
    ANONYMOUS: LOGIN,
    RESIDENT: 403,
    MEMBER: 403,
    EDITOR: 403,
    ADMIN: 302,
    STAFF: 403,
    STAFF_WITH_ROLE: 302,
    SUPERUSER: 302,
}


def url(name, organisation=None):
    if organisation is None:
        return reverse(f"organisations:{name}")
    return reverse(f"organisations:{name}", kwargs={"slug": organisation.slug})


# The permission matrix over every page and action


def test_directory_matrix(client):
    organisation = OrganisationFactory()
    assert_permission_matrix(
        client, "get", url("organisation_list"), EVERYONE_OK, organisation=organisation
    )


def test_organisation_page_matrix(client):
    organisation = OrganisationFactory()
    assert_permission_matrix(
        client,
        "get",
        url("organisation_detail", organisation),
        EVERYONE_OK,
        organisation=organisation,
    )


def test_unknown_organisation_is_404(client):
    assert client.get("/organisations/no-such-thing/").status_code == 404


def test_create_page_matrix(client):
    assert_permission_matrix(
        client,
        "get",
        url("organisation_create"),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 403,
            MEMBER: 403,
            ADMIN: 403,
            STAFF: 403,
            STAFF_WITH_ROLE: 200,
            SUPERUSER: 200,
        },
    )


def test_create_matrix(client):
    assert_permission_matrix(
        client,
        "post",
        url("organisation_create"),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 403,
            MEMBER: 403,
            ADMIN: 403,
            STAFF: 403,
            STAFF_WITH_ROLE: 302,
        },
        data={"name": "Kingsbridge Men's Shed", "kind": "charity", "org_id": "GB-CHC-1190001"},
        unchanged=lambda: list(Organisation.objects.values_list("name", flat=True)),
    )


def test_edit_page_matrix(client):
    organisation = OrganisationFactory()
    assert_permission_matrix(
        client,
        "get",
        url("organisation_edit", organisation),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 403,
            MEMBER: 403,
            EDITOR: 200,
            ADMIN: 200,
            STAFF: 403,
            STAFF_WITH_ROLE: 200,
        },
        organisation=organisation,
    )


def test_edit_matrix(client):
    organisation = OrganisationFactory(phone="0100")
    assert_permission_matrix(
        client,
        "post",
        url("organisation_edit", organisation),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 403,
            MEMBER: 403,
            EDITOR: 302,
            ADMIN: 302,
            STAFF: 403,
            STAFF_WITH_ROLE: 302,
        },
        organisation=organisation,
        data={"name": organisation.name, "kind": organisation.kind, "phone": "0200"},
        unchanged=lambda: Organisation.objects.values_list("phone", flat=True).get(),
    )


def test_verify_matrix(client):
    organisation = OrganisationFactory()
    assert_permission_matrix(
        client,
        "post",
        url("organisation_verify", organisation),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 403,
            MEMBER: 403,
            EDITOR: 403,
            ADMIN: 403,
            STAFF: 403,
            STAFF_WITH_ROLE: 302,
            SUPERUSER: 302,
        },
        organisation=organisation,
        data={"verified": "1"},
        unchanged=lambda: Organisation.objects.values_list("verified", flat=True).get(),
    )


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.MODERATOR])
def test_other_staff_roles_cannot_verify(client, role):
    organisation = OrganisationFactory()
    login_verified(client, UserFactory(roles=[role]))
    response = client.post(url("organisation_verify", organisation))
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.verified is False


def test_join_matrix(client):
    organisation = OrganisationFactory()
    responses = assert_permission_matrix(
        client,
        "post",
        url("membership_request", organisation),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 302,
            MEMBER: 302,
            ADMIN: 302,
            STAFF: 302,
            STAFF_WITH_ROLE: 302,
        },
        organisation=organisation,
        data={"message": "Hello"},
        unchanged=lambda: list(Membership.objects.values_list("user_id", "status")),
    )
    assert responses[RESIDENT]["Location"] == organisation.get_absolute_url()


def test_leave_matrix(client):
    organisation = OrganisationFactory()
    member_of(organisation, MRole.ADMIN)  # so the admin persona may leave
    assert_permission_matrix(
        client,
        "post",
        url("membership_leave", organisation),
        {
            ANONYMOUS: LOGIN,
            RESIDENT: 302,
            MEMBER: 302,
            ADMIN: 302,
            STAFF: 302,
            STAFF_WITH_ROLE: 302,
        },
        organisation=organisation,
        unchanged=lambda: Membership.objects.count(),
    )


@pytest.mark.parametrize(
    ("name", "status", "extra", "field"),
    [
        ("membership_approve", Status.REQUESTED, {}, "status"),
        ("membership_decline", Status.REQUESTED, {}, "status"),
        ("membership_set_role", Status.ACTIVE, {"role": "editor"}, "role"),
        ("membership_remove", Status.ACTIVE, {}, "status"),
    ],
)
def test_membership_action_matrix(client, name, status, extra, field):
    # given a membership of the organisation to act on
    organisation = OrganisationFactory()
    target = MembershipFactory(organisation=organisation, status=status)
    # then only its admins and staff administrators may act
    assert_permission_matrix(
        client,
        "post",
        url(name, organisation),
        ADMINS_ONLY,
        organisation=organisation,
        data={"membership": target.pk, **extra},
        unchanged=lambda: list(Membership.objects.filter(pk=target.pk).values_list(field)),
    )


def test_admin_of_another_organisation_cannot_act_on_this_ones_members(client):
    organisation = OrganisationFactory()
    target = MembershipFactory(organisation=organisation, status=Status.REQUESTED)
    other_admin = member_of(OrganisationFactory(), MRole.ADMIN)
    client.force_login(other_admin)
    response = client.post(url("membership_approve", organisation), {"membership": target.pk})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.status == Status.REQUESTED


def test_membership_of_another_organisation_is_404(client):
    # given an admin of A naming a membership of B in A's action
    a = OrganisationFactory()
    admin = member_of(a, MRole.ADMIN)
    elsewhere = MembershipFactory(status=Status.REQUESTED)
    client.force_login(admin)
    # when
    response = client.post(url("membership_approve", a), {"membership": elsewhere.pk})
    # then
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.REQUESTED


def test_get_is_not_allowed_on_actions(client):
    organisation = OrganisationFactory()
    client.force_login(member_of(organisation, MRole.ADMIN))
    for name in [
        "organisation_verify",
        "membership_request",
        "membership_leave",
        "membership_approve",
        "membership_decline",
        "membership_set_role",
        "membership_remove",
    ]:
        assert client.get(url(name, organisation)).status_code == 405, name


# Staff powers need a second factor


def test_staff_administrator_without_second_factor_is_sent_to_verify(client):
    organisation = OrganisationFactory()
    staff = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(staff)
    for response in [
        client.get(url("organisation_create")),
        client.get(url("organisation_edit", organisation)),
        client.post(url("organisation_verify", organisation)),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    organisation.refresh_from_db()
    assert organisation.verified is False


def test_org_admin_who_is_staff_needs_no_second_factor_for_their_organisation(client):
    organisation = OrganisationFactory()
    staff_admin = member_of(organisation, MRole.ADMIN, user__is_staff=True)
    client.force_login(staff_admin)
    assert client.get(url("organisation_edit", organisation)).status_code == 200


# What each person sees


def test_page_shows_details_register_and_members_count(client):
    ward = PlaceFactory(name="Abbey Fields")
    organisation = OrganisationFactory(
        name="Kingsbridge Food Bank",
        org_id="GB-CHC-1164883",
        verified=True,
        places=[ward],
        email="hello@foodbank.example",
        phone="01632 960001",
    )
    member_of(organisation)
    MembershipFactory(organisation=organisation, status=Status.REQUESTED)
    html = client.get(url("organisation_detail", organisation)).content.decode()
    assert "Kingsbridge Food Bank" in html
    assert "GB-CHC-1164883" in html
    assert "Charity Commission (England and Wales)" in html
    assert "Abbey Fields" in html
    assert ">Verified<" in html
    assert "hello@foodbank.example" in html
    assert '<dd class="govuk-summary-list__value">1</dd>' in html  # active members only
    assert "Sign in to ask to join" in html
    assert "People asking to join" not in html


def test_member_list_is_for_members_and_requests_for_admins(client):
    organisation = OrganisationFactory()
    people = personas(organisation)
    MembershipFactory(
        organisation=organisation, status=Status.REQUESTED, user__display_name="Pat Pending"
    )
    page = url("organisation_detail", organisation)
    client.force_login(people[RESIDENT])
    html = client.get(page).content.decode()
    assert "Ask to join" in html and "Admin of" not in html
    client.force_login(people[MEMBER])
    html = client.get(page).content.decode()
    assert "Admin of" in html and "Pat Pending" not in html and "Leave this organisation" in html
    client.force_login(people[ADMIN])
    html = client.get(page).content.decode()
    assert "Pat Pending" in html and "Change role" in html and "Edit the details" in html
    assert "Mark as verified" not in html
    login_verified(client, people[STAFF_WITH_ROLE])
    html = client.get(page).content.decode()
    assert "Mark as verified" in html and "Pat Pending" in html


# Journeys through the pages (no JavaScript: plain form posts)


def test_ask_to_join_then_approve(client):
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    person = UserFactory(display_name="Sam Singer")
    client.force_login(person)
    response = client.post(
        url("membership_request", organisation), {"message": "Bass"}, follow=True
    )
    assert "You have asked to join Kingsbridge Choir" in response.content.decode()
    request = Membership.objects.get(user=person)
    client.force_login(admin)
    response = client.post(
        url("membership_approve", organisation), {"membership": request.pk}, follow=True
    )
    assert "Sam Singer is now a member." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.ACTIVE


def test_last_admin_sees_why_they_cannot_step_down(client):
    organisation = OrganisationFactory(name="Kingsbridge Choir")
    admin = member_of(organisation, MRole.ADMIN)
    client.force_login(admin)
    own = Membership.objects.get(user=admin)
    response = client.post(
        url("membership_set_role", organisation),
        {"membership": own.pk, "role": "member"},
        follow=True,
    )
    assert "You are the only admin of Kingsbridge Choir" in response.content.decode()
    response = client.post(url("membership_leave", organisation), follow=True)
    assert "You are the only admin of Kingsbridge Choir" in response.content.decode()
    own.refresh_from_db()
    assert own.role == MRole.ADMIN


def test_edit_with_bad_input_shows_the_error_summary_and_saves_nothing(client):
    organisation = OrganisationFactory(email="ok@example.org")
    client.force_login(member_of(organisation, MRole.EDITOR))
    response = client.post(
        url("organisation_edit", organisation), {"email": "not an email", "website": "nope"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_email"' in html and 'href="#id_website"' in html
    organisation.refresh_from_db()
    assert organisation.email == "ok@example.org"
    assert AuditEntry.objects.count() == 0


def test_editor_form_has_no_register_fields(client):
    organisation = OrganisationFactory()
    client.force_login(member_of(organisation, MRole.EDITOR))
    html = client.get(url("organisation_edit", organisation)).content.decode()
    assert 'name="email"' in html and 'name="org_id"' not in html and 'name="name"' not in html


def test_staff_create_with_bad_org_id_names_the_field(client):
    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.post(
        url("organisation_create"), {"name": "Bad", "kind": "charity", "org_id": "GB-CHC-12"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not a valid Charity Commission (England and Wales) number" in html
    assert 'href="#id_org_id"' in html
    assert Organisation.objects.count() == 0


def test_staff_create_with_duplicate_org_id_names_the_field(client):
    OrganisationFactory(org_id="GB-CHC-1164883")
    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.post(
        url("organisation_create"), {"name": "Copy", "kind": "charity", "org_id": "gb-chc-1164883"}
    )
    assert "Another organisation already has this org-id." in response.content.decode()
    assert Organisation.objects.count() == 1


def test_staff_create_names_a_first_admin(client):
    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    first = UserFactory(email="chair@example.org")
    ward = PlaceFactory()
    response = client.post(
        url("organisation_create"),
        {
            "name": "Kingsbridge Allotments",
            "kind": "cbs",
            "org_id": "GB-MPR-30209R",
            "places": [ward.pk],
            "first_admin_email": "CHAIR@example.org",
        },
    )
    organisation = Organisation.objects.get()
    assert response["Location"] == organisation.get_absolute_url()
    assert Membership.objects.get(organisation=organisation).user == first
    assert list(organisation.places.all()) == [ward]


# The directory: filters, search, pagination, queries


def make_directory():
    abbey = PlaceFactory(kind=Place.Kind.WARD, name="Abbey Fields", code="E05999001")
    dock = PlaceFactory(kind=Place.Kind.WARD, name="Dockside", code="E05999004")
    green = PlaceFactory(
        kind=Place.Kind.NEIGHBOURHOOD, name="Abbey Green", code="E63999001", parent=abbey
    )
    OrganisationFactory(name="Abbey Green Library", kind="library", places=[green])
    OrganisationFactory(
        name="Dockside Food Bank",
        kind="charity",
        places=[dock],
        description="Food parcels every Friday.",
    )
    OrganisationFactory(name="Abbey Fields Residents", kind="neighbourhood_forum", places=[abbey])
    OrganisationFactory(name="Kingsbridge Museum", kind="museum")
    return abbey, dock, green


def names(response):
    return [o.name for o in response.context["organisations"]]


def test_directory_filters_by_kind(client):
    make_directory()
    response = client.get(url("organisation_list"), {"kind": ["library", "museum"]})
    assert names(response) == ["Abbey Green Library", "Kingsbridge Museum"]


def test_directory_filters_by_place_including_areas_within_and_around(client):
    abbey, dock, green = make_directory()
    assert names(client.get(url("organisation_list"), {"place": abbey.code})) == [
        "Abbey Fields Residents",
        "Abbey Green Library",
    ]
    assert names(client.get(url("organisation_list"), {"place": green.code})) == [
        "Abbey Fields Residents",
        "Abbey Green Library",
    ]
    assert names(client.get(url("organisation_list"), {"place": dock.code})) == [
        "Dockside Food Bank"
    ]


def test_directory_searches_name_and_description(client):
    make_directory()
    assert names(client.get(url("organisation_list"), {"q": "food FRIDAY"})) == [
        "Dockside Food Bank"
    ]
    assert names(client.get(url("organisation_list"), {"q": "abbey"})) == [
        "Abbey Fields Residents",
        "Abbey Green Library",
    ]


def test_directory_unknown_kind_is_reported_not_crashed(client):
    make_directory()
    response = client.get(url("organisation_list"), {"kind": "spaceship"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert len(names(response)) == 4


def test_directory_paginates_twenty_to_a_page(client):
    for i in range(45):
        OrganisationFactory(name=f"Organisation {i:02d}")
    page3 = client.get(url("organisation_list"), {"page": 3})
    assert names(page3) == [f"Organisation {i:02d}" for i in range(40, 45)]
    assert "45 organisations" in page3.content.decode()
    assert 'class="govuk-pagination"' in page3.content.decode()


@pytest.mark.parametrize("count", [3, 45])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": 2},
        {"kind": ["charity", "museum"]},
        {"q": "organisation"},
        {"place": "E05999001"},
    ],
)
def test_directory_costs_the_same_queries_whatever_the_page(
    client, django_assert_num_queries, count, params
):
    ward = PlaceFactory(kind=Place.Kind.WARD, code="E05999001")
    for i in range(count):
        OrganisationFactory(name=f"Organisation {i:02d}", places=[ward, PlaceFactory()])
    # place choices, (the place filter), count, page, places of the page
    expected = 4 + (1 if "place" in params else 0)
    with django_assert_num_queries(expected):
        response = client.get(url("organisation_list"), params)
    assert response.status_code == 200


@pytest.mark.parametrize("members", [0, 30])
def test_organisation_page_queries_are_fixed(client, django_assert_num_queries, members):
    organisation = OrganisationFactory(places=[PlaceFactory(), PlaceFactory()])
    admin = member_of(organisation, MRole.ADMIN)
    for _ in range(members):
        member_of(organisation)
        MembershipFactory(organisation=organisation, status=Status.REQUESTED)
    client.force_login(admin)
    # session, user, organisation, places, membership, groups?, members, requests
    with django_assert_num_queries(7):
        client.get(url("organisation_detail", organisation))


def test_pagination_shows_only_the_window_of_pages(client, monkeypatch):
    # given 30 pages (one organisation a page)
    from bigsociety.organisations import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    for i in range(30):
        OrganisationFactory(name=f"Organisation {i:02d}")
    # when on page 10
    response = client.get(url("organisation_list"), {"page": 10})
    # then the links are 1, …, 8–12, …, 30
    html = response.content.decode()
    pages = [n for n in range(1, 31) if f'aria-label="Page {n}"' in html]
    assert pages == [1, 8, 9, 10, 11, 12, 30]
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert names(response) == ["Organisation 09"]
