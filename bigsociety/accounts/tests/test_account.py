import json

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bigsociety.accounts.models import ApiToken, User
from bigsociety.accounts.roles import Role, has_role
from bigsociety.accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from bigsociety.places.tests.factories import PlaceFactory, PostcodeFactory

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_profile_resolves_the_home_postcode_to_a_place(client):
    # given
    place = PlaceFactory(kind="neighbourhood", name="Abbey Green")
    PostcodeFactory(postcode="KB1 1AA", place=place)
    user = UserFactory()
    client.force_login(user)
    # when
    response = client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Rosa", "home_postcode": "kb11aa", "date_of_birth": "2000-02-29"},
    )
    # then
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.home_postcode, user.home_place) == ("Rosa", "KB1 1AA", place)
    assert str(user.date_of_birth) == "2000-02-29"


@pytest.mark.parametrize(
    ("postcode", "message"),
    [("nonsense", "Enter a real postcode"), ("SW1A 1AA", "SW1A 1AA is not in our area")],
)
def test_profile_refuses_unknown_postcodes(client, postcode, message):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile_edit"), {"display_name": "After", "home_postcode": postcode}
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors["home_postcode"][0]
    user.refresh_from_db()
    assert user.display_name == "Before"


def test_people_download_all_their_data(client):
    user = UserFactory(email="rosa@example.org", display_name="Rosa")
    client.force_login(user)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-big-society-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "rosa@example.org"
    assert data["account"]["display_name"] == "Rosa"


def test_anonymous_people_cannot_download_data(client):
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_deleting_an_account_needs_the_password_and_erases_personal_data(client):
    # given
    user = UserFactory(email="rosa@example.org", display_name="Rosa")
    client.force_login(user)
    # when the password is wrong nothing changes
    response = client.post(reverse("accounts:account_delete"), {"password": "wrong"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "rosa@example.org"
    # when it is right
    response = client.post(reverse("accounts:account_delete"), {"password": DEFAULT_PASSWORD})
    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.display_name == "Former member"
    assert user.email.endswith("@invalid") and "rosa" not in user.email
    assert not user.is_active and not user.has_usable_password()
    assert user.anonymised_at is not None
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="rosa@example.org").exists()


def test_staff_are_sent_to_set_up_two_factor_before_the_back_office(client):
    # given a data officer (every staff role may open the back office)
    staff = StaffFactory(email="staff@example.org", roles=[Role.DATA_OFFICER])
    # when
    response = client.post(
        reverse("accounts:login"), {"username": "staff@example.org", "password": DEFAULT_PASSWORD}
    )
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:two_factor_setup"))
    # when they confirm a code from their app
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": _code(device)})
    # then they see backup codes and may enter the back office
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert client.get("/admin/").status_code == 200


def test_a_wrong_two_factor_code_is_refused(client):
    staff = StaffFactory(email="staff@example.org", roles=[Role.MODERATOR])
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client.post(
        reverse("accounts:login"), {"username": "staff@example.org", "password": DEFAULT_PASSWORD}
    )
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": "000000" if _code(device) != "000000" else "111111"},
    )
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # django-otp throttles a device after a failure; once the pause has passed…
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    response = client.post(reverse("accounts:two_factor_verify"), {"code": _code(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_residents_cannot_reach_the_back_office(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or "/accounts/sign-in/" in response["Location"]


def test_api_tokens_are_shown_once_and_stored_as_a_digest(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:api_tokens"), {"name": "Harvester"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(user=user)
    assert raw.startswith("bs_") and len(raw) > 40
    assert token.digest == ApiToken.digest_of(raw) and raw not in token.digest
    # the token works on the API
    me = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_people_cannot_revoke_someone_elses_token(client):
    owner, other = UserFactory(), UserFactory()
    from bigsociety.accounts.services import api_token_issue

    token, _raw = api_token_issue(user=owner, name="t")
    client.force_login(other)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.prefix]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_issue_api_token_command_prints_a_working_token(client):
    from io import StringIO

    from django.core.management import call_command

    user = UserFactory(email="officer@example.org", roles=[Role.DATA_OFFICER])
    out = StringIO()
    call_command("issue_api_token", "officer@example.org", stdout=out)
    raw = out.getvalue().strip()
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["roles"] == ["Data officer"]
    assert has_role(user, Role.DATA_OFFICER)


def test_a_bad_token_gets_the_api_error_shape(client):
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_superusers_hold_every_role():
    admin = UserFactory(is_superuser=True, is_staff=True)
    resident = UserFactory()
    staff = StaffFactory(roles=[Role.MODERATOR])
    assert all(has_role(admin, role) for role in Role)
    assert not any(has_role(resident, role) for role in Role)
    assert [r for r in Role if has_role(staff, r)] == [Role.MODERATOR]
