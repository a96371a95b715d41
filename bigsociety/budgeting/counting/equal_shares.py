"""The Method of Equal Shares (MES), with add1 completion and the comparison step.

The rule (Peters, Pierczyński, Skowron; equalshares.net): the budget is split equally among
the voters. Repeatedly, for every project still open, find the smallest price ``rho`` per unit
of utility such that its supporters can pay its cost, each paying ``rho`` times their utility
for it or, if they have less, all they have left; fund the project with the smallest ``rho``
(ties: :mod:`.profile`'s order); its supporters pay. Stop when no project can be paid for.

Utilities (``utility=``):

* ``cost`` (default for approval and choose-1 ballots): a voter values a project they support
  at its cost, so every supporter of a project pays the same; the project chosen is the one
  with the most "effective votes" (cost / payment). This is pabutools' ``Cost_Sat``.
* ``score`` (default for cumulative, scoring and ordinal ballots): a voter values a project at
  the points their ballot gives it (pabulib's Borda points for ordinal ballots).

Completion (``completion="add1"``), as equalshares.net recommends and pabutools'
``voter_budget_increment=1`` computes: run MES with each voter's share raised by one unit of
money at a time, from budget / voters, until the outcome is exhaustive (no supported project
left fits the real budget), or until the next raise would overspend the real budget, in which
case the last outcome that fitted is kept.

Comparison step (``comparison=True``, equalshares.net and pabulib's checker): compare with
greedy by votes (skipping what does not fit); if more voters have strictly more funded
projects they voted for under greedy than under MES, greedy's outcome is taken.

Arithmetic is exact. Two engines compute the same thing: a reference engine in ``Fraction``
(:func:`exact_run`) and a fast engine (:mod:`._mes_fast`) that works in floating point with a
proven error bound on every number and certifies every comparison it makes; when a comparison
is too close to certify (a tie or a near-tie), that run is redone by the exact engine. The
explanation of the final outcome is always computed exactly.

add1 runs MES at many budgets, one after another; with the fast engine and more than one CPU it
computes the next budgets' runs side by side in threads (the compiled kernel releases the GIL)
and checks them in order, so the result is the sequential one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm

from .election import Election
from .greedy import _show
from .outcome import EqualSharesDetails, Outcome, Round, Tie, Unfunded
from .profile import Profile, Score, profile_of


@dataclass(frozen=True)
class Problem:
    """MES's view of an election. A project's utility for a supporter is
    ``scale[p] * units``: for cost utilities the scale is the cost and every supporter has one
    unit (``units[p]`` is None); for score utilities the scale is 1 and the units are the
    supporters' scores. ``supporters[p]`` lists voter groups (see :class:`.profile.Profile`)."""

    profile: Profile
    utility: str
    budget: Fraction
    weights: tuple[int, ...]
    supporters: tuple[tuple[int, ...], ...]
    units: tuple[tuple[Score, ...] | None, ...]
    units_total: tuple[Score, ...]
    supporter_count: tuple[int, ...]
    scale: tuple[Fraction, ...]
    open_projects: tuple[int, ...]
    free_projects: tuple[int, ...]
    _engine_cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def voters(self) -> int:
        return self.profile.voters

    def supporter_units(self, p: int) -> list[tuple[int, Score]]:
        units = self.units[p]
        if units is None:
            return [(g, 1) for g in self.supporters[p]]
        return list(zip(self.supporters[p], units, strict=True))


@dataclass
class RoundData:
    project: int
    price: Fraction
    unit_payment: Fraction
    supporters: int
    paid_in_full: int
    paid_less: int
    paid_less_total: Fraction


@dataclass
class Run:
    """One MES run at one per-voter budget. ``rounds`` and ``end_money`` are filled by the
    exact engine, and by :meth:`._mes_fast.FastEngine.explain` for a fast run."""

    voter_budget: Fraction
    order: list[int]
    ties: list[Tie] = field(default_factory=list)
    rounds: list[RoundData] | None = None
    end_money: dict[int, Fraction] | None = None
    trace: object = None


def make_problem(election: Election, utility: str | None = None) -> Problem:
    profile = profile_of(election)
    if utility is None:
        utility = "cost" if election.vote_type in ("approval", "choose-1") else "score"
    if utility not in ("cost", "score"):
        raise ValueError("utility must be 'cost' or 'score'")
    key = f"mes-problem-{utility}"
    cached = election._cache.get(key)
    if isinstance(cached, Problem):
        return cached
    groups: list[list[int]] = [[] for _ in range(profile.size)]
    # Units are kept only where some supporter's differs from 1 (score utilities).
    units: list[list[Score] | None] = [None] * profile.size
    weights = []
    for g, (weight, projects, scores) in enumerate(profile.groups):
        weights.append(weight)
        if scores is None:
            for p in projects:
                groups[p].append(g)
            continue
        for p, score in zip(projects, scores, strict=True):
            if score < 0:
                raise ValueError("the Method of Equal Shares needs scores of zero or more")
            if score > 0:
                unit = 1 if utility == "cost" else score
                listed = units[p]
                if listed is None and unit != 1:
                    listed = units[p] = [1] * len(groups[p])
                if listed is not None:
                    listed.append(unit)
                groups[p].append(g)
    unit_lists: list[tuple[Score, ...] | None] = [None if us is None else tuple(us) for us in units]
    units_total: list[Score] = []
    supporter_count: list[int] = []
    weight_of = weights.__getitem__
    for p in range(profile.size):
        count = sum(map(weight_of, groups[p]))
        supporter_count.append(count)
        unit_list = unit_lists[p]
        if unit_list is None:
            units_total.append(count)
        else:
            units_total.append(
                sum(weights[g] * u for g, u in zip(groups[p], unit_list, strict=True))
            )
    one = Fraction(1)
    problem = Problem(
        profile=profile,
        utility=utility,
        budget=election.budget,
        weights=tuple(weights),
        supporters=tuple(tuple(gs) for gs in groups),
        units=tuple(unit_lists),
        units_total=tuple(units_total),
        supporter_count=tuple(supporter_count),
        scale=tuple(profile.costs[p] if utility == "cost" else one for p in range(profile.size)),
        open_projects=tuple(p for p in range(profile.size) if groups[p] and profile.costs[p] > 0),
        free_projects=tuple(p for p in range(profile.size) if groups[p] and profile.costs[p] == 0),
    )
    election._cache[key] = problem
    return problem


def exact_run(problem: Problem, voter_budget: Fraction) -> Run:
    """The reference engine: MES at one per-voter budget, in exact arithmetic throughout."""
    profile = problem.profile
    weights = problem.weights
    budgets: list[Fraction] = [voter_budget] * len(weights)
    supporter_units = {p: problem.supporter_units(p) for p in problem.open_projects}
    # Lower bounds on each open project's price; the price only rises as voters spend.
    bound = {
        p: profile.costs[p] / (problem.scale[p] * problem.units_total[p])
        for p in problem.open_projects
    }
    run = Run(voter_budget=voter_budget, order=list(problem.free_projects), rounds=[])
    rounds: list[RoundData] = []
    while bound:
        best_price: Fraction | None = None
        best: list[int] = []
        for p in sorted(bound, key=lambda p: (bound[p], profile.tie_rank[p])):
            if best_price is not None and bound[p] > best_price:
                break
            cost = profile.costs[p]
            supporters = supporter_units[p]
            if sum(weights[g] * budgets[g] for g, _ in supporters) < cost:
                del bound[p]
                continue
            paid = Fraction(0)
            units: Score = problem.units_total[p]
            unit_payment = cost / units
            for g, u in sorted(supporters, key=lambda gu: budgets[gu[0]] / gu[1]):
                unit_payment = (cost - paid) / units
                if unit_payment * u <= budgets[g]:
                    break
                paid += weights[g] * budgets[g]
                units -= weights[g] * u
            price = unit_payment / problem.scale[p]
            bound[p] = price
            if best_price is None or price < best_price:
                best_price, best = price, [p]
            elif price == best_price:
                best.append(p)
        if best_price is None:
            break
        chosen = best[0]
        if len(best) > 1:
            ordered, decided_by = profile.tie_order(best)
            chosen = ordered[0]
            run.ties.append(
                Tie(
                    round=len(run.order) + 1,
                    candidates=tuple(profile.project_ids[p] for p in ordered),
                    chosen=profile.project_ids[chosen],
                    decided_by=decided_by,
                )
            )
        unit_payment = best_price * problem.scale[chosen]
        full = less = 0
        less_total = Fraction(0)
        for g, u in supporter_units[chosen]:
            due = unit_payment * u
            if due <= budgets[g]:
                budgets[g] -= due
                full += weights[g]
            else:
                if budgets[g] > 0:
                    less += weights[g]
                    less_total += weights[g] * budgets[g]
                budgets[g] = Fraction(0)
        rounds.append(
            RoundData(
                project=chosen,
                price=best_price,
                unit_payment=unit_payment,
                supporters=problem.supporter_count[chosen],
                paid_in_full=full,
                paid_less=less,
                paid_less_total=less_total,
            )
        )
        run.order.append(chosen)
        del bound[chosen]
    run.rounds = rounds
    funded = set(run.order)
    run.end_money = {
        p: sum((weights[g] * budgets[g] for g in problem.supporters[p]), Fraction(0))
        for p in problem.open_projects
        if p not in funded
    }
    return run


def run_at(problem: Problem, voter_budget: Fraction) -> Run:
    """MES at one per-voter budget: the fast engine when it can certify its result, else the
    exact engine."""
    from ._mes_fast import fast_engine

    engine = fast_engine(problem)
    if engine is not None:
        run = engine.run(voter_budget)
        if run is not None:
            return run
    return exact_run(problem, voter_budget)


def explained(problem: Problem, run: Run) -> Run:
    if run.rounds is not None:
        return run
    from ._mes_fast import fast_engine

    engine = fast_engine(problem)
    assert engine is not None  # a run without rounds comes from the fast engine
    return engine.explain(run)


def _spent(problem: Problem, order: Sequence[int]) -> Fraction:
    return sum((problem.profile.costs[p] for p in order), Fraction(0))


def _speculation() -> int:
    """How many budgets add1 runs side by side: one per CPU this process may use, at most 2."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return max(1, min(2, cpus))


def add1(problem: Problem) -> tuple[Run, int]:
    """MES with add1 completion: the run kept and the number of one-unit raises behind it."""
    from ._mes_fast import fast_engine

    # Money in integers over one common denominator: the checks after every raise are exact
    # and cheap.
    costs = problem.profile.costs
    common = lcm(problem.budget.denominator, *(c.denominator for c in costs))
    scaled = [c.numerator * (common // c.denominator) for c in costs]
    budget = problem.budget.numerator * (common // problem.budget.denominator)
    fair_share = problem.budget / problem.voters
    width = _speculation() if fast_engine(problem) is not None else 1
    pool = ThreadPoolExecutor(width) if width > 1 else None
    voter_budget = fair_share
    previous: Run | None = None
    steps = 0
    try:
        while True:
            budgets = [voter_budget + i for i in range(width)]
            if pool is None:
                runs = [run_at(problem, budgets[0])]
            else:
                runs = list(pool.map(lambda b: run_at(problem, b), budgets))
            for run in runs:  # checked in order: later runs were speculative
                spent = sum(scaled[p] for p in run.order)
                if spent > budget:
                    assert previous is not None  # at the fair share MES never overspends
                    return previous, steps - 1
                funded = set(run.order)
                if all(p in funded or spent + scaled[p] > budget for p in problem.open_projects):
                    return run, steps
                previous = run
                voter_budget += 1
                steps += 1
    finally:
        if pool is not None:
            pool.shutdown()


def method_of_equal_shares(
    election: Election,
    *,
    utility: str | None = None,
    completion: str = "none",
    comparison: bool = False,
    rule: str | None = None,
) -> Outcome:
    """MES on an election; ``completion`` is ``none`` or ``add1``. See the module doc."""
    if completion not in ("none", "add1"):
        raise ValueError("completion must be 'none' or 'add1'")
    name = (
        rule
        or {
            ("none", False): "mes",
            ("add1", False): "mes-add1",
            ("add1", True): "mes-add1-comparison",
            ("none", True): "mes-comparison",
        }[(completion, comparison)]
    )
    problem = make_problem(election, utility)
    profile = problem.profile
    if profile.voters == 0:
        return Outcome(
            rule=name,
            selected=(),
            spent=Fraction(0),
            budget=election.budget,
            notes=("No ballots: nothing is funded.",),
        )
    fair_share = problem.budget / profile.voters
    steps = 0
    if completion == "add1":
        run, steps = add1(problem)
    else:
        run = run_at(problem, fair_share)
    run = explained(problem, run)
    details = EqualSharesDetails(
        utility=problem.utility,
        fair_share=fair_share,
        voter_budget=run.voter_budget,
        steps=steps,
        completion=completion,
    )
    outcome = _outcome(problem, run, name, details)
    if comparison:
        outcome = _compare(election, problem, outcome)
    return outcome


def _outcome(problem: Problem, run: Run, rule: str, details: EqualSharesDetails) -> Outcome:
    profile = problem.profile
    budget = problem.budget
    rounds: list[Round] = []
    spent = Fraction(0)
    for p in problem.free_projects:
        rounds.append(
            Round(
                number=len(rounds) + 1,
                project_id=profile.project_ids[p],
                decision="funded",
                cost=Fraction(0),
                remaining=budget - spent,
                supporters=profile.votes[p],
                note="It costs nothing.",
            )
        )
    for data in run.rounds or ():
        cost = profile.costs[data.project]
        spent += cost
        rounds.append(
            Round(
                number=len(rounds) + 1,
                project_id=profile.project_ids[data.project],
                decision="funded",
                cost=cost,
                remaining=budget - spent,
                price=data.price,
                payment=data.unit_payment,
                supporters=data.supporters,
                paid_in_full=data.paid_in_full,
                paid_less=data.paid_less,
                paid_less_total=data.paid_less_total,
                effective_votes=cost / data.unit_payment,
            )
        )
    funded = set(run.order)
    end_money = run.end_money or {}
    unfunded: list[Unfunded] = []
    share = run.voter_budget
    for p in range(profile.size):
        if p in funded:
            continue
        cost = profile.costs[p]
        supporters = problem.supporter_count[p]
        if supporters == 0:
            reason = "Nobody voted for it."
            money = None
        else:
            money = end_money.get(p, Fraction(0))
            start = supporters * share
            if start < cost:
                reason = (
                    f"Even at the start its {supporters} supporters' shares of "
                    f"{_show(share)} each came to {_show(start)}, less than its cost "
                    f"{_show(cost)}."
                )
            else:
                reason = (
                    f"When no project could be paid for any more, its {supporters} supporters "
                    f"had {_show(money)} left between them, less than its cost {_show(cost)}: "
                    "they had spent their shares on projects funded earlier."
                )
        unfunded.append(
            Unfunded(
                project_id=profile.project_ids[p],
                cost=cost,
                reason=reason,
                votes=profile.votes[p],
                supporters_money=money,
            )
        )
    notes = [
        f"Each voter's share: {_show(run.voter_budget)} "
        f"(budget / voters = {_show(details.fair_share)})."
    ]
    if details.completion == "add1":
        notes.append(
            f"add1 completion raised each voter's share {details.steps} times by one unit."
        )
    return Outcome(
        rule=rule,
        selected=tuple(profile.project_ids[p] for p in run.order),
        spent=_spent(problem, run.order),
        budget=budget,
        rounds=tuple(rounds),
        ties=tuple(run.ties),
        unfunded=tuple(unfunded),
        notes=tuple(notes),
        equal_shares=details,
    )


def greedy_by_votes(profile: Profile, budget: Fraction) -> list[int]:
    """Greedy by votes, skipping what does not fit: the comparison step's alternative."""
    order = sorted(
        (p for p in range(profile.size) if profile.votes[p] > 0),
        key=lambda p: (-profile.votes[p], profile.tie_rank[p]),
    )
    chosen: list[int] = []
    spent = Fraction(0)
    for p in order:
        if spent + profile.costs[p] <= budget:
            chosen.append(p)
            spent += profile.costs[p]
    return chosen


def _compare(election: Election, problem: Problem, mes_outcome: Outcome) -> Outcome:
    from .greedy import run_greedy

    profile = problem.profile
    index = {project_id: p for p, project_id in enumerate(profile.project_ids)}
    mes_set = {index[project_id] for project_id in mes_outcome.selected}
    greedy_set = set(greedy_by_votes(profile, problem.budget))
    prefers_mes = prefers_greedy = 0
    for weight, projects, _ in profile.groups:
        in_mes = sum(1 for p in projects if p in mes_set)
        in_greedy = sum(1 for p in projects if p in greedy_set)
        if in_mes > in_greedy:
            prefers_mes += weight
        elif in_greedy > in_mes:
            prefers_greedy += weight
    counts = {"prefer_mes": prefers_mes, "prefer_greedy": prefers_greedy}
    assert mes_outcome.equal_shares is not None
    if prefers_greedy > prefers_mes:
        details = _with_comparison(mes_outcome.equal_shares, counts, "greedy")
        greedy_outcome = run_greedy(
            election, rule=mes_outcome.rule, threshold=Fraction(0), order_by="votes"
        )
        note = (
            f"Comparison step: {prefers_greedy} voters have more funded projects they voted for "
            f"under greedy, {prefers_mes} under Equal Shares; greedy's outcome is taken."
        )
        return Outcome(
            rule=mes_outcome.rule,
            selected=greedy_outcome.selected,
            spent=greedy_outcome.spent,
            budget=greedy_outcome.budget,
            rounds=greedy_outcome.rounds,
            ties=greedy_outcome.ties,
            unfunded=greedy_outcome.unfunded,
            notes=(*mes_outcome.notes, note),
            equal_shares=details,
        )
    note = (
        f"Comparison step: {prefers_mes} voters have more funded projects they voted for under "
        f"Equal Shares, {prefers_greedy} under greedy; Equal Shares' outcome is kept."
    )
    return Outcome(
        rule=mes_outcome.rule,
        selected=mes_outcome.selected,
        spent=mes_outcome.spent,
        budget=mes_outcome.budget,
        rounds=mes_outcome.rounds,
        ties=mes_outcome.ties,
        unfunded=mes_outcome.unfunded,
        notes=(*mes_outcome.notes, note),
        equal_shares=_with_comparison(mes_outcome.equal_shares, counts, "mes"),
    )


def _with_comparison(
    details: EqualSharesDetails, counts: dict[str, int], winner: str
) -> EqualSharesDetails:
    return EqualSharesDetails(
        utility=details.utility,
        fair_share=details.fair_share,
        voter_budget=details.voter_budget,
        steps=details.steps,
        completion=details.completion,
        comparison=counts,
        winner_of_comparison=winner,
    )
