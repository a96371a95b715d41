"""Crime in my area, in a real browser with axe: search, the area page, the no-JS table."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = (
    Path(__file__).resolve().parent.parent
    / "bigsociety"
    / "crime"
    / "tests"
    / "fixtures"
    / "police"
)


@pytest.fixture
def crime_data(db):
    from bigsociety.crime.services import import_paths
    from bigsociety.places import demo

    demo.seed()
    assert import_paths(paths=[FIXTURES]).ok


def test_crime_in_my_area_from_the_list_to_a_month(browse, crime_data):
    page = browse.visit("/crime/")
    assert page.get_by_role("heading", name="Crime in your area").is_visible()
    browse.click(page.get_by_role("link", name="Kingsbridge", exact=True))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Crime in Kingsbridge")
    # the month selector works as a plain form
    page.get_by_label("Month", exact=True).select_option("2018-05")
    browse.submit(page.get_by_role("button", name="Show"))
    assert "May 2018" in page.get_by_role("heading", level=1).inner_text()
    # the trend table is there whatever the chart does, and the map region is filled by JS
    assert page.locator("#trend-table tbody tr").count() == 12
    assert page.locator("#crime-map.bs-map--active").count() == 1
    assert page.get_by_text("Investigation complete; no suspect identified").first.is_visible()
