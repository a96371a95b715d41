"""Who may do what to an organisation: object-level rules, one function per action.

An organisation's own admins manage its membership; its editors and admins edit its details;
staff holding Role.ADMINISTRATOR (and every superuser, who holds every role) may do all of it,
and alone may create and verify organisations.

Each function reads the database afresh (nothing is cached on the user), so a rule is never
answered from a stale membership. A page that needs several answers calls ``rights_of`` once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bigsociety.accounts.roles import Role, has_role

from .models import Membership, Organisation

STAFF_ROLE = Role.ADMINISTRATOR


def _signed_in(user: Any) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def membership_of(user: Any, organisation: Organisation) -> Membership | None:
    """The person's membership row (any status) in ``organisation``."""
    if not _signed_in(user) or organisation.pk is None:
        return None
    return Membership.objects.filter(organisation=organisation, user=user).first()


def active_role(user: Any, organisation: Organisation) -> str | None:
    """The person's role if they are an active member, else None."""
    membership = membership_of(user, organisation)
    if membership is None or membership.status != Membership.Status.ACTIVE:
        return None
    return membership.role


def is_staff_administrator(user: Any) -> bool:
    return has_role(user, STAFF_ROLE)


def can_view_members(user: Any, organisation: Organisation) -> bool:
    """Active members see the member list; so do staff administrators."""
    return active_role(user, organisation) is not None or is_staff_administrator(user)


def can_request_membership(user: Any, organisation: Organisation) -> bool:
    """Any signed-in person who is not a member and has no pending request."""
    if not _signed_in(user):
        return False
    membership = membership_of(user, organisation)
    return membership is None or membership.status == Membership.Status.DECLINED


def can_edit_organisation(user: Any, organisation: Organisation) -> bool:
    """The organisation's editors and admins, and staff administrators."""
    return active_role(user, organisation) in (
        Membership.Role.EDITOR,
        Membership.Role.ADMIN,
    ) or is_staff_administrator(user)


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    """Approve or decline join requests, change roles, remove members: the organisation's
    admins and staff administrators."""
    return active_role(user, organisation) == Membership.Role.ADMIN or is_staff_administrator(user)


def can_leave(user: Any, organisation: Organisation) -> bool:
    """An active member, or someone with a pending request (who withdraws it)."""
    membership = membership_of(user, organisation)
    return membership is not None and membership.status in (
        Membership.Status.ACTIVE,
        Membership.Status.REQUESTED,
    )


def can_edit_register_details(user: Any, organisation: Organisation | None = None) -> bool:
    """Name, type, org-id and places served: staff administrators only (they are what the
    verified tag vouches for)."""
    return is_staff_administrator(user)


def can_create_organisation(user: Any) -> bool:
    return is_staff_administrator(user)


def can_verify_organisation(user: Any, organisation: Organisation | None = None) -> bool:
    return is_staff_administrator(user)


@dataclass(frozen=True)
class Rights:
    """Everything one person may do on one organisation's page, from one membership query."""

    signed_in: bool
    membership: Membership | None
    staff_administrator: bool

    @property
    def role(self) -> str | None:
        m = self.membership
        return m.role if m is not None and m.status == Membership.Status.ACTIVE else None

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def has_pending_request(self) -> bool:
        return self.membership is not None and self.membership.status == Membership.Status.REQUESTED

    @property
    def can_edit(self) -> bool:
        return self.role in (Membership.Role.EDITOR, Membership.Role.ADMIN) or (
            self.staff_administrator
        )

    @property
    def can_manage_members(self) -> bool:
        return self.role == Membership.Role.ADMIN or self.staff_administrator

    @property
    def can_view_members(self) -> bool:
        return self.is_member or self.staff_administrator

    @property
    def can_verify(self) -> bool:
        return self.staff_administrator

    @property
    def can_leave(self) -> bool:
        return self.is_member or self.has_pending_request

    @property
    def can_request(self) -> bool:
        return self.signed_in and (
            self.membership is None or self.membership.status == Membership.Status.DECLINED
        )


def rights_of(user: Any, organisation: Organisation) -> Rights:
    """What ``user`` may do on ``organisation``."""
    return Rights(
        signed_in=_signed_in(user),
        membership=membership_of(user, organisation),
        staff_administrator=is_staff_administrator(user),
    )
