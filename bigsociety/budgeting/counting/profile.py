"""The counting view of an election: identical ballots merged into weighted groups.

Rules work on project indices (PROJECTS order) and on groups of voters who cast the same
ballot, as far as counting is concerned: the same projects with the same scores. Building the
profile is done once per election and cached on it.

Tie-breaking order (every rule, documented in the package README): when a rule ranks projects
exactly equal, it prefers

1. the lower cost,
2. then more votes (ballots listing the project),
3. then the project id in natural order (``2`` before ``10``; ids that are not numbers by
   their text) — a fixed, arbitrary last resort that the outcome reports as ``project id``
   so that officials can draw lots instead.

This is the order equalshares.net recommends for the Method of Equal Shares and that
pabulib's checker uses (lower cost, then more approvals), completed by the id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .election import Election, ballot_scores

_NUMBER = re.compile(r"\d+")


def natural_key(project_id: str) -> tuple[tuple[int, int, str], ...]:
    """``"2"`` < ``"10"`` < ``"10a"``; pieces of digits compare as numbers."""
    parts: list[tuple[int, int, str]] = []
    position = 0
    for match in _NUMBER.finditer(project_id):
        if match.start() > position:
            parts.append((1, 0, project_id[position : match.start()]))
        parts.append((0, int(match.group()), ""))
        position = match.end()
    if position < len(project_id):
        parts.append((1, 0, project_id[position:]))
    return tuple(parts)


Score = int | Fraction


@dataclass(frozen=True)
class Profile:
    """Projects by index; ``groups[g]`` = (voters, project indices, their scores or None when
    every score is 1, as on approval ballots). Whole scores are ``int``."""

    project_ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    voters: int
    groups: tuple[tuple[int, tuple[int, ...], tuple[Score, ...] | None], ...]
    votes: tuple[int, ...]
    scores: tuple[Fraction, ...]
    tie_rank: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.project_ids)

    def tie_order(self, candidates: Sequence[int]) -> tuple[list[int], str]:
        """The candidates in tie-breaking order, and what separated the first from the rest."""
        ordered = sorted(candidates, key=lambda p: self.tie_rank[p])
        if len(ordered) < 2:
            return ordered, ""
        first, second = ordered[0], ordered[1]
        if self.costs[first] != self.costs[second]:
            return ordered, "lower cost"
        if self.votes[first] != self.votes[second]:
            return ordered, "more votes"
        return ordered, "project id"


def profile_of(election: Election) -> Profile:
    cached = election._cache.get("profile")
    if isinstance(cached, Profile):
        return cached
    profile = _build(election)
    election._cache["profile"] = profile
    return profile


def _whole(value: Fraction) -> Score:
    return value.numerator if value.denominator == 1 else value


def _build(election: Election) -> Profile:
    ids = tuple(election.projects)
    index = {project_id: i for i, project_id in enumerate(ids)}
    costs = tuple(p.cost for p in election.projects.values())
    size = len(ids)
    votes = [0] * size
    totals: list[Score] = [0] * size
    groups: list[tuple[int, tuple[int, ...], tuple[Score, ...] | None]] = []
    if election.vote_type in ("approval", "choose-1"):
        counts: dict[tuple[int, ...], int] = {}
        for ballot in election.ballots:
            key = tuple(sorted([index[p] for p in ballot.projects]))
            counts[key] = counts.get(key, 0) + 1
        for key, weight in counts.items():
            groups.append((weight, key, None))
            for p in key:
                votes[p] += weight
        totals = list(votes)
    else:
        scored_counts: dict[tuple[tuple[int, Score], ...], int] = {}
        for ballot in election.ballots:
            scored = ballot_scores(election.vote_type, ballot)
            scored_key = tuple(
                sorted((index[p], _whole(s)) for p, s in zip(ballot.projects, scored, strict=True))
            )
            scored_counts[scored_key] = scored_counts.get(scored_key, 0) + 1
        for scored_key, weight in scored_counts.items():
            projects = tuple(p for p, _ in scored_key)
            values = tuple(s for _, s in scored_key)
            groups.append((weight, projects, values))
            for p, value in scored_key:
                votes[p] += weight
                totals[p] += weight * value
    order = sorted(range(size), key=lambda p: (costs[p], -votes[p], natural_key(ids[p]), ids[p]))
    tie_rank = [0] * size
    for rank, p in enumerate(order):
        tie_rank[p] = rank
    return Profile(
        project_ids=ids,
        costs=costs,
        voters=len(election.ballots),
        groups=tuple(groups),
        votes=tuple(votes),
        scores=tuple(Fraction(total) for total in totals),
        tie_rank=tuple(tie_rank),
    )
