"""Tokens: email confirmation links and personal API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from .models import ApiToken, User

API_TOKEN_PREFIX = "bs_"  # noqa: S105 - a public prefix, not a secret


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """A link token that stops working once the address is confirmed (or changed)."""

    key_salt = "bigsociety.accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_confirmed_at}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def user_for_api_token(raw: str | None) -> User | None:
    """The active person a raw API token belongs to, or None. Records when it was last used."""
    if not raw:
        return None
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """django-ninja auth: ``Authorization: Bearer <token>``. Sets ``request.user`` too."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


def optional_token_user(request: HttpRequest) -> User | None:
    """For endpoints open to everyone that do more for a token holder.

    No Authorization header: None (anonymous). A header with an unknown or revoked token:
    ninja's AuthenticationError (401), so a mistyped token is never silently anonymous.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    user = user_for_api_token(header)
    if user is None:
        raise AuthenticationError()
    request.user = user
    return user
