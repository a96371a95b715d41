"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Every error answers ``{"error": {"status": int, "code": str, "message": str, "fields": [...]}}``.
Reads are open to everyone (rate-limited per IP); writes need a personal API token sent as
``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

API_DESCRIPTION = """
The Big Society API. Reads are public. Writes need a personal API token, sent as
`Authorization: Bearer <token>`; people create tokens on their account page and administrators
with `python manage.py issue_api_token EMAIL`.

Every error has the same shape:
`{"error": {"status": 404, "code": "not_found", "message": "…", "fields": []}}`.
Lists are paginated with `limit` and `offset` and answer `{"count": N, "items": [...]}`.
"""


def _error(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: list[dict[str, str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"status": status, "code": code, "message": message, "fields": fields or []}},
        status=status,
    )


def _field_name(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "request"


def default_routers() -> list[tuple[str, Router]]:
    """Every app's router and where it is mounted."""
    from bigsociety.accounts.rest import router as accounts_router
    from bigsociety.budgeting.rest import router as budgeting_router
    from bigsociety.crime.rest import router as crime_router
    from bigsociety.opendata.rest_requests import router as data_requests_router
    from bigsociety.organisations.rest import router as organisations_router
    from bigsociety.places.rest import router as places_router

    return [
        ("/accounts/", accounts_router),
        ("/places/", places_router),
        ("/organisations/", organisations_router),
        ("/data-requests", data_requests_router),
        ("/crime/", crime_router),
        ("/budgeting/", budgeting_router),
    ]


def build_api(routers: list[tuple[str, Router]] | None = None, namespace: str = "api") -> NinjaAPI:
    api = NinjaAPI(
        title="Big Society API",
        version="1",
        description=API_DESCRIPTION,
        urls_namespace=namespace,
        throttle=[
            AnonRateThrottle(settings.API_RATE_ANON),
            AuthRateThrottle(settings.API_RATE_TOKEN),
        ],
    )

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = [
            {"field": _field_name(err.get("loc", ())), "message": str(err.get("msg", ""))}
            for err in exc.errors
        ]
        return _error(api, request, 422, "invalid", "The request is not valid.", fields)

    @api.exception_handler(ValidationError)
    def on_django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = [
                {"field": name, "message": str(message)}
                for name, errors in exc.message_dict.items()
                for message in errors
            ]
        else:
            fields = [{"field": "request", "message": str(m)} for m in exc.messages]
        return _error(api, request, 422, "invalid", "The request is not valid.", fields)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, "not_found", str(exc) or "Not found.")

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(api, request, 403, "forbidden", str(exc) or "You may not do that.")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, 401, "unauthenticated", "Send a valid API token.")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            429: "throttled",
        }
        return _error(
            api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message)
        )

    for prefix, router in routers if routers is not None else default_routers():
        api.add_router(prefix, router)
    return api


api = build_api()
