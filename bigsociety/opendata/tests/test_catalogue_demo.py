import io

import pytest

from bigsociety.opendata import demo
from bigsociety.opendata.models import Dataset
from bigsociety.organisations import demo as organisations_demo
from bigsociety.places import demo as places_demo

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_realistic():
    places_demo.seed(stdout=io.StringIO())
    organisations_demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    count = Dataset.objects.count()
    demo.seed(stdout=io.StringIO())
    assert Dataset.objects.count() == count == len(demo.DATASETS)
    assert Dataset.objects.published().count() == 30
    assert all(d.resources.get().datastore_active for d in Dataset.objects.all())
