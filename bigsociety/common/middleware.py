"""Middleware shared by the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Wagtail's admin and the API's browsable docs use inline scripts and styles. They are only
# served to staff (behind two factors) or are static documentation, so the policy is relaxed
# for those paths alone; every public page keeps script-src 'self' with no inline code.
ADMIN_POLICY = {
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https://*.tile.openstreetmap.org"],
    "frame-ancestors": ["'self'"],
}


class AdminContentSecurityPolicyMiddleware:
    """Relax the Content-Security-Policy for the staff back office and the API docs.

    Sits inside django-csp's CSPMiddleware and marks the response before it is processed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES)):
            response._csp_replace = ADMIN_POLICY  # type: ignore[attr-defined]
            if request.path.startswith("/admin/"):
                # Wagtail's page preview frames the site inside the admin.
                response.headers.pop("X-Frame-Options", None)
                response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
