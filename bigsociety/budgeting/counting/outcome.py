"""The result of counting: what was funded, in order, and a round-by-round account of why.

Every money value is exact (a ``Fraction``). :meth:`Outcome.to_dict` gives the JSON form,
where an exact value is a number when it is whole and otherwise a string (see
:func:`~.numbers.json_number`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .numbers import json_number


@dataclass(frozen=True)
class Tie:
    """Projects that the rule ranked exactly equal at one step, and how the tie was broken.

    ``decided_by`` is ``lower cost``, ``more votes`` or ``project id``; the last means nothing
    in the votes separated them and the documented fallback (project ids in natural order)
    decided, so officials may prefer to draw lots. ``affects_outcome`` is False when the tied
    projects all ended up with the same decision, so the order among them did not matter.
    """

    round: int
    candidates: tuple[str, ...]
    chosen: str
    decided_by: str
    affects_outcome: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "round": self.round,
            "candidates": list(self.candidates),
            "chosen": self.chosen,
            "decided_by": self.decided_by,
            "affects_outcome": self.affects_outcome,
        }


@dataclass(frozen=True)
class Round:
    """One step of a rule.

    ``decision`` is ``funded``, ``skipped`` (does not fit the money left), ``stopped`` (the
    rule stops here), ``below threshold``, ``excluded`` (cannot be funded with a project
    already funded) or ``funded from reserve``. ``remaining`` is the real budget left after
    the step. The optional fields are filled by the rules that have them:

    * greedy rules: ``score``;
    * Method of Equal Shares: ``price`` (what each supporter who could afford it paid per
      unit of utility: for approval ballots with cost utilities, ``payment`` = the most any
      supporter paid), ``supporters``, ``paid_in_full`` (supporters who paid the full
      ``payment``), ``paid_less`` (supporters who gave all their remaining money, less than
      ``payment``) and ``paid_less_total``; ``effective_votes`` = cost / payment;
    * sequential Phragmén: ``load`` (each supporter's load after buying the project).
    """

    number: int
    project_id: str
    decision: str
    cost: Fraction
    remaining: Fraction
    score: Fraction | None = None
    price: Fraction | None = None
    payment: Fraction | None = None
    supporters: int | None = None
    paid_in_full: int | None = None
    paid_less: int | None = None
    paid_less_total: Fraction | None = None
    effective_votes: Fraction | None = None
    load: Fraction | None = None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "number": self.number,
            "project_id": self.project_id,
            "decision": self.decision,
            "cost": json_number(self.cost),
            "remaining": json_number(self.remaining),
        }
        for name in ("score", "price", "payment", "paid_less_total", "effective_votes", "load"):
            value = getattr(self, name)
            if value is not None:
                data[name] = json_number(value)
        for name in ("supporters", "paid_in_full", "paid_less"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Unfunded:
    """Why a project was not funded, in one sentence, with the numbers behind it."""

    project_id: str
    cost: Fraction
    reason: str
    votes: int
    supporters_money: Fraction | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "project_id": self.project_id,
            "cost": json_number(self.cost),
            "votes": self.votes,
            "reason": self.reason,
        }
        if self.supporters_money is not None:
            data["supporters_money"] = json_number(self.supporters_money)
        return data


@dataclass(frozen=True)
class EqualSharesDetails:
    """The Method of Equal Shares' own numbers.

    ``voter_budget`` is the equal share each voter starts with in the run that decided the
    outcome; ``fair_share`` is budget / voters. With add1 completion ``voter_budget`` =
    ``fair_share`` + ``steps`` (one unit of money per step). ``utility`` is ``cost`` (a voter
    values a funded project they support at its cost) or ``score`` (at their points).
    ``comparison`` is set by the comparison step: how many voters preferred each outcome.
    """

    utility: str
    fair_share: Fraction
    voter_budget: Fraction
    steps: int = 0
    completion: str = "none"
    comparison: dict[str, int] | None = None
    winner_of_comparison: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "utility": self.utility,
            "fair_share": json_number(self.fair_share),
            "voter_budget": json_number(self.voter_budget),
            "voter_budget_approx": float(self.voter_budget),
            "completion": self.completion,
            "steps": self.steps,
        }
        if self.comparison is not None:
            data["comparison"] = dict(self.comparison)
            data["winner_of_comparison"] = self.winner_of_comparison
        return data


@dataclass(frozen=True)
class Outcome:
    """A rule's result. ``selected`` is in the order the projects were funded."""

    rule: str
    selected: tuple[str, ...]
    spent: Fraction
    budget: Fraction
    rounds: tuple[Round, ...] = ()
    ties: tuple[Tie, ...] = ()
    unfunded: tuple[Unfunded, ...] = ()
    notes: tuple[str, ...] = ()
    equal_shares: EqualSharesDetails | None = None
    extra_spent: Fraction = field(default=Fraction(0))

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "rule": self.rule,
            "selected": list(self.selected),
            "spent": json_number(self.spent),
            "budget": json_number(self.budget),
            "rounds": [r.to_dict() for r in self.rounds],
            "ties": [t.to_dict() for t in self.ties],
            "unfunded": [u.to_dict() for u in self.unfunded],
            "notes": list(self.notes),
        }
        if self.extra_spent:
            data["extra_spent"] = json_number(self.extra_spent)
        if self.equal_shares is not None:
            data["equal_shares"] = self.equal_shares.to_dict()
        return data
