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
    entry = audit_record(
        actor=actor,
        action="place.rename",
        target=place,
        changes=diff(before, snapshot(place, ["name", "parent"])),
    )
    # then
    assert (entry.actor, entry.actor_label, entry.action) == (
        actor,
        "officer@example.org",
        "place.rename",
    )
    assert (entry.target_type, entry.target_id) == ("places.place", str(place.pk))
    assert entry.changes == {"name": {"before": "Before", "after": "After"}}
    assert list(audit_trail(place)) == [entry]


def test_the_system_is_an_actor_too():
    entry = audit_record(actor=None, action="import", target=PlaceFactory())
    assert (entry.actor, entry.actor_label) == (None, "system")


def test_unchanged_fields_are_left_out_of_a_diff():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": {"before": 2, "after": 3}}


def test_a_snapshot_stores_foreign_keys_as_ids_and_values_as_json():
    # given a place with a parent
    parent = PlaceFactory()
    child = PlaceFactory(parent=parent, boundary={"type": "Point", "coordinates": [1, 2]})
    # when
    values = snapshot(child, ["parent", "name", "boundary", "created_at"])
    # then
    assert values["parent"] == parent.pk
    assert values["name"] == child.name
    assert values["boundary"] == {"type": "Point", "coordinates": [1, 2]}
    assert values["created_at"] == str(child.created_at)


def test_changes_are_stored_as_json_whatever_their_python_type():
    import datetime as dt
    import decimal
    import uuid

    place = PlaceFactory()
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    entry = audit_record(
        actor=None,
        action="x",
        target=place,
        changes={
            "on": dt.date(2025, 3, 31),
            "amount": decimal.Decimal("12.50"),
            "key": key,
            "tags": ("a", "b"),
            "place": place,
            1: None,
        },
    )
    entry.refresh_from_db()
    assert entry.changes == {
        "on": "2025-03-31",
        "amount": "12.50",
        "key": "12345678-1234-5678-1234-567812345678",
        "tags": ["a", "b"],
        "place": str(place.pk),
        "1": None,
    }


def test_an_anonymous_visitor_is_recorded_without_a_person():
    from django.contrib.auth.models import AnonymousUser

    entry = audit_record(actor=AnonymousUser(), action="x", target=PlaceFactory())
    assert (entry.actor, entry.actor_label) == (None, "system")


def test_a_long_target_label_is_cut_to_fit():
    place = PlaceFactory(name="N" * 200)
    entry = audit_record(actor=None, action="x", target=place)
    assert entry.target_label == str(place)[:300]


def test_a_trail_holds_only_its_targets_entries_newest_first():
    # given two places with entries interleaved
    first, second = PlaceFactory(), PlaceFactory()
    a = audit_record(actor=None, action="one", target=first)
    audit_record(actor=None, action="other", target=second)
    b = audit_record(actor=None, action="two", target=first)
    # when / then
    assert list(audit_trail(first)) == [b, a]
    assert [e.action for e in audit_trail(second)] == ["other"]
