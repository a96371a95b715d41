"""The greedy family: projects in order of score, funded while the money lasts.

The order is by score (votes for approval and choose-1 ballots, points for cumulative,
pabulib's Borda points for ordinal), highest first, ties broken as :mod:`.profile` documents.
A project nobody supported is never funded. When META states
``min_project_score_threshold``, a project whose score is below it is not eligible under any
greedy variant (pabulib: "it will not be selected unless it meets this threshold").

* ``greedy``: a project that no longer fits is skipped and counting goes on;
* ``greedy-no-skip``: counting stops at the first project that does not fit;
* ``greedy-threshold``: ``greedy`` among projects scoring at least the threshold.

Two options describe rules that pabulib files explain in their META comment:
``exclusive`` (sets of projects of which at most one can be funded, for ``greedy-exclusive``)
and ``reserve_share`` (Poznań's ``greedy-custom``: after stopping at the first project that
does not fit, that project is still funded, from a reserve, when the money left covers at
least this share of its cost).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from .election import Election
from .numbers import format_decimal, is_terminating
from .outcome import Outcome, Round, Tie, Unfunded
from .profile import Profile, profile_of


def greedy(election: Election) -> Outcome:
    """Greedy by score, skipping projects that no longer fit."""
    return run_greedy(election, rule="greedy")


def greedy_no_skip(election: Election) -> Outcome:
    """Greedy by score, stopping at the first project that does not fit."""
    return run_greedy(election, rule="greedy-no-skip", skip=False)


def greedy_threshold(election: Election, threshold: Fraction | None = None) -> Outcome:
    """Greedy by score among projects scoring at least ``threshold`` (default: META's
    ``min_project_score_threshold``; without either, plain greedy, and the outcome says so)."""
    return run_greedy(election, rule="greedy-threshold", threshold=threshold)


def meta_threshold(election: Election) -> Fraction | None:
    from .numbers import parse_decimal

    text = election.meta.get("min_project_score_threshold")
    return parse_decimal(text) if text is not None else None


def run_greedy(
    election: Election,
    *,
    rule: str,
    skip: bool = True,
    threshold: Fraction | None = None,
    exclusive: Iterable[Iterable[str]] = (),
    reserve_share: Fraction | None = None,
    notes: Iterable[str] = (),
    order_by: str = "score",
) -> Outcome:
    profile = profile_of(election)
    note_list = list(notes)
    if threshold is None:
        threshold = meta_threshold(election)
    if rule == "greedy-threshold" and threshold is None:
        note_list.append("No min_project_score_threshold is stated: counted as plain greedy.")
    exclusive_sets = [frozenset(group) for group in exclusive]
    budget = election.budget
    ranking = profile.scores if order_by == "score" else tuple(Fraction(v) for v in profile.votes)
    order = sorted(range(profile.size), key=lambda p: (-ranking[p], profile.tie_rank[p]))

    rounds: list[Round] = []
    unfunded: list[Unfunded] = []
    selected: list[int] = []
    decisions: dict[int, str] = {}
    spent = Fraction(0)
    stopped_at: int | None = None
    for p in order:
        project_id = profile.project_ids[p]
        cost = profile.costs[p]
        score = profile.scores[p]
        votes = profile.votes[p]

        def lost(
            reason: str, *, cost: Fraction = cost, votes: int = votes, pid: str = project_id
        ) -> None:
            unfunded.append(Unfunded(project_id=pid, cost=cost, reason=reason, votes=votes))

        if ranking[p] <= 0:
            lost("Nobody voted for it.")
            decisions[p] = "no votes"
            continue
        if stopped_at is not None:
            lost(
                f"Counting stopped at project {profile.project_ids[stopped_at]}, "
                "the first that did not fit."
            )
            decisions[p] = "after stop"
            continue
        decision = ""
        note = ""
        if threshold is not None and score < threshold:
            decision = "below threshold"
            lost(f"Its score {_show(score)} is below the threshold of {_show(threshold)}.")
        else:
            rival = _conflict(
                project_id, [profile.project_ids[q] for q in selected], exclusive_sets
            )
            if rival is not None:
                decision = "excluded"
                lost(f"It cannot be funded together with project {rival}, funded earlier.")
            elif spent + cost <= budget:
                decision = "funded"
            elif skip:
                decision = "skipped"
                lost(
                    f"It costs {_show(cost)} but only {_show(budget - spent)} was left "
                    "when its turn came."
                )
            else:
                stopped_at = p
                if reserve_share is not None and budget - spent >= reserve_share * cost:
                    decision = "funded from reserve"
                    note = (
                        f"The {_show(budget - spent)} left covers at least "
                        f"{_show(reserve_share * 100)}% of its cost; the rest comes from a reserve."
                    )
                else:
                    decision = "stopped"
                    lost(
                        f"It costs {_show(cost)} but only {_show(budget - spent)} was left, "
                        "and counting stops at the first project that does not fit."
                    )
        if decision in ("funded", "funded from reserve"):
            selected.append(p)
            spent += cost
        decisions[p] = decision
        rounds.append(
            Round(
                number=len(rounds) + 1,
                project_id=project_id,
                decision=decision,
                cost=cost,
                remaining=budget - spent,
                score=score,
                note=note,
            )
        )
    return Outcome(
        rule=rule,
        selected=tuple(profile.project_ids[p] for p in selected),
        spent=spent,
        budget=budget,
        rounds=tuple(rounds),
        ties=tuple(_score_ties(profile, ranking, order, decisions, rounds)),
        unfunded=tuple(unfunded),
        notes=tuple(note_list),
        extra_spent=max(spent - budget, Fraction(0)),
    )


def _conflict(project_id: str, funded: list[str], exclusive: list[frozenset[str]]) -> str | None:
    for group in exclusive:
        if project_id in group:
            for other in funded:
                if other in group:
                    return other
    return None


def _score_ties(
    profile: Profile,
    ranking: tuple[Fraction, ...],
    order: list[int],
    decisions: dict[int, str],
    rounds: list[Round],
) -> list[Tie]:
    """Runs of equal score among supported projects, with whether the order mattered."""
    round_of = {r.project_id: r.number for r in rounds}
    ties: list[Tie] = []
    start = 0
    while start < len(order):
        end = start
        score = ranking[order[start]]
        while end + 1 < len(order) and ranking[order[end + 1]] == score:
            end += 1
        run = order[start : end + 1]
        if len(run) > 1 and score > 0:
            _, decided_by = profile.tie_order(run)
            first = profile.project_ids[run[0]]
            ties.append(
                Tie(
                    round=round_of.get(first, 0),
                    candidates=tuple(profile.project_ids[p] for p in run),
                    chosen=first,
                    decided_by=decided_by,
                    affects_outcome=len({decisions.get(p) for p in run}) > 1,
                )
            )
        start = end + 1
    return ties


def _show(value: Fraction) -> str:
    if is_terminating(value):
        return format_decimal(value)
    return f"{float(value):.2f}"
