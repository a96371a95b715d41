"""Adapter between the Django models and the pure counting engine (``budgeting.counting``).

This is the only module on the Django side that touches the engine. It turns a budget's
projects and ballots into the engine's :class:`~bigsociety.budgeting.counting.election.Election`,
runs the process's rule, and returns the funded projects with a JSON-ready, round-by-round
explanation for the results page; it also reads and writes .pb text through the engine's
parser and writer (:func:`pb_read`, :func:`pb_write`).

Projects are identified in the engine by their public reference (``P3``), ballots by their
position. The engine's exact record of the count (``Outcome.to_dict()``) is kept under
``explanation["engine"]``; the sentences beside it are ours, so they can be translated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..counting.election import Ballot as EngineBallot
from ..counting.election import Election
from ..counting.election import Project as EngineProject
from ..counting.fairness import fairness as engine_fairness
from ..counting.outcome import Outcome, Round
from ..counting.pabulib import PbFormatError, parse_pb_with_warnings, write_pb
from ..counting.rules import count as engine_count
from ..models import BallotKind, Budget, Process, Project, Rule

# pabulib's vote_type for each of our ballots.
VOTE_TYPES: dict[str, str] = {
    BallotKind.APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKED: "ordinal",
    BallotKind.CHOOSE_ONE: "choose-1",
}
# pabulib's META ``rule`` for each of ours (pabulib has no name for sequential Phragmén).
PB_RULES: dict[str, str] = {
    Rule.GREEDY: "greedy",
    Rule.GREEDY_NO_SKIP: "greedy-no-skip",
    Rule.GREEDY_THRESHOLD: "greedy-threshold",
    Rule.MES: "equalshares",
    Rule.MES_ADD1: "equalshares/add1",
    Rule.MES_ADD1_COMPARISON: "equalshares/add1-comparison",
    Rule.PHRAGMEN: "unknown",
}
MES_RULES = frozenset({Rule.MES, Rule.MES_ADD1, Rule.MES_ADD1_COMPARISON})


@dataclass
class CountResult:
    """What a count decided: funded project ids (in the order they were funded) and the
    explanation stored on :class:`~bigsociety.budgeting.models.Count`."""

    funded: list[int]
    explanation: dict[str, Any] = field(default_factory=dict)


def money(value: Fraction | int) -> str:
    """£ to the penny for people (the exact value stays in the engine's record)."""
    amount = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(value)
    )
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"£{int(rounded):,}"
    return f"£{rounded:,.2f}"


def _number(value: Fraction | int) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}"


def ballot_points(process: Process, selection: Sequence[int], points: Sequence[int]) -> tuple:
    """The points a stored ballot gives, in its order: cumulative ballots carry them; ranked
    ballots give Borda points from the process's k (first gets k, the k-th gets 1)."""
    if process.ballot_kind == BallotKind.CUMULATIVE:
        return tuple(Fraction(x) for x in points)
    if process.ballot_kind == BallotKind.RANKED:
        k = process.rank_k or len(selection)
        return tuple(Fraction(max(k - position, 0)) for position in range(len(selection)))
    return ()


def election_for(
    *,
    process: Process,
    budget: Budget,
    projects: Iterable[Project],
    ballots: Iterable[tuple[Sequence[int], Sequence[int]]],
    meta: dict[str, str] | None = None,
    project_fields: dict[int, dict[str, str]] | None = None,
    ballot_fields: Sequence[dict[str, str]] | None = None,
) -> tuple[Election, dict[str, int]]:
    """The engine's election for one budget, and the map from reference to project id.

    ``ballots`` are ``(selection, points)`` pairs as stored; projects not in ``projects``
    (not on the ballot) are left out of a ballot."""
    project_list = list(projects)
    refs = {p.pk: p.reference for p in project_list}
    engine_projects = [
        EngineProject(
            project_id=p.reference,
            cost=Fraction(p.cost),
            fields=(project_fields or {}).get(p.pk, {"name": p.title}),
        )
        for p in project_list
    ]
    ranked_or_points = process.ballot_kind in (BallotKind.CUMULATIVE, BallotKind.RANKED)
    engine_ballots = []
    for n, (selection, points) in enumerate(ballots):
        kept = [(i, pk) for i, pk in enumerate(selection) if pk in refs]
        all_points = ballot_points(process, selection, points)
        engine_ballots.append(
            EngineBallot(
                voter_id=str(n + 1),
                projects=tuple(refs[pk] for _i, pk in kept),
                points=tuple(all_points[i] for i, _pk in kept) if ranked_or_points else None,
                fields=ballot_fields[n] if ballot_fields else {},
            )
        )
    full_meta = dict(meta or {})
    if process.rule == Rule.GREEDY_THRESHOLD and process.rule_threshold:
        full_meta["min_project_score_threshold"] = str(process.rule_threshold)
    election = Election.create(
        budget=budget.amount,
        vote_type=VOTE_TYPES[process.ballot_kind],
        projects=engine_projects,
        ballots=engine_ballots,
        rule=PB_RULES[process.rule],
        meta=full_meta,
    )
    return election, {ref: pk for pk, ref in refs.items()}


def run_count(
    *,
    process: Process,
    budget: Budget,
    projects: list[Project],
    ballots: list[tuple[list, list]],
) -> CountResult:
    """Count one budget with the process's rule through the engine."""
    if process.rule not in Rule.values:
        raise ValidationError(_("Unknown counting rule %(rule)s.") % {"rule": process.rule})
    election, ids = election_for(process=process, budget=budget, projects=projects, ballots=ballots)
    try:
        outcome = engine_count(election, process.rule)
    except ValueError as exc:  # a tie the engine cannot settle, or a rule/ballot mismatch
        raise ValidationError(
            _("The votes could not be counted: %(reason)s") % {"reason": str(exc)}
        ) from exc
    names = {p.reference: str(p) for p in projects}
    return CountResult(
        funded=[ids[ref] for ref in outcome.selected],
        explanation=explain(
            outcome=outcome, election=election, rule=process.rule, ids=ids, names=names
        ),
    )


def explain(
    *, outcome: Outcome, election: Election, rule: str, ids: dict[str, int], names: dict[str, str]
) -> dict[str, Any]:
    """The results page's account of a count: a summary, one sentence per round (for MES
    with what the supporters paid), why each unfunded project lost, ties and fairness."""
    share = outcome.equal_shares.voter_budget if outcome.equal_shares else None
    rounds = [_round(r, rule=rule, names=names, ids=ids) for r in outcome.rounds]
    unfunded = [
        {
            "project": ids.get(u.project_id),
            "reference": u.project_id,
            "text": _unfunded_text(u, names=names, share=share, rule=rule),
        }
        for u in outcome.unfunded
    ]
    ties = [
        _("In round %(n)s, %(projects)s were exactly level; %(chosen)s went first (%(by)s).")
        % {
            "n": tie.round,
            "projects": ", ".join(tie.candidates),
            "chosen": tie.chosen,
            "by": {
                "lower cost": _("it costs less"),
                "more votes": _("it has more votes"),
                "project id": _("by project reference, as nothing in the votes separated them"),
            }.get(tie.decided_by, tie.decided_by),
        }
        for tie in outcome.ties
        if tie.affects_outcome
    ]
    explanation: dict[str, Any] = {
        "rule": rule,
        "summary": _summary(rule, outcome),
        "rounds": rounds,
        "unfunded": unfunded,
        "ties": ties,
        "notes": list(outcome.notes),
        "engine": outcome.to_dict(),
        "fairness": fairness(election, outcome),
    }
    if outcome.equal_shares is not None:
        details = outcome.equal_shares
        explanation["per_voter_budget"] = money(details.voter_budget)
        explanation["fair_share"] = money(details.fair_share)
        if details.completion == "add1":
            explanation["completion"] = ngettext(
                "Add-one completion raised each voter's share %(n)s time, by £1, so that "
                "more of the budget is spent.",
                "Add-one completion raised each voter's share %(n)s times, by £1 each time, "
                "so that more of the budget is spent.",
                details.steps,
            ) % {"n": details.steps}
        if details.comparison is not None:
            explanation["comparison"] = _(
                "Comparison with greedy counting: %(mes)s voters have more funded projects they "
                "voted for under Equal Shares, %(greedy)s under greedy; %(winner)s outcome is "
                "used."
            ) % {
                "mes": details.comparison.get("prefer_mes", 0),
                "greedy": details.comparison.get("prefer_greedy", 0),
                "winner": _("Equal Shares'")
                if details.winner_of_comparison == "mes"
                else _("greedy's"),
            }
    return explanation


def _summary(rule: str, outcome: Outcome) -> str:
    if rule in MES_RULES:
        if outcome.equal_shares and outcome.equal_shares.winner_of_comparison == "greedy":
            return _(
                "The Method of Equal Shares was compared with greedy counting, and more voters "
                "preferred greedy's outcome: projects were taken in order of votes while the "
                "money lasted."
            )
        return _(
            "The Method of Equal Shares: the budget was split equally between the voters. "
            "Each round, the project that its supporters could pay for most cheaply each was "
            "funded, and its supporters paid for it from their shares."
        )
    if rule == Rule.PHRAGMEN:
        return _(
            "Sequential Phragmén: voters earn money at the same steady rate; a project is "
            "bought as soon as its supporters together hold its cost, and their balances go "
            "back to zero. Counting stops at the first project that does not fit."
        )
    if rule == Rule.GREEDY_NO_SKIP:
        return _(
            "Projects were taken in order of votes until the first that did not fit the money left."
        )
    if rule == Rule.GREEDY_THRESHOLD:
        return _(
            "Projects with at least the minimum number of votes were taken in order of votes "
            "while the money lasted."
        )
    return _("Projects were taken in order of votes while the money lasted.")


def _round(r: Round, *, rule: str, names: dict[str, str], ids: dict[str, int]) -> dict[str, Any]:
    name = names.get(r.project_id, r.project_id)
    data: dict[str, Any] = {
        "project": ids.get(r.project_id),
        "reference": r.project_id,
        "decision": r.decision,
        "payments": [],
    }
    values = {
        "p": name,
        "c": money(r.cost),
        "left": money(r.remaining),
        "s": _number(r.score) if r.score is not None else "",
    }
    if r.decision == "funded" and r.payment is not None and r.supporters is not None:
        data["text"] = (
            _(
                "%(p)s (cost %(c)s) was the cheapest for its supporters to pay for: funded, "
                "leaving %(left)s."
            )
            % values
        )
        full = r.paid_in_full or 0
        less = r.paid_less or 0
        payments = [
            ngettext(
                "%(n)s supporter paid %(pay)s.",
                "%(n)s supporters paid %(pay)s each.",
                full,
            )
            % {"n": full, "pay": money(r.payment)}
        ]
        if less:
            payments.append(
                ngettext(
                    "%(n)s supporter had less left and paid all of it (%(total)s).",
                    "%(n)s supporters had less left and paid all of it (%(total)s between them).",
                    less,
                )
                % {"n": less, "total": money(r.paid_less_total or 0)}
            )
        if r.effective_votes is not None:
            payments.append(
                _("That is worth %(ev)s full votes (cost divided by the most anyone paid).")
                % {"ev": _number(r.effective_votes)}
            )
        data["payments"] = payments
    elif r.decision == "funded" and r.load is not None:
        data["text"] = _(
            "%(p)s (cost %(c)s) was the next its supporters could afford together: funded, "
            "leaving %(left)s; each supporter's load is now %(load)s."
        ) % {**values, "load": money(r.load)}
    elif r.decision == "funded" and r.cost == 0:
        data["text"] = _("%(p)s costs nothing: funded.") % values
    elif r.decision == "funded":
        data["text"] = (
            _(
                "%(p)s had the most votes of those left (%(s)s) and cost %(c)s, which fit: funded, "
                "leaving %(left)s."
            )
            % values
        )
    elif r.decision == "skipped":
        data["text"] = (
            _("%(p)s (%(s)s votes) cost %(c)s but only %(left)s was left: skipped.") % values
        )
    elif r.decision == "stopped":
        data["text"] = (
            _("%(p)s (%(s)s votes) cost %(c)s but only %(left)s was left: counting stops here.")
            % values
        )
    elif r.decision == "below threshold":
        data["text"] = _("%(p)s had %(s)s votes, below the minimum: not funded.") % values
    else:
        data["text"] = f"{name}: {r.decision}. {r.note}".strip()
    return data


def _unfunded_text(u: Any, *, names: dict[str, str], share: Fraction | None, rule: str) -> str:
    name = names.get(u.project_id, u.project_id)
    if u.votes == 0:
        return _("%(p)s: nobody voted for it.") % {"p": name}
    if rule in MES_RULES and share is not None and u.supporters_money is not None:
        start = share * u.votes
        if start < u.cost:
            return _(
                "%(p)s costs %(c)s, but even at the start its %(n)s supporters' shares came to "
                "only %(start)s."
            ) % {"p": name, "c": money(u.cost), "n": u.votes, "start": money(start)}
        return _(
            "%(p)s costs %(c)s. When no more projects could be paid for, its %(n)s supporters "
            "had %(m)s left between them: they had spent their shares on projects funded "
            "earlier."
        ) % {"p": name, "c": money(u.cost), "n": u.votes, "m": money(u.supporters_money)}
    # The engine's own sentence (greedy variants, Phragmén), with the project's name.
    return f"{name}: {u.reason}"


def fairness(election: Election, outcome: Outcome) -> dict[str, Any]:
    """Fairness indicators from the engine: for approval-style ballots, whether the outcome
    gives extended justified representation (EJR, and EJR up to one project) with cost
    satisfaction. ``None`` means not determined (too many sets of projects to check)."""
    if election.vote_type not in ("approval", "choose-1"):
        return {"ejr": None, "ejr_note": _("EJR is checked for approval-style ballots only.")}
    checks = {
        check.up_to_one: check
        for check in engine_fairness(election, outcome).ejr
        if check.satisfaction == "cost"
    }
    ejr, ejr1 = checks.get(False), checks.get(True)
    data: dict[str, Any] = {
        "ejr": ejr.holds if ejr else None,
        "ejr_up_to_one": ejr1.holds if ejr1 else None,
        "ejr_checks": [check.to_dict() for check in checks.values()],
    }
    if ejr is None:
        return data
    if ejr.holds is None:
        data["ejr_note"] = _(
            "Not fully checked: too many combinations of projects. It holds for every group "
            "of voters who agree on up to %(n)s projects."
        ) % {"n": ejr.complete_up_to}
    elif ejr.violation is not None:
        data["ejr_note"] = _(
            "%(v)s voters who all supported %(p)s could together afford them from their "
            "shares, yet none of them got funded projects worth as much."
        ) % {
            "v": ejr.violation.unsatisfied_voters,
            "p": ", ".join(ejr.violation.projects),
        }
    return data


# --- .pb reading and writing (the engine's parser and writer) -------------------------------


def pb_read(text: str) -> tuple[Election, list[str]]:
    """Parse .pb text with the engine: the election and its warnings, or one
    ``ValidationError`` listing every problem as "SECTION line N: reason"."""
    try:
        parsed = parse_pb_with_warnings(text)
    except PbFormatError as exc:
        raise ValidationError([str(problem) for problem in exc.problems]) from exc
    return parsed.election, [str(w) for w in parsed.warnings]


def pb_write(election: Election) -> str:
    """The election as .pb text (the engine's writer)."""
    return write_pb(election)
