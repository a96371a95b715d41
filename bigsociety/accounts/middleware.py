"""Staff must sign in with two factors before they reach the back office."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

STAFF_AREAS = ("/admin/", "/django-admin/", "/staff/")


class StaffTwoFactorMiddleware:
    """Send staff without a verified second factor to set one up or to enter a code.

    The back office (Wagtail at /admin/, Django's admin, and every /staff/ page) is only served
    to a request whose session was verified with a TOTP or backup code (django-otp).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.is_staff or user.is_superuser)
            and request.path.startswith(STAFF_AREAS)
            and not user.is_verified()
        ):
            from django_otp import devices_for_user

            target = (
                "accounts:two_factor_verify"
                if any(True for _ in devices_for_user(user))
                else "accounts:two_factor_setup"
            )
            response = redirect(target)
            response["Location"] += f"?next={request.get_full_path()}"
            return response
        return self.get_response(request)
