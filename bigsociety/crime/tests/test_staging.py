"""DuckDB staging (services/staging.py): the same rows and reports as the row-by-row reading,
and every file it is not sure of left to that reading."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.db import connection

from bigsociety.crime import bulk
from bigsociety.crime.models import Crime, CrimeOutcome, ForceMonth, PlaceMonthCount, StopSearch
from bigsociety.crime.services import import_paths, importer, staging

pytestmark = pytest.mark.django_db

CRIME_FIELDS = list(importer.CRIME_COLUMNS)
OUTCOME_FIELDS = list(importer.OUTCOME_COLUMNS)
COUNT_FIELDS = ["place_id", "force", "month", "category", "count"]
FORCE_MONTH_FIELDS = ["force__slug", "month", "kind", "rows", "no_location", "without_id",
                      "repeated_ids", "outside_area", "in_our_places"]  # fmt: skip


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))[1:]


def _write(path: Path, kind: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(bulk.LAYOUTS[kind])
        writer.writerows(rows)


def _outcome(street_row: list[str], month: str, outcome: str) -> list[str]:
    return [street_row[0], month, *street_row[2:9], outcome]


def _rich_sample(police_dir: Path) -> None:
    """The real sample plus what the bulk files also hold: outcomes files (one naming crimes
    of earlier months, with repeated identical rows and two outcomes of one crime), a crime
    ID repeated in a street file, and a district of another force's area."""
    may = _rows(police_dir / "2018-05" / "2018-05-city-of-london-street.csv")
    april = _rows(police_dir / "2018-04" / "2018-04-city-of-london-street.csv")
    with_ids = [r for r in may if r[0]]
    may_outcomes = [_outcome(r, "2018-05", "Offender given a caution") for r in with_ids[::7]]
    may_outcomes += may_outcomes[:5]  # repeated identical rows are published
    may_outcomes.append(_outcome(with_ids[0], "2018-05", "Court result unavailable"))
    _write(police_dir / "2018-05" / "2018-05-city-of-london-outcomes.csv", "outcomes", may_outcomes)
    june_outcomes = [_outcome(r, "2018-06", "Unable to prosecute suspect") for r in with_ids[3::9]]
    june_outcomes += [
        _outcome(r, "2018-06", "Local resolution") for r in april if r[0] and r[5] == ""
    ][:3]
    _write(
        police_dir / "2018-06" / "2018-06-city-of-london-outcomes.csv", "outcomes", june_outcomes
    )
    june_path = police_dir / "2018-06" / "2018-06-city-of-london-street.csv"
    june = _rows(june_path)
    first = next(r for r in june if r[0])
    stranger = [*first[:7], "E01099999", "Elsewhere 001A", *first[9:]]
    _write(june_path, "street", [*june, first, stranger])


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "crimes": sorted(Crime.objects.values_list(*CRIME_FIELDS), key=repr),
        "outcomes": sorted(CrimeOutcome.objects.values_list(*OUTCOME_FIELDS), key=repr),
        "counts": sorted(PlaceMonthCount.objects.values_list(*COUNT_FIELDS), key=repr),
        "force_months": sorted(ForceMonth.objects.values_list(*FORCE_MONTH_FIELDS), key=repr),
        "stops": sorted(StopSearch.objects.values_list("month", "datetime", "latitude"), key=repr),
    }


def _clear() -> None:
    for model in (Crime, CrimeOutcome, StopSearch, PlaceMonthCount, ForceMonth):
        model.objects.all().delete()


def _reports(report: importer.ImportReport) -> list[dict[str, Any]]:
    return [f.as_dict() for f in report.files]


@pytest.fixture
def staged_files(monkeypatch):
    """The names of the files DuckDB staged."""
    names: list[str] = []
    for function in ("prepare_street", "prepare_outcomes"):
        real = getattr(staging, function)

        def spy(source, *args, _real=real, **kwargs):
            result = _real(source, *args, **kwargs)
            if result is not None:
                names.append(source.name.kind)
            return result

        monkeypatch.setattr(staging, function, spy)
    return names


def _row_by_row(monkeypatch) -> None:
    monkeypatch.setattr(staging, "prepare_street", lambda *args, **kwargs: None)
    monkeypatch.setattr(staging, "prepare_outcomes", lambda *args, **kwargs: None)


def test_staged_files_store_what_the_row_by_row_reading_stores(
    demo_places, police_dir, staged_files, monkeypatch
):
    # given the sample with outcomes files, repeated rows and IDs and a stranger district
    _rich_sample(police_dir)
    # when it is imported through DuckDB, and again (after a clean slate) row by row
    staged_report = import_paths(paths=[police_dir])
    assert staged_report.ok, staged_report.as_dict()
    staged = _snapshot()
    _clear()
    _row_by_row(monkeypatch)
    plain_report = import_paths(paths=[police_dir])
    # then every street and outcomes file was staged, and the two ways agree in every row,
    # count and report
    assert sorted(staged_files) == ["outcomes", "outcomes", "street", "street", "street"]
    assert _snapshot() == staged
    assert _reports(staged_report) == _reports(plain_report)
    # and the sample exercised what it is there for
    by_kind = {(f.month, f.kind): f for f in staged_report.files}
    assert by_kind["2018-05", "outcomes"].repeated_rows == 5
    assert by_kind["2018-06", "street"].repeated_ids >= 2
    assert Crime.objects.get(lsoa_name="Elsewhere 001A").outside_area
    assert by_kind["2018-06", "street"].no_location > 0
    assert Crime.objects.filter(outcome_month=dt.date(2018, 6, 1), month__lt="2018-06-01").exists()


def test_a_reimport_takes_the_later_outcomes_the_same_way(
    demo_places, police_dir, staged_files, monkeypatch
):
    # given the rich sample imported
    _rich_sample(police_dir)
    assert import_paths(paths=[police_dir]).ok
    # when May's street file alone is imported again through DuckDB, and then row by row
    may = police_dir / "2018-05" / "2018-05-city-of-london-street.csv"
    staged_files.clear()
    assert import_paths(paths=[may]).ok
    assert staged_files == ["street"]
    staged = _snapshot()
    _row_by_row(monkeypatch)
    assert import_paths(paths=[may]).ok
    # then the crimes carry the same outcomes (June's where June said more than May)
    assert _snapshot() == staged
    june = Crime.objects.filter(month=dt.date(2018, 5, 1), outcome_month=dt.date(2018, 6, 1))
    assert june.count() > 5
    assert set(june.values_list("last_outcome", flat=True)) == {"Unable to prosecute suspect"}


def test_a_zip_member_is_staged(demo_places, police_dir, tmp_path, staged_files):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(police_dir.rglob("*.csv")):
            zf.write(path, path.relative_to(police_dir).as_posix())
    report = import_paths(paths=[archive])
    assert report.ok, report.as_dict()
    assert staged_files == ["street", "street", "street"]
    assert Crime.objects.count() == 663 + 680 + 729


def _street_file(tmp_path: Path, rows: list[list[str]], *, raw: str | None = None) -> Path:
    path = tmp_path / "2018-04" / "2018-04-city-of-london-street.csv"
    _write(path, "street", rows)
    if raw is not None:
        path.write_text(path.read_text() + raw)
    return path


ROW = ["a" * 64, "2018-04", "City of London Police", "City of London Police", "-0.0922",
       "51.5155", "On or near Fleet Street", "E01000001", "City of London 001A", "Burglary",
       "Under investigation", ""]  # fmt: skip


def _changed(**fields: str) -> list[str]:
    row = list(ROW)
    for name, value in fields.items():
        row[staging.STREET_FIELDS.index(name)] = value
    return row


@pytest.mark.parametrize(
    ("rows", "raw"),
    [
        pytest.param([ROW, _changed(mon="2018-05")], None, id="another month"),
        pytest.param([ROW, _changed(ctype="Jaywalking")], None, id="unknown crime type"),
        pytest.param([ROW, _changed(lat_s="51.5.1")], None, id="latitude not a number"),
        pytest.param([ROW, _changed(lat_s="48.1")], None, id="latitude outside the UK"),
        pytest.param([ROW, _changed(lng_s="")], None, id="latitude without longitude"),
        pytest.param([ROW, _changed(cid="not-hex")], None, id="crime ID not hexadecimal"),
        pytest.param([ROW], "\n", id="a blank line"),
        pytest.param([ROW], ",".join(ROW[:5]) + "\n", id="too few columns"),
        pytest.param([ROW], ",".join([*ROW, "x"]) + "\n", id="too many columns"),
        pytest.param([_changed(ctx="two\nlines")], None, id="line break inside quotes"),
    ],
)
def test_a_file_it_is_not_sure_of_is_left_to_the_row_by_row_reading(
    demo_places, tmp_path, rows, raw
):
    path = _street_file(tmp_path, rows, raw=raw)
    [source], _ = bulk.discover([path])
    places = importer.PlaceAttributor()
    postgres = connection.vendor == "postgresql"
    assert staging.prepare_street(source, places, None, lambda _: [], postgres=postgres) is None


def test_a_plain_file_is_staged_with_its_counts(demo_places, tmp_path):
    path = _street_file(tmp_path, [ROW, _changed(cid="", lat_s="", lng_s="", ctype="Drugs")])
    [source], _ = bulk.discover([path])
    places = importer.PlaceAttributor()
    staged = staging.prepare_street(source, places, None, lambda _: [], postgres=False)
    assert staged is not None
    try:
        assert staged.stats == {"rows": 2, "no_location": 1, "without_id": 1, "repeated_ids": 0,
                                "outside_area": 0, "in_our_places": 1}  # fmt: skip
        [(_, rows)] = list(staged.chunks(batch=100))
        assert [(r[2], r[3], r[6], r[7], r[12]) for r in rows] == [
            ("", None, None, None, "drugs"),
            ("a" * 64, bulk.crime_key("a" * 64), 51.5155, -0.0922, "burglary"),
        ]
    finally:
        staged.close()
    assert not staged.folder.exists()


def test_values_that_need_escaping_are_staged_and_stored_as_published(
    demo_places, tmp_path, staged_files
):
    # given a street file whose fields hold quotes, a comma, a backslash and a tab
    location = 'On or near "The Crescent", Back\\Lane\tEast'
    path = _street_file(tmp_path, [_changed(loc=location, ctx="see \\N"), ROW])
    # when it is imported (on PostgreSQL through COPY's CSV format, not its text format)
    report = import_paths(paths=[path])
    # then it was staged, and the values are stored exactly
    assert report.ok, report.as_dict()
    assert staged_files == ["street"]
    assert sorted(Crime.objects.values_list("location", "context")) == [
        (location, "see \\N"),
        (ROW[6], ""),
    ]


@pytest.mark.parametrize("how", ["rows", "csv"])
def test_later_outcomes_keep_the_newest_outcome_of_each_crime(how):
    # given a crime's outcomes over three months (two in one month), another crime's one,
    # and an outcome whose text holds a comma, quotes and a tab
    rows = [
        ("a1", "Under investigation", "2024-01-01", 5),
        ("a1", "Suspect charged", "2024-03-01", 2),
        ("a1", "Awaiting court outcome", "2024-02-01", 9),
        ("b2", 'Dealt with, "locally"\tby police', "2024-02-01", 7),
        ("b2", "Local resolution", "2024-02-01", 3),
    ]
    later = staging.LaterOutcomes(postgres=False)
    try:
        # when they are handed over as tuples, or as the CSV that PostgreSQL's COPY writes
        if how == "rows":
            later.add_rows(rows[:2])
            later.add_rows(rows[2:])
        else:
            lines = []
            for row in rows:
                out = io.StringIO()
                csv.writer(out, lineterminator="\n").writerow(row)
                lines.append(out.getvalue().encode())
            later.add_csv([b"".join(lines[:3]), b"".join(lines[3:])])
        later.finish()
        # then each crime keeps its newest: the latest month, then the latest row
        assert later.rows == 2
        assert later.as_dict() == {
            "a1": ("Suspect charged", "2024-03-01"),
            "b2": ('Dealt with, "locally"\tby police', "2024-02-01"),
        }
        # and the tab and quotes are noticed (COPY's text format would need escapes)
        assert staging._need_escaping(later.db, later.table)
    finally:
        later.close()
    # and closing drops its tables, and closing again is harmless
    later.close()
    tables = staging._connection(postgres=False).execute("SHOW TABLES").fetchall()
    assert not [t for (t,) in tables if t.startswith(later.table)]


def test_later_outcomes_of_plain_text_need_no_escaping():
    later = staging.LaterOutcomes(postgres=False)
    try:
        later.add_rows([("a1", "Suspect charged", "2024-03-01", 1)])
        later.finish()
        assert not staging._need_escaping(later.db, later.table)
    finally:
        later.close()


def test_rows_go_in_by_point_on_sqlite_and_by_crime_key_on_postgresql(demo_places, tmp_path):
    # given three crimes whose crime keys and latitudes run in opposite orders
    rows = [
        _changed(cid="c" * 64, lat_s="51.5101"),
        _changed(cid="a" * 64, lat_s="51.5301"),
        _changed(cid="b" * 64, lat_s="51.5201"),
    ]
    [source], _ = bulk.discover([_street_file(tmp_path, rows)])
    places = importer.PlaceAttributor()
    orders = {}
    for postgres in (False, True):
        staged = staging.prepare_street(source, places, None, lambda _: [], postgres=postgres)
        assert staged is not None
        try:
            chunks = [payload for _, payload in staged.chunks(batch=100)]
            if postgres:  # COPY text: the crime ID is the third field
                lines = b"".join(chunks).decode().splitlines()
                orders[postgres] = [line.split("\t")[2][0] for line in lines]
            else:
                orders[postgres] = [row[2][0] for chunk in chunks for row in chunk]
        finally:
            staged.close()
    # then SQLite takes them by point (neighbours share table pages), PostgreSQL by crime
    # key (its crime-key index is filled page by page)
    assert orders == {False: ["c", "b", "a"], True: ["a", "b", "c"]}


def test_later_outcomes_duckdb_cannot_hold_send_the_street_file_row_by_row(
    demo_places, police_dir, staged_files, monkeypatch
):
    # given the rich sample imported, and then May's street file re-imported
    _rich_sample(police_dir)
    assert import_paths(paths=[police_dir]).ok
    may = police_dir / "2018-05" / "2018-05-city-of-london-street.csv"
    assert import_paths(paths=[may]).ok
    expected = _snapshot()

    # when DuckDB runs out of memory holding the later outcomes of a second re-import
    def out_of_memory(self):
        raise duckdb.OutOfMemoryException("could not allocate block")

    monkeypatch.setattr(staging.LaterOutcomes, "finish", out_of_memory)
    staged_files.clear()
    report = import_paths(paths=[may])
    # then the file is still imported, row by row, with the same outcomes
    assert report.ok, report.as_dict()
    assert staged_files == []
    assert _snapshot() == expected
