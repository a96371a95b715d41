"""opendata.api: the interface the crime app publishes monthly releases through."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bigsociety.opendata import api
from bigsociety.opendata.models import Dataset

from .catalogue_helpers import CSV, organisation

pytestmark = pytest.mark.django_db


def test_monthly_release_is_published_and_schedule_advances():
    # given
    org = organisation("city-police", "City Police")
    item = api.dataset_get_or_create(
        publisher=org,
        name="street-crime",
        title="Street crime",
        description="Monthly street crime.",
        tags=["crime"],
    )
    assert (
        api.dataset_get_or_create(publisher=org, name="street-crime", title="x", description="y")
        == item
    )
    # when
    resource = api.release_publish(
        dataset=item,
        name="April 2025",
        filename="2025-04.csv",
        content=CSV.encode(),
        released_on=dt.date(2025, 5, 20),
    )
    # then
    item.refresh_from_db()
    assert item.state == Dataset.State.PUBLISHED
    assert item.next_release_on == dt.date(2025, 6, 20)
    assert resource.datastore_rows == 4
    assert item.search_document.package["num_resources"] == 1


def test_a_bad_release_leaves_nothing():
    org = organisation()
    item = api.dataset_get_or_create(
        publisher=org, name="spend", title="Spend", description="Spend over 500."
    )
    with pytest.raises(ValidationError):
        api.release_publish(dataset=item, name="Bad", filename="bad.csv", content=b"a,b\n1\n")
    item.refresh_from_db()
    assert item.state == Dataset.State.DRAFT
    assert item.resources.count() == 0
