"""The site-wide pages and the page shell, through the test client."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.models import Notification

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/cookies/", "Cookies"),
        ("/privacy/", "Privacy notice"),
        ("/accessibility/", "Accessibility statement"),
    ],
)
def test_site_pages_render_in_the_shell_without_inline_script_or_style(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{heading} – Big Society</title>" in html
    assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in html
    assert '<html lang="en-gb" class="govuk-template">' in html
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert "Open Government Licence v3.0</a>, except where otherwise stated." in html
    assert "AGPL-3.0-or-later" in html
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_STYLE.findall(html) == []
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # no crown, no GDS Transport
    assert "govuk-header__logotype" not in html
    assert "crown" not in html.lower()


def test_the_header_offers_sign_in_to_a_visitor(client):
    html = client.get("/cookies/").content.decode()
    assert '<a class="govuk-service-navigation__link" href="/accounts/sign-in/">Sign in</a>' in html
    assert "Sign out" not in html


def test_the_header_offers_the_account_and_a_sign_out_form_to_a_signed_in_person(client):
    client.force_login(UserFactory())
    html = client.get("/cookies/").content.decode()
    assert 'href="/accounts/">Your account</a>' in html
    assert re.search(
        r'<form method="post" action="/accounts/sign-out/" class="bs-inline-form">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">\s*'
        r'<button type="submit" class="govuk-service-navigation__link bs-button-link">'
        r"Sign out</button>",
        html,
    )


def test_the_navigation_lists_routed_pillars_and_marks_the_current_one(client):
    html = client.get("/places/").content.decode()
    assert re.search(
        r'<li class="govuk-service-navigation__item govuk-service-navigation__item--active">\s*'
        r'<a class="govuk-service-navigation__link" href="/places/" aria-current="true">'
        r'<strong class="govuk-service-navigation__active-fallback">Places</strong></a>',
        html,
    )


def test_messages_show_as_notification_banners():
    request = RequestFactory().get("/")
    request.user = UserFactory.build()
    request.session = {}
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Your profile has been saved")
    storage.add(constants.INFO, "Voting closes on Friday")
    html = render_to_string("404.html", {"messages": storage}, request=request)
    assert (
        'class="govuk-notification-banner govuk-notification-banner--success" role="alert" '
        'aria-labelledby="message-1-title"'
    ) in html
    assert '<h2 class="govuk-notification-banner__title" id="message-1-title">Success</h2>' in html
    assert "Your profile has been saved" in html
    assert (
        'class="govuk-notification-banner" role="region" aria-labelledby="message-2-title"' in html
    )
    assert (
        '<h2 class="govuk-notification-banner__title" id="message-2-title">Important</h2>' in html
    )


def test_breadcrumbs_in_the_context_render_before_main():
    request = RequestFactory().get("/")
    request.user = UserFactory.build()
    html = render_to_string(
        "404.html", {"breadcrumbs": [("Home", "/"), ("Places", "/places/")]}, request=request
    )
    assert html.index('<nav class="govuk-breadcrumbs"') < html.index("<main")
    assert '<a class="govuk-breadcrumbs__link" href="/places/">Places</a>' in html


def test_an_unknown_address_gets_the_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<title>Page not found – Big Society</title>" in response.content.decode()


def test_the_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert "/static/vendor/govuk-frontend/govuk-frontend.min.css" in html


def test_notifications_need_signing_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/notifications/"


def test_a_person_sees_only_their_own_notifications(client):
    person, other = UserFactory(), UserFactory()
    for recipient, subject in [(person, "Yours"), (other, "Someone else's")]:
        Notification.objects.create(
            recipient=recipient,
            topic="t",
            subject=subject,
            body="Body",
            delivery=Notification.Delivery.SITE_ONLY,
        )
    client.force_login(person)
    html = client.get("/notifications/").content.decode()
    assert "Yours" in html
    assert "Someone else" not in html
    assert '<strong class="govuk-tag govuk-tag--teal">New</strong>' in html
