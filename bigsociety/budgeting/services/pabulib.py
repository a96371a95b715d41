"""pabulib interoperability and open data: .pb export and import, CSV exports.

The .pb text is produced and read by the counting engine's writer and parser, through
``services.engine`` (``pb_write`` / ``pb_read``). Exports are only offered
after voting has closed (the views check; ``budget_as_pb`` checks again).
"""

from __future__ import annotations

import csv
import io
import random
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record

from ..counting.numbers import format_decimal, parse_decimal
from ..models import (
    AFTER_VOTING,
    Ballot,
    BallotKind,
    Budget,
    Count,
    Elector,
    Feasibility,
    Phase,
    Process,
    Project,
    Rule,
    VotingMethod,
)
from . import require_officer
from .engine import PB_RULES, ballot_points, election_for, pb_read, pb_write

RULES_FROM_PB = {v: k for k, v in PB_RULES.items() if v != "unknown"}
KINDS_FROM_PB = {
    "approval": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "ordinal": BallotKind.RANKED,
    "choose-1": BallotKind.CHOOSE_ONE,
}


def _check_open_data(budget: Budget) -> None:
    if budget.process.phase not in AFTER_VOTING:
        raise ValidationError(_("Open data is published once voting has closed."))


def _anonymised_ballots(budget: Budget) -> list[Ballot]:
    """Ballots in a deterministic shuffled order, so row order reveals nothing about when or
    in which order people voted."""
    ballots = list(Ballot.objects.filter(budget=budget).select_related("voter_ward").order_by("pk"))
    random.Random(f"{budget.pk}-{budget.process.slug}").shuffle(ballots)
    return ballots


def budget_as_pb(budget: Budget) -> str:
    """The budget as a pabulib .pb file: META, the projects on the ballot (with votes, score
    and, once counted, ``selected``), and the anonymised ballots in shuffled order."""
    _check_open_data(budget)
    process = budget.process
    projects = list(budget.projects.on_ballot().order_by("reference"))
    ballots = _anonymised_ballots(budget)
    count = Count.objects.filter(budget=budget).first()
    funded = set(count.funded) if count else set()
    votes: dict[int, int] = dict.fromkeys((p.pk for p in projects), 0)
    scores: dict[int, Fraction] = dict.fromkeys((p.pk for p in projects), Fraction(0))
    for ballot in ballots:
        points = ballot_points(process, ballot.selection, ballot.points)
        for i, pk in enumerate(ballot.selection):
            if pk in votes:
                votes[pk] += 1
                scores[pk] += points[i] if points else 1
    meta: dict[str, str] = {
        "description": f"{process.title}: {budget.name}",
        "country": "United Kingdom",
        "unit": process.place.name if process.place else process.title,
        "instance": process.slug,
        "subunit": budget.name,
        "date_begin": (process.voting_opens_at or timezone.now()).strftime("%d.%m.%Y"),
        "date_end": (process.voting_closes_at or timezone.now()).strftime("%d.%m.%Y"),
        "language": "en",
        "currency": "GBP",
        "min_length": str(process.min_projects),
    }
    if process.max_projects:
        meta["max_length"] = str(process.max_projects)
    if process.ballot_kind == BallotKind.KNAPSACK:
        meta["max_sum_cost"] = str(min(process.cost_cap or budget.amount, budget.amount))
    if process.ballot_kind == BallotKind.CUMULATIVE:
        meta["max_sum_points"] = str(process.total_points)
    if process.ballot_kind == BallotKind.RANKED:
        meta["max_length"] = str(process.rank_k)
    if process.rule == Rule.PHRAGMEN:
        meta["comment"] = "#1: counted with sequential Phragmen"
    if count and count.is_overridden:
        meta["comment"] = f"#1: outcome overridden by the council: {count.override_reason}"
    project_fields = {
        p.pk: {
            "votes": str(votes[p.pk]),
            "score": format_decimal(scores[p.pk]),
            "name": p.title,
            "category": p.category,
            **({"selected": "1" if p.pk in funded else "0"} if count else {}),
            **(
                {"latitude": str(p.latitude), "longitude": str(p.longitude)}
                if p.latitude is not None and p.longitude is not None
                else {}
            ),
        }
        for p in projects
    }
    election, _ids = election_for(
        process=process,
        budget=budget,
        projects=projects,
        ballots=[(b.selection, b.points) for b in ballots],
        meta=meta,
        project_fields=project_fields,
        ballot_fields=[{"voting_method": b.voting_method} for b in ballots],
    )
    return pb_write(election)


def ballots_csv(budget: Budget) -> str:
    _check_open_data(budget)
    refs = dict(budget.projects.values_list("pk", "reference"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ballot", "projects", "points", "voting_method", "ward", "age_band"])
    for n, ballot in enumerate(_anonymised_ballots(budget), start=1):
        writer.writerow(
            [
                n,
                " ".join(refs.get(pk, "?") for pk in ballot.selection),
                " ".join(str(x) for x in ballot.points),
                ballot.voting_method,
                ballot.voter_ward.code if ballot.voter_ward else "",
                ballot.age_band,
            ]
        )
    return out.getvalue()


def results_csv(budget: Budget) -> str:
    _check_open_data(budget)
    from ..selectors import budget_result

    result = budget_result(budget)
    counted = result.count is not None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["project", "title", "cost", "votes", "funded"])
    for p in result.projects:
        writer.writerow(
            [
                p.reference,
                p.title,
                p.cost,
                result.votes.get(p.pk, 0),
                ("yes" if p in result.funded else "no") if counted else "",
            ]
        )
    return out.getvalue()


def _whole(value: Fraction, what: str, errors: list[str], *, positive: bool = True) -> int:
    if value.denominator != 1 or (positive and value <= 0) or value < 0:
        errors.append(
            _("%(what)s must be a whole number of pounds above 0.") % {"what": what}
            if positive
            else _("%(what)s must be a whole number.") % {"what": what}
        )
        return 0
    return value.numerator


@transaction.atomic
def process_import_pb(*, text: str, acting_user: Any, rule: str | None = None) -> Process:
    """Create a closed process from a .pb file: its projects, an anonymous roll entry per
    voter, and their ballots. All or nothing; errors name the section and line (or the
    project / voter). ``rule`` counts with another rule than the one META names (for
    example to compare the Method of Equal Shares with the greedy count a city used)."""
    require_officer(acting_user)
    election, _warnings = pb_read(text)  # ValidationError "SECTION line N: ..." for each problem
    meta = election.meta
    errors: list[str] = []
    kind = KINDS_FROM_PB.get(election.vote_type)
    if kind is None:  # the engine only accepts known vote types; scoring has no ballot here
        errors.append(_("META: vote_type %(v)s cannot be imported.") % {"v": election.vote_type})
    amount = _whole(election.budget, _("META: budget"), errors)
    costs = {
        pid: _whole(p.cost, _("PROJECTS: the cost of project %(p)s") % {"p": pid}, errors)
        for pid, p in election.projects.items()
    }
    for pid in election.projects:
        if len(pid) > 40:
            errors.append(
                _("PROJECTS: project id %(p)s is longer than 40 characters.") % {"p": pid}
            )
    points: list[list[int]] = []
    for ballot in election.ballots:
        values: list[int] = []
        if kind == BallotKind.CUMULATIVE:
            for x in ballot.points or ():
                if x.denominator != 1 or x < 0:
                    errors.append(
                        _("VOTES: voter %(v)s's points must be whole numbers.")
                        % {"v": ballot.voter_id}
                    )
                    break
                values.append(x.numerator)
        points.append(values)
        if len(errors) > 50:
            break
    if rule is not None and rule not in Rule.values:
        errors.append(_("Unknown counting rule %(rule)s.") % {"rule": rule})
    if errors:
        raise ValidationError(errors[:50])
    assert kind is not None
    chosen_rule = rule or RULES_FROM_PB.get(election.rule, Rule.GREEDY)
    title = meta.get("description") or f"{meta.get('unit', '')} {meta.get('instance', '')}".strip()
    base = (
        slugify(f"{meta.get('unit', '')}-{meta.get('instance', '')}-{meta.get('subunit', '')}")[
            :180
        ]
        or "imported"
    )
    slug, n = base, 1
    while slug == "staff" or Process.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    max_len = meta.get("max_length", "")
    threshold = parse_decimal(meta.get("min_project_score_threshold", "") or "")
    longest = max((len(b.projects) for b in election.ballots), default=1)
    process = Process(
        title=title[:200] or slug,
        slug=slug,
        summary=_("Imported from a pabulib .pb file."),
        phase=Phase.CLOSED,
        ballot_kind=kind,
        rule=chosen_rule,
        rule_threshold=(
            max(1, int(threshold)) if chosen_rule == Rule.GREEDY_THRESHOLD and threshold else None
        ),
        min_projects=1,
        max_projects=int(max_len) if max_len.isdigit() and kind != BallotKind.RANKED else None,
        rank_k=(int(max_len) if max_len.isdigit() else longest)
        if kind == BallotKind.RANKED
        else None,
        total_points=(
            (
                int(meta["max_sum_points"])
                if meta.get("max_sum_points", "").isdigit()
                else max((sum(p) for p in points), default=1)
            )
            if kind == BallotKind.CUMULATIVE
            else None
        ),
        config_frozen_at=timezone.now(),
        imported_from_pb=True,
    )
    if kind == BallotKind.CHOOSE_ONE:
        process.max_projects = 1
    process.save()
    budget = Budget.objects.create(
        process=process,
        name=(meta.get("subunit") or title or "Budget")[:200],
        slug="budget",
        amount=amount,
    )

    def coordinate(fields: Any, key: str) -> float | None:
        try:
            return float(fields[key]) if fields.get(key) else None
        except ValueError:
            return None

    project_objs = Project.objects.bulk_create(
        [
            Project(
                budget=budget,
                reference=pid,
                title=(p.fields.get("name") or pid)[:200],
                cost=costs[pid],
                category=(p.fields.get("category") or "")[:100],
                origin=Project.Origin.IMPORTED,
                feasibility=Feasibility.FEASIBLE,
                latitude=coordinate(p.fields, "latitude"),
                longitude=coordinate(p.fields, "longitude"),
            )
            for pid, p in election.projects.items()
        ]
    )
    ids = {p.reference: p.pk for p in project_objs}
    electors = Elector.objects.bulk_create(
        [
            Elector(
                process=process,
                source=Elector.Source.IMPORTED,
                secret_hash=f"pb:{process.pk}:{ballot.voter_id}"[:64],
            )
            for ballot in election.ballots
        ],
        batch_size=2000,
    )
    Ballot.objects.bulk_create(
        [
            Ballot(
                budget=budget,
                elector=elector,
                voting_method=VotingMethod.PAPER
                if ballot.fields.get("voting_method") == "paper"
                else VotingMethod.INTERNET,
                selection=[ids[ref] for ref in ballot.projects],
                points=values,
            )
            for elector, ballot, values in zip(electors, election.ballots, points, strict=True)
        ],
        batch_size=2000,
    )
    audit_record(
        actor=acting_user,
        action="budgeting.process.import_pb",
        target=process,
        changes={
            "projects": len(project_objs),
            "ballots": len(election.ballots),
            "rule": chosen_rule,
            "rule_in_file": election.rule,
        },
    )
    return process
