"""The bulk importer: data.police.uk CSVs into the database, one force-month at a time.

Each file is one force-month of one layout. It is read as a stream (csv.reader, rows written
in batches: PostgreSQL ``COPY``, SQLite ``executemany``), so memory stays flat whatever the
file size. Every file runs in its own transaction that first deletes that force-month: a
re-import replaces it, and a file with any bad row (malformed month, longitude, latitude,
unknown crime type…) is rolled back whole, every bad line reported by file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min

from bigsociety.common.audit import audit_record
from bigsociety.places.api import Place, PlaceLocator

from .. import bulk
from ..models import Crime, CrimeOutcome, Force, ForceMonth, PlaceMonthCount, StopSearch

MAX_ERRORS_PER_FILE = 50
BATCH = 20_000
# A district holding under this share of a force-month's located rows is outside its area.
OUTSIDE_SHARE = 0.01
PLACE_KINDS = (Place.Kind.NEIGHBOURHOOD, Place.Kind.WARD, Place.Kind.LOCAL_AUTHORITY)

CRIME_COLUMNS = (
    "month",
    "force",
    "crime_id",
    "crime_key",
    "reported_by",
    "falls_within",
    "latitude",
    "longitude",
    "location",
    "location_id",
    "lsoa_code",
    "lsoa_name",
    "category",
    "last_outcome",
    "outcome_month",
    "context",
    "outside_area",
    "neighbourhood_id",
    "ward_id",
    "authority_id",
)
OUTCOME_COLUMNS = (
    "month",
    "force",
    "crime_id",
    "crime_key",
    "reported_by",
    "falls_within",
    "latitude",
    "longitude",
    "location",
    "location_id",
    "lsoa_code",
    "lsoa_name",
    "outcome",
)
STOP_COLUMNS = (
    "month",
    "force",
    "type",
    "datetime",
    "date_text",
    "part_of_operation",
    "operation_name",
    "latitude",
    "longitude",
    "gender",
    "age_range",
    "self_defined_ethnicity",
    "officer_defined_ethnicity",
    "legislation",
    "object_of_search",
    "outcome",
    "outcome_linked",
    "removal_of_clothing",
    "neighbourhood_id",
    "ward_id",
    "authority_id",
)


class BadFile(Exception):
    """A file that was refused: its force-month was left as it was."""


@dataclass
class FileReport:
    file: str
    force: str
    month: str
    kind: str
    imported: bool = False
    replaced: bool = False
    rows: int = 0
    no_location: int = 0
    without_id: int = 0
    repeated_ids: int = 0
    repeated_rows: int = 0
    outside_area: int = 0
    in_our_places: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    new_months: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files if f.imported)

    @property
    def ok(self) -> bool:
        return not self.problems and all(f.imported for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "files": [f.as_dict() for f in self.files],
            "problems": self.problems,
            "new_months": self.new_months,
        }


class PlaceAttributor:
    """The platform's neighbourhood, ward and authority for many points (an import).

    Boundaries are loaded once (PlaceLocator's STRtree); a point outside the box around every
    place is answered without a look-up, and published points repeat (they are snapped to
    anonymous map points), so answers are cached by point.
    """

    NONE = (None, None, None)

    def __init__(self) -> None:
        places = Place.objects.filter(kind__in=PLACE_KINDS).exclude(boundary=None)
        box = places.aggregate(Min("min_lat"), Max("max_lat"), Min("min_lng"), Max("max_lng"))
        self.empty = box["min_lat__min"] is None
        self.box = (
            (box["min_lat__min"], box["max_lat__max"], box["min_lng__min"], box["max_lng__max"])
            if not self.empty
            else (0.0, 0.0, 0.0, 0.0)
        )
        self.locator = None if self.empty else PlaceLocator(kinds=list(PLACE_KINDS))
        self.cache: dict[tuple[float, float], tuple[int | None, int | None, int | None]] = {}

    def locate(
        self, lat: float | None, lng: float | None
    ) -> tuple[int | None, int | None, int | None]:
        if lat is None or lng is None or self.locator is None:
            return self.NONE
        min_lat, max_lat, min_lng, max_lng = self.box
        if not (min_lat <= lat <= max_lat and min_lng <= lng <= max_lng):
            return self.NONE
        key = (lat, lng)
        found = self.cache.get(key)
        if found is None:
            kinds = self.locator.locate(lat, lng)
            found = (
                kinds.get(Place.Kind.NEIGHBOURHOOD),
                kinds.get(Place.Kind.WARD),
                kinds.get(Place.Kind.LOCAL_AUTHORITY),
            )
            if len(self.cache) > 500_000:  # bounded memory
                self.cache.clear()
            self.cache[key] = found
        return found


# --- writers -------------------------------------------------------------------------------


class _Writer:
    """Rows into one table in batches, on the connection's current transaction."""

    def __init__(self, table: str, columns: tuple[str, ...]):
        self.table = table
        self.columns = columns
        self.batch: list[tuple[Any, ...]] = []
        self.stopped = False

    def __enter__(self) -> _Writer:
        return self

    def add(self, row: tuple[Any, ...]) -> None:
        if self.stopped:
            return
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self.flush()

    def stop(self) -> None:
        """After a bad row nothing more is written (the file will be rolled back)."""
        self.stopped = True
        self.batch = []

    def flush(self) -> None:
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:
        if not self.stopped and exc[0] is None:
            self.flush()


class _SqliteWriter(_Writer):
    def __enter__(self) -> _SqliteWriter:
        marks = ",".join("?" for _ in self.columns)
        # table and columns are this module's constants, never input
        columns = ",".join(self.columns)
        self.sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()
        return self

    def flush(self) -> None:
        if self.batch:
            self.cursor.executemany(self.sql, self.batch)
            self.batch = []


class _PostgresWriter(_Writer):
    """COPY … FROM STDIN with psycopg 3, rows streamed through one open COPY."""

    def __enter__(self) -> _PostgresWriter:
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()
        self._copy_cm = self.cursor.copy(f"COPY {self.table} ({','.join(self.columns)}) FROM STDIN")
        self.copy = self._copy_cm.__enter__()
        return self

    def add(self, row: tuple[Any, ...]) -> None:
        if not self.stopped:
            self.copy.write_row(row)

    def flush(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        self._copy_cm.__exit__(*exc)


def _writer(table: str, columns: tuple[str, ...]) -> _Writer:
    if connection.vendor == "postgresql":
        return _PostgresWriter(table, columns)
    return _SqliteWriter(table, columns)


# --- one file ------------------------------------------------------------------------------


class _Errors:
    def __init__(self, report: FileReport):
        self.report = report

    def add(self, line: int, message: str) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_ERRORS_PER_FILE:
            self.report.errors.append(str(bulk.RowError(self.report.file, line, message)))


def _coords(
    lat_s: str, lng_s: str, line: int, errors: _Errors
) -> tuple[bool, float | None, float | None]:
    ok = True
    lat = lng = None
    try:
        lng = bulk.parse_coordinate(lng_s, low=bulk.MIN_LNG, high=bulk.MAX_LNG)
    except ValueError:
        errors.add(line, f"the longitude '{lng_s}' is not a longitude in the UK")
        ok = False
    try:
        lat = bulk.parse_coordinate(lat_s, low=bulk.MIN_LAT, high=bulk.MAX_LAT)
    except ValueError:
        errors.add(line, f"the latitude '{lat_s}' is not a latitude in the UK")
        ok = False
    if ok and (lat is None) != (lng is None):
        errors.add(line, "a row needs both a latitude and a longitude, or neither")
        ok = False
    return ok, lat, lng


def _street_rows(
    rows: Iterator[list[str]],
    report: FileReport,
    month: dt.date,
    force: str,
    places: PlaceAttributor,
    errors: _Errors,
    districts: Counter[str],
    outcomes: dict[str, tuple[str, dt.date]],
) -> Iterator[tuple[Any, ...]]:
    """Valid rows of a street file as CRIME_COLUMNS tuples; bad lines go to ``errors``.

    The hot loop of the import: a published point (latitude, longitude, street) repeats many
    times in a month, so its parsing, location id and place look-up are cached by its text.
    """
    month_s = bulk.month_str(month)
    seen: set[str] = set()
    categories = bulk.CATEGORIES
    locate = places.locate
    location_id = bulk.location_id
    crime_key = bulk.crime_key
    points: dict[tuple[str, str, str], tuple[Any, ...] | None] = {}
    line = 1
    for row in rows:
        line += 1
        try:
            cid, mon, reported, falls, lng_s, lat_s, loc, lsoa_c, lsoa_n, ctype, last, ctx = row
        except ValueError:
            errors.add(line, f"expected 12 columns, found {len(row)}")
            continue
        category = categories.get(ctype)
        if mon != month_s or category is None:
            if mon != month_s:
                errors.add(line, f"the month '{mon}' is not {month_s}, the file's month")
            _coords(lat_s, lng_s, line, errors)
            if category is None:
                errors.add(line, f"'{ctype}' is not a known crime type")
            continue
        if lat_s or lng_s:
            key = (lat_s, lng_s, loc)
            point = points.get(key)
            if point is None:
                good, lat, lng = _coords(lat_s, lng_s, line, errors)
                if not good or lat is None:
                    continue
                hood, ward, authority = locate(lat, lng)
                point = (lat, lng, location_id(lat, lng, loc), hood, ward, authority,
                         ward is not None or authority is not None)  # fmt: skip
                if len(points) > 200_000:  # bounded memory
                    points.clear()
                points[key] = point
            lat, lng, lid, hood, ward, authority, ours = point
            if ours:
                report.in_our_places += 1
            if lsoa_n:
                districts[lsoa_n] += 1
        else:
            report.no_location += 1
            lat = lng = lid = hood = ward = authority = None
        if cid:
            if cid in seen:
                report.repeated_ids += 1
            else:
                seen.add(cid)
            key_id = crime_key(cid)
            if outcomes and cid in outcomes:  # a later outcomes file already said more
                last, outcome_month = outcomes[cid]
            else:
                outcome_month = None
        else:
            outcome_month = None
            report.without_id += 1
            key_id = None
        report.rows += 1
        yield (month, force, cid, key_id, reported, falls, lat, lng, loc, lid, lsoa_c, lsoa_n,
               category, last, outcome_month, ctx, False, hood, ward, authority)  # fmt: skip


def _outcome_rows(
    rows: Iterator[list[str]],
    report: FileReport,
    month: dt.date,
    force: str,
    errors: _Errors,
) -> Iterator[tuple[Any, ...]]:
    month_s = bulk.month_str(month)
    seen: set[tuple[str, str]] = set()
    line = 1
    for row in rows:
        line += 1
        if len(row) != 10:
            errors.add(line, f"expected 10 columns, found {len(row)}")
            continue
        cid, mon, reported, falls, lng_s, lat_s, loc, lsoa_c, lsoa_n, outcome = row
        ok = True
        if mon != month_s:
            errors.add(line, f"the month '{mon}' is not {month_s}, the file's month")
            ok = False
        if not cid:
            errors.add(line, "an outcome needs a Crime ID")
            ok = False
        if not outcome:
            errors.add(line, "the Outcome type is empty")
            ok = False
        good, lat, lng = _coords(lat_s, lng_s, line, errors)
        if not (ok and good):
            continue
        key = (cid, outcome)
        if key in seen:  # repeated identical outcome rows are published; keep one
            report.repeated_rows += 1
            continue
        seen.add(key)
        if lat is None:
            report.no_location += 1
        report.rows += 1
        yield (
            month,
            force,
            cid,
            bulk.crime_key(cid),
            reported,
            falls,
            lat,
            lng,
            loc,
            bulk.location_id(lat, lng, loc),
            lsoa_c,
            lsoa_n,
            outcome,
        )


def _stop_rows(
    rows: Iterator[list[str]],
    report: FileReport,
    month: dt.date,
    force: str,
    places: PlaceAttributor,
    errors: _Errors,
) -> Iterator[tuple[Any, ...]]:
    line = 1
    for row in rows:
        line += 1
        if len(row) != 15:
            errors.add(line, f"expected 15 columns, found {len(row)}")
            continue
        (kind, date_s, part, op, lat_s, lng_s, gender, age, self_eth, off_eth, legislation,
         obj, outcome, linked, removal) = row  # fmt: skip
        ok = True
        try:
            when = dt.datetime.fromisoformat(date_s)
        except ValueError:
            errors.add(line, f"the date '{date_s}' is not a date and time")
            ok = False
        good, lat, lng = _coords(lat_s, lng_s, line, errors)
        if not (ok and good):
            continue
        if lat is None:
            report.no_location += 1
        hood, ward, authority = places.locate(lat, lng)
        if ward is not None or authority is not None:
            report.in_our_places += 1
        report.rows += 1
        yield (
            month,
            force,
            kind,
            when,
            date_s,
            part,
            op,
            lat,
            lng,
            gender,
            age,
            self_eth,
            off_eth,
            legislation,
            obj,
            outcome,
            linked,
            removal,
            hood,
            ward,
            authority,
        )


class _Rollback(Exception):
    pass


def _latest_outcomes(force: str, month: dt.date) -> dict[str, tuple[str, dt.date]]:
    """The newest outcome of each of a force's crimes from outcomes files of ``month`` on."""
    latest: dict[str, tuple[str, dt.date]] = {}
    rows = (
        CrimeOutcome.objects.filter(force=force, month__gte=month)
        .order_by("month", "id")
        .values_list("crime_id", "outcome", "month")
    )
    for crime_id, outcome, outcome_month in rows.iterator(chunk_size=20_000):
        latest[crime_id] = (outcome, outcome_month)
    return latest


def _apply_outcomes(*, force: str, month: dt.date) -> None:
    """An outcomes file of ``month`` brings its crimes' last outcome up to date."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE crime_crime SET last_outcome = o.outcome, outcome_month = o.month
            FROM crime_crimeoutcome o
            WHERE o.force = %s AND o.month = %s
              AND crime_crime.crime_key = o.crime_key AND crime_crime.crime_id = o.crime_id
              AND crime_crime.month <= o.month
              AND (crime_crime.outcome_month IS NULL OR crime_crime.outcome_month <= o.month)
            """,
            [force, month],
        )


def _count_places(force: str, month: dt.date) -> None:
    PlaceMonthCount.objects.filter(force=force, month=month).delete()
    with connection.cursor() as cursor:
        for column in ("neighbourhood_id", "ward_id", "authority_id"):
            # column is one of the three constants above, never input
            head = "INSERT INTO crime_placemonthcount (place_id, force, month, category, count) "
            body = f"SELECT {column}, force, month, category, COUNT(*) FROM crime_crime "  # noqa: S608
            tail = f"WHERE force = %s AND month = %s AND {column} IS NOT NULL GROUP BY {column}, force, month, category"  # noqa: E501
            sql = head + body + tail
            cursor.execute(sql, [force, month])


def _mark_outside(force: str, month: dt.date, lsoas: Counter[str]) -> int:
    districts: Counter[str] = Counter()
    for name, n in lsoas.items():
        districts[bulk.district_of(name)] += n
    total = sum(districts.values())
    if not total:
        return 0
    outside = [d for d, n in districts.items() if n / total < OUTSIDE_SHARE]
    marked = 0
    with connection.cursor() as cursor:
        for district in outside:
            cursor.execute(
                "UPDATE crime_crime SET outside_area = %s WHERE force = %s AND month = %s "
                "AND lsoa_name LIKE %s",
                [True, force, month, district.replace("%", "").replace("_", "") + " %"],
            )
            marked += max(cursor.rowcount, 0)
    return marked


def import_file(
    *,
    source: bulk.BulkFile,
    places: PlaceAttributor,
    acting_user: Any = None,
    on_rows: Callable[[int], None] | None = None,
) -> FileReport:
    """Import one bulk file, replacing its force-month, or refuse it whole."""
    name = source.name
    report = FileReport(
        file=source.label, force=name.force, month=bulk.month_str(name.month), kind=name.kind
    )
    errors = _Errors(report)
    try:
        with source.open() as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise BadFile(f"{source.label}: the file is empty")
            try:
                kind = bulk.detect_layout(header)
            except bulk.LayoutError as exc:
                raise BadFile(f"{source.label}: {exc}") from None
            if kind != name.kind:
                raise BadFile(
                    f"{source.label}: the name says a {name.kind} file but the header is "
                    f"the {kind} layout"
                )
            with transaction.atomic():
                report.replaced = _delete_force_month(name)
                districts: Counter[str] = Counter()
                if kind == bulk.STREET:
                    columns: tuple[str, ...]
                    table, columns = Crime._meta.db_table, CRIME_COLUMNS
                    rows: Iterable[tuple[Any, ...]] = _street_rows(
                        reader,
                        report,
                        name.month,
                        name.force,
                        places,
                        errors,
                        districts,
                        _latest_outcomes(name.force, name.month),
                    )
                elif kind == bulk.OUTCOMES:
                    table, columns = CrimeOutcome._meta.db_table, OUTCOME_COLUMNS
                    rows = _outcome_rows(reader, report, name.month, name.force, errors)
                else:
                    table, columns = StopSearch._meta.db_table, STOP_COLUMNS
                    rows = _stop_rows(reader, report, name.month, name.force, places, errors)
                with _writer(table, columns) as writer:
                    for count, row in enumerate(rows, start=1):
                        if report.error_count:
                            writer.stop()
                        writer.add(row)
                        if on_rows is not None and count % 50_000 == 0:
                            on_rows(count)
                    if report.error_count:
                        writer.stop()
                if report.error_count:
                    raise _Rollback
                force = _force(name.force, source)
                if kind == bulk.STREET:
                    report.outside_area = _mark_outside(name.force, name.month, districts)
                    _count_places(name.force, name.month)
                elif kind == bulk.OUTCOMES:
                    _apply_outcomes(force=name.force, month=name.month)
                record, _ = ForceMonth.objects.update_or_create(
                    force=force,
                    month=name.month,
                    kind=kind,
                    defaults={
                        "source": source.label[:500],
                        "rows": report.rows,
                        "no_location": report.no_location,
                        "without_id": report.without_id,
                        "repeated_ids": report.repeated_ids,
                        "outside_area": report.outside_area,
                        "in_our_places": report.in_our_places,
                        "imported_by": acting_user
                        if getattr(acting_user, "is_authenticated", False)
                        else None,
                    },
                )
                audit_record(
                    actor=acting_user,
                    action="crime.force_month.import",
                    target=record,
                    changes={"rows": report.rows, "replaced": report.replaced},
                )
                report.imported = True
    except _Rollback:
        report.imported = False
    except BadFile as exc:
        report.error_count += 1
        report.errors.append(str(exc))
    except (UnicodeDecodeError, csv.Error) as exc:
        report.error_count += 1
        report.errors.append(f"{source.label}: the file cannot be read as CSV text ({exc})")
    return report


def _delete_force_month(name: bulk.BulkName) -> bool:
    model = {bulk.STREET: Crime, bulk.OUTCOMES: CrimeOutcome, bulk.STOP_AND_SEARCH: StopSearch}[
        name.kind
    ]
    existed = ForceMonth.objects.filter(
        force__slug=name.force, month=name.month, kind=name.kind
    ).exists()
    manager = model._default_manager
    manager.filter(force=name.force, month=name.month)._raw_delete(  # type: ignore[attr-defined]  # private Django API: a bulk DELETE without collecting rows
        manager.db
    )
    if name.kind == bulk.STREET:
        PlaceMonthCount.objects.filter(force=name.force, month=name.month)._raw_delete(
            PlaceMonthCount.objects.db
        )
    return existed


def _force(slug: str, source: bulk.BulkFile) -> Force:
    force, _ = Force.objects.get_or_create(
        slug=slug, defaults={"name": bulk.FORCES.get(slug, slug.replace("-", " ").title())}
    )
    return force


def import_paths(
    *,
    paths: list[Path],
    acting_user: Any = None,
    on_file: Callable[[int, int, FileReport], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every bulk file under ``paths`` (files, folders, zips). Each file is atomic.

    After the files, a month seen for the first time is published to the open-data
    catalogue and announced to the people subscribed to places with crime that month.
    """
    files, problems = bulk.discover(paths)
    report = ImportReport(problems=problems)
    known_months = set(
        ForceMonth.objects.filter(kind=ForceMonth.Kind.STREET).values_list("month", flat=True)
    )
    places = PlaceAttributor()
    if connection.vendor == "sqlite":
        # A bigger page cache for the import (random index inserts); bounded at 192 MB.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -196608")
    imported: set[tuple[str, dt.date]] = set()
    for index, source in enumerate(files, start=1):
        file_report = import_file(
            source=source, places=places, acting_user=acting_user, on_rows=on_rows
        )
        report.files.append(file_report)
        if file_report.imported and source.name.kind == bulk.STREET:
            imported.add((source.name.force, source.name.month))
        if on_file is not None:
            on_file(index, len(files), file_report)
    if imported and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE crime_crime")
    new_months = sorted({m for _, m in imported} - known_months)
    report.new_months = [bulk.month_str(m) for m in new_months]
    if imported:
        from ..tasks import announce_month, publish_force_month

        for force, month in sorted(imported):
            transaction.on_commit(
                partial(publish_force_month.enqueue, force=force, month=bulk.month_str(month))
            )
        for month in new_months:
            transaction.on_commit(partial(announce_month.enqueue, month=bulk.month_str(month)))
    return report
