"""The home page is shared between anonymous visitors (common/pagecache.py)."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from bigsociety.content import demo as content_demo

pytestmark = pytest.mark.django_db


@override_settings(ANONYMOUS_PAGE_CACHE_SECONDS=60)
def test_the_home_page_is_shared_and_rendered_afresh_once_the_entry_expires(client):
    # given the demo home page, seen once
    content_demo.seed()
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    # when the entry expires (here: the cache is emptied)
    cache.clear()
    # then the page is rendered afresh
    assert client.get("/")["X-Page-Cache"] == "miss"
