"""Every write about a person's account."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bigsociety.common.audit import audit_record, diff, snapshot
from bigsociety.places.api import normalise_postcode, place_for_postcode

from . import privacy
from .models import ApiToken, User
from .roles import Role
from .tokens import email_confirmation_token, new_api_token

PROFILE_FIELDS = ["display_name", "home_postcode", "home_place", "date_of_birth"]


def _site_url() -> str:
    from django.conf import settings

    return settings.SITE_URL


def confirmation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    return _site_url() + reverse("accounts:confirm_email", kwargs={"uidb64": uid, "token": token})


def send_confirmation_email(user: User) -> None:
    body = render_to_string(
        "accounts/email/confirm_email.txt", {"user": user, "link": confirmation_link(user)}
    )
    send_mail("Confirm your email address for Big Society", body, None, [user.email])


@transaction.atomic
def user_sign_up(*, email: str, display_name: str, password: str) -> User | None:
    """Create an account and email a confirmation link.

    If the address already has an account, nobody is created and the owner of the address is
    told someone tried to sign up with it (so the form never reveals who has an account).
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        body = render_to_string(
            "accounts/email/already_registered.txt",
            {"user": existing, "link": _site_url() + reverse("accounts:password_reset")},
        )
        transaction.on_commit(
            lambda: send_mail("You already have a Big Society account", body, None, [email])
        )
        return None
    user = User.objects.create_user(email=email, password=password, display_name=display_name)
    audit_record(actor=user, action="account.sign_up", target=user)
    transaction.on_commit(lambda: send_confirmation_email(user))
    return user


@transaction.atomic
def user_confirm_email(*, user: User) -> User:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at", "updated_at"])
        audit_record(actor=user, action="account.confirm_email", target=user)
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    home_postcode: str,
    date_of_birth: dt.date | None,
    acting_user: User,
) -> User:
    """Change a profile. The home postcode is resolved to the smallest place it lies in."""
    before = snapshot(user, PROFILE_FIELDS)
    user.display_name = display_name
    user.home_postcode = normalise_postcode(home_postcode) or "" if home_postcode else ""
    user.home_place = place_for_postcode(user.home_postcode) if user.home_postcode else None
    user.date_of_birth = date_of_birth
    user.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
    changes = diff(before, snapshot(user, PROFILE_FIELDS))
    if "date_of_birth" in changes:  # never copy a birth date into the audit log
        changes["date_of_birth"] = {"before": "…", "after": "…"}
    audit_record(actor=acting_user, action="account.update_profile", target=user, changes=changes)
    return user


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about a person, as JSON-ready data."""
    data: dict[str, Any] = {
        "format": "bigsociety-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "home_postcode": user.home_postcode,
            "home_place": user.home_place.code if user.home_place else None,
            "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else None,
            "email_confirmed_at": (
                user.email_confirmed_at.isoformat() if user.email_confirmed_at else None
            ),
            "joined": user.created_at.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "staff_roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in user.api_tokens.all()
        ],
        "notifications": [
            {
                "topic": n.topic,
                "subject": n.subject,
                "body": n.body,
                "created_at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in user.notifications.all()
        ],
        "notification_preferences": {
            p.topic: p.delivery for p in user.notification_preferences.all()
        },
    }
    for name, export in sorted(privacy.exporters().items()):
        data[name] = export(user)
    return data


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a person's account. What they contributed stays, credited to "Former member".

    The row is kept (so contributions keep a valid author) but every personal field is
    erased, the password made unusable and the account deactivated; each app's eraser
    removes what it holds privately (memberships, contact details, eligibility).
    """
    for _name, erase in sorted(privacy.erasers().items()):
        erase(user)
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        device.delete()
    user.api_tokens.all().delete()
    user.notifications.all().delete()
    user.notification_preferences.all().delete()
    user.groups.clear()
    user.email = f"deleted-{uuid.uuid4().hex}@invalid"
    user.display_name = "Former member"
    user.home_postcode = ""
    user.home_place = None
    user.date_of_birth = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.anonymised_at = timezone.now()
    user.set_unusable_password()
    user.save()
    audit_record(actor=None, action="account.delete", target=user)


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token. The raw token is returned once and never stored."""
    raw = new_api_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], digest=ApiToken.digest_of(raw)
    )
    audit_record(actor=user, action="api_token.issue", target=token, changes={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    if token.user_id != acting_user.pk and not acting_user.is_superuser:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=acting_user, action="api_token.revoke", target=token)
    return token


@transaction.atomic
def user_grant_role(*, user: User, role: Role, acting_user: User | None) -> User:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff", "updated_at"])
    audit_record(
        actor=acting_user, action="account.grant_role", target=user, changes={"role": role.value}
    )
    return user
