"""Street and outcomes files prepared by DuckDB, so Python does no work per row.

Reading a bulk file row by row in Python cost about twelve microseconds a row, as much as
PostgreSQL's own work of storing it; DuckDB reads the CSV, checks it, joins it and writes
it out in compiled code (decision 0010). What Python still does is per published point, not
per row: a point repeats many times in a month, and its checks, its location id and its
places are the importer's own (PlaceAttributor, bulk.location_id).

``prepare`` stages one file in DuckDB (a temporary table of its own connection) and returns
the rows as they will be written, with the report's counts; or None when the file is not
plainly well formed: then the importer reads it row by row, which names every bad line.
That reading stays the reference, and a file is only taken here when both ways agree:

* DuckDB reads exactly the file's lines (no blank line, no line break inside quotes);
* every row is of the file's month; every crime type is known; every crime ID starts with
  hexadecimal digits (a key the same as bulk.crime_key); an outcome has an ID and a type;
* every point passes the importer's own coordinate checks.

For PostgreSQL the rows are written by DuckDB as CSV to a temporary file that is streamed to
``COPY``; for SQLite they are fetched in batches of tuples for ``executemany``.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from .. import bulk

STREET_FIELDS = ("cid", "mon", "reported", "falls", "lng_s", "lat_s", "loc", "lsoa_c", "lsoa_n",
                 "ctype", "last", "ctx")  # fmt: skip
OUTCOME_FIELDS = ("cid", "mon", "reported", "falls", "lng_s", "lat_s", "loc", "lsoa_c", "lsoa_n",
                  "outcome")  # fmt: skip
# DuckDB's memory for every file being staged at once; beyond it tables spill to a
# temporary folder, so the import's memory stays bounded. PostgreSQL imports stage up to
# six files at once (three lanes, each reading ahead; 64 MB was too little for that), SQLite
# imports one, beside SQLite's own page cache (importer.SQLITE_IMPORT_CACHE_KIB).
MEMORY_LIMIT = {"postgresql": "192MB", "sqlite": "64MB"}
BLOCK = 1 << 20
# A key as bulk.crime_key makes it: the first 15 hexadecimal digits of the ID.
_KEY = "CASE WHEN cid <> '' THEN ('0x' || substr(cid, 1, 15))::BIGINT END"
_HEX_KEY = "regexp_full_match(substr(cid, 1, 15), '[0-9A-Fa-f]+')"
NONE = -1  # a missing place id in the point arrays

logger = logging.getLogger(__name__)

_database: duckdb.DuckDBPyConnection | None = None
_database_lock = threading.Lock()


def _connection(*, postgres: bool) -> duckdb.DuckDBPyConnection:
    """A connection of its own (temporary tables are per connection) to the process's DuckDB
    database: in memory, one thread per query (the lanes run side by side), bounded."""
    global _database
    with _database_lock:
        if _database is None:
            spill = Path(tempfile.gettempdir()) / f"bigsociety-crime-duckdb-{os.getpid()}"
            database = duckdb.connect(
                ":memory:",
                config={
                    "threads": 1,
                    "memory_limit": MEMORY_LIMIT["postgresql" if postgres else "sqlite"],
                    "temp_directory": str(spill),
                    "preserve_insertion_order": True,
                },
            )
            database.execute("CREATE TABLE crime_types (name VARCHAR, slug VARCHAR)")
            database.executemany(
                "INSERT INTO crime_types VALUES (?, ?)", list(bulk.CATEGORIES.items())
            )
            _database = database
        return _database.cursor()


@contextlib.contextmanager
def _local_file(source: bulk.BulkFile, folder: Path) -> Iterator[Path]:
    """The file on disk (a zip member is copied out first: DuckDB reads files)."""
    if source.path is not None:
        yield source.path
        return
    copy = folder / "member.csv"
    with source.open_binary() as member, open(copy, "wb") as out:
        shutil.copyfileobj(member, out, BLOCK)
    yield copy


# What a file must not hold for its fields to go to PostgreSQL in COPY's text format: its
# escape, its delimiter, and quotes (a field holds a line break only inside quotes).
_COPY_TEXT_SPECIALS = (b"\\", b"\t", b'"')
_TEXT_MARKS = ("\\", "\t", '"', "\n", "\r")


def _lines(path: Path) -> tuple[int, bool]:
    """The file's lines as the csv module counts records when no field holds a line break;
    and whether no field can need a COPY text escape."""
    lines = 0
    last = b""
    plain = True
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
            plain = plain and not any(mark in block for mark in _COPY_TEXT_SPECIALS)
    return lines + (1 if last not in (b"", b"\n") else 0), plain


_later_tables = itertools.count()
# The later outcomes' columns as the importer selects them (the month as ISO text).
LATER_COLUMNS = "{'crime_id': 'VARCHAR', 'outcome': 'VARCHAR', 'month': 'VARCHAR', 'id': 'BIGINT'}"


class LaterOutcomes:
    """The newest outcome of each of a force's crimes from the outcomes files of a month on,
    held in a DuckDB table rather than in Python.

    A re-import of a force's first month needs every later outcome of the force (300,000 for
    a large force over eleven months); as a dict they took about 80 MB, and DuckDB spills
    beyond its memory limit. Rows are added as the database hands them over (``add_csv``
    for PostgreSQL's COPY output, ``add_rows`` for batches of tuples), then ``finish`` keeps
    the newest per crime ID (latest month, then latest row id). The table belongs to the
    process's database, so any of its connections can join it; ``close`` drops it.
    """

    held: dict[str, tuple[str, str]] | None = None

    @classmethod
    def in_python(cls, outcomes: dict[str, tuple[str, str]]) -> LaterOutcomes:
        """Later outcomes DuckDB could not hold (it ran out of memory), as a dict: the street
        file then goes to the row-by-row reading (prepare_street gives None)."""
        later = cls.__new__(cls)
        later.held, later.rows, later._closed = outcomes, len(outcomes), True
        return later

    def __init__(self, *, postgres: bool):
        self.db = _connection(postgres=postgres)
        self.table = f"later_{next(_later_tables)}"
        self.rows = 0
        self._raw = f"{self.table}_raw"
        self._closed = False
        self.db.execute(
            # the names are this class's own
            f"CREATE TABLE {self._raw} (crime_id VARCHAR, outcome VARCHAR, month VARCHAR, "
            "id BIGINT)"
        )

    def add_csv(self, blocks: Iterable[bytes | memoryview]) -> None:
        """Rows as CSV (crime_id, outcome, month, id), in blocks: written to a temporary file
        that DuckDB reads."""
        handle, name = tempfile.mkstemp(prefix="bigsociety-crime-later-", suffix=".csv")
        try:
            with os.fdopen(handle, "wb") as out:
                for block in blocks:
                    out.write(block)
            self.db.execute(
                # the names are this class's own; the path goes as a parameter
                f"INSERT INTO {self._raw} SELECT coalesce(crime_id, ''), coalesce(outcome, ''), "  # noqa: S608
                f"month, id FROM read_csv(?, header = false, auto_detect = false, "
                f"columns = {LATER_COLUMNS}, delim = ',', quote = '\"', escape = '\"')",
                [name],
            )
        finally:
            os.unlink(name)

    def add_rows(self, rows: list[tuple[str, str, str, int]]) -> None:
        """A batch of rows (crime_id, outcome, month, id)."""
        if not rows:
            return
        crime_ids, outcomes, months, ids = zip(*rows, strict=True)
        self.db.register(
            "batch",
            {
                "crime_id": np.array(crime_ids, dtype=object),
                "outcome": np.array(outcomes, dtype=object),
                "month": np.array(months, dtype=object),
                "id": np.array(ids, dtype=np.int64),
            },
        )
        try:
            self.db.execute(f"INSERT INTO {self._raw} SELECT * FROM batch")  # noqa: S608
        finally:
            self.db.unregister("batch")

    def finish(self) -> LaterOutcomes:
        self.db.execute(
            # the names are this class's own
            f"CREATE TABLE {self.table} AS SELECT crime_id, outcome, month FROM {self._raw} "  # noqa: S608
            "QUALIFY row_number() OVER (PARTITION BY crime_id ORDER BY month DESC, id DESC) = 1"
        )
        self.db.execute(f"DROP TABLE {self._raw}")
        (self.rows,) = _one(self.db, f"SELECT count(*) FROM {self.table}")  # noqa: S608
        return self

    def as_dict(self) -> dict[str, tuple[str, str]]:
        """{crime ID: (outcome, ISO month)}, for the row-by-row reading."""
        if self.held is not None:
            return self.held
        rows = self.db.execute(f"SELECT crime_id, outcome, month FROM {self.table}").fetchall()  # noqa: S608
        return {crime_id: (outcome, month) for crime_id, outcome, month in rows}

    def close(self) -> None:
        """Drop the tables (again is harmless)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(duckdb.Error):
            self.db.execute(f"DROP TABLE IF EXISTS {self._raw}")
            self.db.execute(f"DROP TABLE IF EXISTS {self.table}")
        with contextlib.suppress(duckdb.Error):
            self.db.close()


def _need_escaping(db: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True when an outcome in ``table`` holds a character COPY's text format would escape."""
    marks = " OR ".join(f"contains(outcome, chr({ord(mark)}))" for mark in _TEXT_MARKS)
    (n,) = _one(db, f"SELECT count(*) FROM {table} WHERE {marks}")  # noqa: S608
    return bool(n)


class Staged:
    """A file staged in DuckDB: its report counts, and its rows ready for the writer."""

    def __init__(self, db: duckdb.DuckDBPyConnection, folder: Path):
        self.db = db
        self.folder = folder
        self.stats: dict[str, int] = {}
        self.counts: Counter[tuple[tuple[int | None, int | None, int | None], str]] = Counter()
        # True when no value needs a COPY text escape: DuckDB then wrote COPY's text format
        # (cheaper for PostgreSQL to read than CSV)
        self.text = False
        self.out: Path | None = None

    def write(self, select: str, params: list[Any], *, text: bool, postgres: bool) -> None:
        """The rows (``select``, in the table's column order) made ready, so that nothing
        DuckDB does can fail once the writer has them: for PostgreSQL as a file for COPY
        (text format when ``text``, else CSV), for SQLite as a temporary table."""
        if postgres:
            self.text = text
            self.out = self.folder / "rows.csv"
            tabs = ", DELIMITER '\t'" if text else ""
            self.db.execute(
                # select is this module's own text; values go as parameters
                f"COPY ({select}) TO '{self.out}' (FORMAT csv, HEADER false, NULLSTR '\\N'{tabs})",
                params,
            )
        else:
            self.db.execute(f"CREATE TEMP TABLE out AS {select}", params)

    def chunks(self, *, batch: int) -> Iterator[tuple[int, Any]]:
        """(rows, payload): COPY bytes for PostgreSQL, lists of tuples for SQLite."""
        if self.out is not None:
            with open(self.out, "rb") as handle:
                while block := handle.read(BLOCK):
                    if not block.endswith(b"\n"):  # whole lines only
                        block += handle.readline()
                    yield block.count(b"\n"), block
        else:
            self.db.execute("SELECT * FROM out")
            while rows := self.db.fetchmany(batch):
                yield len(rows), rows

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _read(db: duckdb.DuckDBPyConnection, path: Path, fields: tuple[str, ...]) -> bool | None:
    """The file into temporary table s, every field as text ('' for empty); None when
    DuckDB refuses it or reads other than the file's lines, else whether no field can need
    a COPY text escape."""
    columns = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in fields) + "}"
    values = ", ".join(f"coalesce({f}, '') AS {f}" for f in fields)
    try:
        db.execute(
            # fields are this module's constants; the path goes as a parameter
            f"CREATE TEMP TABLE s AS SELECT {values} FROM read_csv(?, header = true, "  # noqa: S608
            f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', "
            "escape = '\"', strict_mode = true)",
            [str(path)],
        )
    except duckdb.Error:
        return None
    (rows,) = _one(db, "SELECT count(*) FROM s")
    lines, plain = _lines(path)
    return plain if rows + 1 == lines else None


# A coordinate as the published files write it; anything else (exponents, spaces, signs,
# text) is left to the row-by-row reading, whose float() is the reference. For this form
# DuckDB's cast and Python's float() give the same double, and printf's %.6f the same text
# as Python's (tests/test_staging.py).
_PLAIN_NUMBER = r"-?[0-9]+(\.[0-9]+)?"


def _points(db: duckdb.DuckDBPyConnection, places: Any, *, with_places: bool) -> bool:
    """The file's distinct points with their coordinates, location id and places (table
    pts); False when a point is not a plain pair of coordinates in the UK."""
    db.execute(
        "CREATE TEMP TABLE p AS SELECT row_number() OVER () - 1 AS pid, lat_s, lng_s, loc, "  # noqa: S608
        "TRY_CAST(lat_s AS DOUBLE) AS lat, TRY_CAST(lng_s AS DOUBLE) AS lng, "
        f"regexp_full_match(lat_s, '{_PLAIN_NUMBER}') "
        f"AND regexp_full_match(lng_s, '{_PLAIN_NUMBER}') AS plain "
        "FROM (SELECT DISTINCT lat_s, lng_s, loc FROM s WHERE lat_s <> '' OR lng_s <> '')"
    )
    (bad,) = _one(
        db,
        "SELECT count(*) FROM p WHERE NOT plain OR lat NOT BETWEEN ? AND ? "
        "OR lng NOT BETWEEN ? AND ?",
        [bulk.MIN_LAT, bulk.MAX_LAT, bulk.MIN_LNG, bulk.MAX_LNG],
    )
    if bad:
        return False
    # the location key as bulk.location_id makes it; its hash is zlib's crc32, in Python
    keys = db.execute(
        "SELECT printf('%.6f|%.6f|%s', lat, lng, loc) AS key FROM p ORDER BY pid"
    ).fetchnumpy()["key"]
    n = len(keys)
    location_hash = bulk.location_hash
    lid = np.fromiter((location_hash(key) for key in keys), np.int32, n)
    hood, ward, authority = (np.full(n, NONE, np.int64) for _ in range(3))
    if with_places and not places.empty:
        min_lat, max_lat, min_lng, max_lng = places.box
        inside = db.execute(
            "SELECT pid, lat, lng FROM p WHERE lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?",
            [min_lat, max_lat, min_lng, max_lng],
        ).fetchall()
        locate = places.locate
        for pid, lat, lng in inside:
            h, w, a = locate(lat, lng)
            if h is not None:
                hood[pid] = h
            if w is not None:
                ward[pid] = w
            if a is not None:
                authority[pid] = a
    arrays = {"pid": np.arange(n), "lid": lid, "hood": hood, "ward": ward, "authority": authority}
    db.register("pv", arrays)
    db.execute(
        "CREATE TEMP TABLE pts AS SELECT p.lat_s, p.lng_s, p.loc, p.lat, p.lng, pv.* "
        "FROM p JOIN pv USING (pid)"
    )
    db.unregister("pv")
    return True


def _one(
    db: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> tuple[Any, ...]:
    row = db.execute(sql, params or []).fetchone()
    assert row is not None
    return row


def prepare_street(
    source: bulk.BulkFile,
    places: Any,
    outcomes: LaterOutcomes | None,
    outside_names: Any,
    *,
    postgres: bool,
) -> Staged | None:
    """A street file staged, or None for the row-by-row reading.

    ``outcomes``: the latest outcomes of the force's crimes from outcomes files of the
    file's month on (None when there are none to apply). ``outside_names(lsoa_counts)``: the
    LSOA names whose crimes are outside the force's area, from {name: (located rows, all
    rows)}.
    """
    if outcomes is not None and outcomes.held is not None:
        return None
    stage = partial(
        _street, places=places, outcomes=outcomes, outside_names=outside_names, postgres=postgres
    )
    return _staged(source, stage, postgres=postgres)


def prepare_outcomes(source: bulk.BulkFile, places: Any, *, postgres: bool) -> Staged | None:
    """An outcomes file staged, or None for the row-by-row reading. Repeated identical
    (crime ID, outcome) rows are published; the first is kept, and rows keep the file's order."""
    return _staged(source, partial(_outcomes, places=places, postgres=postgres), postgres=postgres)


def _staged(
    source: bulk.BulkFile, stage: Callable[..., Staged | None], *, postgres: bool
) -> Staged | None:
    """Run ``stage`` on the file with a DuckDB connection and a temporary folder of its own,
    both released unless a Staged (which then owns them) comes back."""
    db = _connection(postgres=postgres)
    folder = Path(tempfile.mkdtemp(prefix="bigsociety-crime-"))
    staged = None
    try:
        with _local_file(source, folder) as path:
            staged = stage(db, folder, path, source.name)
    except duckdb.Error as exc:  # e.g. out of memory: the row-by-row reading still works
        logger.warning("%s: DuckDB could not stage the file (%s)", source.label, exc)
    finally:
        if staged is None:
            with contextlib.suppress(duckdb.Error):
                db.close()
            shutil.rmtree(folder, ignore_errors=True)
    return staged


def _checked(
    db: duckdb.DuckDBPyConnection,
    path: Path,
    name: bulk.BulkName,
    places: Any,
    fields: tuple[str, ...],
    bad_rows: str,
    *,
    with_places: bool,
) -> bool | None:
    """The file read into table s and its points into pts (see _read and _points); None
    when DuckDB cannot take it exactly or ``bad_rows`` (a count, given the file's month)
    finds a row to leave to the row-by-row reading; else whether it needs no COPY escape."""
    plain = _read(db, path, fields)
    if plain is None:
        return None
    (bad,) = _one(db, bad_rows, [bulk.month_str(name.month)])
    if bad or not _points(db, places, with_places=with_places):
        return None
    return plain


def _street(
    db: duckdb.DuckDBPyConnection,
    folder: Path,
    path: Path,
    name: bulk.BulkName,
    *,
    places: Any,
    outcomes: LaterOutcomes | None,
    outside_names: Callable[[dict[str, tuple[int, int]]], list[str]],
    postgres: bool,
) -> Staged | None:
    plain = _checked(
        db,
        path,
        name,
        places,
        STREET_FIELDS,
        "SELECT count(*) FROM s LEFT JOIN crime_types t ON t.name = s.ctype "  # noqa: S608
        f"WHERE s.mon <> ? OR t.slug IS NULL OR (cid <> '' AND NOT {_HEX_KEY})",
        with_places=True,
    )
    if plain is None:
        return None
    db.execute(
        "CREATE TEMP TABLE j AS SELECT cid, reported, falls, loc, lsoa_c, lsoa_n, last, ctx, "
        "t.slug, pts.lat, pts.lng, pts.lid, pts.hood, pts.ward, pts.authority, "
        "pts.pid IS NOT NULL AS located FROM s JOIN crime_types t ON t.name = s.ctype "
        "LEFT JOIN pts USING (lat_s, lng_s, loc)"
    )
    db.execute("DROP TABLE s")  # memory: j holds what is still needed
    lsoas = {
        lsoa: (located, rows)
        for lsoa, located, rows in db.execute(
            "SELECT lsoa_n, count(*) FILTER (WHERE located AND lsoa_n <> ''), count(*) "
            "FROM j GROUP BY lsoa_n"
        ).fetchall()
    }
    outside = sorted(outside_names(lsoas))
    rows, no_location, without_id, with_id, ids = _one(
        db,
        "SELECT count(*), count(*) FILTER (WHERE NOT located), "
        "count(*) FILTER (WHERE cid = ''), count(*) FILTER (WHERE cid <> ''), "
        "count(DISTINCT cid) FILTER (WHERE cid <> '') FROM j",
    )
    staged = Staged(db, folder)
    in_our_places = 0
    for hood, ward, authority, slug, n in db.execute(
        f"SELECT hood, ward, authority, slug, count(*) FROM j WHERE located "  # noqa: S608
        f"AND (hood <> {NONE} OR ward <> {NONE} OR authority <> {NONE}) GROUP BY ALL"
    ).fetchall():
        place = (_place(hood), _place(ward), _place(authority))
        staged.counts[place, slug] += n
        if ward != NONE or authority != NONE:
            in_our_places += n
    staged.stats = {
        "rows": rows,
        "no_location": no_location,
        "without_id": without_id,
        "repeated_ids": with_id - ids,
        "outside_area": sum(lsoas[n][1] for n in outside),
        "in_our_places": in_our_places,
    }
    join = ""
    last, outcome_month = "last", "NULL"
    escapes = False
    if outcomes is not None and outcomes.rows:
        # only the file's own crimes' (memory: a force's first month can have 300,000 later
        # outcomes, of which a few name its crimes)
        db.execute(
            # the table name is LaterOutcomes' own
            f"CREATE TEMP TABLE later AS SELECT crime_id, outcome, month FROM {outcomes.table} "  # noqa: S608
            "WHERE crime_id IN (SELECT cid FROM j WHERE cid <> '')"
        )
        join = "LEFT JOIN later ON later.crime_id = j.cid"
        last, outcome_month = "coalesce(later.outcome, last)", "later.month"
        escapes = _need_escaping(db, "later")
    db.execute("CREATE TEMP TABLE outside (lsoa VARCHAR)")
    if outside:
        db.executemany("INSERT INTO outside VALUES (?)", [[n] for n in outside])
    # The order the rows go in. PostgreSQL: by crime key, so their entries go into the
    # crime-key index page by page, not at random across it (it outgrows shared_buffers).
    # SQLite: by point, so a month's crimes near each other share table pages; a map or
    # radius query then reads a few hundred pages, not one per crime (crimes-street at
    # central London: p50 34 -> 26 ms at 12 months, with the import as fast; the crime-key
    # index fits in the import's page cache at that size).
    order = "crime_key NULLS FIRST" if postgres else "lat NULLS FIRST, lng, crime_key"
    select = (
        f"SELECT ?, ?, cid, {_KEY} AS crime_key, reported, falls, lat, lng, loc, lid, "  # noqa: S608
        f"lsoa_c, lsoa_n, slug, {last}, {outcome_month}, ctx, "
        "lsoa_n IN (SELECT lsoa FROM outside), "
        f"nullif(hood, {NONE}), nullif(ward, {NONE}), nullif(authority, {NONE}) "
        f"FROM j {join} ORDER BY {order}"
    )
    text = plain and not escapes
    staged.write(select, [name.month.isoformat(), name.force], text=text, postgres=postgres)
    return staged


def _place(place_id: int) -> int | None:
    return None if place_id == NONE else place_id


def _outcomes(
    db: duckdb.DuckDBPyConnection,
    folder: Path,
    path: Path,
    name: bulk.BulkName,
    *,
    places: Any,
    postgres: bool,
) -> Staged | None:
    plain = _checked(
        db,
        path,
        name,
        places,
        OUTCOME_FIELDS,
        f"SELECT count(*) FROM s WHERE mon <> ? OR cid = '' OR outcome = '' OR NOT {_HEX_KEY}",  # noqa: S608
        with_places=False,
    )
    if plain is None:
        return None
    db.execute(
        "CREATE TEMP TABLE o AS SELECT line, cid, reported, falls, loc, lsoa_c, lsoa_n, outcome, "
        "pts.lat, pts.lng, pts.lid, pts.pid IS NOT NULL AS located "
        "FROM (SELECT rowid AS line, * FROM s) s LEFT JOIN pts USING (lat_s, lng_s, loc) "
        "WHERE line IN (SELECT min(rowid) FROM s GROUP BY cid, outcome) ORDER BY line"
    )
    (total,) = _one(db, "SELECT count(*) FROM s")
    db.execute("DROP TABLE s")  # memory: o holds what is still needed
    rows, no_location = _one(db, "SELECT count(*), count(*) FILTER (WHERE NOT located) FROM o")
    staged = Staged(db, folder)
    select = (
        f"SELECT ?, ?, cid, {_KEY}, reported, falls, lat, lng, loc, lid, lsoa_c, lsoa_n, "  # noqa: S608
        "outcome FROM o ORDER BY line"
    )
    staged.stats = {"rows": rows, "no_location": no_location, "repeated_rows": total - rows}
    staged.write(select, [name.month.isoformat(), name.force], text=plain, postgres=postgres)
    return staged
