import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from bigsociety.places.demo import demo_boundaries
from bigsociety.places.models import Place, Postcode
from bigsociety.places.postcode_directory import problems_as_csv, read_postcode_directory
from bigsociety.places.postcodes import normalise_postcode
from bigsociety.places.services import ImportRejected, boundaries_import, postcodes_import

HEADER = "pcds,lat,long,osward,lsoa21\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bs14st", "BS1 4ST"),
        (" sw1a 1aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("nonsense", None),
        ("12345", None),
        ("", None),
    ],
)
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.django_db
def test_postcodes_are_placed_by_point_in_polygon():
    # given
    boundaries_import(text=json.dumps(demo_boundaries()))
    csv_text = HEADER + "KB1 1AA,51.52,-0.11,E05999001,\nKB9 9ZZ,52.5,1.0,,\n"
    # when
    result = postcodes_import(data=csv_text)
    # then
    assert (result.imported, result.unplaced) == (2, 1)
    placed = Postcode.objects.get(postcode="KB1 1AA")
    assert placed.place.kind == "neighbourhood"
    assert placed.place.parent.name == "Abbey Fields"
    assert Postcode.objects.get(postcode="KB9 9ZZ").place is None


@pytest.mark.django_db
def test_reimporting_a_postcode_updates_it():
    postcodes_import(data=HEADER + "KB1 1AA,51.52,-0.11,,\n")
    postcodes_import(data=HEADER + "KB1 1AA,51.51,-0.10,,\n")
    row = Postcode.objects.get()
    assert (row.latitude, row.longitude) == (51.51, -0.10)


@pytest.mark.django_db
def test_a_file_with_broken_rows_is_rejected_whole_with_every_line():
    # given rows 3 and 5 are broken
    csv_text = (
        HEADER
        + "KB1 1AA,51.52,-0.11,,\n"
        + "not a postcode,51.52,-0.11,,\n"
        + "KB1 1AB,51.52,-0.11,,\n"
        + "KB1 1AC,north,-0.11,,\n"
    )
    # when
    with pytest.raises(ImportRejected) as rejected:
        postcodes_import(data=csv_text)
    # then
    assert [str(p) for p in rejected.value.problems] == [
        "line 3, column postcode: 'not a postcode' is not a UK postcode",
        "line 5, column latitude: 'north' is not a number",
    ]
    assert Postcode.objects.count() == 0
    assert problems_as_csv(rejected.value.problems).splitlines() == [
        "line,column,problem",
        "3,postcode,'not a postcode' is not a UK postcode",
        "5,latitude,'north' is not a number",
    ]


def test_a_file_without_the_columns_says_what_was_expected():
    parsed = read_postcode_directory("name,x,y\nA,1,2\n")
    assert len(parsed.problems) == 1
    assert parsed.problems[0].message.startswith("expected columns postcode (or pcds/pcd/pcd2)")
    assert "found name, x, y" in parsed.problems[0].message


def test_undecodable_bytes_are_reported():
    parsed = read_postcode_directory(b"pcds,lat,long\n\xff\xfe,1,2\n")
    assert "not UTF-8" in parsed.problems[0].message


def test_postcodes_without_a_grid_reference_are_skipped_not_rejected():
    parsed = read_postcode_directory(HEADER + "KB1 1AA,99.999999,0.000000,,\n")
    assert parsed.problems == [] and parsed.rows == [] and parsed.skipped_without_location == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_exactly_the_broken_lines_are_reported(broken):
    lines = [
        (
            f"KB{i % 9 + 1} {i % 9 + 1}A{chr(65 + i % 26)},x,-0.1,,"
            if bad
            else f"KB{i % 9 + 1} {i % 9 + 1}A{chr(65 + i % 26)},51.5,-0.1,,"
        )
        for i, bad in enumerate(broken)
    ]
    # make postcodes unique
    lines = [line.replace("KB", f"K{chr(65 + i // 26)}", 1) for i, line in enumerate(lines)]
    parsed = read_postcode_directory(HEADER + "\n".join(lines) + "\n")
    assert [p.line for p in parsed.problems] == [i + 2 for i, bad in enumerate(broken) if bad]
    assert len(parsed.rows) == broken.count(False)


@pytest.mark.django_db
def test_the_command_reports_lines_and_imports_nothing(tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_text(HEADER + "KB1 1AA,51.5,-0.1,,\nKB1 1AA,51.5,-0.1,,\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_postcodes", str(path))
    assert Postcode.objects.count() == 0
    assert Place.objects.count() == 0
