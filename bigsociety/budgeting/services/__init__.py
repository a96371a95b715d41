"""Every write in budgeting: keyword-only, atomic, audited services, one module per sub-domain.

``processes`` (configuration and the phase state machine), ``projects`` (ideas, feasibility,
delivery), ``eligibility`` (the roll: lists and codes), ``ballots`` (online and paper ballots),
``counting`` (counts through the engine, overrides) and ``pabulib`` (.pb import and exports).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bigsociety.accounts.roles import Role, has_role


def is_officer(user: Any) -> bool:
    """Engagement officers (and administrators) run budgeting processes."""
    return has_role(user, Role.ENGAGEMENT_OFFICER)


def require_officer(user: Any) -> None:
    if not is_officer(user):
        raise PermissionDenied(_("Only engagement officers can do this."))
