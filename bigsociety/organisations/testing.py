"""The permission matrix: one helper every app uses to test who may use a view or endpoint.

The house style asks that every view and endpoint be tested against six people:

=====================  ==============================================================
persona                who
=====================  ==============================================================
``ANONYMOUS``          nobody signed in
``RESIDENT``           a signed-in person with no role anywhere
``MEMBER``             an active *member* of the organisation under test
``ADMIN``              an active *admin* of the organisation under test
``STAFF``              staff (``is_staff``) without the role under test
``STAFF_WITH_ROLE``    staff holding the role under test (default Role.ADMINISTRATOR)
=====================  ==============================================================

and, when a test names them in ``expected``, two optional extras: ``EDITOR`` (an active
*editor* of the organisation) and ``SUPERUSER`` (holds every role).

Staff personas are signed in with a session verified by a second factor (django-otp), so the
back office (/admin/, /staff/) treats them as it would in real life; ``login_verified`` does
the same for any test.

Typical use, in a test that has the ``client`` fixture and database access::

    from bigsociety.accounts.roles import Role
    from bigsociety.organisations.testing import (
        ADMIN, ANONYMOUS, LOGIN, MEMBER, RESIDENT, STAFF, STAFF_WITH_ROLE,
        assert_permission_matrix,
    )

    def test_dataset_edit_matrix(client):
        dataset = DatasetFactory()
        assert_permission_matrix(
            client, "post", dataset.edit_url,
            organisation=dataset.publisher,          # whose member/admin the personas are
            role=Role.DATA_OFFICER,                  # the role STAFF_WITH_ROLE holds
            data={"title": "New title"},
            expected={
                ANONYMOUS: LOGIN,                    # redirected to sign in
                RESIDENT: 403, MEMBER: 403, STAFF: 403,
                ADMIN: 302, STAFF_WITH_ROLE: 302,
            },
            unchanged=lambda: Dataset.objects.values_list("title", flat=True).get(pk=dataset.pk),
        )

How it runs: each persona's request is made inside its own savepoint that is rolled back
afterwards, so one persona's successful write never changes what the next one sees (and the
people and organisation are reused). For every *denied* persona (expected ``LOGIN`` or a
status of 400 and over) ``unchanged()`` is called before and after the request and must
return equal values: a denial changed nothing. All mismatches are reported together, as a
table.

- ``url`` and ``data`` may be callables taking ``(persona, user)``, for requests that depend
  on who makes them.
- ``auth="token"`` sends ``Authorization: Bearer <token>`` (a personal API token issued for the
  persona) instead of a session, for the JSON API's write endpoints.
- ``content_type="application/json"`` sends ``data`` as JSON.
- ``personas(organisation, role=...)`` gives you the people themselves, and
  ``sign_in(client, user)`` signs one in the same way, for tests of your own.
- The matrix must name all six personas; a missing one is an error, not a pass.

Use it with pytest-django's default (transactional) ``django_db``; it also works with
``transaction=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url

from bigsociety.accounts.roles import Role

from .models import Membership, Organisation

ANONYMOUS = "anonymous"
RESIDENT = "resident"
MEMBER = "org_member"
ADMIN = "org_admin"
STAFF = "staff"
STAFF_WITH_ROLE = "staff_with_role"
EDITOR = "org_editor"
SUPERUSER = "superuser"

PERSONAS: tuple[str, ...] = (ANONYMOUS, RESIDENT, MEMBER, ADMIN, STAFF, STAFF_WITH_ROLE)
EXTRA_PERSONAS: tuple[str, ...] = (EDITOR, SUPERUSER)
STAFF_PERSONAS = frozenset({STAFF, STAFF_WITH_ROLE, SUPERUSER})

LOGIN = "login"
"""Expected outcome: a redirect (302) to the sign-in page."""

Expected = int | str
Persona = str


def _user_factory() -> Any:
    from bigsociety.accounts.tests.factories import UserFactory

    return UserFactory


def _organisation() -> Organisation:
    n = Organisation.objects.count() + 1
    while Organisation.objects.filter(slug=f"matrix-organisation-{n}").exists():
        n += 1
    return Organisation.objects.create(
        name=f"Matrix organisation {n}",
        slug=f"matrix-organisation-{n}",
        kind=Organisation.Kind.CHARITY,
    )


def _member(organisation: Organisation, role: str, label: str) -> Any:
    user = _user_factory()(display_name=f"{label} of {organisation.name}")
    Membership.objects.create(
        organisation=organisation, user=user, role=role, status=Membership.Status.ACTIVE
    )
    return user


def personas(
    organisation: Organisation | None = None,
    *,
    role: Role | str = Role.ADMINISTRATOR,
    extras: Iterable[Persona] = (),
) -> dict[Persona, Any]:
    """The people of the matrix: persona name -> user (None for ANONYMOUS).

    MEMBER and ADMIN (and EDITOR, if asked for in ``extras``) are active members of
    ``organisation``; without one, a throwaway organisation is made, so they are members of
    *an* organisation but not of the object under test. STAFF has ``is_staff`` and no role;
    STAFF_WITH_ROLE holds ``role``.
    """
    user_factory = _user_factory()
    organisation = organisation or _organisation()
    people: dict[Persona, Any] = {
        ANONYMOUS: None,
        RESIDENT: user_factory(display_name="Resident"),
        MEMBER: _member(organisation, Membership.Role.MEMBER, "Member"),
        ADMIN: _member(organisation, Membership.Role.ADMIN, "Admin"),
        STAFF: user_factory(display_name="Staff without the role", is_staff=True),
        STAFF_WITH_ROLE: user_factory(display_name=f"Staff: {role}", roles=[role]),
    }
    for extra in extras:
        if extra == EDITOR:
            people[EDITOR] = _member(organisation, Membership.Role.EDITOR, "Editor")
        elif extra == SUPERUSER:
            people[SUPERUSER] = user_factory(
                display_name="Superuser", is_staff=True, is_superuser=True
            )
        else:
            raise ValueError(f"unknown extra persona {extra!r}; use one of {EXTRA_PERSONAS}")
    return people


def login_verified(client: Any, user: Any) -> None:
    """Sign ``user`` in with a session verified by a second factor (as after entering a TOTP
    or backup code), so /admin/ and /staff/ pages let staff through."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Test backup codes", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in(client: Any, user: Any) -> None:
    """Sign ``user`` in as the matrix does: nobody for None, staff with a verified second
    factor, everyone else with a plain session."""
    client.logout()
    if user is None:
        return
    if user.is_staff or user.is_superuser:
        login_verified(client, user)
    else:
        client.force_login(user)


def _token_header(user: Any) -> dict[str, str]:
    if user is None:
        return {}
    from bigsociety.accounts.models import ApiToken
    from bigsociety.accounts.tokens import new_api_token

    raw = new_api_token()
    ApiToken.objects.create(
        user=user, name="permission matrix", prefix=raw[:10], digest=ApiToken.digest_of(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def is_denial(expected: Expected) -> bool:
    return expected == LOGIN or (isinstance(expected, int) and expected >= 400)


def _outcome(response: HttpResponse) -> Expected:
    if response.status_code == 302:
        login_url = resolve_url(settings.LOGIN_URL)
        if response.get("Location", "").startswith(login_url):
            return LOGIN
    return response.status_code


def assert_permission_matrix(
    client: Any,
    method: str,
    url: str | Callable[[Persona, Any], str],
    expected: dict[Persona, Expected],
    *,
    organisation: Organisation | None = None,
    role: Role | str = Role.ADMINISTRATOR,
    data: Any = None,
    unchanged: Callable[[], Any] | None = None,
    people: dict[Persona, Any] | None = None,
    auth: str = "session",
    content_type: str | None = None,
    **extra: Any,
) -> dict[Persona, HttpResponse]:
    """Make the request as each persona and assert the outcome each gets.

    ``expected`` maps every persona (all six of ``PERSONAS``, plus any of ``EXTRA_PERSONAS``)
    to an HTTP status or ``LOGIN``. ``people`` reuses personas you already made with
    ``personas()``. Returns each persona's response, for further assertions.
    """
    missing = [p for p in PERSONAS if p not in expected]
    unknown = [p for p in expected if p not in PERSONAS + EXTRA_PERSONAS]
    if missing or unknown:
        raise AssertionError(
            f"the permission matrix must name every persona: missing {missing}, unknown {unknown}"
        )
    if auth not in ("session", "token"):
        raise ValueError("auth is 'session' or 'token'")
    if people is None:
        people = personas(
            organisation, role=role, extras=[p for p in EXTRA_PERSONAS if p in expected]
        )
    call = getattr(client, method.lower())
    responses: dict[Persona, HttpResponse] = {}
    failures: list[str] = []
    for persona, want in expected.items():
        user = people[persona]
        with transaction.atomic():
            client.logout()
            headers: dict[str, str] = {}
            if auth == "session":
                sign_in(client, user)
            else:
                headers = _token_header(user)
            target = url(persona, user) if callable(url) else url
            payload = data(persona, user) if callable(data) else data
            before = unchanged() if unchanged is not None and is_denial(want) else None
            kwargs: dict[str, Any] = {**extra, **headers}
            if content_type is not None:
                kwargs["content_type"] = content_type
            response = (
                call(target, payload, **kwargs) if payload is not None else call(target, **kwargs)
            )
            got = _outcome(response)
            responses[persona] = response
            if got != want:
                failures.append(f"  {persona:<16} expected {want!s:<6} got {got}")
            elif unchanged is not None and is_denial(want):
                after = unchanged()
                if after != before:
                    failures.append(
                        f"  {persona:<16} was refused ({got}) but something changed: "
                        f"{before!r} -> {after!r}"
                    )
            transaction.set_rollback(True)
    client.logout()
    if failures:
        raise AssertionError(
            f"permission matrix for {method.upper()} {url if not callable(url) else '<url>'}:\n"
            + "\n".join(failures)
        )
    return responses
