"""The page shell in a real browser: site pages, forms with errors, navigation, messages.

Every page visited is checked with axe-core (serious and critical violations fail), for
Content-Security-Policy violations, JavaScript errors and missing static files.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import Notification
from bigsociety.content import demo as content_demo

from .conftest import sign_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


def text(locator) -> str:
    """The element's text as a screen reader gets it (visually hidden parts included)."""
    return " ".join(locator.text_content().split())


@pytest.fixture
def every_widget_urls(settings):
    settings.ROOT_URLCONF = "e2e.urls"


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/cookies/", "Cookies"),
        ("/privacy/", "Privacy notice"),
        ("/accessibility/", "Accessibility statement"),
    ],
)
def test_site_pages_pass_axe_and_have_the_shell(page, path, heading):
    visit(page, path)
    assert page.locator("h1").all_inner_texts() == [heading]
    assert page.title() == f"{heading} – Big Society"
    assert page.locator("html").get_attribute("lang") == "en-gb"
    assert page.locator("a.govuk-skip-link").get_attribute("href") == "#main-content"
    assert page.locator("main#main-content").count() == 1
    assert page.locator(".govuk-generic-header__homepage-link").inner_text() == "Big Society"
    footer = page.locator("footer")
    expect(footer.get_by_role("link", name="Cookies")).to_have_attribute("href", "/cookies/")
    expect(footer.get_by_role("link", name="Privacy")).to_have_attribute("href", "/privacy/")
    expect(footer).to_contain_text("Open Government Licence v3.0")
    expect(footer).to_contain_text("Software: AGPL-3.0-or-later")
    expect(page.get_by_role("link", name="Sign in")).to_have_attribute("href", "/accounts/sign-in/")
    # GOV.UK Frontend's JavaScript ran under the CSP
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")


def test_the_cookies_page_lists_the_strictly_necessary_cookies(page):
    visit(page, "/cookies/")
    names = page.locator("table tbody th").all_inner_texts()
    assert names == ["sessionid", "csrftoken", "messages"]


def test_an_unknown_page_is_a_govuk_404(page):
    visit(page, "/no-such-page/", status=404)
    assert page.locator("h1").inner_text() == "Page not found"


def test_a_form_with_errors_shows_a_focused_summary_linked_to_each_field(page, every_widget_urls):
    # given the form page
    visit(page, "/e2e/every-widget/")
    # when it is sent empty
    page.get_by_role("button", name="Send").click()
    # then the title says there is an error and the summary has focus
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert page.title() == "Error: Every widget – Big Society"
    assert summary.locator("h2").inner_text() == "There is a problem"
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [
        "#id_name",
        "#id_email",
        "#id_about",
        "#id_ward",
        "#id_contact_0",
        "#id_topics_0",
        "#id_started_0",
        "#id_agree",
    ]
    # and each field shows its error, announced with "Error:"
    assert text(page.locator("#id_email_error")) == "Error: This field is required."
    assert page.locator(".govuk-form-group--error").count() == 8
    # and following a summary link moves focus to the field
    summary.get_by_role("link").nth(4).click()
    expect(page.locator("#id_contact_0")).to_be_focused()


def test_a_form_with_errors_works_without_javascript(no_js_page, every_widget_urls):
    page = no_js_page
    visit(page, "/e2e/every-widget/")
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2007")
    page.get_by_role("button", name="Send").click()
    assert page.locator(".govuk-error-summary a").first.inner_text() == ("This field is required.")
    # what was typed is kept, and the impossible date is reported
    assert page.get_by_label("Your name").input_value() == "Ann"
    assert page.get_by_label("Day").input_value() == "31"
    assert text(page.locator("#id_started_error")) == "Error: Enter a valid date."


def test_a_valid_form_redirects_with_a_success_banner(page, every_widget_urls):
    visit(page, "/e2e/every-widget/")
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_label("Tell us about your group").fill("We run a food bank.")
    page.get_by_label("Ward").select_option("a")
    page.get_by_label("Post").check()
    page.get_by_label("Parks").check()
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2007")
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_role("button", name="Send").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_have_attribute("role", "alert")
    assert banner.locator(".govuk-notification-banner__heading").inner_text() == (
        "Your details have been sent"
    )
    assert page.url.endswith("/cookies/")


def test_the_menu_collapses_on_a_phone_and_opens(page):
    page.set_viewport_size({"width": 375, "height": 800})
    visit(page, "/privacy/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(page.locator("#navigation")).to_be_hidden()
    toggle.click()
    expect(page.locator("#navigation")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_a_signed_in_person_sees_their_notifications_and_can_sign_out(page):
    # given a person with one unread notification
    person = UserFactory(display_name="Ann")
    Notification.objects.create(
        recipient=person,
        topic="test",
        subject="Your request was answered",
        body="The council has published the data.",
        url="/cookies/",
        delivery=Notification.Delivery.SITE_ONLY,
    )
    sign_in(page, person)
    # when they open their notifications
    visit(page, "/notifications/")
    # then they see it, marked new
    item = page.locator(".bs-card")
    assert item.locator("h2 a").inner_text() == "Your request was answered"
    expect(item.locator(".govuk-tag")).to_have_text("New")
    # and the header offers their account and signing out (a POST form)
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Your account")).to_have_attribute("href", "/accounts/")
    menu.get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign in")
    ).to_be_visible()


def test_the_home_page_offers_find_my_area_and_the_pillars(page, wagtail_root):
    # given the CMS pages of the demo
    content_demo.seed()
    # when the home page is opened
    visit(page, "/")
    # then it introduces the service and finds an area by postcode
    assert page.locator("h1").inner_text() == "Big Society"
    form = page.locator("form.bs-card")
    assert form.get_attribute("action") == "/places/find/"
    expect(form.get_by_label("Postcode")).to_be_visible()
    # and links to each pillar with a description
    cards = page.locator(".bs-cards .bs-card h3 a")
    assert "Places" in cards.all_inner_texts()
    # and a content page has breadcrumbs back home and styled rich text
    page.get_by_role("link", name="About Big Society").click()
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link", name="Big Society")).to_have_attribute("href", "/")
    assert page.locator(".bs-prose h2").first.inner_text() == "What you can do here"
