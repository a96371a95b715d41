"""Publication: each imported force-month becomes a release of the open-data catalogue's
"Street-level crime" dataset for that force. The only way into the catalogue is
``bigsociety.opendata.api`` (the one allowed sibling edge)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.db import transaction

from bigsociety.opendata import api as opendata
from bigsociety.organisations.api import Organisation

from .. import bulk
from ..models import Crime, Force, ForceMonth


def dataset_name(force: str) -> str:
    return f"street-level-crime-{force}"[:100]


def release_name(month: dt.date) -> str:
    return f"Street-level crime, {month:%B %Y}"


def month_csv(*, force: str, month: dt.date) -> bytes:
    """A force-month of street crime in the data.police.uk street layout."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(bulk.LAYOUTS[bulk.STREET])
    names = bulk.CATEGORY_NAMES
    month_s = bulk.month_str(month)
    for c in (
        Crime.objects.of_force_month(force, month)
        .order_by("id")
        .values_list(
            "crime_id",
            "reported_by",
            "falls_within",
            "longitude",
            "latitude",
            "location",
            "lsoa_code",
            "lsoa_name",
            "category",
            "last_outcome",
            "context",
        )
        .iterator(chunk_size=5000)
    ):
        writer.writerow(
            [
                c[0],
                month_s,
                c[1],
                c[2],
                "" if c[3] is None else f"{c[3]:.6f}",
                "" if c[4] is None else f"{c[4]:.6f}",
                c[5],
                c[6],
                c[7],
                names.get(c[8], c[8]),
                c[9],
                c[10],
            ]
        )
    return out.getvalue().encode()


def _publisher(force: Force) -> Organisation:
    # The police force as a publisher in the directory (created the first time it publishes;
    # organisations.api offers no system-level create, so this reads/creates by natural key).
    organisation, _ = Organisation.objects.get_or_create(
        slug=f"police-{force.slug}"[:220],
        defaults={"name": force.name, "kind": Organisation.Kind.POLICE_FORCE},
    )
    return organisation


@transaction.atomic
def publish_month(*, force: str, month: dt.date, acting_user: Any = None) -> Any | None:
    """Publish ``month`` of ``force`` as a release of its "Street-level crime" dataset.

    Idempotent: a month already released (same release name) is not released twice.
    Returns the catalogue resource, or None when there was nothing (new) to publish.
    """
    record = (
        ForceMonth.objects.select_related("force")
        .filter(force__slug=force, month=month, kind=ForceMonth.Kind.STREET)
        .first()
    )
    if record is None:
        return None
    dataset = opendata.dataset_get_or_create(
        publisher=_publisher(record.force),
        name=dataset_name(force),
        title=f"Street-level crime: {record.force.name}",
        description=(
            f"Street-level crime and anti-social behaviour recorded by {record.force.name}, "
            "one release a month, in the data.police.uk street layout (12 columns). Locations "
            "are approximate, as published. Source: data.police.uk, Open Government Licence v3.0."
        ),
        tags=["crime", "police", "anti-social behaviour"],
        acting_user=acting_user,
    )
    name = release_name(month)
    if dataset.resources.filter(name=name).exists():
        return None
    return opendata.release_publish(
        dataset=dataset,
        name=name,
        filename=f"{bulk.month_str(month)}-{force}-street.csv",
        content=month_csv(force=force, month=month),
        description=f"{record.rows} rows; {record.no_location} with no location.",
        acting_user=acting_user,
        max_bytes=500 * 1024 * 1024,
    )
