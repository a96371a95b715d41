"""Every write about places: importing boundaries and the postcode directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from bigsociety.common.audit import audit_record

from .boundaries import BoundaryProblem, read_boundaries
from .geometry import bounds_of, geometry_from_geojson
from .models import Place, Postcode


class ImportRejected(Exception):
    """A file with problems: nothing was imported. ``problems`` lists every one."""

    def __init__(self, problems: list[Any]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


@dataclass
class BoundaryImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _unique_slug(name: str, code: str, taken: set[str]) -> str:
    base = slugify(name) or code.lower()
    slug = base
    if slug in taken:
        slug = f"{base}-{code.lower()}"
    taken.add(slug)
    return slug


@transaction.atomic
def boundaries_import(*, text: str, acting_user: Any = None) -> BoundaryImportResult:
    """Create or update the places in a GeoJSON FeatureCollection, all or nothing.

    Raises ImportRejected with every problem (feature number and line) if any feature is
    broken, if a parent code is unknown, or if a parent is not larger than its child.
    """
    parsed = read_boundaries(text)
    problems: list[BoundaryProblem] = list(parsed.problems)
    in_file = {row.code: row for row in parsed.rows}
    existing = {p.code: p for p in Place.objects.all()}
    depth = {k: v for k, v in Place.DEPTH.items()}
    for row in parsed.rows:
        if not row.parent_code:
            continue
        parent_kind = (
            in_file[row.parent_code].kind
            if row.parent_code in in_file
            else existing[row.parent_code].kind
            if row.parent_code in existing
            else None
        )
        if parent_kind is None:
            problems.append(
                BoundaryProblem(row.number, row.line, f"parent_code {row.parent_code} is unknown")
            )
        elif depth[Place.Kind(parent_kind)] >= depth[Place.Kind(row.kind)]:
            problems.append(
                BoundaryProblem(
                    row.number,
                    row.line,
                    f"a {row.kind} cannot lie within a {parent_kind} ({row.parent_code})",
                )
            )
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.number, p.line)))

    result = BoundaryImportResult()
    taken = set(Place.objects.values_list("slug", flat=True))
    # Parents before children, so parent look-ups always succeed.
    rows = sorted(parsed.rows, key=lambda r: depth[Place.Kind(r.kind)])
    for row in rows:
        bounds = bounds_of(geometry_from_geojson(row.geometry))
        values = {
            "name": row.name,
            "kind": row.kind,
            "boundary": row.geometry,
            "parent": existing.get(row.parent_code) if row.parent_code else None,
            "min_lat": bounds.min_lat,
            "max_lat": bounds.max_lat,
            "min_lng": bounds.min_lng,
            "max_lng": bounds.max_lng,
            "centre_lat": bounds.centre_lat,
            "centre_lng": bounds.centre_lng,
        }
        place = existing.get(row.code)
        if place is None:
            place = Place.objects.create(
                code=row.code, slug=_unique_slug(row.name, row.code, taken), **values
            )
            result.created.append(row.code)
        else:
            for key, value in values.items():
                setattr(place, key, value)
            place.save()
            result.updated.append(row.code)
        existing[row.code] = place
    if rows:
        audit_record(
            actor=acting_user,
            action="places.import_boundaries",
            target=existing[rows[0].code],
            changes={"created": result.created, "updated": result.updated},
        )
    return result


@dataclass
class PostcodeImportResult:
    imported: int
    unplaced: int
    skipped_without_location: int


@transaction.atomic
def postcodes_import(*, data: Any, acting_user: Any = None) -> PostcodeImportResult:
    """Import an ONS Postcode Directory-style CSV, all or nothing, streaming in batches.

    Each postcode is placed in the smallest place whose boundary holds it; failing that, the
    place with its LSOA or ward code. Raises common.csvimport.ImportRejected listing every
    problem by line and column.
    """
    from bigsociety.common.csvimport import Row, run_import

    from .postcode_directory import COLUMNS, RepeatedPostcodes, has_location
    from .selectors import PlaceLocator

    locator = PlaceLocator()
    by_code = dict(Place.objects.values_list("code", "pk"))
    order = ["lsoa", "neighbourhood", "ward", "local_authority"]
    counts = {"unplaced": 0, "skipped": 0}
    first: list[str] = []

    def save(rows: list[Row]) -> int:
        objects = []
        for row in rows:
            v = row.values
            if not has_location(row):
                counts["skipped"] += 1
                continue
            found = locator.locate(v["latitude"], v["longitude"])
            place_id = next((found[k] for k in order if k in found), None)
            if place_id is None:
                place_id = by_code.get(v["lsoa_code"] or "") or by_code.get(v["ward_code"] or "")
            counts["unplaced"] += place_id is None
            objects.append(
                Postcode(
                    postcode=v["postcode"],
                    latitude=v["latitude"],
                    longitude=v["longitude"],
                    ward_code=v["ward_code"] or "",
                    lsoa_code=v["lsoa_code"] or "",
                    place_id=place_id,
                )
            )
        Postcode.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=[
                "latitude",
                "longitude",
                "ward_code",
                "lsoa_code",
                "place",
                "updated_at",
            ],
        )
        if objects and not first:
            first.append(objects[0].postcode)
        return len(objects)

    result = run_import(data, COLUMNS, handle_batch=save, row_check=RepeatedPostcodes())
    imported = PostcodeImportResult(result.rows_imported, counts["unplaced"], counts["skipped"])
    if first:
        audit_record(
            actor=acting_user,
            action="places.import_postcodes",
            target=Postcode.objects.get(postcode=first[0]),
            changes={"imported": imported.imported, "unplaced": imported.unplaced},
        )
    return imported
