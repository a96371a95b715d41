"""Casting online in one statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) and the
frozen ballot's projects cached per budget."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting import selectors
from bigsociety.budgeting.models import Ballot, Phase, Process
from bigsociety.budgeting.services.ballots import ballot_cast
from bigsociety.common.models import AuditEntry

from .factories import enrol, make_process, project_ids

pytestmark = pytest.mark.django_db


def test_cast_then_change_counts_revisions_in_the_database_and_audits_without_the_vote():
    # given
    process = make_process(phase=Phase.VOTING, max_projects=2)
    voter = UserFactory(date_of_birth=dt.date(1990, 5, 1))
    enrol(process, voter)
    budget = process.budgets.get()
    ids = project_ids(process)
    # when
    cast = ballot_cast(budget=budget, acting_user=voter, selection=[ids["P1"], ids["P2"]])
    changed = ballot_cast(budget=budget, acting_user=voter, selection=[ids["P3"]])
    # then: one row, changed in place, the instance returned matches the row
    stored = Ballot.objects.get()
    assert (cast.pk, cast.revision) == (stored.pk, 1)
    assert (changed.pk, changed.revision) == (stored.pk, 2)
    assert (stored.selection, stored.points, stored.voting_method) == ([ids["P3"]], [], "internet")
    assert stored.age_band == "35-44"
    assert changed.created_at == stored.created_at == cast.created_at
    assert stored.updated_at >= stored.created_at
    entries = list(AuditEntry.objects.filter(target_type="budgeting.ballot").order_by("pk"))
    assert [e.action for e in entries] == ["budgeting.ballot.cast", "budgeting.ballot.change"]
    assert [e.changes for e in entries] == [
        {"budget": budget.pk, "revision": 1},
        {"budget": budget.pk, "revision": 2},
    ]
    assert all(e.target_id == str(stored.pk) for e in entries)


def test_a_paper_ballot_is_never_overwritten_online():
    # given a voter whose paper ballot has been counted
    process = make_process(phase=Phase.VOTING)
    voter = UserFactory()
    elector = enrol(process, voter)
    budget = process.budgets.get()
    ids = project_ids(process)
    Ballot.objects.create(
        budget=budget, elector=elector, voting_method="paper", selection=[ids["P1"]]
    )
    # when
    with pytest.raises(ValidationError) as caught:
        ballot_cast(budget=budget, acting_user=voter, selection=[ids["P2"]])
    # then
    assert caught.value.messages == ["A ballot cast on paper cannot be changed online."]
    stored = Ballot.objects.get()
    assert (stored.voting_method, stored.selection, stored.revision) == ("paper", [ids["P1"]], 1)


def test_a_withdrawn_ballot_cast_again_is_a_new_ballot():
    from bigsociety.budgeting.services.ballots import ballot_withdraw

    process = make_process(phase=Phase.VOTING)
    voter = UserFactory()
    enrol(process, voter)
    budget = process.budgets.get()
    ids = project_ids(process)
    ballot_cast(budget=budget, acting_user=voter, selection=[ids["P1"]])
    ballot_cast(budget=budget, acting_user=voter, selection=[ids["P2"]])
    ballot_withdraw(budget=budget, acting_user=voter)
    again = ballot_cast(budget=budget, acting_user=voter, selection=[ids["P3"]])
    assert again.revision == 1
    assert AuditEntry.objects.filter(action="budgeting.ballot.cast").count() == 2


def test_a_change_by_someone_on_the_roll_is_three_statements(django_assert_num_queries):
    # given a voter on the roll with a ballot, the budget and its projects loaded
    process = make_process(phase=Phase.VOTING)
    voter = UserFactory()
    enrol(process, voter)
    budget = selectors.budget_for_ballot(user=voter, slug=process.slug, budget_slug="area-wide")
    projects = selectors.ballot_projects(budget)
    ids = project_ids(process)
    ballot_cast(budget=budget, acting_user=voter, selection=[ids["P1"]], projects=projects)
    # when / then: lock the roll entry, upsert the ballot, write the audit entry (the
    # atomic block is a savepoint inside the test's transaction: two more)
    with django_assert_num_queries(5):
        ballot = ballot_cast(
            budget=budget, acting_user=voter, selection=[ids["P2"]], projects=projects
        )
    assert ballot.revision == 2


def test_the_frozen_ballots_projects_are_read_once():
    # given a process open for voting (its config frozen)
    process = make_process(phase=Phase.VOTING)
    voter = UserFactory()
    budget = selectors.budget_for_ballot(user=voter, slug=process.slug, budget_slug="area-wide")
    first = selectors.ballot_projects(budget)
    # when the budget is loaded again (as every request does)
    again = selectors.budget_for_ballot(user=voter, slug=process.slug, budget_slug="area-wide")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        second = selectors.ballot_projects(again)
    # then
    assert len(queries) == 0
    assert second is first
    assert {p.reference for p in second.values()} == {"P1", "P2", "P3", "P4"}


def test_projects_are_read_afresh_until_the_config_is_frozen_and_after_a_new_freeze():
    # given a process under review (not frozen): a project changes between two reads
    process = make_process(phase=Phase.REVIEW)
    budget = process.budgets.get()
    budget.process = process
    before = selectors.ballot_projects(budget)
    budget.projects.filter(reference="P4").update(feasibility="not_feasible")
    # then the second read sees it
    assert {p.reference for p in selectors.ballot_projects(budget).values()} == {"P1", "P2", "P3"}
    assert len(before) == 4
    # and a different freeze time is a different ballot
    Process.objects.filter(pk=process.pk).update(config_frozen_at=timezone.now())
    process.refresh_from_db()
    budget.process = process
    frozen = selectors.ballot_projects(budget)
    budget.projects.filter(reference="P3").update(feasibility="not_feasible")
    assert selectors.ballot_projects(budget) is frozen
    process.config_frozen_at = timezone.now() + dt.timedelta(seconds=1)
    assert {p.reference for p in selectors.ballot_projects(budget).values()} == {"P1", "P2"}
