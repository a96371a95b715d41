"""Fairness indicators of an outcome.

* **Voters with a funded project**: how many voters supported at least one funded project
  (a project is supported when the ballot lists it with a positive score), over all voters,
  empty ballots included.
* **Extended justified representation (EJR)**, approval ballots only, in the participatory
  budgeting form of Peters, Pierczyński and Skowron (2021) and Brill et al. (2023). A group
  ``S`` of voters is *T-cohesive* for a set of projects ``T`` when every member approves every
  project of ``T`` and the group's share of the budget pays for ``T``:
  ``|S| / n * budget >= cost(T)``. The outcome ``W`` satisfies EJR for a satisfaction
  measure ``sat`` when every T-cohesive group has a member with ``sat(W) >= sat(T)``, and EJR
  *up to one project* when every such group has a member with
  ``sat(W) + max(sat({p}) for p in T not in W) >= sat(T)`` (the definition pabutools'
  ``is_EJR_one_approval`` checks).
  Two satisfaction measures are checked: ``cost`` (total cost of the funded projects a voter
  approves) and ``cardinality`` (their number).

How EJR is checked. A violation exists exactly when some project set ``T`` has enough
unsatisfied approvers of all of ``T`` to pay for ``T``: the largest T-cohesive group to
consider for ``T`` is its unsatisfied approvers. So the check enumerates project sets ``T``,
size by size, keeping only sets that *some* group could afford (``n * cost(T) <= budget *
approvers of all of T``; a set failing this has no cohesive group, nor does any superset),
and for each asks whether its unsatisfied approvers can afford it. When the enumeration ends,
the answer is exact. Deciding EJR is coNP-hard in general, so the enumeration has a limit
(``max_sets``); when the limit is reached first, the answer is ``None`` ("not determined")
and ``complete_up_to`` says the largest size of project sets that were all checked: EJR then
holds *for every cohesive group whose project set has at most that many projects*, and
nothing is claimed beyond that. A violation found is always definite.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from .election import Election
from .numbers import json_number
from .outcome import Outcome
from .profile import profile_of

DEFAULT_MAX_SETS = 20_000


@dataclass(frozen=True)
class EjrViolation:
    projects: tuple[str, ...]
    unsatisfied_voters: int
    voters_needed: Fraction

    def to_dict(self) -> dict[str, object]:
        return {
            "projects": list(self.projects),
            "unsatisfied_voters": self.unsatisfied_voters,
            "voters_needed": json_number(self.voters_needed),
        }


@dataclass(frozen=True)
class EjrCheck:
    """One EJR property: ``holds`` is True, False, or None when not determined (see module)."""

    satisfaction: str
    up_to_one: bool
    holds: bool | None
    exact: bool
    complete_up_to: int
    sets_checked: int
    violation: EjrViolation | None = None

    @property
    def name(self) -> str:
        return f"EJR{' up to one project' if self.up_to_one else ''} ({self.satisfaction})"

    def to_dict(self) -> dict[str, object]:
        return {
            "property": self.name,
            "satisfaction": self.satisfaction,
            "up_to_one": self.up_to_one,
            "holds": self.holds,
            "exact": self.exact,
            "complete_up_to": self.complete_up_to,
            "sets_checked": self.sets_checked,
            "violation": self.violation.to_dict() if self.violation else None,
        }


@dataclass(frozen=True)
class Fairness:
    voters: int
    voters_with_funded_project: int
    ejr: tuple[EjrCheck, ...]

    @property
    def share_with_funded_project(self) -> Fraction:
        return (
            Fraction(self.voters_with_funded_project, self.voters) if self.voters else Fraction(0)
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "voters": self.voters,
            "voters_with_funded_project": self.voters_with_funded_project,
            "share_with_funded_project": json_number(self.share_with_funded_project),
            "share_with_funded_project_approx": float(self.share_with_funded_project),
            "ejr": [check.to_dict() for check in self.ejr],
        }


def fairness(election: Election, outcome: Outcome, *, max_sets: int = DEFAULT_MAX_SETS) -> Fairness:
    profile = profile_of(election)
    index = {project_id: p for p, project_id in enumerate(profile.project_ids)}
    funded = {index[project_id] for project_id in outcome.selected}
    covered = 0
    for weight, projects, scores in profile.groups:
        supported = (
            projects
            if scores is None
            else [p for p, s in zip(projects, scores, strict=True) if s > 0]
        )
        if any(p in funded for p in supported):
            covered += weight
    checks: tuple[EjrCheck, ...] = ()
    if election.vote_type in ("approval", "choose-1"):
        checks = ejr_checks(election, outcome.selected, max_sets=max_sets)
    return Fairness(voters=profile.voters, voters_with_funded_project=covered, ejr=checks)


def ejr_checks(
    election: Election, selected: tuple[str, ...] | list[str], *, max_sets: int = DEFAULT_MAX_SETS
) -> tuple[EjrCheck, ...]:
    """EJR and EJR up to one project, for cost and cardinality satisfaction (see module)."""
    profile = profile_of(election)
    index = {project_id: p for p, project_id in enumerate(profile.project_ids)}
    funded = frozenset(index[project_id] for project_id in selected)
    n = profile.voters
    # Money in whole units: every cost and the budget times a common denominator.
    scale = lcm(election.budget.denominator, *(c.denominator for c in profile.costs))
    costs = [int(c * scale) for c in profile.costs]
    budget = int(election.budget * scale)
    group_weight = [weight for weight, _, _ in profile.groups]
    approvers: list[set[int]] = [set() for _ in range(profile.size)]
    sat_cost: list[int] = []
    sat_count: list[int] = []
    for g, (_, projects, _) in enumerate(profile.groups):
        for p in projects:
            approvers[p].add(g)
        sat_cost.append(sum(costs[p] for p in projects if p in funded))
        sat_count.append(sum(1 for p in projects if p in funded))

    variants = [("cost", False), ("cost", True), ("cardinality", False), ("cardinality", True)]
    violations: dict[tuple[str, bool], EjrViolation] = {}

    def weight_of(groups: set[int]) -> int:
        return sum(group_weight[g] for g in groups)

    def affordable(cost: int, voters: int) -> bool:
        return n * cost <= budget * voters

    def check(projects: tuple[int, ...], groups: set[int], cost: int) -> None:
        missing = [p for p in projects if p not in funded]
        if not missing:
            return
        for satisfaction, up_to_one in variants:
            if (satisfaction, up_to_one) in violations:
                continue
            if satisfaction == "cost":
                need = cost
                extra = max(costs[p] for p in missing) if up_to_one else 0
                unsatisfied = [g for g in groups if sat_cost[g] + extra < need]
            else:
                need = len(projects)
                extra = 1 if up_to_one else 0
                unsatisfied = [g for g in groups if sat_count[g] + extra < need]
            voters = weight_of(set(unsatisfied))
            if voters and affordable(cost, voters):
                violations[(satisfaction, up_to_one)] = EjrViolation(
                    projects=tuple(profile.project_ids[p] for p in projects),
                    unsatisfied_voters=voters,
                    voters_needed=Fraction(n * cost, budget) if budget else Fraction(0),
                )

    level: list[tuple[tuple[int, ...], set[int], int]] = []
    for p in range(profile.size):
        if approvers[p] and affordable(costs[p], weight_of(approvers[p])):
            level.append(((p,), approvers[p], costs[p]))
    singles = [entry[0][0] for entry in level]
    checked = 0
    complete = 0
    exhausted = False
    while level and not exhausted:
        for projects, groups, cost in level:
            check(projects, groups, cost)
            checked += 1
        complete = len(level[0][0])
        if len(violations) == len(variants):
            break
        following: list[tuple[tuple[int, ...], set[int], int]] = []
        for projects, groups, cost in level:
            for p in singles:
                if p <= projects[-1]:
                    continue
                together = groups & approvers[p]
                new_cost = cost + costs[p]
                if together and affordable(new_cost, weight_of(together)):
                    following.append(((*projects, p), together, new_cost))
                    if checked + len(following) > max_sets:
                        exhausted = True
                        break
            if exhausted:
                break
        level = following
    results = []
    for satisfaction, up_to_one in variants:
        violation = violations.get((satisfaction, up_to_one))
        if violation is not None:
            results.append(
                EjrCheck(satisfaction, up_to_one, False, True, complete, checked, violation)
            )
        else:
            results.append(
                EjrCheck(
                    satisfaction,
                    up_to_one,
                    None if exhausted else True,
                    not exhausted,
                    complete,
                    checked,
                )
            )
    return tuple(results)
