"""Sequential Phragmén, against pabutools' ``sequential_phragmen`` (a test-only dependency)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import sequential_phragmen as pabutools_phragmen
from pabutools.tiebreaking import TieBreakingRule

from bigsociety.budgeting.counting import Ballot, Election, Project, count, write_pb
from bigsociety.budgeting.counting.profile import natural_key, profile_of

from .test_counting_pabulib import PROPERTY, elections, sample

SAMPLES = [
    "Netherlands_Amsterdam_619",
    "Poland_Gdynia_2021_Babie_Doly__small",
    "Poland_Warszawa_2018_Piaski",
    "Poland_Wroclaw_2018_Rejon_nr_4_250",
    "US_Stanford_Dataset_PB_Chicago_29th_Ward_2021_vote_approvals",
    "Hungary_Budapest_2022_VIII_Jozsefvaros",
]


def pabutools_run(election: Election) -> set[str]:
    """pabutools' selection (it returns it sorted, so only the set is compared)."""
    instance, profile = parse_pabulib_from_string(write_pb(election))
    votes = dict(zip(profile_of(election).project_ids, profile_of(election).votes, strict=True))
    tie_breaking = TieBreakingRule(
        lambda inst, prof, p: (p.cost, -votes[p.name], natural_key(p.name), p.name)
    )
    return {p.name for p in pabutools_phragmen(instance, profile, tie_breaking=tie_breaking)}


def test_worked_example():
    # given A (30) by voters 1-3, B (24) by voters 3-4; budget 100
    e = Election.create(
        budget=100,
        vote_type="approval",
        projects=[Project("A", Fraction(30)), Project("B", Fraction(24))],
        ballots=[
            Ballot("1", ("A",)),
            Ballot("2", ("A",)),
            Ballot("3", ("A", "B")),
            Ballot("4", ("B",)),
        ],
    )
    outcome = count(e, "phragmen")
    # A is bought at time 10 (3 voters x 10); B then needs (24 + voter 3's load 10) / 2 = 17
    assert outcome.selected == ("A", "B")
    assert [r.load for r in outcome.rounds] == [10, 17]


@pytest.mark.parametrize("name", SAMPLES)
def test_phragmen_equals_pabutools_on_samples(name):
    election = sample(name)
    assert set(count(election, "phragmen").selected) == pabutools_run(election)


@PROPERTY
@given(elections(vote_types=("approval", "choose-1"), empty_ballots=False))
def test_phragmen_equals_pabutools_on_random_elections(e):
    outcome = count(e, "phragmen")
    assert outcome.spent <= e.budget
    # pabutools stops when any project tied for first does not fit, we when the one our
    # tie-breaking chooses does not; pabutools may also fund a project nobody voted for, we
    # never do: compare where neither matters
    supported = {p for b in e.ballots for p in b.projects}
    if not outcome.ties and supported == set(e.projects):
        assert set(outcome.selected) == pabutools_run(e)
