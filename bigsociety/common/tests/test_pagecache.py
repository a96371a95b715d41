"""The anonymous page cache: shared only between anonymous visitors, never anything personal."""

import pytest
from django.test import override_settings

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.organisations.tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_cache_on")]
DIRECTORY = "/organisations/"


@pytest.fixture
def _cache_on():
    with override_settings(ANONYMOUS_PAGE_CACHE_SECONDS=60):
        yield


def _organisation(name: str):
    return OrganisationFactory(name=name, slug=name.lower().replace(" ", "-"))


def test_the_second_anonymous_visit_is_served_from_the_cache(client, django_assert_num_queries):
    # given an organisation in the directory, seen once by an anonymous visitor
    _organisation("Friends of the Park")
    first = client.get(DIRECTORY)
    assert first["X-Page-Cache"] == "miss"
    # when another anonymous visitor asks for the same page
    with django_assert_num_queries(0):
        second = client.get(DIRECTORY)
    # then they get the same page and headers (the security policy included) from the cache
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "Friends of the Park" in second.content.decode()


def test_the_query_string_is_part_of_the_key(client):
    # given two organisations
    _organisation("Friends of the Park")
    _organisation("Riverside Food Bank")
    client.get(DIRECTORY + "?q=park")
    # when a different search is made
    response = client.get(DIRECTORY + "?q=food")
    # then it is rendered for that search
    assert response["X-Page-Cache"] == "miss"
    assert "Riverside Food Bank" in response.content.decode()
    assert "Friends of the Park" not in response.content.decode()


def test_signed_in_people_always_get_a_fresh_page_and_never_fill_the_cache(client):
    # given a signed-in person viewing the directory
    _organisation("Friends of the Park")
    client.force_login(UserFactory())
    signed_in = client.get(DIRECTORY)
    assert "X-Page-Cache" not in signed_in
    # when an anonymous visitor asks next
    client.logout()
    client.cookies.clear()
    anonymous = client.get(DIRECTORY)
    # then the anonymous page was rendered for them, not copied from the signed-in one
    assert anonymous["X-Page-Cache"] == "miss"


def test_responses_that_set_cookies_are_not_shared(client):
    # given the sign-up page, whose form carries a CSRF token (and sets its cookie)
    first = client.get("/accounts/sign-up/")
    assert first.status_code == 200
    # when it is asked for again
    second = client.get("/accounts/sign-up/")
    # then it was never marked or stored: every visitor gets their own token
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second


def test_turned_off_with_zero_seconds(client):
    _organisation("Friends of the Park")
    with override_settings(ANONYMOUS_PAGE_CACHE_SECONDS=0):
        client.get(DIRECTORY)
        response = client.get(DIRECTORY)
    assert "X-Page-Cache" not in response
