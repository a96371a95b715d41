import io

import pytest

from bigsociety.accounts import demo as accounts_demo
from bigsociety.organisations import demo
from bigsociety.organisations.identifiers import validate_org_id
from bigsociety.organisations.models import Membership, Organisation
from bigsociety.places import demo as places_demo

pytestmark = pytest.mark.django_db


def test_seed_makes_every_type_with_valid_org_ids_and_is_idempotent():
    # given the demo area and accounts
    places_demo.seed()
    accounts_demo.seed()
    # when seeded twice
    out = io.StringIO()
    demo.seed(stdout=out)
    demo.seed(stdout=out)
    # then
    assert Organisation.objects.count() == len(demo.DEMO_ORGANISATIONS)
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    for org_id in Organisation.objects.exclude(org_id="").values_list("org_id", flat=True):
        validate_org_id(org_id)
    assert not Organisation.objects.filter(places=None).exists()
    council = Organisation.objects.get(slug="kingsbridge-council")
    assert [p.kind for p in council.places.all()] == ["local_authority"]
    assert Membership.objects.count() == len(demo.DEMO_MEMBERSHIPS)
    assert Membership.objects.requested().count() == 1
    assert "(0 new)" in out.getvalue()


def test_seed_many_bulk_creates_and_skips_existing():
    places_demo.seed()
    assert demo.seed_many(30) == 30
    assert demo.seed_many(35) == 5
    assert Organisation.objects.count() == 35
    assert Organisation.places.through.objects.count() == 35
    assert len(set(Organisation.objects.values_list("kind", flat=True))) == 16
