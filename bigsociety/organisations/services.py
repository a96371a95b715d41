"""Every write to organisations and memberships. Keyword-only, atomic, audited.

Each service checks the acting person's right itself (views and the API check too, to choose
what to show), raises ``PermissionDenied`` when they have none and ``ValidationError`` naming
the field when the change breaks a rule, and tells the people affected through
``bigsociety.common.notifications.notify`` (email goes out only after the commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record, diff, snapshot
from bigsociety.common.notifications import notify

from . import permissions
from .identifiers import normalise_org_id
from .models import Membership, Organisation, can_transition

TOPIC = "organisations"

CONTACT_FIELDS = ("description", "website", "email", "phone", "address")
REGISTER_FIELDS = ("name", "kind", "org_id")
AUDITED_FIELDS = [*REGISTER_FIELDS, *CONTACT_FIELDS, "slug", "verified"]


# Slugs that would hide one of the app's own pages (/organisations/new/).
RESERVED_SLUGS = frozenset({"new"})


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "organisation")[:200]
    if base in RESERVED_SLUGS:
        base = f"{base}-organisation"
    taken = set(
        Organisation.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk or 0)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _place_codes(organisation: Organisation) -> list[str]:
    return sorted(organisation.places.values_list("code", flat=True))


def _save_checked(organisation: Organisation, *, update_fields: list[str] | None = None) -> None:
    """Validate fields and constraints (org-id format, unique org-id and slug), then save.

    A concurrent duplicate that slips past the check still fails on the database constraint
    and is reported the same way."""
    try:
        organisation.full_clean(exclude=["places"])
    except ValidationError as error:
        # The partial unique constraint reports to the whole form; it is about the org-id.
        errors = error.update_error_dict({})
        for item in errors.pop(NON_FIELD_ERRORS, []):
            codes = getattr(item, "error_list", [item])
            field = (
                "org_id" if any(e.code == "duplicate_org_id" for e in codes) else NON_FIELD_ERRORS
            )
            errors.setdefault(field, []).append(item)
        raise ValidationError(errors) from error
    try:
        with transaction.atomic():
            organisation.save(update_fields=update_fields)
    except IntegrityError as error:
        raise ValidationError(
            {"org_id": _("Another organisation already has this org-id or address.")}
        ) from error


def _admins_of(organisation: Organisation) -> Iterable[Any]:
    return [m.user for m in organisation.memberships.admins().select_related("user")]


@transaction.atomic
def organisation_create(
    *,
    acting_user: Any,
    name: str,
    kind: str,
    org_id: str = "",
    description: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    places: Iterable[Any] = (),
    slug: str = "",
    first_admin: Any = None,
    verified: bool = False,
) -> Organisation:
    """Staff administrators add an organisation to the directory, optionally naming its first
    admin (who is told)."""
    if not permissions.can_create_organisation(acting_user):
        raise PermissionDenied(_("Only staff administrators can add organisations."))
    organisation = Organisation(
        name=name.strip(),
        slug=slug or _unique_slug(name),
        kind=kind,
        org_id=normalise_org_id(org_id),
        description=description.strip(),
        website=website,
        email=email,
        phone=phone.strip(),
        address=address.strip(),
        verified=verified,
        verified_at=timezone.now() if verified else None,
    )
    _save_checked(organisation)
    organisation.places.set(list(places))
    audit_record(
        actor=acting_user,
        action="organisation.create",
        target=organisation,
        changes={
            "after": {
                **snapshot(organisation, AUDITED_FIELDS),
                "places": _place_codes(organisation),
            }
        },
    )
    if first_admin is not None:
        Membership.objects.create(
            organisation=organisation,
            user=first_admin,
            role=Membership.Role.ADMIN,
            status=Membership.Status.ACTIVE,
            decided_at=timezone.now(),
            decided_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="membership.appoint",
            target=organisation,
            changes={"user": first_admin.pk, "role": Membership.Role.ADMIN},
        )
        notify(
            recipient=first_admin,
            topic=TOPIC,
            subject=_("You are an admin of %(name)s") % {"name": organisation.name},
            body=_(
                "%(name)s has been added to the directory of organisations and you are its "
                "admin. You can now edit its details and approve people who ask to join."
            )
            % {"name": organisation.name},
            url=organisation.get_absolute_url(),
        )
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, acting_user: Any, **changes: Any
) -> Organisation:
    """Editors and admins change the contact details and description; staff administrators
    may also change the name, type, org-id and places served (``places=[...]``)."""
    if not permissions.can_edit_organisation(acting_user, organisation):
        raise PermissionDenied(_("You cannot edit this organisation."))
    allowed = set(CONTACT_FIELDS)
    if permissions.can_edit_register_details(acting_user, organisation):
        allowed |= {*REGISTER_FIELDS, "places"}
    unknown = set(changes) - allowed
    if unknown:
        raise PermissionDenied(
            _("You cannot change: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {**snapshot(organisation, AUDITED_FIELDS), "places": _place_codes(organisation)}
    places = changes.pop("places", None)
    for field, value in changes.items():
        if field == "org_id":
            value = normalise_org_id(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(organisation, field, value)
    _save_checked(organisation)
    if places is not None:
        organisation.places.set(list(places))
    after = {**snapshot(organisation, AUDITED_FIELDS), "places": _place_codes(organisation)}
    changed = diff(before, after)
    if changed:
        audit_record(
            actor=acting_user, action="organisation.update", target=organisation, changes=changed
        )
    return organisation


@transaction.atomic
def organisation_verify(
    *, organisation: Organisation, acting_user: Any, verified: bool = True
) -> Organisation:
    """Staff administrators mark an organisation as checked (or take the mark away); its
    admins are told."""
    if not permissions.can_verify_organisation(acting_user, organisation):
        raise PermissionDenied(_("Only staff administrators can verify organisations."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verified == verified:
        return organisation
    organisation.verified = verified
    organisation.verified_at = timezone.now() if verified else None
    organisation.save(update_fields=["verified", "verified_at", "updated_at"])
    audit_record(
        actor=acting_user,
        action="organisation.verify" if verified else "organisation.unverify",
        target=organisation,
        changes={"verified": {"before": not verified, "after": verified}},
    )
    subject = (
        _("%(name)s is now verified") if verified else _("%(name)s is no longer verified")
    ) % {"name": organisation.name}
    for admin in _admins_of(organisation):
        notify(
            recipient=admin,
            topic=TOPIC,
            subject=subject,
            body=subject + ".",
            url=organisation.get_absolute_url(),
        )
    return organisation


@transaction.atomic
def membership_request(*, organisation: Organisation, user: Any, message: str = "") -> Membership:
    """A signed-in person asks to join; the organisation's admins are told."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to ask to join."))
    membership = (
        Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    )
    current = membership.status if membership else None
    if not can_transition(current, Membership.Status.REQUESTED):
        raise ValidationError(
            _("You are already a member of %(name)s.")
            if current == Membership.Status.ACTIVE
            else _("You have already asked to join %(name)s."),
            code="already",
            params={"name": organisation.name},
        )
    if membership is None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    organisation=organisation, user=user, message=message.strip()
                )
        except IntegrityError as error:  # a second click that raced the first
            raise ValidationError(
                _("You have already asked to join %(name)s."),
                code="already",
                params={"name": organisation.name},
            ) from error
    else:
        membership.status = Membership.Status.REQUESTED
        membership.role = Membership.Role.MEMBER
        membership.message = message.strip()
        membership.decided_at = None
        membership.decided_by = None
        membership.save()
    audit_record(
        actor=user,
        action="membership.request",
        target=membership,
        changes={"status": {"before": current, "after": Membership.Status.REQUESTED}},
    )
    for admin in _admins_of(organisation):
        notify(
            recipient=admin,
            topic=TOPIC,
            subject=_("%(person)s has asked to join %(name)s")
            % {"person": user.display_name or _("Someone"), "name": organisation.name},
            body=_("Approve or decline the request on the organisation's page."),
            url=organisation.get_absolute_url(),
        )
    return membership


def _decide(
    *, membership: Membership, acting_user: Any, to: str, role: str = Membership.Role.MEMBER
) -> Membership:
    organisation = membership.organisation
    if not permissions.can_manage_members(acting_user, organisation):
        raise PermissionDenied(_("Only the organisation's admins can decide join requests."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not can_transition(membership.status, to):
        raise ValidationError(
            _("This request has already been decided."), code="decided", params={}
        )
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    before = membership.status
    membership.status = to
    membership.role = role
    membership.decided_at = timezone.now()
    membership.decided_by = acting_user
    membership.save(update_fields=["status", "role", "decided_at", "decided_by", "updated_at"])
    approved = to == Membership.Status.ACTIVE
    audit_record(
        actor=acting_user,
        action="membership.approve" if approved else "membership.decline",
        target=membership,
        changes={"status": {"before": before, "after": to}, "role": role},
    )
    notify(
        recipient=membership.user,
        topic=TOPIC,
        subject=(
            _("You are now a member of %(name)s")
            if approved
            else _("Your request to join %(name)s was declined")
        )
        % {"name": organisation.name},
        body=(
            _("Your request to join %(name)s has been approved.")
            if approved
            else _("An admin of %(name)s has declined your request to join.")
        )
        % {"name": organisation.name},
        url=organisation.get_absolute_url(),
    )
    return membership


@transaction.atomic
def membership_approve(
    *, membership: Membership, acting_user: Any, role: str = Membership.Role.MEMBER
) -> Membership:
    """The organisation's admins (or staff administrators) accept a join request."""
    return _decide(
        membership=membership, acting_user=acting_user, to=Membership.Status.ACTIVE, role=role
    )


@transaction.atomic
def membership_decline(*, membership: Membership, acting_user: Any) -> Membership:
    """The organisation's admins (or staff administrators) turn a join request down."""
    return _decide(membership=membership, acting_user=acting_user, to=Membership.Status.DECLINED)


def _lock_and_check_last_admin(
    membership: Membership, *, losing_admin: bool, acting_user: Any
) -> None:
    """An admin may not leave or demote themselves while no other admin remains.

    The organisation row is locked first, so two admins stepping down at once are taken one
    after the other and the second is refused."""
    Organisation.objects.select_for_update().filter(pk=membership.organisation_id).first()
    if not losing_admin or membership.user_id != getattr(acting_user, "pk", None):
        return
    others = (
        Membership.objects.admins()
        .filter(organisation_id=membership.organisation_id)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _(
                "You are the only admin of %(name)s. Make someone else an admin before you "
                "step down."
            ),
            code="last_admin",
            params={"name": membership.organisation.name},
        )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, acting_user: Any) -> Membership:
    """The organisation's admins (or staff administrators) change an active member's role."""
    if not permissions.can_manage_members(acting_user, membership.organisation):
        raise PermissionDenied(_("Only the organisation's admins can change roles."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a role: member, editor or admin.")})
    membership = Membership.objects.select_related("organisation", "user").get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Only active members have a role to change."), code="not_active")
    losing_admin = membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN
    _lock_and_check_last_admin(membership, losing_admin=losing_admin, acting_user=acting_user)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=acting_user,
        action="membership.set_role",
        target=membership,
        changes={"role": {"before": before, "after": role}},
    )
    if membership.user_id != acting_user.pk:
        notify(
            recipient=membership.user,
            topic=TOPIC,
            subject=_("Your role in %(name)s is now %(role)s")
            % {"name": membership.organisation.name, "role": membership.get_role_display()},
            body=_("An admin of %(name)s changed your role from %(before)s to %(after)s.")
            % {
                "name": membership.organisation.name,
                "before": Membership.Role(before).label,
                "after": membership.get_role_display(),
            },
            url=membership.organisation.get_absolute_url(),
        )
    return membership


def _end(membership: Membership, *, acting_user: Any, action: str) -> None:
    if not can_transition(membership.status, None):
        raise ValidationError(_("This membership has already ended."), code="ended")
    _lock_and_check_last_admin(
        membership,
        losing_admin=membership.status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.ADMIN,
        acting_user=acting_user,
    )
    audit_record(
        actor=acting_user,
        action=action,
        target=membership,
        changes={"status": {"before": membership.status, "after": None}, "role": membership.role},
    )
    Membership.objects.filter(pk=membership.pk).delete()


@transaction.atomic
def membership_leave(*, organisation: Organisation, user: Any) -> None:
    """A member leaves (or withdraws a pending request). The last admin cannot."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(organisation=organisation, user=user)
        .first()
    )
    if membership is None or membership.status == Membership.Status.DECLINED:
        raise ValidationError(
            _("You are not a member of %(name)s."),
            code="not_member",
            params={"name": organisation.name},
        )
    _end(membership, acting_user=user, action="membership.leave")


@transaction.atomic
def membership_remove(*, membership: Membership, acting_user: Any) -> None:
    """The organisation's admins (or staff administrators) remove a member; they are told.
    Removing yourself is leaving, and follows the last-admin rule."""
    membership = Membership.objects.select_related("organisation", "user").get(pk=membership.pk)
    if membership.user_id == getattr(acting_user, "pk", None):
        _end(membership, acting_user=acting_user, action="membership.leave")
        return
    if not permissions.can_manage_members(acting_user, membership.organisation):
        raise PermissionDenied(_("Only the organisation's admins can remove members."))
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Only active members can be removed."), code="not_active")
    _end(membership, acting_user=acting_user, action="membership.remove")
    notify(
        recipient=membership.user,
        topic=TOPIC,
        subject=_("You are no longer a member of %(name)s")
        % {"name": membership.organisation.name},
        body=_("An admin of %(name)s has removed you from the organisation.")
        % {"name": membership.organisation.name},
        url=membership.organisation.get_absolute_url(),
    )
