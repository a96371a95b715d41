"""How the importer writes: COPY text and its escapes, outcomes first, counts, id ranges."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from bigsociety.crime import bulk
from bigsociety.crime.models import (
    Crime,
    CrimeOutcome,
    ForceMonth,
    PlaceMonthCount,
    StopSearch,
)
from bigsociety.crime.services import import_paths, importer

MAY = dt.date(2018, 5, 1)
pytestmark = pytest.mark.django_db

CRIME_FIELDS = [c for c in importer.CRIME_COLUMNS if c != "force"] + ["force"]
OUTCOME_FIELDS = list(importer.OUTCOME_COLUMNS)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _may_outcomes(police_dir: Path) -> list[list[str]]:
    """An outcomes file for May naming every tenth of May's crimes (as the bulk files do)."""
    with open(police_dir / "2018-05" / "2018-05-city-of-london-street.csv", newline="") as f:
        street = list(csv.reader(f))[1:]
    rows = [
        [r[0], "2018-05", r[2], r[3], r[4], r[5], r[6], r[7], r[8], "Offender given a caution"]
        for r in street[::10]
        if r[0]
    ]
    _write(
        police_dir / "2018-05" / "2018-05-city-of-london-outcomes.csv",
        bulk.LAYOUTS[bulk.OUTCOMES],
        rows,
    )
    return rows


def _snapshot() -> tuple[list[tuple], list[tuple]]:
    crimes = sorted(Crime.objects.values_list(*CRIME_FIELDS), key=repr)
    outcomes = sorted(CrimeOutcome.objects.values_list(*OUTCOME_FIELDS), key=repr)
    return crimes, outcomes


def test_outcomes_of_the_same_month_reach_their_crimes_as_they_are_written(demo_places, police_dir):
    # given a month's street file and an outcomes file naming some of its crimes
    outcomes = _may_outcomes(police_dir)
    # when both are imported together
    report = import_paths(paths=[police_dir])
    # then the outcomes file came first, and every crime it names carries its outcome
    assert report.ok, report.as_dict()
    kinds = [(f.month, f.kind) for f in report.files if f.month == "2018-05"]
    assert kinds == [("2018-05", "outcomes"), ("2018-05", "street")]
    named = {r[0] for r in outcomes}
    assert len(named) > 10
    may = Crime.objects.filter(month=MAY).exclude(crime_id="")
    for crime_id, last, outcome_month in may.values_list(
        "crime_id", "last_outcome", "outcome_month"
    ):
        if crime_id in named:
            assert (last, outcome_month) == ("Offender given a caution", MAY)
        else:
            assert outcome_month is None


def test_the_plain_and_the_escaped_ways_of_writing_store_the_same_rows(
    demo_places, police_dir, monkeypatch
):
    # given the sample with an outcomes file, imported the fast way (COPY text as read)
    _may_outcomes(police_dir)
    assert import_paths(paths=[police_dir]).ok
    fast = _snapshot()
    for model in (Crime, CrimeOutcome, StopSearch, PlaceMonthCount, ForceMonth):
        model.objects.all().delete()
    # when it is imported again with every value encoded field by field
    monkeypatch.setattr(importer, "_plain", lambda source: False)
    assert import_paths(paths=[police_dir]).ok
    # then the tables hold the same rows
    assert _snapshot() == fast
    assert len(fast[0]) == 663 + 680 + 729


def _pragma(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return int(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache and WAL")
def test_an_sqlite_import_checkpoints_rarely_and_gives_the_connection_back_as_it_was(
    demo_places, police_dir
):
    # given the connection's own page cache and checkpoint interval
    before = (_pragma("cache_size"), _pragma("wal_autocheckpoint"))
    during: list[tuple[int, int]] = []

    def on_file(index: int, total: int, file_report: object) -> None:
        during.append((_pragma("cache_size"), _pragma("wal_autocheckpoint")))

    # when a folder is imported
    assert import_paths(paths=[police_dir], on_file=on_file).ok
    # then every file was written with the bigger cache and the rarer checkpoints
    assert during and set(during) == {
        (-importer.SQLITE_IMPORT_CACHE_KIB, importer.SQLITE_IMPORT_WAL_PAGES)
    }
    # and afterwards the connection has its own settings again
    assert (_pragma("cache_size"), _pragma("wal_autocheckpoint")) == before
    assert before[1] != importer.SQLITE_IMPORT_WAL_PAGES


def test_fields_that_need_escaping_are_stored_as_published(demo_places, tmp_path):
    # given a street file whose fields hold quotes, commas, a backslash, a tab and a line break
    location = 'On or near "The Crescent", Back\\Lane\tEast'
    context = "Reported twice\nsee also 2018-04"
    row = [
        "b" * 64,
        "2018-04",
        "City of London Police",
        "City of London Police",
        "-0.0922",
        "51.5155",
        location,
        "E01000001",
        "City of London 001A",
        "Burglary",
        "Under investigation",
        context,
    ]
    path = tmp_path / "2018-04" / "2018-04-city-of-london-street.csv"
    _write(path, bulk.LAYOUTS[bulk.STREET], [row])
    # when
    report = import_paths(paths=[path])
    # then the values are stored exactly
    assert report.ok, report.as_dict()
    crime = Crime.objects.get()
    assert (crime.location, crime.context) == (location, context)
    assert (crime.latitude, crime.longitude) == (51.5155, -0.0922)


def test_place_counts_equal_the_crimes_counted_in_the_database(imported):
    # the counts are made as the rows are read; the database's own GROUP BY must agree
    from django.db.models import Count

    expected: dict[tuple[int, str, dt.date, str], int] = {}
    for column in ("neighbourhood_id", "ward_id", "authority_id"):
        grouped = (
            Crime.objects.exclude(**{f"{column}__isnull": True})
            .values_list(column, "force", "month", "category")
            .annotate(n=Count("id"))
        )
        for place_id, force, month, category, n in grouped:
            expected[place_id, force, month, category] = n
    counted = {
        (c.place_id, c.force, c.month, c.category): c.count for c in PlaceMonthCount.objects.all()
    }
    assert counted == expected
    assert len(counted) > 20


def test_a_force_month_records_the_ids_of_its_rows(imported, police_dir):
    # given the sample imported
    for record in ForceMonth.objects.filter(kind="street"):
        ids = Crime.objects.filter(force="city-of-london", month=record.month).values_list(
            "id", flat=True
        )
        assert (record.first_row_id, record.last_row_id) == (min(ids), max(ids))
    # when another import's rows fall inside a force-month's recorded range
    april = ForceMonth.objects.get(kind="street", month=dt.date(2018, 4, 1))
    ForceMonth.objects.filter(pk=april.pk).update(first_row_id=0, last_row_id=10**12)
    # then that force-month is still exactly its own rows, and re-importing it leaves the
    # other months alone
    assert Crime.objects.of_force_month("city-of-london", april.month).count() == 663
    report = import_paths(paths=[police_dir / "2018-04"])
    assert report.ok
    assert Crime.objects.count() == 663 + 680 + 729


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8")),
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
            st.one_of(st.none(), st.integers(-(2**62), 2**62)),
            st.one_of(st.none(), st.dates()),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_copy_text_round_trips_through_postgresql(values):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS copy_probe "
            "(t text, f double precision, i bigint, d date, b boolean)"
        )
        cursor.execute("TRUNCATE copy_probe")
        raw = cursor.cursor
        with raw.copy("COPY copy_probe (t, f, i, d, b) FROM STDIN") as copy:
            if values:
                copy.write(importer.copy_lines(values, text=False))
        cursor.execute("SELECT t, f, i, d, b FROM copy_probe")
        assert sorted(cursor.fetchall(), key=repr) == sorted(values, key=repr)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's commit groups")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("seconds", "groups"), [(3600.0, 1), (0.0, 5)])
def test_an_sqlite_commit_group_ends_when_it_has_run_its_time(
    demo_places, police_dir, monkeypatch, seconds, groups
):
    # given commit groups bounded by time alone (other writers wait for a group)
    monkeypatch.setattr(importer, "SQLITE_GROUP_ROWS", 10**9)
    monkeypatch.setattr(importer, "SQLITE_GROUP_SECONDS", seconds)
    opened: list[int] = []
    real = importer._CommitGroups._open

    def open_group(self: importer._CommitGroups) -> None:
        opened.append(1)
        real(self)

    monkeypatch.setattr(importer._CommitGroups, "_open", open_group)
    # when the sample's four files are imported
    assert import_paths(paths=[police_dir]).ok
    # then they were committed in one group, or each in its own as soon as the time had
    # run (and a last group, opened after the fourth file, commits nothing)
    monkeypatch.undo()
    assert len(opened) == groups
    assert Crime.objects.count() == 663 + 680 + 729
