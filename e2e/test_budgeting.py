"""Participatory budgeting in a real browser with axe: a resident votes without JavaScript,
changes their vote and sees the confirmation; the published results page of a real election
counted with the Method of Equal Shares."""

import pytest

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting.models import Ballot, BallotKind, Phase, Rule
from bigsociety.budgeting.tests.factories import enrol, make_process, officer

from .conftest import sign_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_votes_on_an_approval_ballot_without_javascript_and_changes_it(
    no_js_page,
):
    # given an open vote (approval ballot, up to 2 projects) and a resident on the roll
    process = make_process(
        phase=Phase.VOTING, ballot_kind=BallotKind.APPROVAL, rule=Rule.MES, max_projects=2
    )
    resident = UserFactory()
    enrol(process, resident)
    page = no_js_page
    sign_in(page, resident)
    # when they open the vote and choose two projects
    visit(page, f"/budgeting/{process.slug}/vote/")
    with page.raw.expect_navigation():
        page.raw.get_by_role("link", name="Vote in Area-wide").click()
    page.check()
    page.raw.get_by_label("Project 1", exact=False).first.check()
    page.raw.get_by_label("Project 3", exact=False).first.check()
    with page.raw.expect_navigation():
        page.raw.get_by_role("button", name="Save my ballot").click()
    page.check()
    # then they see the confirmation
    assert "Your ballot in Area-wide is saved." in page.raw.content()
    ballot = Ballot.objects.get()
    assert (ballot.revision, len(ballot.selection)) == (1, 2)
    # when they choose three (more than allowed), the error summary says so
    visit(page, f"/budgeting/{process.slug}/vote/area-wide/")
    page.raw.get_by_label("Project 2", exact=False).first.check()
    with page.raw.expect_navigation():
        page.raw.get_by_role("button", name="Save my ballot").click()
    page.check()
    assert "Choose at most 2 projects; you chose 3." in page.raw.content()
    assert Ballot.objects.get().revision == 1
    # when they change their vote to one project
    page.raw.get_by_label("Project 1", exact=False).first.uncheck()
    page.raw.get_by_label("Project 3", exact=False).first.uncheck()
    with page.raw.expect_navigation():
        page.raw.get_by_role("button", name="Save my ballot").click()
    page.check()
    # then the change is confirmed and replaces the first ballot
    assert "Your ballot in Area-wide is saved." in page.raw.content()
    ballot = Ballot.objects.get()
    assert ballot.revision == 2
    assert len(ballot.selection) == 1


def test_the_published_results_of_a_real_election_pass_axe(page):
    from bigsociety.budgeting.demo import DEMO_FILE
    from bigsociety.budgeting.services.counting import process_count
    from bigsociety.budgeting.services.pabulib import process_import_pb
    from bigsociety.budgeting.services.processes import process_transition

    who = officer()
    process = process_import_pb(text=DEMO_FILE.read_text(), acting_user=who, rule=Rule.MES_ADD1)
    process_count(process=process, acting_user=who)
    process_transition(process=process, target=Phase.RESULTS, acting_user=who)
    visit(page, f"/budgeting/{process.slug}/results/")
    text = page.raw.content()
    assert "How the count went, round by round" in text
    assert "Each voter started with a share of" in text
    assert "Why each unfunded project lost" in text
