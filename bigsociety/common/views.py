"""Site-wide pages: cookies, privacy, accessibility statement and the notifications inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def cookies(request: HttpRequest) -> HttpResponse:
    """Public."""
    return render(request, "common/cookies.html")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """Public."""
    return render(request, "common/privacy.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """Public."""
    return render(request, "common/accessibility.html")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Signed-in people see their own notifications only."""
    notifications = request.user.notifications.all()[:100]  # type: ignore[union-attr]
    return render(request, "common/notification_list.html", {"notifications": notifications})
