"""/api/v1/accounts/: who am I (for token holders)."""

from django.http import HttpRequest
from ninja import Router, Schema

from .roles import roles_of
from .tokens import TokenAuth

router = Router(tags=["accounts"])


class MeOut(Schema):
    email: str
    display_name: str
    home_place: str | None
    roles: list[str]


@router.get("/me", response=MeOut, auth=TokenAuth(), summary="The token holder's account")
def me(request: HttpRequest) -> MeOut:
    """Token holders only: their own account."""
    user = request.auth  # type: ignore[attr-defined]
    return MeOut(
        email=user.email,
        display_name=user.display_name,
        home_place=user.home_place.code if user.home_place_id else None,
        roles=[str(r) for r in roles_of(user)],
    )
