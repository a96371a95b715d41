"""A short-lived cache of public pages as anonymous visitors see them.

Most visits to the home page and the organisation directory come from people who are not signed
in, and every one of them is shown the same HTML. A view opts in with ``@cache_for_anonymous``
(or, for a Wagtail page, by calling ``mark_cacheable(response)`` in ``serve``);
``AnonymousPageCacheMiddleware``, near the top of the stack, then answers the next anonymous
request for the same address from the cache without running the view or the inner middleware.

What is never cached or served from the cache:

- a request carrying a session or messages cookie (a signed-in person, or a pending message);
- anything but GET and HEAD;
- a response that is not 200, sets a cookie (a page with a CSRF token sets one, so forms that
  post are never shared), says ``Cache-Control: private`` or ``no-store``, or was not marked;

so a cached page holds nothing personal. Entries live ``ANONYMOUS_PAGE_CACHE_SECONDS`` (60 by
default; 0 turns the cache off): an edit reaches anonymous visitors within that time, and at
once for the person who made it (they are signed in). The key is the address (path and query)
and the language, in the ``CACHES["default"]`` cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import get_language_from_request

MARK = "_cache_for_anonymous"
KEY_PREFIX = "anonymous-page:"


def mark_cacheable(response: HttpResponseBase) -> HttpResponseBase:
    """Let the middleware share this response with other anonymous visitors."""
    setattr(response, MARK, True)
    return response


def cache_for_anonymous(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorate a public view whose page is the same for every anonymous visitor."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return mark_cacheable(view(request, *args, **kwargs))

    return wrapped


def _seconds() -> int:
    return int(getattr(settings, "ANONYMOUS_PAGE_CACHE_SECONDS", 0))


def _may_share(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request: HttpRequest) -> str:
    address = f"{request.get_host()}|{request.get_full_path()}|{get_language_from_request(request)}"
    return KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if not getattr(response, MARK, False) or response.status_code != 200:
        return False
    if response.cookies or getattr(response, "streaming", False):
        return False
    control = response.get("Cache-Control", "").lower()
    if "private" in control or "no-store" in control:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class AnonymousPageCacheMiddleware:
    """Serve marked public pages to anonymous visitors from the cache (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = _seconds()
        if seconds <= 0 or not _may_share(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            hit = HttpResponse(b"" if request.method == "HEAD" else cached["content"], status=200)
            for name, value in cached["headers"]:
                hit[name] = value
            hit["X-Page-Cache"] = "hit"
            return hit
        response = self.get_response(request)
        if request.method == "GET" and _storable(request, response):
            assert isinstance(response, HttpResponse)
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "x-page-cache")
            ]
            cache.set(key, {"content": response.content, "headers": headers}, seconds)
            response["X-Page-Cache"] = "miss"
        return response
