"""pabulib .pb import and export: every sample file, malformed files, round trips.

Pure Python: these tests need neither Django nor a database. The election strategy defined
here is shared by the other ``test_counting_*`` modules.
"""

from __future__ import annotations

import functools
import hashlib
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigsociety.budgeting.counting import (
    Ballot,
    Election,
    PbFormatError,
    Project,
    parse_pb,
    parse_pb_with_warnings,
    project_scores,
    project_votes,
    read_pb,
    write_pb,
)
from bigsociety.budgeting.counting.numbers import format_decimal, json_number, parse_decimal

FIXTURES = Path(__file__).parent / "fixtures" / "pabulib"
SAMPLE_FILES = sorted(FIXTURES.glob("*.pb"))
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sample_ids() -> list[str]:
    return [path.stem for path in SAMPLE_FILES]


@functools.cache
def sample(name: str) -> Election:
    """A sample file, parsed once per test run (``name`` without ``.pb``)."""
    return read_pb(FIXTURES / f"{name}.pb")


# --- the shared election strategy ------------------------------------------------------------

SAFE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
).map(str.strip)
TRICKY_TEXT = st.one_of(
    SAFE_TEXT, st.sampled_from(["a;b", 'say "hi"', "two\nlines", "Żółć", "none", "1,2"])
)


@st.composite
def elections(
    draw: st.DrawFn,
    vote_types: tuple[str, ...] = ("approval", "choose-1", "cumulative", "ordinal"),
    max_projects: int = 6,
    max_voters: int = 8,
    max_cost: int = 100,
    decimal_costs: bool = False,
    tricky_text: bool = False,
    empty_ballots: bool = True,
    points_for_ordinal: bool = False,
) -> Election:
    """Small random elections. Costs are at least 1; ids are short and distinct."""
    vote_type = draw(st.sampled_from(vote_types))
    size = draw(st.integers(1, max_projects))
    ids = draw(
        st.lists(
            st.from_regex(r"[A-Za-z0-9][A-Za-z0-9/_-]{0,4}", fullmatch=True),
            min_size=size,
            max_size=size,
            unique=True,
        )
    )
    text = TRICKY_TEXT if tricky_text else st.just("")
    projects = []
    for project_id in ids:
        cost = Fraction(draw(st.integers(1, max_cost)))
        if decimal_costs:
            cost += Fraction(draw(st.integers(0, 99)), 100)
        fields = {"name": draw(text)} if tricky_text else {}
        projects.append(Project(project_id=project_id, cost=cost, fields=fields))
    total = sum(p.cost for p in projects)
    budget = draw(st.integers(1, max(1, int(total))))
    voters = draw(st.integers(0 if empty_ballots else 1, max_voters))
    ballots = []
    for v in range(voters):
        if vote_type == "choose-1":
            chosen = draw(
                st.lists(st.sampled_from(ids), min_size=0 if empty_ballots else 1, max_size=1)
            )
        else:
            minimum = 0 if empty_ballots and vote_type != "cumulative" else 1
            chosen = draw(
                st.lists(st.sampled_from(ids), min_size=minimum, max_size=size, unique=True)
            )
        points: tuple[Fraction, ...] | None = None
        if vote_type == "cumulative":
            points = tuple(Fraction(draw(st.integers(1, 5))) for _ in chosen)
        elif vote_type == "ordinal" and points_for_ordinal and chosen:
            points = tuple(Fraction(len(chosen) - i) * 2 for i in range(len(chosen)))
        fields = {"age": str(draw(st.integers(16, 90)))} if tricky_text else {}
        ballots.append(
            Ballot(voter_id=f"v{v}", projects=tuple(chosen), points=points, fields=fields)
        )
    meta = {"description": draw(text), "country": "Nowhere", "unit": "Test"} if tricky_text else {}
    return Election.create(
        budget=budget,
        vote_type=vote_type,
        projects=projects,
        ballots=ballots,
        rule=draw(st.sampled_from(["greedy", "equalshares/add1", "unknown"])),
        meta=meta,
    )


# --- every sample file ---------------------------------------------------------------------


def test_fixtures_are_the_pinned_copies():
    # given the hashes recorded in the fixtures' README
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    pinned = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+\.pb)$", readme, re.M)
    )
    # then every file is there, unchanged
    assert len(SAMPLE_FILES) == 52
    assert sorted(pinned) == [p.name for p in SAMPLE_FILES]
    for path in SAMPLE_FILES:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned[path.name], path.name


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=sample_ids())
def test_every_sample_file_parses_and_round_trips(path):
    # given a published file
    # when it is parsed
    election = sample(path.stem)
    # then the counts match META and the publisher's votes/score columns match the ballots
    assert len(election.projects) == int(election.meta["num_projects"])
    assert len(election.ballots) == int(election.meta["num_votes"])
    votes = project_votes(election)
    scores = project_scores(election)
    for project in election.projects.values():
        if project.fields.get("votes"):
            assert votes[project.project_id] == int(project.fields["votes"])
        if project.fields.get("score"):
            assert scores[project.project_id] == parse_decimal(project.fields["score"])
    # and writing it back gives a file that parses to the same election
    again = parse_pb(write_pb(election))
    assert again == election
    assert write_pb(again) == write_pb(election)


def test_all_four_ballot_types_are_in_the_samples():
    kinds = {sample(path.stem).vote_type for path in SAMPLE_FILES}
    assert kinds == {"approval", "choose-1", "cumulative", "ordinal"}


def test_ordinal_scores_are_borda_from_the_ballot_length_without_points():
    # given a ranked file without a points column (scores published by pabulib)
    election = sample("US_Stanford_Dataset_PB_Chicago_39th_Ward_2021_vote_rankings")
    assert election.ballots[0].points is None
    # then the first of k ranked projects gets k points, as the publisher's score column says
    scores = project_scores(election)
    assert all(scores[p.project_id] == int(p.fields["score"]) for p in election.projects.values())


# --- malformed files -------------------------------------------------------------------------

GOOD = """META
key;value
description;Test
num_projects;2
num_votes;2
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
1;60;"Park; benches"
2;50;Library
VOTES
voter_id;vote
a;1,2
b;2
"""


def problems_of(text: str) -> list[tuple[str, int, str]]:
    with pytest.raises(PbFormatError) as caught:
        parse_pb(text)
    return [(p.section, p.line, p.reason) for p in caught.value.problems]


def test_a_good_file_parses_with_quoted_semicolons():
    election = parse_pb(GOOD)
    assert election.projects["1"].name == "Park; benches"
    assert election.budget == 100
    assert [b.projects for b in election.ballots] == [("1", "2"), ("2",)]


def test_crlf_and_a_byte_order_mark_are_accepted():
    election = parse_pb("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert election == parse_pb(GOOD)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("1;60;", "1;6O;"), ("PROJECTS", 11, "cost '6O' of project 1 is not a number")),
        (("1;60;", "1;60,5;"), ("PROJECTS", 11, "not a number (use a decimal point")),
        (("1;60;", "1;-60;"), ("PROJECTS", 11, "project 1 has a negative cost")),
        (("2;50;Library", "1;50;Library"), ("PROJECTS", 12, "project 1 appears twice")),
        (("b;2\n", "b;3\n"), ("VOTES", 16, "voter b: unknown project 3")),
        (("b;2\n", "a;2\n"), ("VOTES", 16, "voter a appears twice")),
        (("a;1,2", "a;1,1"), ("VOTES", 15, "voter a: a project is listed twice")),
        (("a;1,2", "a;1,,2"), ("VOTES", 15, "an empty project id")),
        (("budget;100", "budget;lots"), ("META", 6, "budget 'lots' is not a decimal")),
        (("vote_type;approval", "vote_type;dots"), ("META", 7, "vote_type 'dots' is not one of")),
        (("num_votes;2", "num_votes;3"), ("META", 5, "num_votes is 3 but the VOTES section has 2")),
        (("voter_id;vote", "voter_id;ballot"), ("VOTES", 14, "missing column vote")),
        (
            ("project_id;cost;name", "project_id;price;name"),
            ("PROJECTS", 10, "missing column cost"),
        ),
        (("2;50;Library", "2;50"), ("PROJECTS", 12, "2 fields where the header at line 10 has 3")),
        (("key;value", "name;value"), ("META", 2, "the header must be key;value")),
        (("rule;greedy", "rule;greedy\nrule;mes"), ("META", 9, "rule is given twice")),
    ],
)
def test_each_kind_of_problem_is_reported_with_section_line_and_reason(change, expected):
    # given a good file with one thing wrong
    old, new = change
    text = GOOD.replace(old, new, 1)
    # when it is parsed, then it is refused with where and why
    section, line, reason = expected
    found = problems_of(text)
    assert any(s == section and n == line and reason in r for s, n, r in found), found


def test_every_problem_is_reported_not_just_the_first():
    # given a file with three independent problems
    text = GOOD.replace("1;60;", "1;x;").replace("b;2\n", "b;9\n").replace("a;1,2", "a;1,1")
    # then all three are reported, in file order
    found = problems_of(text)
    assert [(s, n) for s, n, _ in found] == [("PROJECTS", 11), ("VOTES", 15), ("VOTES", 16)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("FILE", 0, "the META section is missing")),
        ("key;value\nbudget;5\n", ("FILE", 1, "the file must start with a META line")),
        ("PROJECTS\nproject_id;cost\n1;5\n", ("PROJECTS", 1, "PROJECTS comes before META")),
        (GOOD.split("VOTES")[0], ("FILE", 0, "the VOTES section is missing")),
        (GOOD.replace("PROJECTS\n", "VOTES\n", 1), ("VOTES", 9, "a second VOTES section")),
        (
            GOOD.replace("key;value\n", "key;value\nbudget;1\n"),
            ("META", 7, "budget is given twice"),
        ),
    ],
)
def test_structural_problems(text, expected):
    found = problems_of(text)
    assert expected[:2] in [(s, n) for s, n, _ in found], found
    assert any(expected[2] in r for _, _, r in found), found


def test_cumulative_ballots_need_matching_points():
    text = (
        GOOD.replace("vote_type;approval", "vote_type;cumulative")
        .replace("voter_id;vote", "voter_id;vote;points")
        .replace("a;1,2", "a;1,2;3")
        .replace("b;2\n", "b;2;-1\n")
    )
    found = problems_of(text)
    assert ("VOTES", 15, "voter a: 1 points for 2 projects") in found
    assert ("VOTES", 16, "voter b: negative points") in found


def test_nothing_is_imported_from_a_malformed_file():
    # a refused file raises; there is no partial election to use
    with pytest.raises(PbFormatError) as caught:
        parse_pb(GOOD.replace("b;2\n", "b;7\n"))
    assert "VOTES line 16: voter b: unknown project 7" in str(caught.value)


def test_ballot_length_rules_are_warnings_not_errors():
    parsed = parse_pb_with_warnings(GOOD.replace("rule;greedy", "rule;greedy\nmax_length;1"))
    assert len(parsed.election.ballots) == 2
    assert [str(w) for w in parsed.warnings] == [
        "VOTES line 16: voter a: ballot too long (max_length 1)"
    ]


# --- round trips and exact numbers -------------------------------------------------------------


@PROPERTY
@given(elections(tricky_text=True, decimal_costs=True, points_for_ordinal=True))
def test_write_then_parse_round_trips(election):
    text = write_pb(election)
    again = parse_pb(text)
    assert again == election
    assert write_pb(again) == text


@given(
    st.fractions(max_denominator=10**6).filter(
        lambda x: x.denominator in (1, 2, 4, 5, 8, 10, 100, 1000)
    )
)
def test_decimals_are_written_exactly(value):
    assert parse_decimal(format_decimal(value)) == value


def test_json_numbers():
    assert json_number(Fraction(10)) == 10
    assert json_number(Fraction(3, 2)) == "1.5"
    assert json_number(Fraction(1, 3)) == "1/3"
    assert parse_decimal("1,5") is None
    assert parse_decimal("1e3") == 1000
