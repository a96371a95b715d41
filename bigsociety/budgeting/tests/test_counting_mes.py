"""The Method of Equal Shares: a worked example, the two engines, pabutools, properties.

pabutools (GPL-3.0) is a test-only dependency: it is imported here, never by product code.

Which sample files are compared with pabutools (plain MES, ``method_of_equal_shares`` with
``Cost_Sat`` for approval and choose-1 ballots, ``Additive_Cardinal_Sat`` for cumulative
ballots, and pabulib's Borda points for ordinal ballots; the same tie-breaking order as ours):

* live, in this suite: ``PABUTOOLS_LIVE`` below (the files where pabutools takes well under a
  second);
* every one of the 52 files: against ``fixtures/pabulib/pabutools_mes.json``, the selections
  pabutools 1.2.3 produced for them, recorded by ``bench/bench_pb_rules.py --record-pabutools``
  (the live test checks the recording procedure on its files).

MES with add1 completion is compared live with pabutools (``voter_budget_increment=1``) on
``PABUTOOLS_ADD1``, and on random small elections.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from pabutools.election import Additive_Cardinal_Sat, Cost_Sat
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import method_of_equal_shares as pabutools_mes
from pabutools.tiebreaking import TieBreakingRule

from bigsociety.budgeting.counting import (
    Ballot,
    Election,
    Project,
    count,
    ejr_checks,
    method_of_equal_shares,
    write_pb,
)
from bigsociety.budgeting.counting import equal_shares as es
from bigsociety.budgeting.counting._mes_fast import fast_engine
from bigsociety.budgeting.counting.profile import natural_key, profile_of

from .test_counting_pabulib import FIXTURES, PROPERTY, SAMPLE_FILES, elections, sample

PABUTOOLS_LIVE = [
    "Hungary_Budapest_2022_VIII_Jozsefvaros",
    "Netherlands_Amsterdam_619",
    "Poland_Czestochowa_2024_Zawodzie_-_Dabie",
    "Poland_Gdansk_2020_Oliwa",
    "Poland_Gdynia_2020_Kamienna_Gora__small",
    "Poland_Gdynia_2021_Babie_Doly__small",
    "Poland_Gdynia_2023_Witomino__large",
    "Poland_Gdynia_2025_Grabowek__large",
    "Poland_Katowice_2021_Dabrowka_Mala",
    "Poland_Krakow_2018_Stare_Miasto",
    "Poland_Warszawa_2018_Piaski",
    "Poland_Wroclaw_2018_Rejon_nr_4_250",
    "Poland_Zabrze_2021_Rokitnica",
    "US_Stanford_Dataset_PB_Chicago_29th_Ward_2021_vote_approvals",
    "US_Stanford_Dataset_PB_Chicago_39th_Ward_2021_vote_rankings",
    "Worldwide_Mechanical_Turk_Utilities_3",
]
PABUTOOLS_ADD1 = [
    "Netherlands_Amsterdam_619",
    "Poland_Gdynia_2021_Babie_Doly__small",
    "US_Stanford_Dataset_PB_Chicago_29th_Ward_2021_vote_approvals",
    "Worldwide_Mechanical_Turk_Utilities_3",
    "Poland_Katowice_2021_Dabrowka_Mala",
]
# The exact engine is slow on the biggest Warsaw files (seconds each); they are checked against
# pabutools' recording instead.
EXACT_TOO_SLOW = {
    "Poland_Warszawa_2023_Mokotow",
    "Poland_Warszawa_2022_Bielany",
    "Poland_Warszawa_2018_Ursynow_Wysoki_Poludniowy",
    "Poland_Warszawa_2024_Bielany",
    "Poland_Warszawa_2025_Ursus",
    "Poland_Warszawa_2024_Wawer",
    "Poland_Warszawa_2024_Zoliborz",
}


# --- pabutools, set up the way the recording was made -----------------------------------------


def _ordinal_points(instance, profile, ballot, project, precomputed):
    """pabulib's score of an ordinal ballot: its points, else Borda from the ballot length."""
    if project not in ballot:
        return 0
    position = ballot.index(project)
    points = ballot.meta.get("points")
    return Fraction(points.split(",")[position]) if points else len(ballot) - position


class OrdinalPoints(AdditiveSatisfaction):
    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _ordinal_points)


def pabutools_run(election: Election, *, add1: bool = False) -> list[str]:
    """pabutools' MES on the election, read by pabutools' own parser from our .pb text."""
    instance, profile = parse_pabulib_from_string(write_pb(election))
    votes = dict(zip(profile_of(election).project_ids, profile_of(election).votes, strict=True))
    tie_breaking = TieBreakingRule(
        lambda inst, prof, p: (p.cost, -votes[p.name], natural_key(p.name), p.name)
    )
    if election.vote_type in ("approval", "choose-1"):
        sat, profile = Cost_Sat, profile.as_multiprofile()
    elif election.vote_type == "ordinal":
        sat = OrdinalPoints
    else:
        sat = Additive_Cardinal_Sat
    result = pabutools_mes(
        instance,
        profile,
        sat_class=sat,
        tie_breaking=tie_breaking,
        voter_budget_increment=1 if add1 else None,
    )
    return [p.name for p in result]


# --- a worked example -----------------------------------------------------------------------------


def worked_example() -> Election:
    # budget 90, three voters with 30 each; X (45) by all, Y (20) by 1 and 2, Z (12) by 1 and 3
    return Election.create(
        budget=90,
        vote_type="approval",
        projects=[
            Project("X", Fraction(45)),
            Project("Y", Fraction(20)),
            Project("Z", Fraction(12)),
        ],
        ballots=[Ballot("1", ("X", "Y", "Z")), Ballot("2", ("X", "Y")), Ballot("3", ("X", "Z"))],
        rule="equalshares",
    )


def test_worked_example_round_by_round():
    outcome = count(worked_example(), "mes")
    # X: 15 each of 3 supporters. Then Y (10 each of 2) and Z (6 each of 2) tie at 1/2 per unit
    # of cost utility: the cheaper, Z, goes first. Voter 1 is left with 9 and pays that towards
    # Y; voter 2 pays the other 11.
    assert outcome.selected == ("X", "Z", "Y")
    assert outcome.spent == 77
    x, z, y = outcome.rounds
    assert (x.payment, x.paid_in_full, x.paid_less, x.effective_votes) == (15, 3, 0, 3)
    assert (z.payment, z.price, z.paid_in_full) == (6, Fraction(1, 2), 2)
    assert (y.payment, y.paid_in_full, y.paid_less, y.paid_less_total) == (11, 1, 1, 9)
    assert y.effective_votes == Fraction(20, 11)
    assert [r.remaining for r in outcome.rounds] == [45, 33, 13]
    (tie,) = outcome.ties
    assert (tie.round, tie.candidates, tie.chosen, tie.decided_by) == (
        2,
        ("Z", "Y"),
        "Z",
        "lower cost",
    )
    assert outcome.equal_shares is not None
    assert outcome.equal_shares.voter_budget == 30
    assert pabutools_run(worked_example()) == ["X", "Z", "Y"]


def test_why_an_unfunded_project_lost():
    # given W (60) supported by one voter of three, and V (30) by all
    e = Election.create(
        budget=90,
        vote_type="approval",
        projects=[Project("V", Fraction(30)), Project("W", Fraction(60))],
        ballots=[Ballot("1", ("V", "W")), Ballot("2", ("V",)), Ballot("3", ("V",))],
    )
    outcome = count(e, "mes")
    assert outcome.selected == ("V",)
    (lost,) = outcome.unfunded
    assert lost.supporters_money == 20
    assert lost.reason.startswith(
        "Even at the start its 1 supporters' shares of 30 each came to 30"
    )


# --- sample files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PABUTOOLS_LIVE)
def test_mes_equals_pabutools_live(name):
    election = sample(name)
    assert list(method_of_equal_shares(election).selected) == pabutools_run(election)


def test_mes_equals_pabutools_recording_on_every_sample():
    recorded = json.loads((FIXTURES / "pabutools_mes.json").read_text(encoding="utf-8"))
    assert sorted(recorded["mes"]) == sorted(p.stem for p in SAMPLE_FILES)
    for name, selected in recorded["mes"].items():
        assert list(method_of_equal_shares(sample(name)).selected) == selected, name
    for name in PABUTOOLS_LIVE:
        assert recorded["mes"][name] == pabutools_run(sample(name)), name


@pytest.mark.parametrize("name", PABUTOOLS_ADD1)
def test_mes_add1_equals_pabutools_live(name):
    election = sample(name)
    ours = method_of_equal_shares(election, completion="add1")
    assert list(ours.selected) == pabutools_run(election, add1=True)


@pytest.mark.parametrize("name", [p.stem for p in SAMPLE_FILES if p.stem not in EXACT_TOO_SLOW])
def test_fast_engine_agrees_with_the_exact_engine_on_samples(name):
    election = sample(name)
    problem = es.make_problem(election)
    share = election.budget / len(election.ballots)
    exact = es.exact_run(problem, share)
    engine = fast_engine(problem)
    assert engine is not None
    fast = engine.run(share)
    assert fast is not None
    assert fast.order == exact.order
    explained = engine.explain(fast)
    assert explained.rounds == exact.rounds
    assert explained.end_money == exact.end_money


# --- properties ------------------------------------------------------------------------------


@PROPERTY
@given(elections(max_voters=10, empty_ballots=True))
def test_fast_and_exact_engines_agree_at_several_budgets(e):
    problem = es.make_problem(e)
    if not e.ballots:
        return
    engine = fast_engine(problem)
    assert engine is not None
    share = e.budget / len(e.ballots)
    for raise_by in (0, 1, 7, 30):
        exact = es.exact_run(problem, share + raise_by)
        run = engine.run(share + raise_by)
        if run is None:  # a tie or near-tie: the exact engine decides
            continue
        explained = engine.explain(run)
        assert run.order == exact.order
        assert explained.rounds == exact.rounds
        assert explained.end_money == exact.end_money
        assert not exact.ties


@PROPERTY
@given(elections(vote_types=("approval", "choose-1", "cumulative", "ordinal"), empty_ballots=False))
def test_mes_equals_pabutools_on_random_elections(e):
    assert list(method_of_equal_shares(e).selected) == pabutools_run(e)


@PROPERTY
@given(elections(vote_types=("approval",), max_voters=6, max_cost=40, empty_ballots=False))
def test_mes_add1_equals_pabutools_on_random_elections(e):
    assert list(method_of_equal_shares(e, completion="add1").selected) == pabutools_run(
        e, add1=True
    )


@PROPERTY
@given(elections(vote_types=("approval", "choose-1"), max_voters=8))
def test_mes_respects_the_budget_and_satisfies_ejr_up_to_one(e):
    for completion in ("none", "add1"):
        outcome = method_of_equal_shares(e, completion=completion)
        assert outcome.spent == sum(e.projects[p].cost for p in outcome.selected) <= e.budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        checks = {c.name: c for c in ejr_checks(e, outcome.selected, max_sets=10**6)}
        assert checks["EJR up to one project (cost)"].holds is True


@PROPERTY
@given(elections(vote_types=("approval",), max_voters=8))
def test_add1_stops_where_the_definition_says(e):
    if not e.ballots:
        return
    outcome = method_of_equal_shares(e, completion="add1")
    details = outcome.equal_shares
    assert details is not None
    problem = es.make_problem(e)
    assert details.voter_budget == e.budget / len(e.ballots) + details.steps
    spent = outcome.spent
    exhaustive = all(
        e.projects[pid].cost + spent > e.budget
        for pid in (problem.profile.project_ids[p] for p in problem.open_projects)
        if pid not in outcome.selected
    )
    following = es.exact_run(problem, details.voter_budget + 1)
    overspends = sum(problem.profile.costs[p] for p in following.order) > e.budget
    assert exhaustive or overspends


# --- ties, utilities, the comparison step ---------------------------------------------------------


def test_an_exact_tie_goes_to_the_exact_engine_and_is_reported():
    # given two projects with the same cost and the same supporters: always tied
    e = Election.create(
        budget=20,
        vote_type="approval",
        projects=[Project("b", Fraction(10)), Project("a", Fraction(10))],
        ballots=[Ballot("1", ("a", "b")), Ballot("2", ("a", "b"))],
    )
    problem = es.make_problem(e)
    engine = fast_engine(problem)
    assert engine is not None and engine.run(Fraction(10)) is None
    outcome = count(e, "mes")
    assert outcome.selected == ("a", "b")
    assert outcome.ties[0].decided_by == "project id"


def test_cumulative_ballots_use_points_as_utilities():
    # given A (cost 10) with 1 voter giving 3 points, B (cost 10) with 2 voters giving 1 point
    e = Election.create(
        budget=30,
        vote_type="cumulative",
        projects=[Project("A", Fraction(10)), Project("B", Fraction(10))],
        ballots=[
            Ballot("1", ("A",), (Fraction(3),)),
            Ballot("2", ("B",), (Fraction(1),)),
            Ballot("3", ("B",), (Fraction(1),)),
        ],
    )
    outcome = count(e, "mes")
    # A costs 10/3 per point, B 10/2: A first
    assert outcome.selected == ("A", "B")
    assert outcome.rounds[0].price == Fraction(10, 3)
    cost_based = method_of_equal_shares(e, utility="cost")
    assert cost_based.equal_shares is not None and cost_based.equal_shares.utility == "cost"
    assert cost_based.selected == ("B", "A")


def test_comparison_step_takes_greedy_when_more_voters_prefer_it():
    # given six voters who like P and Q (50 each), four who like R (50); budget 100
    e = Election.create(
        budget=100,
        vote_type="approval",
        projects=[Project(pid, Fraction(50)) for pid in ("P", "Q", "R")],
        ballots=[Ballot(str(i), ("P", "Q")) for i in range(6)]
        + [Ballot(str(i), ("R",)) for i in range(6, 10)],
    )
    # Equal Shares funds P, then (from 13 each) R; greedy funds P and Q
    plain = count(e, "mes-add1")
    assert plain.selected == ("P", "R")
    compared = count(e, "mes-add1-comparison")
    # six voters have more of their projects under greedy, four under Equal Shares
    assert compared.selected == ("P", "Q")
    assert compared.equal_shares is not None
    assert compared.equal_shares.comparison == {"prefer_mes": 4, "prefer_greedy": 6}
    assert compared.equal_shares.winner_of_comparison == "greedy"


def test_no_ballots_funds_nothing():
    e = Election.create(
        budget=10, vote_type="approval", projects=[Project("a", Fraction(5))], ballots=[]
    )
    assert count(e, "mes-add1").selected == ()
