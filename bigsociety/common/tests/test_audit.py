import pytest

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.audit import audit_record, audit_trail, diff, snapshot
from bigsociety.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db


def test_an_entry_records_who_what_which_and_the_change():
    # given
    actor = UserFactory(email="officer@example.org")
    place = PlaceFactory(name="Before")
    before = snapshot(place, ["name", "parent"])
    place.name = "After"
    # when
    entry = audit_record(actor=actor, action="place.rename", target=place,
                         changes=diff(before, snapshot(place, ["name", "parent"])))
    # then
    assert (entry.actor, entry.actor_label, entry.action) == (actor, "officer@example.org", "place.rename")
    assert (entry.target_type, entry.target_id) == ("places.place", str(place.pk))
    assert entry.changes == {"name": {"before": "Before", "after": "After"}}
    assert list(audit_trail(place)) == [entry]


def test_the_system_is_an_actor_too():
    entry = audit_record(actor=None, action="import", target=PlaceFactory())
    assert (entry.actor, entry.actor_label) == (None, "system")


def test_unchanged_fields_are_left_out_of_a_diff():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": {"before": 2, "after": 3}}
