"""Processes and budgets: configuration (checked when it is made) and the phase state machine."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record, diff, snapshot

from ..models import (
    APPROVAL_ONLY_RULES,
    APPROVAL_STYLE_BALLOTS,
    PHASE_TRANSITIONS,
    BallotKind,
    Budget,
    Feasibility,
    Phase,
    Process,
    Project,
    Rule,
    WardRule,
)
from . import require_officer

# Fields that make up the ballot and the count: frozen once voting opens.
FROZEN_FIELDS = [
    "ballot_kind",
    "min_projects",
    "max_projects",
    "cost_cap",
    "total_points",
    "rank_k",
    "rule",
    "rule_threshold",
    "eligibility_method",
    "minimum_age",
    "ward_rule",
    "other_wards_allowed",
    "voting_opens_at",
]
EDITABLE_FIELDS = [
    "title",
    "summary",
    "place",
    "ideas_open_on",
    "review_opens_on",
    "voting_closes_at",
    "results_on",
    "delivery_from",
    *FROZEN_FIELDS,
]


# Slugs the URL map uses for the officers' pages.
RESERVED_SLUGS = frozenset({"staff"})


class TransitionNotAllowed(ValidationError):
    """The process's phase does not allow this change."""


def can_transition(current: str, target: str) -> bool:
    return target in PHASE_TRANSITIONS.get(current, frozenset())


def config_errors(process: Process, budgets: list[Budget] | None = None) -> dict[str, list[str]]:
    """Rule and ballot parameters that make no sense, by field. Empty when the setup is sound.

    Checked whenever the process is configured (so nonsense is refused at once, not at count).
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = process.ballot_kind
    if process.max_projects is not None and process.max_projects < process.min_projects:
        add("max_projects", _("The maximum number of projects cannot be below the minimum."))
    if kind == BallotKind.APPROVAL and process.min_projects < 1:
        add("min_projects", _("Approval ballots need a minimum of at least 1 project."))
    if kind == BallotKind.CHOOSE_ONE and (
        process.min_projects != 1 or process.max_projects not in (None, 1)
    ):
        add("max_projects", _("A choose-one ballot has exactly one project."))
    if kind == BallotKind.KNAPSACK:
        if process.cost_cap is not None and process.cost_cap <= 0:
            add("cost_cap", _("The spending limit must be more than £0."))
        for budget in budgets or []:
            if process.cost_cap and process.cost_cap > budget.amount:
                add(
                    "cost_cap",
                    _("The spending limit £%(cap)s is more than the budget %(name)s (£%(amount)s).")
                    % {"cap": process.cost_cap, "name": budget.name, "amount": budget.amount},
                )
    if kind == BallotKind.CUMULATIVE and not process.total_points:
        add("total_points", _("Enter how many points each voter shares out (at least 1)."))
    if kind == BallotKind.RANKED and not process.rank_k:
        add("rank_k", _("Enter how many projects voters rank (at least 1)."))
    if process.rule in APPROVAL_ONLY_RULES and kind not in APPROVAL_STYLE_BALLOTS:
        add(
            "rule",
            _("%(rule)s counts approval-style ballots; it cannot count a %(kind)s ballot.")
            % {"rule": Rule(process.rule).label, "kind": kind},
        )
    if process.rule == Rule.GREEDY_THRESHOLD:
        if not process.rule_threshold:
            add("rule_threshold", _("Enter the minimum number of votes (at least 1)."))
    elif process.rule_threshold:
        add("rule_threshold", _("A vote threshold only applies to the greedy-threshold rule."))
    if (
        process.voting_opens_at
        and process.voting_closes_at
        and process.voting_closes_at <= process.voting_opens_at
    ):
        add("voting_closes_at", _("Voting must close after it opens."))
    if process.minimum_age is not None and process.minimum_age > 120:
        add("minimum_age", _("Enter a minimum age of 120 or less."))
    for budget in budgets or []:
        if budget.amount <= 0:
            add("budgets", _("The budget %(name)s is empty.") % {"name": budget.name})
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def process_create(*, acting_user: Any, title: str, **fields: Any) -> Process:
    require_officer(acting_user)
    base = slugify(title)[:200] or "process"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Process.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    process = Process(title=title, slug=slug, **fields)
    _raise_if(config_errors(process))
    process.save()
    audit_record(
        actor=acting_user,
        action="budgeting.process.create",
        target=process,
        changes=snapshot(process, ["title", "slug", *FROZEN_FIELDS]),
    )
    return process


@transaction.atomic
def process_update(*, process: Process, acting_user: Any, **fields: Any) -> Process:
    require_officer(acting_user)
    process = Process.objects.select_for_update().get(pk=process.pk)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = snapshot(process, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(process, name, value)
    after = snapshot(process, EDITABLE_FIELDS)
    changes = diff(before, after)
    if process.is_frozen:
        frozen = sorted(set(changes) & set(FROZEN_FIELDS))
        if frozen:
            raise ValidationError(
                {
                    name: [_("The ballot was frozen when voting opened; this cannot change.")]
                    for name in frozen
                }
            )
    if process.phase in (Phase.CANCELLED, Phase.DELIVERY) and changes:
        raise ValidationError(_("This process is finished and cannot be changed."))
    _raise_if(config_errors(process, list(process.budgets.all())))
    process.save()
    if changes:
        audit_record(
            actor=acting_user, action="budgeting.process.update", target=process, changes=changes
        )
    return process


@transaction.atomic
def budget_save(
    *,
    process: Process,
    acting_user: Any,
    name: str,
    amount: int,
    ward: Any = None,
    budget: Budget | None = None,
) -> Budget:
    """Create a budget (``budget`` None) or change one. Refused once voting has opened."""
    require_officer(acting_user)
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.is_frozen:
        raise ValidationError(_("Budgets cannot change after voting has opened."))
    if amount is None or amount <= 0:
        raise ValidationError({"amount": [_("A budget must be more than £0.")]})
    if budget is None:
        base = slugify(name)[:90] or "budget"
        slug, n = base, 1
        while Budget.objects.filter(process=process, slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        budget = Budget(process=process, slug=slug)
        before: dict[str, Any] = {}
    else:
        before = snapshot(budget, ["name", "amount", "ward"])
    budget.name, budget.amount, budget.ward = name, amount, ward
    others = [b for b in process.budgets.all() if b.pk != budget.pk]
    _raise_if(config_errors(process, [*others, budget]))
    budget.save()
    audit_record(
        actor=acting_user,
        action="budgeting.budget.save",
        target=budget,
        changes=diff(before, snapshot(budget, ["name", "amount", "ward"])),
    )
    return budget


def opening_errors(process: Process) -> list[str]:
    """Why voting cannot open yet (empty when it can)."""
    problems: list[str] = []
    budgets = list(process.budgets.all())
    for messages in config_errors(process, budgets).values():
        problems.extend(messages)
    if not budgets:
        problems.append(_("Add at least one budget before voting opens."))
    if not process.voting_closes_at:
        problems.append(_("Set when voting closes before it opens."))
    elif process.voting_closes_at <= timezone.now():
        problems.append(_("The closing time of the vote is already in the past."))
    if process.ward_rule == WardRule.HOME_PLUS and not any(b.ward_id for b in budgets):
        problems.append(_("'Home ward plus others' needs at least one ward budget."))
    pending = Project.objects.filter(
        budget__process=process, feasibility=Feasibility.PENDING
    ).count()
    if pending:
        problems.append(_("%(n)s projects still await a feasibility decision.") % {"n": pending})
    for budget in budgets:
        on_ballot = list(budget.projects.on_ballot())
        if not on_ballot:
            problems.append(
                _("The budget %(name)s has no projects on the ballot.") % {"name": budget.name}
            )
        elif process.ballot_kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK) and (
            process.min_projects > len(on_ballot)
        ):
            problems.append(
                _("The budget %(name)s has %(n)s projects but voters must choose at least %(min)s.")
                % {"name": budget.name, "n": len(on_ballot), "min": process.min_projects}
            )
        elif process.ballot_kind == BallotKind.KNAPSACK and process.min_projects:
            cap = min(process.cost_cap or budget.amount, budget.amount)
            cheapest = sorted(p.cost for p in on_ballot)[: process.min_projects]
            if sum(cheapest) > cap:
                problems.append(
                    _("In %(name)s no %(min)s projects fit within the £%(cap)s limit.")
                    % {"name": budget.name, "min": process.min_projects, "cap": cap}
                )
    if process.rule == Rule.GREEDY_THRESHOLD and process.rule_threshold:
        electors = process.electors.count()
        from ..eligibility import SOURCES

        if electors and not SOURCES:
            most = electors * (
                process.total_points or 1 if process.ballot_kind == BallotKind.CUMULATIVE else 1
            )
            if process.rule_threshold > most:
                problems.append(
                    _(
                        "The vote threshold (%(t)s) is above the most votes any project could get "
                        "(%(most)s from %(n)s eligible voters)."
                    )
                    % {"t": process.rule_threshold, "most": most, "n": electors}
                )
    return problems


@transaction.atomic
def process_transition(*, process: Process, target: str, acting_user: Any) -> Process:
    """Move a process to its next phase, checking the move is allowed and the process ready."""
    require_officer(acting_user)
    process = Process.objects.select_for_update().get(pk=process.pk)
    current = process.phase
    if not can_transition(current, target):
        raise TransitionNotAllowed(
            _("A process cannot go from %(current)s to %(target)s.")
            % {"current": Phase(current).label, "target": Phase(target).label}
        )
    changes: dict[str, Any] = {"phase": {"before": current, "after": target}}
    if target == Phase.VOTING:
        problems = opening_errors(process)
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        process.config_frozen_at = now
        if not process.voting_opens_at or process.voting_opens_at > now:
            process.voting_opens_at = now
        changes["config_frozen_at"] = now.isoformat()
    if target == Phase.CLOSED:
        now = timezone.now()
        if not process.voting_closes_at or process.voting_closes_at > now:
            process.voting_closes_at = now
    if target == Phase.RESULTS:
        from ..models import Count

        missing = [
            b.name for b in process.budgets.all() if not Count.objects.filter(budget=b).exists()
        ]
        if missing:
            raise ValidationError(
                _("Count every budget before publishing results (not yet counted: %(names)s).")
                % {"names": ", ".join(missing)}
            )
    process.phase = target
    process.save()
    audit_record(
        actor=acting_user, action="budgeting.process.transition", target=process, changes=changes
    )
    if target == Phase.CLOSED:
        from ..tasks import count_process_task

        pk = process.pk
        transaction.on_commit(lambda: count_process_task.enqueue(process_id=pk))
    return process


@transaction.atomic
def close_due_votes(*, now: Any = None, process_ids: list[int] | None = None) -> list[int]:
    """Close every vote whose closing time has passed (or only those in ``process_ids``),
    and count each after commit. Run by the scheduled ``close_due_votes`` command or task,
    and at request time by :func:`close_if_due`, so a vote is closed by whichever comes first.
    Safe to run twice and concurrently (locked rows are skipped; a closed vote is not due)."""
    from ..tasks import count_process_task

    now = now or timezone.now()
    due = Process.objects.select_for_update(skip_locked=True).filter(
        phase=Phase.VOTING, voting_closes_at__lte=now
    )
    if process_ids is not None:
        due = due.filter(pk__in=process_ids)
    closed = []
    for process in due:
        process.phase = Phase.CLOSED
        process.save(update_fields=["phase", "updated_at"])
        audit_record(
            actor=None,
            action="budgeting.process.transition",
            target=process,
            changes={"phase": {"before": Phase.VOTING, "after": Phase.CLOSED}, "automatic": True},
        )
        closed.append(process.pk)
        transaction.on_commit(functools.partial(count_process_task.enqueue, process_id=process.pk))
    return closed


def close_if_due(process: Process) -> Process:
    """The process, closed first if its voting time is over (pages call this, so an ended vote
    never shows as open even when the scheduled job has not run yet)."""
    if (
        process.phase == Phase.VOTING
        and process.voting_closes_at is not None
        and process.voting_closes_at <= timezone.now()
    ):
        close_due_votes(process_ids=[process.pk])
        process.refresh_from_db()
    return process
