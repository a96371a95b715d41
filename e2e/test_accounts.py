"""A resident's journey and a member of staff's sign-in, in a real browser with axe."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bigsociety.accounts.models import User
from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory
from bigsociety.places import demo as places_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_signs_up_finds_their_area_downloads_and_deletes_their_data(browse):
    # given the demo area
    places_demo.seed()
    postcode = "KB1 1LB"
    # when they sign up
    page = browse.visit("/accounts/sign-up/")
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Display name").fill("Rosa")
    page.get_by_label("Create a password").fill("a long enough passphrase")
    page = browse.submit(page.get_by_role("button", name="Create account"))
    assert page.locator("h1").inner_text() == "Check your email"
    # and confirm their address from the email
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    page = browse.visit(link.replace("http://127.0.0.1:8000", ""))
    page = browse.submit(page.get_by_role("button", name="Confirm my email address"))
    assert page.locator("h1").inner_text() == "Your account"
    # and give their postcode
    page = browse.click(page.get_by_role("link", name="Change your profile"))
    page.get_by_label("Home postcode (optional)").fill(postcode.lower())
    page = browse.submit(page.get_by_role("button", name="Save"))
    assert "Your profile has been saved." in page.content()
    assert User.objects.get(email="rosa@example.org").home_place.name == "Rope Walk"
    # and find their area from the home of the places
    page = browse.visit("/places/find/")
    page.get_by_label("Postcode").fill(postcode)
    page = browse.submit(page.get_by_role("button", name="Find"))
    assert page.locator("h1").inner_text() == "Rope Walk"
    # and download everything held about them
    page = browse.visit("/accounts/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all your data (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == "rosa@example.org"
    assert data["account"]["home_postcode"] == postcode
    # and delete their account
    page = browse.click(page.get_by_role("link", name="Delete your account"))
    page.get_by_label("Your password").fill("a long enough passphrase")
    page = browse.submit(page.get_by_role("button", name="Delete my account"))
    assert page.locator("h1").inner_text() == "Your account has been deleted"
    assert not User.objects.filter(email="rosa@example.org").exists()


def test_an_unknown_postcode_is_explained(browse):
    page = browse.visit("/places/find/")
    page.get_by_label("Postcode").fill("SW1A 1AA")
    page = browse.submit(page.get_by_role("button", name="Find"))
    assert (
        "We cannot find SW1A 1AA in our area" in page.locator(".govuk-error-summary").inner_text()
    )


def test_staff_sign_in_with_two_factors_and_reach_the_back_office(browse):
    # given a data officer with an authenticator app
    staff = StaffFactory(email="officer@example.org", roles=[Role.DATA_OFFICER])
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    # when they sign in with their password
    page = browse.visit("/accounts/sign-in/")
    page.get_by_label("Email address").fill("officer@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page = browse.submit(page.get_by_role("button", name="Sign in"))
    # then they are asked for a code
    assert page.locator("h1").inner_text() == "Enter the code from your authenticator app"
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/**")
    browse.check_here()
    # and may open the back office (Wagtail's own admin pages are not ours to axe-check)
    response = page.request.get(browse.base_url + "/admin/")
    assert response.status == 200
    assert "Wagtail" in response.text() or "wagtail" in response.text()
