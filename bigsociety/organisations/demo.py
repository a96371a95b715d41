"""Demo organisations for Kingsbridge: one or more of every type, with realistic-looking
(fictional) org-ids, the places they serve, and a few memberships for the demo accounts.

``seed`` is idempotent (get_or_create by slug) and runs after places and accounts.
``seed_many(n)`` bulk-creates n plain organisations for benchmarks.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bigsociety.places.models import Place

from .models import Membership, Organisation

K = Organisation.Kind

# (slug, name, kind, org-id, places served as (kind, name or None for the authority),
#  verified, description, website host)
DEMO_ORGANISATIONS: list[tuple[str, str, str, str, list[tuple[str, str | None]], bool, str]] = [
    ("kingsbridge-council", "Kingsbridge Council", K.COUNCIL, "GB-LAE-KBGE",
     [("local_authority", None)], True,
     "The unitary authority for Kingsbridge: bins, libraries, planning, social care and more."),
    ("kingsbridge-central-library", "Kingsbridge Central Library", K.LIBRARY, "",
     [("local_authority", None)], True,
     "Books, computers, study space and the local studies collection. Run by the council."),
    ("museum-of-the-bells", "Museum of the Bells", K.MUSEUM, "GB-CHC-1190451",
     [("local_authority", None)], True,
     "Six centuries of bell founding in Bellfounders, in the old foundry building."),
    ("kingsbridge-archives", "Kingsbridge Archives", K.ARCHIVE, "",
     [("local_authority", None)], True,
     "Parish registers, council minutes, maps and photographs from 1400 to today."),
    ("dockside-food-bank", "Dockside Food Bank", K.CHARITY, "GB-CHC-1187352",
     [("ward", "Dockside")], True,
     "Emergency food parcels every Tuesday and Friday, and help with benefits and debt."),
    ("bellfounders-youth-club", "Bellfounders Youth Club", K.CHARITY, "GB-CHC-1172208",
     [("ward", "Bellfounders")], True,
     "Evening sessions, sport and trips for young people aged 11 to 18."),
    ("friends-of-abbey-fields-park", "Friends of Abbey Fields Park", K.CHARITY, "GB-CHC-1069417",
     [("ward", "Abbey Fields")], False,
     "Volunteers who plant, litter-pick and run events in Abbey Fields Park."),
    ("kingsbridge-almshouses", "Kingsbridge Almshouse Charity", K.CHARITY, "GB-CHC-263112",
     [("local_authority", None)], True,
     "Homes for older people of Kingsbridge since 1612."),
    ("cheapside-community-kitchen", "Cheapside Community Kitchen CIO", K.CIO, "GB-CHC-1195524",
     [("ward", "Cheapside Market")], True,
     "A pay-what-you-can café and cookery classes in Market Cross."),
    ("rope-walk-repair-cafe", "Rope Walk Repair Café CIC", K.CIC, "GB-COH-13456721",
     [("neighbourhood", "Rope Walk")], False,
     "Bring your broken things: volunteers fix them with you, once a month."),
    ("kingsbridge-community-energy", "Kingsbridge Community Energy Co-operative",
     K.COOPERATIVE, "GB-MPR-RS008245", [("local_authority", None)], True,
     "Solar panels on schools and community buildings, owned by local members."),
    ("bell-wharf-community-pub", "The Bell Wharf Community Pub", K.COMMUNITY_BENEFIT_SOCIETY,
     "GB-MPR-8312", [("neighbourhood", "Bell Wharf")], True,
     "The Bell, saved from closure in 2019 and owned by 400 local shareholders."),
    ("kingsbridge-credit-union", "Kingsbridge Credit Union", K.MUTUAL, "GB-MPR-IP30209R",
     [("local_authority", None)], True,
     "Savings and fair loans for people who live or work in Kingsbridge."),
    ("harbourside-print-works", "Harbourside Print Works", K.SOCIAL_ENTERPRISE,
     "GB-COH-13567702", [("neighbourhood", "Harbourside")], False,
     "A print shop training and employing people returning to work."),
    ("priory-lane-neighbourhood-forum", "Priory Lane Neighbourhood Forum",
     K.NEIGHBOURHOOD_FORUM, "", [("neighbourhood", "Priory Lane")], True,
     "Writing the neighbourhood plan for Priory Lane."),
    ("guild-gardens-town-council", "Guild Gardens Town Council", K.PARISH_COUNCIL, "",
     [("neighbourhood", "Guild Gardens")], True,
     "The town council for Guild Gardens: allotments, the green and the war memorial."),
    ("kingsbridge-police", "Kingsbridge Police", K.POLICE_FORCE, "",
     [("local_authority", None)], True,
     "The police force for Kingsbridge. In an emergency call 999."),
    ("tower-steps-primary-school", "Tower Steps Primary School", K.SCHOOL, "GB-EDU-139847",
     [("neighbourhood", "Tower Steps")], True,
     "A community primary school for children aged 4 to 11."),
    ("kingsbridge-bell-ringers", "Kingsbridge Society of Bell Ringers", K.OTHER, "",
     [("ward", "Bellfounders")], False,
     "Change ringing on Sundays and practice night on Thursdays. Beginners welcome."),
]  # fmt: skip

# (email of a demo account, organisation slug, role, status)
DEMO_MEMBERSHIPS = [
    ("orgadmin@demo.invalid", "dockside-food-bank", Membership.Role.ADMIN, "active"),
    ("orgadmin@demo.invalid", "friends-of-abbey-fields-park", Membership.Role.ADMIN, "active"),
    ("member@demo.invalid", "dockside-food-bank", Membership.Role.MEMBER, "active"),
    ("member@demo.invalid", "friends-of-abbey-fields-park", Membership.Role.EDITOR, "active"),
    ("resident@demo.invalid", "friends-of-abbey-fields-park", Membership.Role.MEMBER, "requested"),
    ("data.officer@demo.invalid", "kingsbridge-council", Membership.Role.EDITOR, "active"),
]


def _place(kind: str, name: str | None) -> Place | None:
    places = Place.objects.filter(kind=kind)
    if name is not None:
        places = places.filter(name=name)
    return places.order_by("code").first()


@transaction.atomic
def seed(*, stdout: Any = None) -> None:
    from django.contrib.auth import get_user_model

    created = 0
    for slug, name, kind, org_id, served, verified, description in DEMO_ORGANISATIONS:
        organisation, was_created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "org_id": org_id,
                "description": description,
                "verified": verified,
                "verified_at": timezone.now() if verified else None,
                "website": f"https://{slug}.example.org/",
                "email": f"hello@{slug}.example.org",
            },
        )
        created += was_created
        places = [p for p in (_place(k, n) for k, n in served) if p is not None]
        if places and not organisation.places.exists():
            organisation.places.set(places)
    users = get_user_model().objects.in_bulk(
        [email for email, *_rest in DEMO_MEMBERSHIPS], field_name="email"
    )
    organisations = Organisation.objects.in_bulk(
        [slug for _email, slug, *_rest in DEMO_MEMBERSHIPS], field_name="slug"
    )
    for email, slug, role, status in DEMO_MEMBERSHIPS:
        if email in users and slug in organisations:
            Membership.objects.get_or_create(
                organisation=organisations[slug],
                user=users[email],
                defaults={"role": role, "status": status},
            )
    if stdout is not None:
        stdout.write(
            f"Organisations: {len(DEMO_ORGANISATIONS)} demo organisations ({created} new)."
        )


def seed_many(n: int, *, prefix: str = "organisation", stdout: Any = None) -> int:
    """Bulk-create ``n`` organisations (slugs ``<prefix>-00000``…) of every type, each serving
    one neighbourhood (or ward) of the demo area. Existing slugs are skipped; returns how many
    were made."""
    import random

    kinds = list(Organisation.Kind.values)
    rng = random.Random(20100719)
    areas = list(
        Place.objects.filter(kind=Place.Kind.NEIGHBOURHOOD).values_list("pk", flat=True)
    ) or list(Place.objects.exclude(kind=Place.Kind.LSOA).values_list("pk", flat=True))
    slugs = [f"{prefix}-{i:05d}" for i in range(n)]
    existing = set(
        Organisation.objects.filter(slug__startswith=f"{prefix}-").values_list("slug", flat=True)
    )
    with transaction.atomic():
        made = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{prefix.replace('-', ' ').title()} {i:05d} of Kingsbridge",
                    slug=slug,
                    kind=kinds[i % len(kinds)],
                    description=f"A {kinds[i % len(kinds)].replace('_', ' ')} in Kingsbridge.",
                    verified=bool(i % 3),
                )
                for i, slug in enumerate(slugs)
                if slug not in existing
            ],
            batch_size=2000,
        )
        if areas:
            through = Organisation.places.through
            through.objects.bulk_create(
                [through(organisation_id=o.pk, place_id=rng.choice(areas)) for o in made],
                batch_size=5000,
            )
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics, so the planner uses the indexes
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE organisations_organisation")
            cursor.execute("ANALYZE organisations_organisation_places")
    if stdout is not None:
        stdout.write(f"Organisations: {len(made)} made in bulk.")
    return len(made)
