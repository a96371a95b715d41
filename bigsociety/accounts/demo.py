"""Demo accounts: one resident and one member of staff per role, for local use only.

Their passwords and the shared TOTP key for staff are listed in README.md. Never run
seed_demo against a production database: the command refuses unless DEBUG is on or
--i-know-this-is-not-production is given.
"""

from __future__ import annotations

import binascii
from typing import Any

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .roles import Role
from .services import user_grant_role

DEMO_PASSWORD = "big-society-demo"  # noqa: S105 - documented demo credential, local use only
# Base32 JBSWY3DPEHPK3PXP: add it to an authenticator app to sign in as demo staff.
DEMO_TOTP_KEY_HEX = binascii.hexlify(b"Hello!\xde\xad\xbe\xef").decode()

DEMO_PEOPLE: list[tuple[str, str, Role | None]] = [
    ("resident@demo.invalid", "Rosa Resident", None),
    ("member@demo.invalid", "Mo Member", None),
    ("orgadmin@demo.invalid", "Ada Organiser", None),
    ("data.officer@demo.invalid", "Dana Data", Role.DATA_OFFICER),
    ("engagement.officer@demo.invalid", "Eli Engage", Role.ENGAGEMENT_OFFICER),
    ("assets.officer@demo.invalid", "Asha Assets", Role.COMMUNITY_ASSETS_OFFICER),
    ("volunteering@demo.invalid", "Vic Volunteering", Role.VOLUNTEERING_COORDINATOR),
    ("grants.officer@demo.invalid", "Grace Grants", Role.GRANTS_OFFICER),
    ("moderator@demo.invalid", "Mina Moderator", Role.MODERATOR),
    ("admin@demo.invalid", "Alex Administrator", Role.ADMINISTRATOR),
]


def seed(*, stdout: Any = None) -> None:
    from bigsociety.places.models import Postcode

    postcode = Postcode.objects.select_related("place").order_by("postcode").first()
    for email, name, role in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                email_confirmed_at=timezone.now(),
                home_postcode=postcode.postcode if postcode else "",
                home_place=postcode.place if postcode else None,
            )
        if role is not None:
            user_grant_role(user=user, role=role, acting_user=None)
            if role == Role.ADMINISTRATOR and not user.is_superuser:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            TOTPDevice.objects.get_or_create(
                user=user,
                name="Demo authenticator",
                defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True},
            )
    if stdout is not None:
        stdout.write(f"Accounts: {len(DEMO_PEOPLE)} demo accounts (password {DEMO_PASSWORD}).")
