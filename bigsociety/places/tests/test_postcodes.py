import json

import pytest
from django.core.management import CommandError, call_command

from bigsociety.common.csvimport import ImportRejected, issues_as_csv
from bigsociety.places.demo import demo_boundaries
from bigsociety.places.models import Place, Postcode
from bigsociety.places.postcodes import normalise_postcode
from bigsociety.places.services import boundaries_import, postcodes_import

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
    # given rows 3, 5 and 6 are broken
    csv_text = (
        HEADER
        + "KB1 1AA,51.52,-0.11,,\n"
        + "not a postcode,51.52,-0.11,,\n"
        + "KB1 1AB,51.52,-0.11,,\n"
        + "KB1 1AC,north,-0.11,,\n"
        + "KB1 1AA,51.52,-0.11,,\n"
    )
    # when
    with pytest.raises(ImportRejected) as rejected:
        postcodes_import(data=csv_text)
    # then
    assert [str(p) for p in rejected.value.issues] == [
        "line 3, column postcode: 'not a postcode' is not a UK postcode",
        "line 5, column latitude: 'north' is not a number",
        "line 6, column postcode: KB1 1AA is repeated (first on line 2)",
    ]
    assert Postcode.objects.count() == 0
    assert issues_as_csv(rejected.value.issues).splitlines()[:3] == [
        "line,column,problem",
        "3,postcode,'not a postcode' is not a UK postcode",
        "5,latitude,'north' is not a number",
    ]


@pytest.mark.django_db
def test_a_file_without_the_columns_says_what_was_expected():
    with pytest.raises(ImportRejected) as rejected:
        postcodes_import(data="name,x,y\nA,1,2\n")
    message = rejected.value.issues[0].message
    assert message.startswith("expected columns postcode (or pcds/pcd/pcd2)")
    assert message.endswith("found name, x, y")


@pytest.mark.django_db
def test_postcodes_without_a_grid_reference_are_skipped_not_rejected():
    result = postcodes_import(data=HEADER + "KB1 1AA,99.999999,0.000000,,\nKB1 1AB,51.5,-0.1,,\n")
    assert (result.imported, result.skipped_without_location) == (1, 1)
    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["KB1 1AB"]


@pytest.mark.django_db
def test_the_command_reports_lines_and_imports_nothing(tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_text(HEADER + "KB1 1AA,51.5,-0.1,,\nKB1 1AA,51.5,-0.1,,\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_postcodes", str(path))
    assert Postcode.objects.count() == 0
    assert Place.objects.count() == 0


@pytest.mark.django_db
def test_the_command_imports_a_good_file(tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_bytes(("\ufeff" + HEADER + "KB1 1AA,51.5,-0.1,,\n").encode())
    call_command("import_postcodes", str(path))
    assert Postcode.objects.get().postcode == "KB1 1AA"
