"""Demo catalogue: a few dozen realistic datasets with CSV resources across the demo
organisations of Kingsbridge. Idempotent: datasets are found by name. Runs after places and
organisations; then seeds the right-to-data demo (``demo_requests.seed``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from bigsociety.organisations.models import Organisation
from bigsociety.places.models import Place

from .models import Dataset, Theme
from .services import catalogue as services

THEMES = [
    ("crime-and-justice", "Crime and justice", "http://id.esd.org.uk/function/20"),
    ("finance", "Council finance", ""),
    ("environment", "Environment", ""),
    ("transport", "Transport", ""),
    ("culture", "Culture and heritage", ""),
    ("community", "Community and society", ""),
    ("housing", "Housing", ""),
    ("health", "Health and care", ""),
]
WARDS = ["Abbey Fields", "Bellfounders", "Cheapside Market", "Dockside"]
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]

# (publisher slug, title, themes, tags, frequency, columns maker)
DATASETS: list[tuple[str, str, list[str], list[str], str, str]] = [
    (
        "kingsbridge-police",
        "Street crime by ward",
        ["crime-and-justice"],
        ["crime", "police"],
        "R/P1M",
        "crime",
    ),
    (
        "kingsbridge-police",
        "Anti-social behaviour reports",
        ["crime-and-justice"],
        ["asb", "police"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-police",
        "Stop and search",
        ["crime-and-justice"],
        ["police", "stop and search"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Spend over £500",
        ["finance"],
        ["spend", "transparency"],
        "R/P1M",
        "spend",
    ),
    (
        "kingsbridge-council",
        "Procurement card transactions",
        ["finance"],
        ["spend", "transparency"],
        "R/P3M",
        "spend",
    ),
    (
        "kingsbridge-council",
        "Council tax bands by ward",
        ["finance", "housing"],
        ["council tax"],
        "R/P1Y",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Business rates reliefs",
        ["finance"],
        ["business rates"],
        "R/P3M",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Waste collections and missed bins",
        ["environment"],
        ["waste", "recycling"],
        "R/P1M",
        "counts",
    ),
    ("kingsbridge-council", "Recycling rates", ["environment"], ["recycling"], "R/P3M", "rates"),
    (
        "kingsbridge-council",
        "Fly-tipping incidents",
        ["environment", "crime-and-justice"],
        ["fly-tipping"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Air quality readings",
        ["environment", "health"],
        ["air quality", "no2"],
        "R/P1M",
        "rates",
    ),
    ("kingsbridge-council", "Street lights", ["transport"], ["street lighting"], "R/P1Y", "counts"),
    ("kingsbridge-council", "Car park occupancy", ["transport"], ["parking"], "R/P1M", "rates"),
    (
        "kingsbridge-council",
        "Road casualties",
        ["transport", "health"],
        ["road safety"],
        "R/P1Y",
        "counts",
    ),
    ("kingsbridge-council", "Planning applications", ["housing"], ["planning"], "R/P1W", "counts"),
    ("kingsbridge-council", "Housing register", ["housing"], ["housing"], "R/P3M", "counts"),
    (
        "kingsbridge-council",
        "Empty homes",
        ["housing"],
        ["housing", "empty homes"],
        "R/P6M",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Public toilets",
        ["health", "community"],
        ["toilets"],
        "R/P1Y",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Food hygiene inspections",
        ["health"],
        ["food", "hygiene"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-council",
        "Councillors' allowances",
        ["finance"],
        ["transparency"],
        "R/P1Y",
        "spend",
    ),
    (
        "kingsbridge-central-library",
        "Library visits",
        ["culture"],
        ["libraries"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-central-library",
        "Library loans by category",
        ["culture"],
        ["libraries", "books"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-central-library",
        "Public computer sessions",
        ["culture", "community"],
        ["libraries", "digital"],
        "R/P3M",
        "counts",
    ),
    ("museum-of-the-bells", "Museum visitor numbers", ["culture"], ["museums"], "R/P1M", "counts"),
    (
        "museum-of-the-bells",
        "Collection objects on display",
        ["culture"],
        ["museums", "collections"],
        "irregular",
        "counts",
    ),
    ("kingsbridge-archives", "Archive enquiries", ["culture"], ["archives"], "R/P3M", "counts"),
    (
        "dockside-food-bank",
        "Food parcels given",
        ["community", "health"],
        ["food bank"],
        "R/P1M",
        "counts",
    ),
    (
        "bellfounders-youth-club",
        "Youth club attendance",
        ["community"],
        ["young people"],
        "R/P1M",
        "counts",
    ),
    (
        "kingsbridge-community-energy",
        "Solar generation",
        ["environment"],
        ["energy", "solar"],
        "R/P1M",
        "rates",
    ),
    (
        "rope-walk-repair-cafe",
        "Items repaired",
        ["environment", "community"],
        ["repair", "reuse"],
        "R/P1M",
        "counts",
    ),
    (
        "friends-of-abbey-fields-park",
        "Park volunteer hours",
        ["community", "environment"],
        ["parks", "volunteering"],
        "R/P3M",
        "counts",
    ),
    (
        "tower-steps-primary-school",
        "School meal uptake",
        ["health"],
        ["schools", "food"],
        "R/P3M",
        "rates",
    ),
]


def _csv(kind: str, rng: random.Random) -> str:
    lines: list[str] = []
    if kind == "crime":
        lines.append("Month,Ward,Crime type,Count")
        for month in MONTHS:
            for ward in WARDS:
                for crime in ("Burglary", "Robbery", "Vehicle crime", "Anti-social behaviour"):
                    lines.append(f"{month},{ward},{crime},{rng.randint(0, 40)}")
    elif kind == "spend":
        lines.append("Payment date,Transaction number,Department,Supplier name,Purpose,Amount")
        suppliers = [
            "Kingsbridge Paving Ltd",
            "Bell Wharf Stationers",
            "Harbourside Print Works",
            "Dockside Cleaning Co",
            "Guild IT Services",
            "Redacted personal data",
        ]
        for i in range(120):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            amount = rng.randint(50000, 5000000) / 100
            department = rng.choice(["Highways", "Libraries", "Waste", "Housing"])
            purpose = rng.choice(["Repairs", "Supplies", "Consultancy", "Cleaning"])
            lines.append(
                f"{day.strftime('%d/%m/%Y')},KB{100000 + i},{department},"
                f"{rng.choice(suppliers)},{purpose},{amount:.2f}"
            )
    elif kind == "rates":
        lines.append("Month,Ward,Rate")
        for month in MONTHS:
            for ward in WARDS:
                lines.append(f"{month},{ward},{rng.uniform(10, 90):.1f}")
    else:
        lines.append("Month,Ward,Count")
        for month in MONTHS:
            for ward in WARDS:
                lines.append(f"{month},{ward},{rng.randint(0, 500)}")
    return "\r\n".join(lines) + "\r\n"


def seed(*, stdout: Any = None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    themes = {}
    for slug, title, uri in THEMES:
        themes[slug], _created = Theme.objects.get_or_create(
            slug=slug, defaults={"title": title, "uri": uri}
        )
    organisations = {o.slug: o for o in Organisation.objects.all()}
    authority = Place.objects.filter(kind="local_authority").first()
    made = 0
    for index, (org_slug, title, theme_slugs, tags, frequency, kind) in enumerate(DATASETS):
        publisher = organisations.get(org_slug)
        if publisher is None:
            continue
        name = (
            services.slug_for(title) if not Dataset.objects.filter(title=title).exists() else None
        )
        if name is None:
            continue
        rng = random.Random(index)
        dataset = services.dataset_create(
            publisher=publisher,
            name=name,
            title=title,
            description=(
                f"{title} in Kingsbridge, published by {publisher.name}.\n\n"
                "Figures are for each ward and month. See the *notes* column where present; "
                "counts below 5 are not suppressed in this demonstration data."
            ),
            acting_user=None,
            tags=tags,
            themes=[themes[s] for s in theme_slugs],
            places=[authority] if authority else [],
            contact_name=f"{publisher.name} data team",
            contact_email=publisher.email or "",
            temporal_start=dt.date(2025, 1, 1),
            temporal_end=dt.date(2025, 12, 31),
            update_frequency=frequency,
        )
        services.resource_create(
            dataset=dataset,
            name=f"{title}, 2025",
            acting_user=None,
            upload=SimpleUploadedFile(f"{name}-2025.csv", _csv(kind, rng).encode(), "text/csv"),
        )
        if index % 11 != 10:  # a few stay drafts
            services.dataset_publish(dataset=dataset, acting_user=None)
            if index % 7 == 3:  # and a few are overdue
                Dataset.objects.filter(pk=dataset.pk).update(
                    next_release_on=timezone.localdate() - dt.timedelta(days=index % 5 + 1)
                )
        made += 1
    if stdout is not None:
        stdout.write(f"Open data: {made} datasets added\n")
    try:
        from . import demo_requests
    except ImportError:
        return
    demo_requests.seed(stdout=stdout)
