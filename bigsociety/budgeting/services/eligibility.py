"""The roll of electors: officer-imported lists, one-time voting codes, and claiming them."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record

from ..eligibility import (
    SOURCES,
    age_check,
    new_voting_code,
    normalise_identifier,
    secret_hash,
    uses_codes,
    uses_list,
)
from ..models import AFTER_VOTING, Elector, Phase, Process
from . import require_officer

MAX_LIST_ROWS = 500_000
MAX_CODES = 100_000


def _ward_lookup() -> dict[str, Any]:
    from bigsociety.places.models import Place

    return {p.code.upper(): p for p in Place.objects.filter(kind=Place.Kind.WARD)}


@transaction.atomic
def electors_import(*, process: Process, text: str, acting_user: Any) -> int:
    """Add a list of eligible voters: one identifier per line, optionally ``,WARD_CODE``.

    All or nothing: any bad line refuses the whole list, naming every bad line. Identifiers
    already on the roll are skipped. Returns how many entries were added.
    """
    require_officer(acting_user)
    process = Process.objects.select_for_update().get(pk=process.pk)
    if not uses_list(process):
        raise ValidationError(_("This process does not use a list of voters."))
    if process.phase in AFTER_VOTING or process.phase == Phase.CANCELLED:
        raise ValidationError(_("The roll cannot change after voting has closed."))
    wards = None
    errors: list[str] = []
    seen: dict[str, int] = {}
    rows: list[tuple[str, Any]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if number > MAX_LIST_ROWS:
            errors.append(_("The list has more than %(n)s lines.") % {"n": MAX_LIST_ROWS})
            break
        identifier = normalise_identifier(row[0])
        if number == 1 and identifier in ("IDENTIFIER", "EMAIL", "ID"):
            continue  # a header line
        if len(identifier) < 3:
            errors.append(_("Line %(n)s: the identifier is missing or too short.") % {"n": number})
            continue
        if identifier in seen:
            errors.append(
                _("Line %(n)s: the same identifier as line %(first)s.")
                % {"n": number, "first": seen[identifier]}
            )
            continue
        seen[identifier] = number
        ward = None
        if len(row) > 1 and row[1].strip():
            wards = wards if wards is not None else _ward_lookup()
            ward = wards.get(row[1].strip().upper())
            if ward is None:
                errors.append(
                    _("Line %(n)s: %(code)s is not a ward code we know.")
                    % {"n": number, "code": row[1].strip()}
                )
                continue
        rows.append((secret_hash(process=process, raw=identifier), ward))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The list is empty."))
    existing = set(
        Elector.objects.filter(
            process=process, secret_hash__in=[digest for digest, _w in rows]
        ).values_list("secret_hash", flat=True)
    )
    new = [
        Elector(process=process, source=Elector.Source.LIST, secret_hash=digest, ward=ward)
        for digest, ward in rows
        if digest not in existing
    ]
    Elector.objects.bulk_create(new, batch_size=2000)
    audit_record(
        actor=acting_user,
        action="budgeting.electors.import",
        target=process,
        changes={"added": len(new), "already_listed": len(rows) - len(new)},
    )
    return len(new)


@transaction.atomic
def voting_codes_generate(*, process: Process, count: int, acting_user: Any) -> list[str]:
    """Make ``count`` one-time voting codes. The codes are returned once, for printing on
    letters; only their digests are kept."""
    require_officer(acting_user)
    process = Process.objects.select_for_update().get(pk=process.pk)
    if not uses_codes(process):
        raise ValidationError(_("This process does not use voting codes."))
    if process.phase in AFTER_VOTING or process.phase == Phase.CANCELLED:
        raise ValidationError(_("Codes cannot be made after voting has closed."))
    if not 1 <= count <= MAX_CODES:
        raise ValidationError({"count": [_("Make between 1 and %(n)s codes.") % {"n": MAX_CODES}]})
    codes: list[str] = []
    digests: set[str] = set()
    while len(codes) < count:
        code = new_voting_code()
        digest = secret_hash(process=process, raw=code)
        if digest not in digests:
            digests.add(digest)
            codes.append(code)
    taken = set(
        Elector.objects.filter(process=process, secret_hash__in=digests).values_list(
            "secret_hash", flat=True
        )
    )
    if taken:  # astronomically unlikely with 60 bits; refuse rather than hand out a dud
        raise ValidationError(_("Please try again."))
    Elector.objects.bulk_create(
        [Elector(process=process, source=Elector.Source.CODE, secret_hash=d) for d in digests],
        batch_size=2000,
    )
    audit_record(
        actor=acting_user,
        action="budgeting.codes.generate",
        target=process,
        changes={"count": count},
    )
    return codes


def _claim(*, process: Process, digest: str, source: str, user: Any) -> Elector:
    if Elector.objects.filter(process=process, user=user).exists():
        return Elector.objects.get(process=process, user=user)
    elector = (
        Elector.objects.select_for_update()
        .filter(process=process, secret_hash=digest, source=source)
        .first()
    )
    if elector is None:
        if source == Elector.Source.CODE:
            raise ValidationError({"code": [_("That voting code is not right. Check the letter.")]})
        raise ValidationError(
            {"identifier": [_("That is not on the list of voters for this process.")]}
        )
    if elector.user_id is not None and elector.user_id != user.pk:
        if source == Elector.Source.CODE:
            raise ValidationError({"code": [_("That voting code has already been used.")]})
        raise ValidationError({"identifier": [_("Someone has already voted with that entry.")]})
    if elector.ballots.exists():  # a paper ballot was already cast with this code
        raise ValidationError(
            {"code": [_("A paper ballot has already been counted for that code.")]}
        )
    elector.user = user
    elector.claimed_at = timezone.now()
    try:
        with transaction.atomic():
            elector.save(update_fields=["user", "claimed_at", "updated_at"])
    except IntegrityError:
        # The same person claimed another entry at the same moment: keep theirs.
        return Elector.objects.get(process=process, user=user)
    audit_record(
        actor=user,
        action="budgeting.elector.claim",
        target=elector,
        changes={"source": source},
    )
    return elector


def check_can_vote(*, process: Process, user: Any) -> None:
    """Refuse, saying why, anyone who may not take part now: not signed in, the process not
    taking electors, or too young. Runs no query."""
    _check_can_claim(process, user)


def _check_can_claim(process: Process, user: Any) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to vote."))
    if process.phase not in (Phase.IDEAS, Phase.REVIEW, Phase.VOTING):
        raise ValidationError(_("Voting is not open for this process."))
    if reason := age_check(user=user, process=process):
        raise ValidationError(reason)


@transaction.atomic
def elector_redeem_code(*, process: Process, code: str, acting_user: Any) -> Elector:
    _check_can_claim(process, acting_user)
    if not uses_codes(process):
        raise ValidationError({"code": [_("This process does not use voting codes.")]})
    return _claim(
        process=process,
        digest=secret_hash(process=process, raw=code),
        source=Elector.Source.CODE,
        user=acting_user,
    )


@transaction.atomic
def elector_claim_identifier(*, process: Process, identifier: str, acting_user: Any) -> Elector:
    _check_can_claim(process, acting_user)
    if not uses_list(process):
        raise ValidationError({"identifier": [_("This process does not use a list of voters.")]})
    return _claim(
        process=process,
        digest=secret_hash(process=process, raw=identifier),
        source=Elector.Source.LIST,
        user=acting_user,
    )


@transaction.atomic
def elector_for_voting(*, process: Process, acting_user: Any) -> Elector:
    """The person's roll entry, claimed automatically when the list holds their email address
    or a registered general verification vouches for them. Refuses with the reason otherwise."""
    _check_can_claim(process, acting_user)
    elector = Elector.objects.filter(process=process, user=acting_user).first()
    if elector is not None:
        return elector
    if uses_list(process):
        digest = secret_hash(process=process, raw=acting_user.email)
        if Elector.objects.filter(
            process=process, secret_hash=digest, source=Elector.Source.LIST
        ).exists():
            return _claim(
                process=process, digest=digest, source=Elector.Source.LIST, user=acting_user
            )
    for source in SOURCES:
        if source.vouches_for(user=acting_user, process=process):
            digest = secret_hash(process=process, raw=f"verified:{acting_user.pk}")
            elector, _created = Elector.objects.get_or_create(
                process=process,
                secret_hash=digest,
                defaults={
                    "source": Elector.Source.VERIFIED,
                    "user": acting_user,
                    "claimed_at": timezone.now(),
                },
            )
            return elector
    raise PermissionDenied(
        _(
            "You are not on the list of voters for this process. If you received a letter "
            "with a voting code, enter it first."
        )
    )
