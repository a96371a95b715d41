import json

import pytest
from django.core.management import CommandError, call_command

from bigsociety.places.api import PlaceLocator, place_for_point, places_for_point
from bigsociety.places.demo import demo_boundaries
from bigsociety.places.models import Place
from bigsociety.places.services import ImportRejected, boundaries_import
from bigsociety.places.tests.factories import square

pytestmark = pytest.mark.django_db


def _feature(code, name, kind, parent=None, geometry=None):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "kind": kind, "parent_code": parent},
        "geometry": geometry or square(-0.1, 51.5, 0.01),
    }


def _collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, indent=1)


def test_importing_the_demo_area_builds_the_hierarchy():
    # when
    result = boundaries_import(text=json.dumps(demo_boundaries()))
    # then
    assert len(result.created) == 17
    authority = Place.objects.get(code="E06999001")
    assert authority.kind == "local_authority" and authority.parent is None
    ward = Place.objects.get(code="E05999001")
    assert ward.parent == authority
    assert Place.objects.filter(parent=ward).count() == 3
    assert (round(authority.min_lng, 4), round(authority.max_lat, 4)) == (-0.115, 51.525)


def test_reimporting_updates_in_place():
    boundaries_import(text=json.dumps(demo_boundaries()))
    data = demo_boundaries()
    data["features"][0]["properties"]["name"] = "Kingsbridge and District"
    result = boundaries_import(text=json.dumps(data))
    assert (len(result.created), len(result.updated)) == (0, 17)
    assert Place.objects.get(code="E06999001").name == "Kingsbridge and District"


def test_a_broken_feature_rejects_the_whole_file_with_line_numbers():
    # given: the second feature has a bad code, the third no geometry
    text = _collection(
        _feature("E06000001", "Good", "local_authority"),
        _feature("X123", "Bad code", "ward", "E06000001"),
        {**_feature("E05000002", "No shape", "ward", "E06000001"), "geometry": None},
    )
    # when
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(text=text)
    # then: every problem, with the line its feature starts on, and nothing imported
    problems = [str(p) for p in rejected.value.problems]
    lines = text.splitlines()
    assert len(problems) == 2
    assert problems[0].startswith("Feature 2 (line ")
    assert "is not a GSS code" in problems[0]
    line_of_second = int(problems[0].split("line ")[1].split(")")[0])
    assert lines[line_of_second - 1].strip().startswith("{")
    assert problems[1].startswith("Feature 3 (line ")
    assert "geometry" in problems[1]
    assert Place.objects.count() == 0


def test_unknown_parents_and_upside_down_hierarchies_are_refused():
    text = _collection(
        _feature("E05000001", "Ward", "ward", "E06000009"),
        _feature("E06000001", "Authority", "local_authority", "E05000001"),
    )
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(text=text)
    messages = [p.message for p in rejected.value.problems]
    assert messages == [
        "parent_code E06000009 is unknown",
        "a local_authority cannot lie within a ward (E05000001)",
    ]
    assert Place.objects.count() == 0


def test_invalid_json_is_reported_with_its_line():
    with pytest.raises(ImportRejected) as rejected:
        boundaries_import(text='{"type": "FeatureCollection",\n "features": [,]}')
    assert rejected.value.problems[0].line == 2
    assert "not valid JSON" in rejected.value.problems[0].message


def test_the_command_lists_problems_and_imports_nothing(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text(_collection(_feature("E06000001", "", "local_authority")))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_boundaries", str(path))
    assert Place.objects.count() == 0


def test_point_in_polygon_finds_every_containing_place_smallest_last():
    boundaries_import(text=json.dumps(demo_boundaries()))
    # a point in the north-west quarter: Abbey Fields ward
    found = places_for_point(51.52, -0.11)
    assert [p.kind for p in found] == ["local_authority", "ward", "neighbourhood"]
    assert found[1].name == "Abbey Fields"
    assert place_for_point(51.52, -0.11, kind="ward").name == "Abbey Fields"
    assert place_for_point(52.0, 0.5) is None
    locator = PlaceLocator()
    assert locator.locate(51.52, -0.11)["ward"] == found[1].pk
    assert locator.locate(52.0, 0.5) == {}
