"""Imports on PostgreSQL share their forces between lanes (threads with their own connections):
the tables end exactly as a one-lane import leaves them, in the files' order, and a failure in
one lane stops the import and is raised."""

from __future__ import annotations

import csv
import hashlib
import threading
from pathlib import Path

import pytest
from django.db import connection

from bigsociety.crime import bulk
from bigsociety.crime.models import Crime, CrimeOutcome, ForceMonth, PlaceMonthCount, StopSearch
from bigsociety.crime.services import import_paths, importer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="lanes are PostgreSQL's"),
]

FORCES = ("city-of-london", "cumbria", "dorset", "kent")


@pytest.fixture
def forces_dir(police_dir: Path, tmp_path: Path) -> Path:
    """The sample's files as four forces' files (crime IDs made unique per force), with an
    outcomes file for May naming every tenth of each force's May crimes."""
    target = tmp_path / "forces"
    for source in sorted(police_dir.rglob("*.csv")):
        with open(source, newline="") as handle:
            rows = list(csv.reader(handle))
        street = source.name.endswith("-street.csv")
        for force in FORCES:
            out = target / source.parent.name / source.name.replace("city-of-london", force)
            out.parent.mkdir(parents=True, exist_ok=True)
            body = [
                [hashlib.sha256(f"{force}{r[0]}".encode()).hexdigest() if r[0] else "", *r[1:]]
                if street
                else r
                for r in rows[1:]
            ]
            with open(out, "w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(rows[0])
                writer.writerows(body)
            if street and source.parent.name == "2018-05":
                outcomes = [
                    [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], "Offender fined"]
                    for r in body[::10]
                    if r[0]
                ]
                with open(out.with_name(f"2018-05-{force}-outcomes.csv"), "w", newline="") as h:
                    writer = csv.writer(h, lineterminator="\n")
                    writer.writerow(bulk.LAYOUTS[bulk.OUTCOMES])
                    writer.writerows(outcomes)
    return target


def _tables() -> tuple[list[tuple], ...]:
    crimes = sorted(Crime.objects.values_list(*importer.CRIME_COLUMNS), key=repr)
    outcomes = sorted(CrimeOutcome.objects.values_list(*importer.OUTCOME_COLUMNS), key=repr)
    stops = sorted(StopSearch.objects.values_list(*importer.STOP_COLUMNS), key=repr)
    counts = sorted(
        PlaceMonthCount.objects.values_list("place_id", "force", "month", "category", "count")
    )
    months = sorted(
        ForceMonth.objects.values_list(
            "force__slug", "month", "kind", "rows", "no_location", "outside_area", "in_our_places"
        )
    )
    return crimes, outcomes, stops, counts, months


def _wipe() -> None:
    for model in (Crime, CrimeOutcome, StopSearch, PlaceMonthCount, ForceMonth):
        model.objects.all().delete()


def test_lanes_hold_whole_forces_in_the_files_order(forces_dir):
    # given the files of four forces
    files, _ = bulk.discover([forces_dir])
    # when they are shared into lanes
    lanes = importer._lanes(files)
    # then there are LANES lanes, each force's files all in one, each lane in the files' order
    assert len(lanes) == importer.LANES
    assert sorted(i for lane in lanes for i in lane) == list(range(len(files)))
    for lane in lanes:
        assert lane == sorted(lane)
    lane_of = {files[i].name.force: n for n, lane in enumerate(lanes) for i in lane}
    for n, lane in enumerate(lanes):
        assert all(lane_of[files[i].name.force] == n for i in lane)


def test_an_import_in_lanes_writes_what_one_lane_writes(demo_places, forces_dir, monkeypatch):
    # given the four forces imported in lanes, with every callback recorded
    files, _ = bulk.discover([forces_dir])
    done: list[tuple[int, int]] = []
    threads: set[str] = set()

    def on_file(index: int, total: int, report: importer.FileReport) -> None:
        done.append((index, total))
        threads.add(threading.current_thread().name)

    report = import_paths(paths=[forces_dir], on_file=on_file)
    assert report.ok, report.as_dict()
    in_lanes = _tables()
    # then the work ran on the lanes' threads, the callbacks one at a time with the count so
    # far, and the report lists the files in the order they were found
    assert threads == {f"crime-import-lane-{n}" for n in range(importer.LANES)}
    assert done == [(n, len(files)) for n in range(1, len(files) + 1)]
    assert [(r.force, r.month, r.kind) for r in report.files] == [
        (f.name.force, bulk.month_str(f.name.month), f.name.kind) for f in files
    ]
    # and every force's May crimes carry the outcomes of its own outcomes file
    fined = Crime.objects.filter(last_outcome="Offender fined")
    assert set(fined.values_list("force", flat=True)) == set(FORCES)
    # and every force-month's rows lie inside the id range recorded for it
    for force_month in ForceMonth.objects.filter(kind=ForceMonth.Kind.STREET):
        ids = Crime.objects.filter(
            force=force_month.force.slug, month=force_month.month
        ).values_list("id", flat=True)
        assert min(ids) >= force_month.first_row_id and max(ids) <= force_month.last_row_id
    # when the same files are imported again in one lane, into empty tables
    _wipe()
    monkeypatch.setattr(importer, "LANES", 1)
    assert importer._lanes(files) == [list(range(len(files)))]
    assert import_paths(paths=[forces_dir]).ok
    # then the tables hold the same rows
    assert _tables() == in_lanes
    assert len(in_lanes[0]) == 4 * (663 + 680 + 729)


def test_a_failure_in_one_lane_stops_the_import_and_is_raised(demo_places, forces_dir, monkeypatch):
    # given a fault that strikes one force's second file
    original = importer._import_read
    seen: list[str] = []

    def failing(read, **kwargs):
        if read.name.force == "dorset":
            seen.append(read.source.label)
            if len(seen) == 2:
                read.close()
                raise RuntimeError("the disk went away")
        return original(read, **kwargs)

    monkeypatch.setattr(importer, "_import_read", failing)
    # when the four forces are imported
    with pytest.raises(RuntimeError, match="the disk went away"):
        import_paths(paths=[forces_dir])
    # then no lane is left running, and the files committed before the fault are whole
    assert not [t for t in threading.enumerate() if t.name.startswith("crime-import-lane-")]
    for force_month in ForceMonth.objects.filter(kind=ForceMonth.Kind.STREET):
        assert (
            Crime.objects.filter(force=force_month.force.slug, month=force_month.month).count()
            == force_month.rows
        )
    assert not ForceMonth.objects.filter(force__slug="dorset", month__gt="2018-04-01").exists()
