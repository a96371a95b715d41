"""The pure parsing rules of bulk files."""

from __future__ import annotations

import datetime as dt
import math
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bigsociety.crime import bulk


def test_each_layout_is_recognised_by_its_exact_header():
    # given / when / then
    for kind, columns in bulk.LAYOUTS.items():
        assert bulk.detect_layout(list(columns)) == kind
    assert len(bulk.LAYOUTS[bulk.STREET]) == 12
    assert len(bulk.LAYOUTS[bulk.OUTCOMES]) == 10
    assert len(bulk.LAYOUTS[bulk.STOP_AND_SEARCH]) == 15


def test_a_byte_order_mark_is_ignored():
    header = ["\ufeffCrime ID", *bulk.LAYOUTS[bulk.STREET][1:]]
    assert bulk.detect_layout(header) == bulk.STREET


def test_an_unknown_header_names_the_expected_and_found_columns():
    # given
    header = ["Crime ID", "Month", "Where"]
    # when
    with pytest.raises(bulk.LayoutError) as caught:
        bulk.detect_layout(header)
    # then
    message = str(caught.value)
    assert "Found (3 columns): Crime ID,Month,Where" in message
    assert "street (12 columns): Crime ID,Month,Reported by" in message
    assert "stop-and-search (15 columns): Type,Date" in message


def test_bulk_file_names():
    assert bulk.parse_bulk_name("2018-04/2018-04-city-of-london-street.csv") == bulk.BulkName(
        month=dt.date(2018, 4, 1), force="city-of-london", kind="street"
    )
    assert bulk.parse_bulk_name("2018-04-btp-stop-and-search.csv") == bulk.BulkName(
        month=dt.date(2018, 4, 1), force="btp", kind="stop-and-search"
    )
    assert bulk.parse_bulk_name("2018-13-btp-street.csv") is None
    assert bulk.parse_bulk_name("street.csv") is None


def test_months():
    assert bulk.parse_month("2024-01") == dt.date(2024, 1, 1)
    assert bulk.parse_month("2024-1") is None
    assert bulk.parse_month("2024-00") is None
    assert bulk.add_months(dt.date(2024, 1, 1), -1) == dt.date(2023, 12, 1)
    assert bulk.add_months(dt.date(2024, 1, 1), 12) == dt.date(2025, 1, 1)


def test_coordinates():
    assert bulk.parse_coordinate("", low=-9, high=2.5) is None
    assert bulk.parse_coordinate("-0.106453", low=-9, high=2.5) == -0.106453
    for bad in ("x", "nan", "120.5", "-0,1"):
        with pytest.raises(ValueError):
            bulk.parse_coordinate(bad, low=-9, high=2.5)


def test_polygons():
    assert bulk.parse_poly("51.5,-0.1:51.6,-0.1:51.6,0.0") == [
        (51.5, -0.1),
        (51.6, -0.1),
        (51.6, 0.0),
    ]
    for bad, why in (
        ("51.5,-0.1:51.6", "not a lat,lng pair"),
        ("51.5,-0.1:51.6,-0.1", "at least three points"),
        ("a,b:1,2:3,4", "of numbers"),
        ("91,0:1,2:3,4", "outside the range"),
    ):
        with pytest.raises(ValueError, match=why):
            bulk.parse_poly(bad)


def test_location_ids_are_stable_and_distinguish_streets():
    a = bulk.location_id(51.518207, -0.106453, "On or near Charterhouse Street")
    assert a == bulk.location_id(51.518207, -0.106453, "On or near Charterhouse Street")
    assert a != bulk.location_id(51.518207, -0.106453, "On or near Other Street")
    assert 0 < a < 2**31
    assert bulk.location_id(None, None, "No location") is None


def test_district_of_an_lsoa_name():
    assert bulk.district_of("Arun 018E") == "Arun"
    assert bulk.district_of("City of London 001F") == "City of London"


@given(
    lat=st.floats(min_value=49, max_value=61),
    lng=st.floats(min_value=-8, max_value=2),
    bearing=st.floats(min_value=0, max_value=2 * math.pi),
    fraction=st.floats(min_value=0, max_value=1),
)
def test_the_radius_box_holds_every_point_of_the_circle(lat, lng, bearing, fraction):
    # given a point at most a mile away, in any direction
    d = bulk.MILE_M * fraction / bulk.EARTH_RADIUS_M
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    plat, plng = math.degrees(p2), math.degrees(l2)
    # when
    min_lat, max_lat, min_lng, max_lng = bulk.radius_bbox(lat, lng, bulk.MILE_M)
    # then
    assert min_lat <= plat <= max_lat
    assert min_lng <= plng <= max_lng


def test_discover_orders_files_and_reports_unusable_names(tmp_path):
    # given a folder, a zip and a stray file
    folder = tmp_path / "2024-01"
    folder.mkdir()
    (folder / "2024-01-kent-outcomes.csv").write_text("x")
    (folder / "2024-01-kent-street.csv").write_text("x")
    (folder / "notes.csv").write_text("x")
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2023-12/2023-12-kent-street.csv", "x")
        zf.writestr("2023-12/readme.txt", "x")
    # when
    files, problems = bulk.discover([tmp_path / "2024-01", archive, tmp_path / "missing"])
    # then
    assert [(f.name.month.month, f.name.kind) for f in files] == [
        (12, "street"),
        (1, "outcomes"),
        (1, "street"),
    ]
    assert files[0].label == "bulk.zip:2023-12/2023-12-kent-street.csv"
    assert len(problems) == 2
    assert "notes.csv: the name is not a data.police.uk bulk file name" in problems[0]
    assert problems[1].endswith("missing: no such file or folder")
