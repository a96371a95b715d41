"""Fairness indicators: voters with a funded project, and the EJR checks against pabutools'
brute-force ``is_EJR_approval`` (every group of voters, every set of projects) on tiny
elections."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from pabutools.analysis.justifiedrepresentation import is_EJR_approval, is_EJR_one_approval
from pabutools.election import Cardinality_Sat, Cost_Sat
from pabutools.election.pabulib import parse_pabulib_from_string

from bigsociety.budgeting.counting import (
    Ballot,
    Election,
    Project,
    count,
    ejr_checks,
    fairness,
    write_pb,
)

from .test_counting_pabulib import PROPERTY, elections, sample


def test_share_of_voters_with_a_funded_project():
    e = Election.create(
        budget=10,
        vote_type="approval",
        projects=[Project("A", Fraction(10)), Project("B", Fraction(10))],
        ballots=[
            Ballot("1", ("A",)),
            Ballot("2", ("A", "B")),
            Ballot("3", ("B",)),
            Ballot("4", ()),
        ],
    )
    result = fairness(e, count(e, "greedy"))
    assert (result.voters, result.voters_with_funded_project) == (4, 2)
    assert result.share_with_funded_project == Fraction(1, 2)


def test_greedy_violates_ejr_where_a_group_is_ignored():
    # given 6 voters for two 50s, 4 voters for one 40; budget 100: greedy funds the two 50s,
    # but the 4 voters deserve 40% of the budget and approve a project costing 40
    e = Election.create(
        budget=100,
        vote_type="approval",
        projects=[
            Project("P", Fraction(50)),
            Project("Q", Fraction(50)),
            Project("R", Fraction(40)),
        ],
        ballots=[Ballot(str(i), ("P", "Q")) for i in range(6)]
        + [Ballot(str(i), ("R",)) for i in range(6, 10)],
    )
    checks = {c.name: c for c in ejr_checks(e, count(e, "greedy").selected)}
    ejr = checks["EJR (cost)"]
    assert (ejr.holds, ejr.exact) == (False, True)
    assert ejr.violation is not None
    assert (ejr.violation.projects, ejr.violation.unsatisfied_voters) == (("R",), 4)
    assert all(c.holds for c in ejr_checks(e, count(e, "mes").selected))


def test_an_unfinished_check_says_so():
    e = sample("Poland_Warszawa_2023_Mokotow")
    checks = ejr_checks(e, count(e, "mes").selected, max_sets=100)
    assert all(c.holds is None and not c.exact for c in checks)
    assert {c.complete_up_to for c in checks} == {1}


def test_mes_satisfies_ejr_on_the_biggest_sample_exactly():
    e = sample("Poland_Warszawa_2023_Mokotow")
    result = fairness(e, count(e, "mes"))
    assert all(c.holds is True and c.exact for c in result.ejr)


@PROPERTY
@given(
    elections(vote_types=("approval",), max_projects=4, max_voters=5, empty_ballots=False),
    st.data(),
)
def test_ejr_checks_agree_with_pabutools_brute_force(e, data):
    selected = data.draw(st.lists(st.sampled_from(list(e.projects)), unique=True))
    instance, profile = parse_pabulib_from_string(write_pb(e))
    chosen = [p for p in instance if p.name in selected]
    checks = {(c.satisfaction, c.up_to_one): c for c in ejr_checks(e, selected)}
    for satisfaction, sat_class in (("cost", Cost_Sat), ("cardinality", Cardinality_Sat)):
        assert checks[(satisfaction, False)].holds == is_EJR_approval(
            instance, profile, sat_class, chosen
        )
        assert checks[(satisfaction, True)].holds == is_EJR_one_approval(
            instance, profile, sat_class, chosen
        )
