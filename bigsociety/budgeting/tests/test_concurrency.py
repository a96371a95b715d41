"""One ballot per voter per budget holds under concurrent submissions (real threads, real DB)."""

import threading

import pytest
from django.db import close_old_connections, connection

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting.models import Ballot, Phase
from bigsociety.budgeting.services.ballots import ballot_cast

from .factories import enrol, make_process, project_ids

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's in-memory test database serialises writers with table locks that do not wait;
    # the guarantee is the PostgreSQL one (row locks + the unique constraint).
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
]


def test_concurrent_submissions_by_one_voter_leave_one_ballot():
    # given one voter on the roll (not yet claimed: every thread also races to claim)
    process = make_process(phase=Phase.VOTING)
    voter = UserFactory()
    enrol(process, voter)
    budget = process.budgets.get()
    ids = list(project_ids(process).values())
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    errors: list[Exception] = []

    def submit(i):
        try:
            barrier.wait()
            ballot_cast(budget=budget, acting_user=voter, selection=[ids[i % len(ids)]])
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    # when
    threads = [threading.Thread(target=submit, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert errors == []
    ballot = Ballot.objects.get(budget=budget)
    assert ballot.revision == threads_n
