import pytest

from bigsociety.organisations.testing import (
    ADMIN,
    ANONYMOUS,
    MEMBER,
    RESIDENT,
    STAFF,
    STAFF_WITH_ROLE,
    assert_permission_matrix,
)
from bigsociety.places.models import Place
from bigsociety.places.tests.factories import PlaceFactory

from .factories import MembershipFactory, OrganisationFactory, member_of

pytestmark = pytest.mark.django_db

EVERYONE_OK = {
    ANONYMOUS: 200,
    RESIDENT: 200,
    MEMBER: 200,
    ADMIN: 200,
    STAFF: 200,
    STAFF_WITH_ROLE: 200,
}


@pytest.mark.parametrize("auth", ["session", "token"])
def test_list_matrix(client, auth):
    organisation = OrganisationFactory()
    assert_permission_matrix(
        client, "get", "/api/v1/organisations/", EVERYONE_OK, organisation=organisation, auth=auth
    )


@pytest.mark.parametrize("auth", ["session", "token"])
def test_detail_matrix(client, auth):
    organisation = OrganisationFactory()
    assert_permission_matrix(
        client,
        "get",
        f"/api/v1/organisations/{organisation.slug}",
        EVERYONE_OK,
        organisation=organisation,
        auth=auth,
    )


def test_writes_are_not_offered(client):
    organisation = OrganisationFactory()
    assert client.post("/api/v1/organisations/", {}).status_code == 405
    assert client.delete(f"/api/v1/organisations/{organisation.slug}").status_code == 405


def test_list_shape_and_filters(client):
    # given
    ward = PlaceFactory(kind=Place.Kind.WARD, code="E05999001")
    hood = PlaceFactory(kind=Place.Kind.NEIGHBOURHOOD, code="E63999001", parent=ward)
    OrganisationFactory(
        name="Abbey Green Library",
        slug="abbey-green-library",
        kind="library",
        org_id="GB-LAE-KBGE",
        verified=True,
        places=[hood],
    )
    OrganisationFactory(name="Dockside Food Bank", slug="dockside-food-bank", kind="charity")
    # when
    everything = client.get("/api/v1/organisations/").json()
    libraries = client.get("/api/v1/organisations/", {"kind": "library"}).json()
    in_ward = client.get("/api/v1/organisations/", {"place": "E05999001"}).json()
    food = client.get("/api/v1/organisations/", {"q": "food"}).json()
    # then
    assert everything["count"] == 2
    assert everything["items"][0] == {
        "slug": "abbey-green-library",
        "name": "Abbey Green Library",
        "kind": "library",
        "org_id": "GB-LAE-KBGE",
        "org_id_register": "Local authorities (England)",
        "places": ["E63999001"],
        "verified": True,
        "url": "/organisations/abbey-green-library/",
    }
    assert [o["slug"] for o in libraries["items"]] == ["abbey-green-library"]
    assert [o["slug"] for o in in_ward["items"]] == ["abbey-green-library"]
    assert [o["slug"] for o in food["items"]] == ["dockside-food-bank"]


def test_several_kinds(client):
    OrganisationFactory(kind="library")
    OrganisationFactory(kind="museum")
    OrganisationFactory(kind="school")
    body = client.get("/api/v1/organisations/?kind=library&kind=museum").json()
    assert sorted(o["kind"] for o in body["items"]) == ["library", "museum"]


def test_unknown_kind_is_the_standard_422(client):
    body = client.get("/api/v1/organisations/", {"kind": "spaceship"}).json()
    assert body["error"]["status"] == 422
    assert body["error"]["code"] == "invalid"
    assert body["error"]["fields"][0]["field"] == "filters.kind.0"


def test_unknown_place_is_404(client):
    response = client.get("/api/v1/organisations/", {"place": "E05000000"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_detail(client):
    organisation = OrganisationFactory(
        slug="kingsbridge-choir", name="Kingsbridge Choir", email="sing@example.org"
    )
    member_of(organisation)
    MembershipFactory(organisation=organisation, status="requested")
    body = client.get("/api/v1/organisations/kingsbridge-choir").json()
    assert body["members_count"] == 1
    assert body["email"] == "sing@example.org"
    assert body["org_id_register"] is None
    assert client.get("/api/v1/organisations/nope").json()["error"]["status"] == 404


@pytest.mark.parametrize("count", [2, 60])
def test_list_costs_fixed_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        OrganisationFactory(places=[PlaceFactory()])
    with django_assert_num_queries(3):  # count, page, places of the page
        response = client.get("/api/v1/organisations/", {"limit": 50})
    assert len(response.json()["items"]) == min(count, 50)
