"""The term index and the term snapshot under concurrent catalogue edits (PostgreSQL: real
parallel transactions on connections of their own)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import close_old_connections, connection, transaction

from bigsociety.opendata import term_index
from bigsociety.opendata.models import Dataset
from bigsociety.opendata.search import SearchParams, search
from bigsociety.opendata.services import catalogue as services

from .catalogue_helpers import dataset, organisation
from .test_term_index import recount, stored

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
]


def test_concurrent_publish_and_withdraw_around_the_threshold_keep_the_counts():
    # given six datasets sharing a word, the threshold at 4, half of them published
    with mock.patch.object(term_index, "COMMON", 4):
        org = organisation()
        made = [
            dataset(title=f"Recycling {i}", publisher=org, tags=(f"t{i % 3}",), publish=i % 2 == 0)
            for i in range(6)
        ]
        errors: list[BaseException] = []

        def flip(item: Dataset, rounds: int) -> None:
            try:
                for _ in range(rounds):
                    item.refresh_from_db()
                    if item.state == Dataset.State.PUBLISHED:
                        services.dataset_withdraw(dataset=item, reason="Check", acting_user=None)
                    else:
                        services.dataset_publish(dataset=item, acting_user=None)
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        # when six editors publish and withdraw at once, the word crossing the line each time
        threads = [threading.Thread(target=flip, args=(item, 4)) for item in made]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # then nothing failed and the index equals a recount
        assert errors == []
        assert stored() == recount()


def _in_thread(work: Callable[[], object]) -> object:
    """Run ``work`` on a thread of its own (so on a connection of its own) and return what it
    returned; its error, if any, is raised here."""
    out: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(work())
        except BaseException as error:  # raised below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


def _names(q: str) -> set[str]:
    """The datasets found by a several-word search (its count and facets say the same)."""
    result = search(SearchParams(q=q, rows=100, facet_fields=["organization"]))
    found = {p["name"] for p in result.packages}
    assert result.count == len(found)
    assert sum(n for _, n in result.facets["organization"]) == len(found)  # one publisher each
    return found


def test_a_several_word_search_sees_edits_committed_on_other_connections():
    # given a snapshot built on this connection
    org = organisation()
    first = dataset(title="Street crime", publisher=org, description="Monthly figures.", url="")
    assert _names("street crime") == {"street-crime"}

    # when another connection publishes one dataset and retitles the other, then commits
    def edit() -> None:
        dataset(title="Street crime outcomes", publisher=org)
        item = Dataset.objects.get(pk=first.pk)
        services.dataset_update(dataset=item, acting_user=None, title="Parking fines")

    _in_thread(edit)
    # then the next search here sees both edits
    assert _names("street crime") == {"street-crime-outcomes"}
    assert _names("parking fines") == {"street-crime"}
    # and the other way round: an edit here is seen by a search on another connection
    services.dataset_withdraw(
        dataset=Dataset.objects.get(name="street-crime-outcomes"), reason="Gone", acting_user=None
    )
    assert _in_thread(lambda: _names("street crime")) == set()
    assert _in_thread(lambda: _names("parking fines")) == {"street-crime"}


def test_an_open_transactions_edits_are_seen_by_it_alone():
    # given a snapshot of one published dataset
    org = organisation()
    dataset(title="Waste collection", publisher=org)
    assert _names("waste collection") == {"waste-collection"}
    inside_done = threading.Event()
    may_end = threading.Event()

    results: list[set[str]] = []

    def edit_then_roll_back() -> None:
        try:
            with transaction.atomic():
                dataset(title="Waste collection rounds", publisher=org)
                results.append(_names("waste collection"))  # its own edit, shared snapshot
                inside_done.set()
                may_end.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            inside_done.set()
            connection.close()

    # when another connection edits and searches inside a transaction it has not committed
    worker = threading.Thread(target=edit_then_roll_back)
    worker.start()
    assert inside_done.wait(timeout=30)
    # then a search here does not see the uncommitted edit
    assert _names("waste collection") == {"waste-collection"}
    may_end.set()
    worker.join()
    # and the transaction saw its own, which after the rollback is gone for everyone
    assert results == [{"waste-collection", "waste-collection-rounds"}]
    assert _names("waste collection") == {"waste-collection"}
    assert _in_thread(lambda: _names("waste collection")) == {"waste-collection"}
