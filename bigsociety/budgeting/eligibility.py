"""Who may vote in a process: the small interface a general verification can plug into later.

Budgeting carries what it needs today: an officer-imported list of eligible voters and one-time
voting codes printed on letters, both stored only as HMAC-SHA256 digests keyed with
``settings.HASHING_PEPPER``. A later participation app offering a general verification of
residents registers an ``EligibilitySource`` in ``SOURCES``; ``elector_for`` asks each source in
turn and the first that vouches for the person creates their roll entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Elector, EligibilityMethod, Process

# Voting codes avoid letters and digits that are easily confused when typed from a letter.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def _pepper() -> bytes:
    pepper = getattr(settings, "HASHING_PEPPER", "")
    if not pepper:
        raise ImproperlyConfigured("HASHING_PEPPER must be set to store voter identifiers.")
    return pepper.encode()


def normalise_identifier(raw: str) -> str:
    """Case, spaces and hyphens do not matter in identifiers or codes."""
    return re.sub(r"[\s\-]+", "", raw or "").upper()


def secret_hash(*, process: Process, raw: str) -> str:
    """HMAC-SHA256 of the normalised identifier, keyed by the pepper and bound to the process."""
    message = f"{process.pk}:{normalise_identifier(raw)}".encode()
    return hmac.new(_pepper(), message, hashlib.sha256).hexdigest()


def new_voting_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for upper, label in (
        (15, "under 16"),
        (17, "16-17"),
        (24, "18-24"),
        (34, "25-34"),
        (44, "35-44"),
        (54, "45-54"),
        (64, "55-64"),
    ):
        if age <= upper:
            return label
    return "65+"


AGE_BANDS = ["under 16", "16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reason: str
    elector: Elector | None = None


class EligibilitySource(Protocol):
    """A way to vouch that a person may vote in a process (e.g. a general verification)."""

    source: str

    def vouches_for(self, *, user: Any, process: Process) -> bool: ...


# Registered general verifications; empty until the participation app provides one.
SOURCES: list[EligibilitySource] = []


def uses_list(process: Process) -> bool:
    return process.eligibility_method in (EligibilityMethod.LIST, EligibilityMethod.LIST_OR_CODE)


def uses_codes(process: Process) -> bool:
    return process.eligibility_method in (EligibilityMethod.CODE, EligibilityMethod.LIST_OR_CODE)


def age_check(*, user: Any, process: Process, on: dt.date | None = None) -> str | None:
    """None if the person is old enough, else the reason they may not vote."""
    if not process.minimum_age:
        return None
    age = user.age_on(on or timezone.localdate())
    if age is None:
        return _(
            "This vote is for people aged %(age)s or over. Add your date of birth to your "
            "profile to vote."
        ) % {"age": process.minimum_age}
    if age < process.minimum_age:
        return _("This vote is for people aged %(age)s or over.") % {"age": process.minimum_age}
    return None


def elector_for(*, user: Any, process: Process) -> Decision:
    """Whether ``user`` may vote in ``process`` now, and their roll entry if so.

    Read-only except for registered general verifications (which create the entry); claiming
    a list entry or a code goes through ``services.eligibility``.
    """
    if user is None or not user.is_authenticated:
        return Decision(False, _("Sign in to vote."))
    if reason := age_check(user=user, process=process):
        return Decision(False, reason)
    elector = Elector.objects.filter(process=process, user=user).first()
    if elector is not None:
        return Decision(True, "", elector)
    if uses_list(process):
        # A list of email addresses lets people vote without typing anything.
        digest = secret_hash(process=process, raw=user.email)
        if Elector.objects.filter(
            process=process, secret_hash=digest, source=Elector.Source.LIST, user__isnull=True
        ).exists():
            return Decision(True, "", None)
    for source in SOURCES:
        if source.vouches_for(user=user, process=process):
            return Decision(True, "", None)
    return Decision(
        False,
        _(
            "You are not on the list of voters for this process. If you received a letter "
            "with a voting code, enter it below."
        ),
    )
