"""The bulk importer: data.police.uk CSVs into the database, one force-month at a time.

Street and outcomes files are staged in DuckDB (staging.py, decision 0010): read, checked,
joined and counted in compiled code, their rows handed over ready to write. Stop-and-search
files, and any file staging is not sure of, are read here row by row (csv.reader, COPY text
made as the rows are read), which reports every bad line by file and line. Either way memory
stays bounded whatever the file size, and rows are written in chunks: PostgreSQL ``COPY``,
SQLite ``executemany``. Every file runs in its own transaction (on SQLite a savepoint,
several files to a commit: _CommitGroups) that first deletes that force-month: a re-import
replaces it, and a file with any bad row (malformed month, longitude, latitude, unknown
crime type…) is rolled back whole. On PostgreSQL the forces are shared between lanes,
threads with a connection each (_lanes).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet

from bigsociety.common.audit import audit_record
from bigsociety.places.api import Place, PlaceLocator

from .. import bulk
from ..models import Crime, CrimeOutcome, Force, ForceMonth, PlaceMonthCount, StopSearch
from . import staging

logger = logging.getLogger(__name__)

MAX_ERRORS_PER_FILE = 50
# Rows are sent in chunks of BATCH, small so PostgreSQL starts on a file at once; street
# rows are sorted by crime key in blocks of SORT_BLOCK (memory stays bounded).
BATCH = 2_000
SORT_BLOCK = 20_000
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

# PostgreSQL COPY text format: a NULL field, and the escapes a field needs.
NULL_TEXT = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# What a file must not hold for its fields to be sent to COPY as they are. A field holds a
# line break (\r or \n) only inside quotes, so a file without quotes has none.
_NEEDS_ESCAPING = ("\\", "\t", '"')


def copy_text(value: Any) -> str:
    """One typed value as a field of COPY's text format."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def copy_lines(rows: list[tuple[Any, ...]], *, text: bool) -> str:
    """Rows as COPY text: ``text`` rows are already fields (strings needing no escape)."""
    if not text:
        rows = [tuple(map(copy_text, row)) for row in rows]
    return "\n".join(map("\t".join, rows)) + "\n"


class _Writer:
    """Rows into one table in chunks, on the connection's current transaction.

    ``write`` consumes every row (so every bad line of the file is reported) but writes
    nothing more once the file has a bad row: the file is then rolled back whole.
    """

    def __init__(self, table: str, columns: tuple[str, ...]):
        self.table = table
        self.columns = columns

    def __enter__(self) -> _Writer:
        return self

    def write(
        self,
        chunks: Iterator[tuple[int, Any]],
        report: FileReport,
        on_rows: Callable[[int], None] | None = None,
    ) -> None:
        count = 0
        for size, payload in chunks:
            if not report.error_count:
                self.send(payload)
            previous, count = count, count + size
            if on_rows is not None and count // 50_000 > previous // 50_000:
                on_rows(count)

    def send(self, payload: Any) -> None:
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:
        pass


def _encode(chunk: list[tuple[Any, ...]], *, postgres: bool, text: bool) -> Any:
    """A chunk of rows as its writer sends it: COPY text for PostgreSQL, tuples for SQLite."""
    return copy_lines(chunk, text=text) if postgres else chunk


class _ReadAhead:
    """An iterator run in a thread from the start, a few items ahead of its consumer.

    While PostgreSQL takes in one file (the importing thread waits on the socket, without
    the GIL) the next rows, or the next file, are read and encoded, so the two processes
    work side by side. What runs here never touches the database; an exception is raised
    in the consumer, in order.
    """

    DEPTH = 4

    def __init__(self, items: Iterator[Any]):
        self.items = items
        self.ready: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=self.DEPTH)
        self.stop = threading.Event()
        worker = threading.Thread(target=self._produce, name="crime-import-read-ahead")
        worker.daemon = True
        worker.start()
        self.worker: threading.Thread | None = worker

    def _put(self, item: tuple[bool, Any]) -> bool:
        while not self.stop.is_set():
            try:
                self.ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self.items:
                if not self._put((False, item)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put((True, exc))
            return
        self._put((True, None))

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self.worker is None:
            raise StopIteration
        done, item = self.ready.get()
        if done:
            self.close()
            if item is not None:
                raise item
            raise StopIteration
        return item

    def close(self) -> None:
        self.stop.set()
        while self.worker is not None and self.worker.is_alive():
            with contextlib.suppress(queue.Empty):
                self.ready.get(timeout=0.1)
        self.worker = None


class _SqliteWriter(_Writer):
    def __enter__(self) -> _SqliteWriter:
        marks = ",".join("?" for _ in self.columns)
        # table and columns are this module's constants, never input
        columns = ",".join(self.columns)
        self.sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()
        return self

    def send(self, payload: list[tuple[Any, ...]]) -> None:
        self.cursor.executemany(self.sql, payload)


class _PostgresWriter(_Writer):
    """COPY … FROM STDIN with psycopg 3, chunks streamed through one COPY: text format, or
    CSV (with \\N for NULL) for the rows DuckDB wrote (staging)."""

    def __init__(self, table: str, columns: tuple[str, ...], *, csv: bool = False):
        super().__init__(table, columns)
        self.options = " WITH (FORMAT csv, NULL '\\N')" if csv else ""

    def __enter__(self) -> _PostgresWriter:
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()
        self._copy_cm = self.cursor.copy(
            f"COPY {self.table} ({','.join(self.columns)}) FROM STDIN{self.options}"
        )
        self.copy = self._copy_cm.__enter__()
        return self

    def send(self, payload: str) -> None:
        self.copy.write(payload)

    def __exit__(self, *exc: Any) -> None:
        self._copy_cm.__exit__(*exc)


def _writer(table: str, columns: tuple[str, ...], *, csv: bool = False) -> _Writer:
    if connection.vendor == "postgresql":
        return _PostgresWriter(table, columns, csv=csv)
    return _SqliteWriter(table, columns)


def _plain(source: bulk.BulkFile) -> bool:
    """True when no field of the file needs a COPY escape (the published files never do)."""
    with source.open() as handle:
        while block := handle.read(1 << 20):
            if any(mark in block for mark in _NEEDS_ESCAPING):
                return False
    return True


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
    outcomes: dict[str, tuple[str, Any]],
    counts: Counter[tuple[tuple[int | None, int | None, int | None], str]],
    *,
    text: bool = False,
) -> Iterator[tuple[Any, ...]]:
    """Valid rows of a street file as CRIME_COLUMNS tuples; bad lines go to ``errors``.

    The hot loop of the import. A published point (latitude, longitude, street) repeats many
    times in a month, so its parsing, location id and place look-up are done once per point.
    ``text`` rows are COPY text fields (``outcomes`` then holds months as text too);
    otherwise values are typed. ``districts`` counts rows by LSOA name and ``counts`` rows by
    (neighbourhood, ward, authority) and category, for the places' monthly counts.
    """
    month_s = bulk.month_str(month)
    null: str | None = NULL_TEXT if text else None
    # Months go as ISO text on every path: what both databases store for a date, without
    # a driver adapter call per row.
    month_v = month.isoformat()
    not_outside: Any = "f" if text else False
    nowhere = (null, null, null, null, null, null, None)
    seen: set[str] = set()
    categories = bulk.CATEGORIES
    locate = places.locate
    location_id = bulk.location_id
    crime_key = bulk.crime_key
    points: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    no_location = without_id = repeated_ids = in_our_places = good_rows = 0
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
                if not good or lat is None or lng is None:
                    continue
                found = locate(lat, lng)
                hood, ward, authority = found
                lid = location_id(lat, lng, loc)
                fields = (
                    (
                        repr(lat),
                        repr(lng),
                        str(lid),
                        *(null if p is None else str(p) for p in found),
                    )
                    if text
                    else (lat, lng, lid, hood, ward, authority)
                )
                point = (*fields, found if found != places.NONE else None)
                if len(points) > 200_000:  # bounded memory
                    points.clear()
                points[key] = point
            lat_v, lng_v, lid_v, hood_v, ward_v, authority_v, place = point
            if place is not None:
                counts[place, category] += 1
                if place[1] is not None or place[2] is not None:
                    in_our_places += 1
            if lsoa_n:
                districts[lsoa_n] += 1
        else:
            no_location += 1
            lat_v, lng_v, lid_v, hood_v, ward_v, authority_v, place = nowhere
        outcome_month = null
        if cid:
            if cid in seen:
                repeated_ids += 1
            else:
                seen.add(cid)
            key_id = crime_key(cid)
            # COPY text keys are zero-padded to 19 digits (a 60-bit key has at most 19;
            # PostgreSQL reads leading zeros), so sorting the text sorts the numbers.
            key_v = null if key_id is None else f"{key_id:019d}" if text else key_id
            if outcomes and cid in outcomes:  # a later outcomes file already said more
                last, outcome_month = outcomes[cid]
        else:
            without_id += 1
            key_v = null
        good_rows += 1
        yield (month_v, force, cid, key_v, reported, falls, lat_v, lng_v, loc, lid_v, lsoa_c,
               lsoa_n, category, last, outcome_month, ctx, not_outside, hood_v, ward_v,
               authority_v)  # fmt: skip
    report.rows += good_rows
    report.no_location += no_location
    report.without_id += without_id
    report.repeated_ids += repeated_ids
    report.in_our_places += in_our_places


def _outcome_rows(
    rows: Iterator[list[str]],
    report: FileReport,
    month: dt.date,
    force: str,
    errors: _Errors,
    *,
    text: bool = False,
) -> Iterator[tuple[Any, ...]]:
    """Valid rows of an outcomes file as OUTCOME_COLUMNS tuples (COPY text fields if ``text``)."""
    month_s = bulk.month_str(month)
    null: str | None = NULL_TEXT if text else None
    month_v = month.isoformat()
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
        key_id, lid = bulk.crime_key(cid), bulk.location_id(lat, lng, loc)
        if text:
            yield (month_v, force, cid, null if key_id is None else str(key_id), reported, falls,
                   null if lat is None else repr(lat), null if lng is None else repr(lng), loc,
                   null if lid is None else str(lid), lsoa_c, lsoa_n, outcome)  # fmt: skip
        else:
            yield (month_v, force, cid, key_id, reported, falls, lat, lng, loc, lid, lsoa_c, lsoa_n,
                   outcome)  # fmt: skip


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


def _latest_outcomes(force: str, month: dt.date) -> staging.LaterOutcomes:
    """The newest outcome of each of a force's crimes from outcomes files of ``month`` on.

    They go straight into DuckDB (staging.LaterOutcomes): from PostgreSQL as COPY's CSV
    output, from SQLite in batches; Python never holds more than a batch of them.
    """
    postgres = connection.vendor == "postgresql"
    later = staging.LaterOutcomes(postgres=postgres)
    table = CrimeOutcome._meta.db_table
    # table is the model's own, never input
    sql = f"SELECT crime_id, outcome, month, id FROM {table} WHERE force = %s AND month >= %s"  # noqa: S608
    try:
        if postgres:
            connection.ensure_connection()
            with (
                connection.connection.cursor() as cursor,
                cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", [force, month]) as copy,
            ):
                later.add_csv(copy)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, [force, month])
                while batch := cursor.fetchmany(50_000):
                    later.add_rows(batch)
        return later.finish()
    except duckdb.Error as exc:  # out of memory, say: the file is read row by row
        later.close()
        logger.warning("later outcomes of %s from %s held in Python (%s)", force, month, exc)
        return staging.LaterOutcomes.in_python(_latest_outcomes_in_python(force, month))
    except BaseException:
        later.close()
        raise


def _latest_outcomes_in_python(force: str, month: dt.date) -> dict[str, tuple[str, str]]:
    """_latest_outcomes as a dict {crime ID: (outcome, ISO month)}."""
    latest: dict[str, tuple[str, str]] = {}
    shared: dict[Any, str] = {}  # the few distinct outcome and month strings, shared
    table = CrimeOutcome._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # table is the model's own, never input
            f"SELECT crime_id, outcome, month FROM {table} "  # noqa: S608
            "WHERE force = %s AND month >= %s ORDER BY month, id",
            [force, month],
        )
        while batch := cursor.fetchmany(20_000):
            for crime_id, outcome, outcome_month in batch:
                month_s = shared.get(outcome_month)
                if month_s is None:  # SQLite hands dates back as ISO text already
                    month_s = shared[outcome_month] = (
                        outcome_month
                        if isinstance(outcome_month, str)
                        else outcome_month.isoformat()
                    )
                latest[crime_id] = (shared.setdefault(outcome, outcome), month_s)
    return latest


def _apply_outcomes(*, force: str, month: dt.date, street_follows: bool = False) -> None:
    """An outcomes file of ``month`` brings its crimes' last outcome up to date.

    When the same import brings that force-month's street file next (outcomes files come
    first), its crimes take their outcomes as they are written, so only earlier months'
    crimes are updated here.
    """
    same_month = "<" if street_follows else "<="
    with connection.cursor() as cursor:
        cursor.execute(
            # same_month is one of two operators above, never input
            f"""
            UPDATE crime_crime SET last_outcome = o.outcome, outcome_month = o.month
            FROM crime_crimeoutcome o
            WHERE o.force = %s AND o.month = %s
              AND crime_crime.crime_key = o.crime_key AND crime_crime.crime_id = o.crime_id
              AND crime_crime.month {same_month} o.month
              AND (crime_crime.outcome_month IS NULL OR crime_crime.outcome_month <= o.month)
            """,  # noqa: S608
            [force, month],
        )


def _write_place_counts(
    force: str,
    month: dt.date,
    counts: Counter[tuple[tuple[int | None, int | None, int | None], str]],
) -> None:
    """The force-month's crimes per place and category, counted as its rows were read."""
    per_place: Counter[tuple[int, str]] = Counter()
    for (places, category), n in counts.items():
        for place_id in places:
            if place_id is not None:
                per_place[place_id, category] += n
    PlaceMonthCount.objects.bulk_create(
        PlaceMonthCount(place_id=place_id, force=force, month=month, category=category, count=n)
        for (place_id, category), n in per_place.items()
    )


def _outside_districts(lsoas: Counter[str]) -> list[str]:
    """The districts (of LSOA names) holding under OUTSIDE_SHARE of a force-month's located
    crimes, from the located crimes per LSOA name; as LIKE-safe text."""
    districts: Counter[str] = Counter()
    for name, n in lsoas.items():
        districts[bulk.district_of(name)] += n
    total = sum(districts.values())
    if not total:
        return []
    return [
        d.replace("%", "").replace("_", "")
        for d, n in districts.items()
        if n / total < OUTSIDE_SHARE
    ]


def _outside_names(lsoas: dict[str, tuple[int, int]]) -> list[str]:
    """The LSOA names whose crimes are outside the force's area (as _mark_outside marks
    them), from {name: (located crimes with the name, all crimes with it)}."""
    districts = _outside_districts(Counter({name: n for name, (n, _) in lsoas.items() if n}))
    prefixes = tuple(f"{d} " for d in districts)
    return [name for name in lsoas if prefixes and name.startswith(prefixes)]


def _mark_outside(
    force: str, month: dt.date, lsoas: Counter[str], span: tuple[int | None, int | None]
) -> int:
    marked = 0
    with connection.cursor() as cursor:
        for district in _outside_districts(lsoas):
            cursor.execute(
                "UPDATE crime_crime SET outside_area = %s WHERE id BETWEEN %s AND %s "
                "AND force = %s AND month = %s AND lsoa_name LIKE %s",
                [True, *span, force, month, district + " %"],
            )
            marked += max(cursor.rowcount, 0)
    return marked


TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    bulk.STREET: (Crime._meta.db_table, CRIME_COLUMNS),
    bulk.OUTCOMES: (CrimeOutcome._meta.db_table, OUTCOME_COLUMNS),
    bulk.STOP_AND_SEARCH: (StopSearch._meta.db_table, STOP_COLUMNS),
}


class _FileRead:
    """One bulk file being read: its report so far and its rows as chunks for the writer.

    ``outcomes`` (street files) are the latest outcomes of its force's crimes, read from
    the database before reading starts; the read owns them and closes them. With ``ahead``
    the file is read in a thread from the moment it is made (see _ReadAhead).
    """

    def __init__(
        self,
        source: bulk.BulkFile,
        places: PlaceAttributor,
        outcomes: staging.LaterOutcomes | None,
        *,
        ahead: bool,
    ):
        name = self.name = source.name
        self.source = source
        self.outcomes = outcomes
        self.report = FileReport(
            file=source.label, force=name.force, month=bulk.month_str(name.month), kind=name.kind
        )
        self.errors = _Errors(self.report)
        # set (by the reading, before its first item) when DuckDB staged the file
        self.staged: staging.Staged | None = None
        self.districts: Counter[str] = Counter()
        self.counts: Counter[tuple[tuple[int | None, int | None, int | None], str]] = Counter()
        # decided here, in the importing thread: the reading may run in another
        self.postgres = connection.vendor == "postgresql"
        items = self._items(places, outcomes)
        self.items: Iterator[Any] = _ReadAhead(items) if ahead else items

    def _items(
        self, places: PlaceAttributor, outcomes: staging.LaterOutcomes | None
    ) -> Iterator[Any]:
        """First None once the header is good, then (rows, payload) chunks."""
        source, name, report, errors = self.source, self.name, self.report, self.errors
        postgres = self.postgres
        with source.open() as handle:
            kind = self._layout(next(csv.reader(handle), None))
        # Street and outcomes files are staged in DuckDB when they are plainly well formed
        # (staging.py); otherwise, and for stop and search, they are read row by row here.
        staged = (
            staging.prepare_street(source, places, outcomes, _outside_names, postgres=postgres)
            if kind == bulk.STREET
            else staging.prepare_outcomes(source, places, postgres=postgres)
            if kind == bulk.OUTCOMES
            else None
        )
        if staged is not None:
            self.staged = staged
            for attribute, value in staged.stats.items():
                setattr(report, attribute, value)
            self.counts = staged.counts
            yield None
            yield from staged.chunks(batch=BATCH)
            return
        # PostgreSQL takes street and outcomes rows as COPY text made as they are read,
        # when no field needs an escape; otherwise typed rows are encoded field by field.
        text = postgres and name.kind in (bulk.STREET, bulk.OUTCOMES) and _plain(source)
        with source.open() as handle:
            reader = csv.reader(handle)
            next(reader, None)
            yield None
            rows: Iterator[tuple[Any, ...]]
            if kind == bulk.STREET:
                latest = outcomes.as_dict() if outcomes is not None else {}
                if text:  # in place (the dict can be large), only where a value changes
                    for c, (o, m) in latest.items():
                        escaped = copy_text(o)
                        if escaped != o:
                            latest[c] = (escaped, m)
                rows = _street_rows(
                    reader,
                    report,
                    name.month,
                    name.force,
                    places,
                    errors,
                    self.districts,
                    latest,
                    self.counts,
                    text=text,
                )
            elif kind == bulk.OUTCOMES:
                rows = _outcome_rows(reader, report, name.month, name.force, errors, text=text)
            else:
                rows = _stop_rows(reader, report, name.month, name.force, places, errors)
            while block := list(islice(rows, SORT_BLOCK)):
                if kind == bulk.STREET:
                    block.sort(key=_CRIME_KEY_TEXT if text else _by_crime_key)
                for start in range(0, len(block), BATCH):
                    chunk = block[start : start + BATCH]
                    yield len(chunk), _encode(chunk, postgres=postgres, text=text)

    def _layout(self, header: list[str] | None) -> str:
        """The layout of a header row, which must be the one the file's name says."""
        label, expected = self.source.label, self.name.kind
        if header is None:
            raise BadFile(f"{label}: the file is empty")
        try:
            kind = bulk.detect_layout(header)
        except bulk.LayoutError as exc:
            raise BadFile(f"{label}: {exc}") from None
        if kind != expected:
            raise BadFile(
                f"{label}: the name says a {expected} file but the header is the {kind} layout"
            )
        return kind

    def close(self) -> None:
        if isinstance(self.items, _ReadAhead):
            self.items.close()
        if self.staged is not None:
            self.staged.close()
        if self.outcomes is not None:
            self.outcomes.close()


def _by_crime_key(row: tuple[Any, ...]) -> int:
    """Street rows in crime-key order: their index entries then go in page by page, not at
    random across the whole crime-key index (a large saving once it outgrows the cache)."""
    key = row[3]
    return -1 if key is None else int(key)


# The same order for COPY text rows, whose keys are zero-padded text (NULL_TEXT sorts last).
_CRIME_KEY_TEXT = itemgetter(3)


def _feeds(source: bulk.BulkFile, after: bulk.BulkFile) -> bool:
    """True when ``source`` is the outcomes file of the street file ``after``."""
    return (
        source.name.kind == bulk.OUTCOMES
        and after.name.kind == bulk.STREET
        and (source.name.force, source.name.month) == (after.name.force, after.name.month)
    )


def _outcomes_for(source: bulk.BulkFile) -> staging.LaterOutcomes | None:
    if source.name.kind != bulk.STREET:
        return None
    return _latest_outcomes(source.name.force, source.name.month)


def import_file(
    *,
    source: bulk.BulkFile,
    places: PlaceAttributor,
    acting_user: Any = None,
    on_rows: Callable[[int], None] | None = None,
    street_follows: bool = False,
) -> FileReport:
    """Import one bulk file, replacing its force-month, or refuse it whole.

    ``street_follows``: this is an outcomes file and the same import brings its force-month's
    street file next.
    """
    read = _FileRead(source, places, _outcomes_for(source), ahead=False)
    return _import_read(
        read, acting_user=acting_user, on_rows=on_rows, street_follows=street_follows
    )


def _import_read(
    read: _FileRead,
    *,
    acting_user: Any = None,
    on_rows: Callable[[int], None] | None = None,
    street_follows: bool = False,
    on_sent: Callable[[], None] | None = None,
) -> FileReport:
    """Write a file being read, in one transaction; ``on_sent`` once its last row is sent."""
    source, name, report = read.source, read.name, read.report
    kind = name.kind
    try:
        next(read.items)  # the header is good (or BadFile is raised)
        with transaction.atomic():
            report.replaced = _delete_force_month(name)
            table, columns = TABLES[kind]
            before = _last_crime_id() if kind == bulk.STREET else 0
            staged_csv = read.staged is not None and not read.staged.text
            with _writer(table, columns, csv=staged_csv) as writer:
                writer.write(read.items, report, on_rows)
                if on_sent is not None:
                    on_sent()
            if report.error_count:
                raise _Rollback
            # the ids of this file's rows (with, at most, other imports' rows in between)
            span = _ids_after(before) if kind == bulk.STREET else (None, None)
            force = _force(name.force, source)
            if kind == bulk.STREET:
                if read.staged is None:  # staged rows were written with it
                    report.outside_area = _mark_outside(
                        name.force, name.month, read.districts, span
                    )
                _write_place_counts(name.force, name.month, read.counts)
            elif kind == bulk.OUTCOMES:
                _apply_outcomes(force=name.force, month=name.month, street_follows=street_follows)
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
                    "first_row_id": span[0],
                    "last_row_id": span[1],
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
    except duckdb.Error as exc:  # reading a staged file's rows back (staging.Staged.chunks)
        report.error_count += 1
        report.errors.append(f"{source.label}: the staged rows could not be read ({exc})")
    finally:
        read.close()
    return report


def _delete_force_month(name: bulk.BulkName) -> bool:
    """Delete what an earlier import of this force-month wrote; True if there was one.

    Street crimes are found through the id range their ForceMonth holds (the crime table
    has no (force, month) index); they are written in the transaction that records it, so
    with no record there are none.
    """
    existed = ForceMonth.objects.filter(
        force__slug=name.force, month=name.month, kind=name.kind
    ).exists()
    rows: QuerySet[Any] | None
    if name.kind == bulk.STREET:
        PlaceMonthCount.objects.filter(force=name.force, month=name.month)._raw_delete(
            PlaceMonthCount.objects.db
        )
        rows = Crime.objects.of_force_month(name.force, name.month) if existed else None
    else:
        model = CrimeOutcome if name.kind == bulk.OUTCOMES else StopSearch
        rows = model._default_manager.filter(force=name.force, month=name.month)
    if rows is not None:
        rows._raw_delete(rows.db)  # type: ignore[attr-defined]  # private Django API: a bulk DELETE without collecting rows
    return existed


def _last_crime_id() -> int:
    """The highest crime id (0 when none): a street file's rows come after it."""
    return Crime.objects.aggregate(last=Max("id"))["last"] or 0


def _ids_after(before: int) -> tuple[int | None, int | None]:
    """The first and last crime ids above ``before``: the rows a street file just wrote."""
    span = Crime.objects.filter(id__gt=before).aggregate(first=Min("id"), last=Max("id"))
    return span["first"], span["last"]


def _force(slug: str, source: bulk.BulkFile) -> Force:
    force, _ = Force.objects.get_or_create(
        slug=slug, defaults={"name": bulk.FORCES.get(slug, slug.replace("-", " ").title())}
    )
    return force


# SQLite's WAL is copied back into the database file (a checkpoint) once it passes this many
# pages. The default (1,000 pages, 4 MB) checkpoints at nearly every file's commit and
# rewrites the same index pages again and again; an import lets the WAL grow to about 200 MB
# between checkpoints and checkpoints once at its end.
SQLITE_IMPORT_WAL_PAGES = 50_000
# SQLite's page cache while an import runs (KiB): random index inserts want it big; the
# import's peak memory (with DuckDB's, staging.MEMORY_LIMIT) must stay under 500 MB.
SQLITE_IMPORT_CACHE_KIB = 163_840
# Rows written per commit of an SQLite import (see _CommitGroups), and the longest a commit
# group runs: other writers wait for it (busy_timeout is 20 s). Measured on two cores
# (3 months, 1.9M rows): 250,000 rows a group 53 s, 500,000 46 s, 1,000,000 42 s.
SQLITE_GROUP_ROWS = 1_000_000
SQLITE_GROUP_SECONDS = 15.0


@contextlib.contextmanager
def _sqlite_bulk_settings() -> Iterator[None]:
    """On SQLite, a bigger page cache (random index inserts; SQLITE_IMPORT_CACHE_KIB) and rarer
    checkpoints while an import runs; the connection's own settings again afterwards,
    with the WAL checkpointed (and truncated, when no reader holds it) inside the import."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint")
        wal_pages = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_IMPORT_WAL_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {wal_pages}")
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class _CommitGroups:
    """On SQLite, several files per commit: each file is still all-or-nothing (its own
    transaction.atomic, a savepoint inside the group), but a commit writes every page the
    files changed to the WAL, and the files of a month touch the same crime-key index pages
    again and again; one commit per SQLITE_GROUP_ROWS rows writes each such page once.
    Other writers wait on SQLite's lock for a group, so a group is also committed once it
    has taken SQLITE_GROUP_SECONDS (under the connection's busy timeout). Elsewhere
    (PostgreSQL; or an import inside a caller's transaction) each file commits on its own.
    """

    def __init__(self) -> None:
        self.limit = (
            SQLITE_GROUP_ROWS
            if connection.vendor == "sqlite" and not connection.in_atomic_block
            else 0
        )
        self.rows = 0
        self.opened = 0.0
        self.group: Any = None

    def __enter__(self) -> _CommitGroups:
        self._open()
        return self

    def _open(self) -> None:
        if self.limit:
            self.group = transaction.atomic()
            self.group.__enter__()
            self.rows = 0
            self.opened = time.monotonic()

    def written(self, rows: int) -> None:
        """A file has been written (or refused): commit the group once it is big enough."""
        self.rows += rows
        if self.group is not None and (
            self.rows >= self.limit or time.monotonic() - self.opened >= SQLITE_GROUP_SECONDS
        ):
            group, self.group = self.group, None
            group.__exit__(None, None, None)
            self._open()

    def __exit__(self, *exc: Any) -> None:
        if self.group is not None:
            group, self.group = self.group, None
            group.__exit__(*exc)


# Threads (each with its own PostgreSQL connection) an import shares its forces between: the
# server's work per row (heap, three indexes, WAL) is most of an import's time, and one
# connection keeps one server process busy. Measured on two cores (3 months, 1.9M rows):
# one lane 94k rows/s, two 102-105k, three 107-112k, four 92k (the readers' threads then
# queue for Python's GIL).
LANES = 3


class _Progress:
    """The reports of an import's files by index, and the caller's callbacks, called one at a
    time whichever lane a file was imported in (``on_file`` with the files done so far,
    ``on_rows`` with the rows of the files being written)."""

    def __init__(
        self,
        total: int,
        on_file: Callable[[int, int, FileReport], None] | None,
        on_rows: Callable[[int], None] | None,
    ) -> None:
        self.total = total
        self.on_file = on_file
        self.on_rows = on_rows
        self.reports: dict[int, FileReport] = {}
        self.writing: dict[int, int] = {}
        self.lock = threading.Lock()

    def rows(self, lane: int) -> Callable[[int], None] | None:
        if self.on_rows is None:
            return None
        on_rows = self.on_rows

        def count(rows: int) -> None:
            with self.lock:
                self.writing[lane] = rows
                on_rows(sum(self.writing.values()))

        return count

    def done(self, lane: int, index: int, file_report: FileReport) -> None:
        with self.lock:
            self.writing.pop(lane, None)
            self.reports[index] = file_report
            if self.on_file is not None:
                self.on_file(len(self.reports), self.total, file_report)


def _lanes(files: list[bulk.BulkFile]) -> list[list[int]]:
    """The files' indexes, in order, in lanes: all of a force's files in one lane (its
    outcomes files must come before its street files), forces spread by size so the lanes
    end together. One lane on SQLite (one writer at a time), inside a caller's transaction
    (other connections would not see it) or for a single force."""
    everything = list(range(len(files)))
    forces: dict[str, int] = {}
    for source in files:
        forces[source.name.force] = forces.get(source.name.force, 0) + source.size()
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(forces) < 2:
        return [everything]
    count = min(LANES, len(forces))
    load = [0] * count
    lane_of: dict[str, int] = {}
    for force, size in sorted(forces.items(), key=lambda item: (-item[1], item[0])):
        lane = load.index(min(load))
        lane_of[force] = lane
        load[lane] += size
    return [
        [i for i in everything if lane_of[files[i].name.force] == lane] for lane in range(count)
    ]


def _run_lanes(
    files: list[bulk.BulkFile], lanes: list[list[int]], acting_user: Any, progress: _Progress
) -> None:
    """Each lane in a thread of its own, with its own connection; the first failure stops
    the other lanes after their current file and is raised here."""
    failures: list[BaseException] = []
    stop = threading.Event()

    def run(lane: int, indexes: list[int]) -> None:
        try:
            _import_lane(files, indexes, acting_user, progress, None, lane=lane, stop=stop)
        except BaseException as exc:  # raised in the importing thread below
            failures.append(exc)
            stop.set()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lane, indexes), name=f"crime-import-lane-{lane}")
        for lane, indexes in enumerate(lanes)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # e.g. Ctrl-C: the lanes stop after their current file
        stop.set()
        for thread in threads:
            thread.join()
        raise
    if failures:
        raise failures[0]


def _import_lane(
    files: list[bulk.BulkFile],
    indexes: list[int],
    acting_user: Any,
    progress: _Progress,
    groups: _CommitGroups | None,
    *,
    lane: int = 0,
    stop: threading.Event | None = None,
) -> None:
    """Import the lane's files in order on this thread's connection.

    With PostgreSQL the next file is read (in a thread) while the server finishes taking in
    this one; its outcomes are read first, unless this file is where they come from. (On
    SQLite, reading ahead measured within the noise: 3 months in 39-41 s against 42-46 s,
    with 13 MB more memory.)
    """
    places = PlaceAttributor()
    streets = {(f.name.force, f.name.month) for f in files if f.name.kind == bulk.STREET}
    ahead = connection.vendor == "postgresql"
    on_rows = progress.rows(lane)
    upcoming: list[_FileRead] = []  # the next file, once it is being read
    for position, index in enumerate(indexes):
        if stop is not None and stop.is_set():
            break
        source = files[index]
        read = (
            upcoming.pop()
            if upcoming
            else _FileRead(source, places, _outcomes_for(source), ahead=ahead)
        )
        after = files[indexes[position + 1]] if position + 1 < len(indexes) else None
        start_next: Callable[[], None] | None = None
        next_outcomes = None
        if ahead and after is not None and not _feeds(source, after):
            try:
                next_outcomes = _outcomes_for(after)
            except BaseException:
                read.close()
                raise
            start_next = partial(
                lambda after, outcomes: upcoming.append(
                    _FileRead(after, places, outcomes, ahead=True)
                ),
                after,
                next_outcomes,
            )
        try:
            file_report = _import_read(
                read,
                acting_user=acting_user,
                on_rows=on_rows,
                street_follows=source.name.kind == bulk.OUTCOMES
                and (source.name.force, source.name.month) in streets,
                on_sent=start_next,
            )
        except BaseException:
            for pending in upcoming:
                pending.close()
            if next_outcomes is not None:  # closing twice is harmless
                next_outcomes.close()
            raise
        if next_outcomes is not None and not upcoming:  # refused before its rows were sent
            next_outcomes.close()
        progress.done(lane, index, file_report)
        if groups is not None:
            groups.written(file_report.rows)
    for pending in upcoming:  # stopped before the file read ahead was imported
        pending.close()


def import_paths(
    *,
    paths: list[Path],
    acting_user: Any = None,
    on_file: Callable[[int, int, FileReport], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every bulk file under ``paths`` (files, folders, zips). Each file is atomic.

    On PostgreSQL, outside a caller's transaction, the forces are shared between LANES
    threads, each with its own connection (see _lanes). After the files, a month seen for
    the first time is published to the open-data catalogue and announced to the people
    subscribed to places with crime that month.
    """
    files, problems = bulk.discover(paths)
    report = ImportReport(problems=problems)
    known_months = set(
        ForceMonth.objects.filter(kind=ForceMonth.Kind.STREET).values_list("month", flat=True)
    )
    progress = _Progress(len(files), on_file, on_rows)
    lanes = _lanes(files)
    if len(lanes) == 1:
        with _sqlite_bulk_settings(), _CommitGroups() as groups:
            _import_lane(files, lanes[0], acting_user, progress, groups)
    else:
        _run_lanes(files, lanes, acting_user, progress)
    report.files = [progress.reports[i] for i in range(len(files))]
    imported = {
        (f.name.force, f.name.month)
        for f, r in zip(files, report.files, strict=True)
        if r.imported and f.name.kind == bulk.STREET
    }
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
