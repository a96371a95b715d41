import pytest

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import AuditEntry
from bigsociety.organisations.models import Organisation
from bigsociety.organisations.testing import login_verified

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/organisations/"


def test_administrator_sees_the_list(client):
    OrganisationFactory(name="Kingsbridge Museum")
    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Kingsbridge Museum" in response.content.decode()


def test_other_staff_roles_are_turned_away(client):
    login_verified(client, UserFactory(roles=[Role.DATA_OFFICER]))
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_staff_without_second_factor_are_sent_to_verify(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_admin_create_goes_through_the_service(client):
    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.post(
        LIST + "new/",
        {"name": "Kingsbridge Rowing Club", "kind": "other", "org_id": "gb-casc-ca00123"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get()
    assert organisation.slug == "kingsbridge-rowing-club"
    assert organisation.org_id == "GB-CASC-CA00123"
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["organisation.create"]


def test_admin_edit_verifies_through_the_service(client):
    organisation = OrganisationFactory(name="Kingsbridge Museum", kind="museum")
    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.post(
        f"{LIST}edit/{organisation.pk}/",
        {"name": "Kingsbridge Museum", "kind": "museum", "verified": "on", "phone": "01632"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation.refresh_from_db()
    assert (organisation.verified, organisation.phone) == (True, "01632")
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "organisation.update",
        "organisation.verify",
    ]


def test_nobody_deletes_in_the_back_office(client):
    organisation = OrganisationFactory()
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))
    client.post(f"{LIST}delete/{organisation.pk}/")
    assert Organisation.objects.filter(pk=organisation.pk).exists()
