"""What other apps may import from organisations.

    from bigsociety.organisations.api import Organisation, is_member, can_edit_organisation

Membership questions answer for *active* members only: a pending join request gives no rights.
Staff holding Role.ADMINISTRATOR (and superusers) may edit and manage every organisation.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .identifiers import ORG_ID_LISTS, OrgIdList, normalise_org_id, org_id_list, validate_org_id
from .models import Membership, Organisation
from .permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_manage_members,
    can_verify_organisation,
    rights_of,
)
from .selectors import organisations_of

__all__ = [
    "ORG_ID_LISTS",
    "Membership",
    "OrgIdList",
    "Organisation",
    "can_create_organisation",
    "can_edit_organisation",
    "can_manage_members",
    "can_verify_organisation",
    "is_member",
    "member_role",
    "normalise_org_id",
    "org_id_list",
    "organisations_administered_by",
    "organisations_edited_by",
    "organisations_of",
    "rights_of",
    "validate_org_id",
]


def member_role(user: Any, organisation: Organisation) -> str | None:
    """``"member"``, ``"editor"`` or ``"admin"`` for an active member; None otherwise."""
    return rights_of(user, organisation).role


def is_member(user: Any, organisation: Organisation) -> bool:
    """Whether ``user`` is an active member of ``organisation``, in any role."""
    return member_role(user, organisation) is not None


def organisations_administered_by(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` is an active admin of (not every one a staff member may
    manage: check ``can_manage_members`` for that)."""
    return organisations_of(user, roles=(Membership.Role.ADMIN,))


def organisations_edited_by(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` is an active editor or admin of."""
    return organisations_of(user, roles=(Membership.Role.EDITOR, Membership.Role.ADMIN))
