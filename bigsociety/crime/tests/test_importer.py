"""The importer: the real City of London sample, idempotence, refusals, outcomes, places."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from django.core.management import CommandError, call_command

from bigsociety.common.models import AuditEntry
from bigsociety.crime import bulk
from bigsociety.crime.models import Crime, CrimeOutcome, ForceMonth, PlaceMonthCount, StopSearch
from bigsociety.crime.services import import_paths
from bigsociety.places.models import Place

APRIL = dt.date(2018, 4, 1)
JUNE = dt.date(2018, 6, 1)
pytestmark = pytest.mark.django_db


def test_the_real_city_of_london_sample_imports(imported):
    # then every row is kept, including no-location and anti-social behaviour rows
    assert Crime.objects.filter(month=APRIL).count() == 663
    assert Crime.objects.filter(month=dt.date(2018, 5, 1)).count() == 680
    assert Crime.objects.filter(month=JUNE).count() == 729
    assert StopSearch.objects.count() == 110
    april = ForceMonth.objects.get(force__slug="city-of-london", month=APRIL, kind="street")
    assert (april.rows, april.no_location, april.without_id) == (663, 36, 113)
    assert Crime.objects.filter(month=APRIL, latitude__isnull=True).count() == 36
    asb = Crime.objects.filter(month=APRIL, category="anti-social-behaviour")
    assert asb.count() == 113
    assert set(asb.values_list("crime_id", flat=True)) == {""}
    assert april.force.name == "City of London Police"


def test_repeated_crime_ids_are_kept_and_counted(imported):
    june = ForceMonth.objects.get(month=JUNE, kind="street")
    assert june.repeated_ids == 6
    ids = Crime.objects.filter(month=JUNE).exclude(crime_id="").values_list("crime_id", flat=True)
    assert len(ids) - len(set(ids)) == 6


def test_crimes_outside_the_forces_area_are_kept_and_flagged(imported):
    june = ForceMonth.objects.get(month=JUNE, kind="street")
    assert june.outside_area == 14
    assert Crime.objects.filter(month=JUNE, outside_area=True).count() == 14


def test_crimes_are_attributed_to_places_by_point(imported):
    # given a crime at a known point inside the demo area
    crime = Crime.objects.filter(month=APRIL, ward_id__isnull=False).first()
    ward = Place.objects.get(pk=crime.ward_id)
    # then the point lies in the ward's box, and the counts add up per place
    assert ward.kind == "ward"
    assert ward.min_lat <= crime.latitude <= ward.max_lat
    assert ward.min_lng <= crime.longitude <= ward.max_lng
    in_ward = Crime.objects.filter(month=APRIL, ward_id=ward.pk).count()
    counted = sum(
        PlaceMonthCount.objects.filter(place_id=ward.pk, month=APRIL).values_list(
            "count", flat=True
        )
    )
    assert counted == in_ward
    assert (
        Crime.objects.filter(month=APRIL).exclude(lsoa_code="").first().lsoa_code.startswith("E01")
    )


def test_reimporting_a_force_month_replaces_it(imported, police_dir):
    # given the sample already imported
    before = Crime.objects.count()
    # when it is imported again
    report = import_paths(paths=[police_dir])
    # then nothing doubled and each file says it replaced its force-month
    assert report.ok
    assert Crime.objects.count() == before == 663 + 680 + 729
    assert all(f.replaced for f in report.files)
    assert ForceMonth.objects.count() == 4
    assert report.new_months == []


def _write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([",".join(header), *[",".join(r) for r in rows]]) + "\n")


def _street(cid="a" * 64, month="2018-04", lng="-0.1", lat="51.51", kind="Burglary"):
    return [
        cid,
        month,
        "City of London Police",
        "City of London Police",
        lng,
        lat,
        "On or near Somewhere",
        "E01000001",
        "City of London 001A",
        kind,
        "Under investigation",
        "",
    ]


def test_a_file_with_bad_rows_is_refused_whole_and_the_month_left_as_it_was(imported, tmp_path):
    # given a replacement April file with a malformed month, longitude and latitude
    path = tmp_path / "2018-04" / "2018-04-city-of-london-street.csv"
    _write(
        path,
        bulk.LAYOUTS["street"],
        [
            _street(),
            _street(month="2018-4"),
            _street(lng="west"),
            _street(lat="151.2"),
            _street(kind="Arson"),
        ],
    )
    audits = AuditEntry.objects.count()
    # when
    report = import_paths(paths=[path])
    # then every bad line is named and April is untouched
    (file_report,) = report.files
    assert not report.ok and not file_report.imported
    assert file_report.errors == [
        f"{path}, line 3: the month '2018-4' is not 2018-04, the file's month",
        f"{path}, line 4: the longitude 'west' is not a longitude in the UK",
        f"{path}, line 5: the latitude '151.2' is not a latitude in the UK",
        f"{path}, line 6: 'Arson' is not a known crime type",
    ]
    assert Crime.objects.filter(month=APRIL).count() == 663
    assert ForceMonth.objects.get(month=APRIL, kind="street").rows == 663
    assert AuditEntry.objects.count() == audits


def test_a_file_with_an_unknown_header_is_refused_naming_the_columns(db, tmp_path):
    path = tmp_path / "2018-04-kent-street.csv"
    _write(path, ["Crime ID", "Month", "Where"], [["x", "2018-04", "here"]])
    report = import_paths(paths=[path])
    (file_report,) = report.files
    assert not file_report.imported
    assert "Found (3 columns): Crime ID,Month,Where" in file_report.errors[0]
    assert "Expected one of: street (12 columns)" in file_report.errors[0]
    assert Crime.objects.count() == 0


def test_outcomes_files_update_each_crimes_outcome_history(imported, tmp_path):
    # given a crime from April and an outcomes file for June naming it twice (repeated row)
    crime = Crime.objects.filter(month=APRIL).exclude(crime_id="").order_by("id").first()
    row = [
        crime.crime_id,
        "2018-06",
        "City of London Police",
        "City of London Police",
        "",
        "",
        "No location",
        "",
        "",
        "Offender sent to prison",
    ]
    path = tmp_path / "2018-06" / "2018-06-city-of-london-outcomes.csv"
    _write(path, bulk.LAYOUTS["outcomes"], [row, row])
    # when
    report = import_paths(paths=[path])
    # then
    assert report.ok
    assert report.files[0].repeated_rows == 1
    assert list(CrimeOutcome.objects.values_list("crime_id", "month", "outcome")) == [
        (crime.crime_id, JUNE, "Offender sent to prison")
    ]
    crime.refresh_from_db()
    assert (crime.last_outcome, crime.outcome_month) == ("Offender sent to prison", JUNE)
    # and re-importing April's street file keeps the newer outcome
    assert import_paths(paths=[police_dir_april(crime)]).ok
    again = Crime.objects.filter(crime_id=crime.crime_id, month=APRIL).get()
    assert (again.last_outcome, again.outcome_month) == ("Offender sent to prison", JUNE)


def police_dir_april(crime):
    from .conftest import FIXTURES

    return FIXTURES / "2018-04" / "2018-04-city-of-london-street.csv"


def test_a_zip_laid_out_as_the_bulk_download_imports(demo_places, police_dir, tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for csv_path in police_dir.rglob("*.csv"):
            zf.write(csv_path, csv_path.relative_to(police_dir))
    report = import_paths(paths=[archive])
    assert report.ok
    assert (
        next(f.file for f in report.files)
        == "download.zip:2018-04/2018-04-city-of-london-street.csv"
    )
    assert Crime.objects.count() == 663 + 680 + 729
    assert report.new_months == ["2018-04", "2018-05", "2018-06"]


def test_the_management_command(demo_places, police_dir, capsys):
    call_command("import_police_data", str(police_dir))
    out = capsys.readouterr().out
    assert "2182 rows from 4 of 4 files" in out
    (police_dir / "2018-04" / "2018-04-city-of-london-street.csv").write_text("nonsense\n")
    with pytest.raises(CommandError):
        call_command("import_police_data", str(police_dir))
    assert Crime.objects.filter(month=APRIL).count() == 663
