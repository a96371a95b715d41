"""The election the counting rules read: META, projects and ballots, as pabulib models them.

An :class:`Election` is plain data, built by :func:`~.pabulib.parse_pb` or by
:meth:`Election.create` (the Django adapter builds one from the database). The rules never
read the publisher's ``votes``, ``score`` or ``selected`` columns: they count the ballots.

Scores, as pabulib defines them (the ``score`` column of its PROJECTS section):

* approval and choose-1: one point for every project on the ballot (score = votes);
* cumulative and scoring: the ballot's ``points`` for each project;
* ordinal: the ballot's ``points`` when the file gives them, otherwise Borda from the ballot's
  length: on a ballot ranking ``k`` projects the first gets ``k`` points, the last 1.

``votes`` is the number of ballots that list a project, whatever its points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .numbers import parse_decimal

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTS_VOTE_TYPES = ("cumulative", "scoring")


@dataclass(frozen=True)
class Project:
    """A project on the ballot: its id, its cost and its other PROJECTS columns, verbatim."""

    project_id: str
    cost: Fraction
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def published_selected(self) -> int | None:
        """The publisher's ``selected`` value (0, 1, or 2-3 for cases its comment explains)."""
        value = self.fields.get("selected", "").strip()
        return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: the projects in the order written (most preferred first when
    ordinal), their points when the ballot type has them, and the other VOTES columns."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Election:
    """META (every key, verbatim and in order), the projects in PROJECTS order, the ballots.

    ``budget`` and ``vote_type`` are read from META when the election is made; a META
    without a valid ``budget`` or ``vote_type`` is refused with ``ValueError``.
    """

    meta: Mapping[str, str]
    projects: Mapping[str, Project]
    ballots: tuple[Ballot, ...]
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    budget: Fraction = field(init=False, compare=False)
    vote_type: str = field(init=False, compare=False)
    _cache: dict[str, object] = field(init=False, compare=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        vote_type = self.meta.get("vote_type", "").strip()
        if vote_type not in VOTE_TYPES:
            raise ValueError(f"vote_type must be one of {', '.join(VOTE_TYPES)}")
        budget = parse_decimal(self.meta.get("budget", ""))
        if budget is None or budget < 0:
            raise ValueError("budget must be a non-negative decimal number")
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "vote_type", vote_type)

    @classmethod
    def create(
        cls,
        *,
        budget: Fraction | int | str,
        vote_type: str,
        projects: Iterable[Project],
        ballots: Iterable[Ballot],
        rule: str = "unknown",
        meta: Mapping[str, str] | None = None,
    ) -> Election:
        """An election made in code: META gets ``budget``, ``vote_type``, ``rule`` and the
        counts, after any other keys given in ``meta``."""
        from .numbers import format_decimal

        project_list = list(projects)
        ballot_list = tuple(ballots)
        full_meta = dict(meta or {})
        full_meta.update(
            {
                "num_projects": str(len(project_list)),
                "num_votes": str(len(ballot_list)),
                "budget": format_decimal(Fraction(budget)),
                "vote_type": vote_type,
                "rule": rule,
            }
        )
        project_columns: list[str] = []
        for project in project_list:
            for key in project.fields:
                if key not in project_columns:
                    project_columns.append(key)
        vote_columns: list[str] = []
        for ballot in ballot_list:
            for key in ballot.fields:
                if key not in vote_columns:
                    vote_columns.append(key)
        return cls(
            meta=full_meta,
            projects={p.project_id: p for p in project_list},
            ballots=ballot_list,
            project_columns=tuple(project_columns),
            vote_columns=tuple(vote_columns),
        )

    @property
    def rule(self) -> str:
        """The rule the publisher says was used (``unknown`` when META does not say)."""
        return self.meta.get("rule", "").strip() or "unknown"

    @property
    def has_points(self) -> bool:
        return any(b.points is not None for b in self.ballots)


def ballot_scores(vote_type: str, ballot: Ballot) -> tuple[Fraction, ...]:
    """The score the ballot gives each project it lists, in the ballot's order (see module doc)."""
    if vote_type in ("approval", "choose-1"):
        return tuple(Fraction(1) for _ in ballot.projects)
    if ballot.points is not None:
        return ballot.points
    if vote_type == "ordinal":
        length = len(ballot.projects)
        return tuple(Fraction(length - position) for position in range(length))
    raise ValueError(f"a {vote_type} ballot needs points (voter {ballot.voter_id})")


def project_votes(election: Election) -> dict[str, int]:
    """How many ballots list each project (pabulib's ``votes``)."""
    votes = dict.fromkeys(election.projects, 0)
    for ballot in election.ballots:
        for project_id in ballot.projects:
            votes[project_id] += 1
    return votes


def project_scores(election: Election) -> dict[str, Fraction]:
    """Each project's total score (pabulib's ``score``; equal to ``votes`` for approval)."""
    scores = dict.fromkeys(election.projects, Fraction(0))
    for ballot in election.ballots:
        for project_id, score in zip(
            ballot.projects, ballot_scores(election.vote_type, ballot), strict=True
        ):
            scores[project_id] += score
    return scores
