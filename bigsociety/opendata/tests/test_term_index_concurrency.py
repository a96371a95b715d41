"""The term index under concurrent catalogue edits (PostgreSQL: real parallel transactions)."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import close_old_connections, connection

from bigsociety.opendata import term_index
from bigsociety.opendata.models import Dataset
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
