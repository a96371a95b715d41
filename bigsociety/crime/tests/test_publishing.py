"""Each imported force-month becomes a release of the catalogue's Street-level crime dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from bigsociety.crime.services import import_paths
from bigsociety.crime.services.publishing import publish_month
from bigsociety.opendata.api import Dataset

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_an_imported_month_appears_in_the_catalogue(
    demo_places, django_capture_on_commit_callbacks
):
    # when April and May are imported (publication runs as a task after commit)
    with django_capture_on_commit_callbacks(execute=True):
        report = import_paths(
            paths=[
                FIXTURES / "2018-04" / "2018-04-city-of-london-street.csv",
                FIXTURES / "2018-05" / "2018-05-city-of-london-street.csv",
            ]
        )
    assert report.ok
    # then one published dataset with a release per month
    dataset = Dataset.objects.get(name="street-level-crime-city-of-london")
    assert dataset.state == Dataset.State.PUBLISHED
    assert dataset.publisher.kind == "police_force"
    assert sorted(dataset.resources.values_list("name", flat=True)) == [
        "Street-level crime, April 2018",
        "Street-level crime, May 2018",
    ]
    april = dataset.resources.get(name="Street-level crime, April 2018")
    assert april.description == "663 rows; 36 with no location."
    # and publishing again does not duplicate the release
    assert publish_month(force="city-of-london", month=dt.date(2018, 4, 1)) is None
    assert dataset.resources.count() == 2
