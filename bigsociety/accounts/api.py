"""What other apps may use from accounts."""

from __future__ import annotations

from .models import User
from .roles import Role, has_role, roles_of
from .tokens import TokenAuth, optional_token_user, user_for_api_token

__all__ = [
    "Role",
    "TokenAuth",
    "User",
    "has_role",
    "optional_token_user",
    "roles_of",
    "user_for_api_token",
]
