"""Sequential Phragmén for participatory budgeting.

Voters earn virtual money at the same steady rate from time 0. As soon as the supporters of a
project together hold its cost, it is bought: they pay, and their balances return to zero
(equivalently: each voter carries a "load", and buying project ``p`` at time ``t`` needs
``t * |supporters| - sum of their loads = cost``, after which every supporter's load is ``t``).
The project reached first is bought; when that project does not fit the money left, the rule
stops (as pabutools' ``sequential_phragmen`` does). A project that costs more than the whole
budget can never be bought and takes no part (pabutools leaves it out from the start too). A
voter supports the projects on their ballot (points are not used). Ties in time follow
:mod:`.profile`'s order.

Every voter's load is the time of the last purchase they took part in, so a project's total
load is kept as integer weights per purchase, and times are exact fractions.
"""

from __future__ import annotations

from fractions import Fraction

from .election import Election
from .greedy import _show
from .outcome import Outcome, Round, Tie, Unfunded
from .profile import profile_of


def sequential_phragmen(election: Election) -> Outcome:
    profile = profile_of(election)
    budget = election.budget
    supporters: list[list[int]] = [[] for _ in range(profile.size)]
    supported: list[list[int]] = []
    for g, (_, projects, scores) in enumerate(profile.groups):
        if scores is None:
            chosen_projects = list(projects)
        else:
            chosen_projects = [p for p, s in zip(projects, scores, strict=True) if s > 0]
        supported.append(chosen_projects)
        for p in chosen_projects:
            supporters[p].append(g)
    weights = [weight for weight, _, _ in profile.groups]
    supporter_weight = [sum(weights[g] for g in supporters[p]) for p in range(profile.size)]
    times: list[Fraction] = [Fraction(0)]  # times[k]: the time of purchase k (0: the start)
    last = [0] * len(weights)  # each group's last purchase (index into times)
    # per project: purchase index -> weight of its supporters whose last purchase it was
    by_purchase: list[dict[int, int]] = [
        {0: supporter_weight[p]} if supporter_weight[p] else {} for p in range(profile.size)
    ]
    too_dear = {p for p in range(profile.size) if profile.costs[p] > budget}
    open_projects = {p for p in range(profile.size) if supporter_weight[p] and p not in too_dear}
    bound = {p: profile.costs[p] / supporter_weight[p] for p in open_projects}
    selected: list[int] = []
    rounds: list[Round] = []
    ties: list[Tie] = []
    spent = Fraction(0)
    stop_reason = ""
    stopped_at: int | None = None
    while open_projects:
        best_time: Fraction | None = None
        best: list[int] = []
        for p in sorted(open_projects, key=lambda p: (bound[p], profile.tie_rank[p])):
            if best_time is not None and bound[p] > best_time:
                break
            load = sum((times[k] * weight for k, weight in by_purchase[p].items()), Fraction(0))
            time = (profile.costs[p] + load) / supporter_weight[p]
            bound[p] = time
            if best_time is None or time < best_time:
                best_time, best = time, [p]
            elif time == best_time:
                best.append(p)
        assert best_time is not None
        chosen = best[0]
        if len(best) > 1:
            ordered, decided_by = profile.tie_order(best)
            chosen = ordered[0]
            ties.append(
                Tie(
                    round=len(rounds) + 1,
                    candidates=tuple(profile.project_ids[p] for p in ordered),
                    chosen=profile.project_ids[chosen],
                    decided_by=decided_by,
                )
            )
        cost = profile.costs[chosen]
        if spent + cost > budget:
            stopped_at = chosen
            stop_reason = (
                f"Its supporters could pay for it first (at time {_show(best_time)}), but it costs "
                f"{_show(cost)} and only {_show(budget - spent)} was left: the rule stops here."
            )
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    project_id=profile.project_ids[chosen],
                    decision="stopped",
                    cost=cost,
                    remaining=budget - spent,
                    load=best_time,
                    supporters=supporter_weight[chosen],
                )
            )
            break
        spent += cost
        selected.append(chosen)
        times.append(best_time)
        purchase = len(times) - 1
        for g in supporters[chosen]:
            previous = last[g]
            last[g] = purchase
            for p in supported[g]:
                if p in open_projects:
                    counts = by_purchase[p]
                    counts[previous] -= weights[g]
                    if not counts[previous]:
                        del counts[previous]
                    counts[purchase] = counts.get(purchase, 0) + weights[g]
        open_projects.discard(chosen)
        rounds.append(
            Round(
                number=len(rounds) + 1,
                project_id=profile.project_ids[chosen],
                decision="funded",
                cost=cost,
                remaining=budget - spent,
                load=best_time,
                supporters=supporter_weight[chosen],
            )
        )
    unfunded: list[Unfunded] = []
    funded = set(selected)
    for p in range(profile.size):
        if p in funded:
            continue
        if not supporter_weight[p]:
            reason = "Nobody voted for it."
        elif p in too_dear:
            reason = (
                f"It costs {_show(profile.costs[p])}, more than the whole budget of "
                f"{_show(budget)}, so it could never be bought."
            )
        elif p == stopped_at:
            reason = stop_reason
        else:
            assert stopped_at is not None
            reason = (
                f"The rule stopped at project {profile.project_ids[stopped_at]} before "
                "its supporters could pay for it."
            )
        unfunded.append(
            Unfunded(
                project_id=profile.project_ids[p],
                cost=profile.costs[p],
                reason=reason,
                votes=profile.votes[p],
            )
        )
    return Outcome(
        rule="phragmen",
        selected=tuple(profile.project_ids[p] for p in selected),
        spent=spent,
        budget=budget,
        rounds=tuple(rounds),
        ties=tuple(ties),
        unfunded=tuple(unfunded),
    )
