"""Counting: run the process's rule through the engine, record the outcome and explanation,
and let an officer override it with a written (published) reason."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record

from ..models import Ballot, Budget, Count, Phase, Process, Project
from . import require_officer
from .engine import run_count


def _check_actor(acting_user: Any) -> None:
    # None is the system (the count task that runs when voting closes).
    if acting_user is not None:
        require_officer(acting_user)


@transaction.atomic
def budget_count(*, budget: Budget, acting_user: Any) -> Count:
    """Count one budget with the process's rule. Only after voting has closed."""
    _check_actor(acting_user)
    process = Process.objects.select_for_update().get(pk=budget.process_id)
    if process.phase != Phase.CLOSED:
        raise ValidationError(_("Votes are counted once voting has closed, before results."))
    projects = list(budget.projects.on_ballot().order_by("pk"))
    ballots = list(
        Ballot.objects.filter(budget=budget).order_by("pk").values_list("selection", "points")
    )
    outcome = run_count(process=process, budget=budget, projects=projects, ballots=ballots)
    funded = sorted(outcome.funded)
    chosen = set(funded)
    spent = sum(p.cost for p in projects if p.pk in chosen)
    count, _created = Count.objects.update_or_create(
        budget=budget,
        defaults={
            "rule": process.rule,
            "ballots_counted": len(ballots),
            "computed_funded": funded,
            "funded": funded,
            "spent": spent,
            "explanation": outcome.explanation,
            "override_reason": "",
            "overridden_by": None,
        },
    )
    Project.objects.filter(budget=budget).update(funded=False)
    Project.objects.filter(budget=budget, pk__in=funded).update(funded=True)
    audit_record(
        actor=acting_user,
        action="budgeting.count",
        target=budget,
        changes={"rule": process.rule, "ballots": len(ballots), "funded": funded, "spent": spent},
    )
    return count


def process_count(*, process: Process, acting_user: Any) -> list[Count]:
    """Count every budget of the process (each in its own transaction)."""
    return [budget_count(budget=b, acting_user=acting_user) for b in process.budgets.all()]


@transaction.atomic
def count_override(
    *, budget: Budget, funded_ids: list[int], reason: str, acting_user: Any
) -> Count:
    """Replace the rule's outcome. The reason is required and published with the results."""
    require_officer(acting_user)
    process = Process.objects.select_for_update().get(pk=budget.process_id)
    if process.phase != Phase.CLOSED:
        raise ValidationError(_("The outcome can only be overridden before results are published."))
    count = Count.objects.select_for_update().filter(budget=budget).first()
    if count is None:
        raise ValidationError(_("Count the votes before overriding the outcome."))
    if not reason.strip():
        raise ValidationError(
            {"reason": [_("Give the reason for overriding the rule; it is published.")]}
        )
    projects = {p.pk: p for p in budget.projects.on_ballot()}
    if any(pk not in projects for pk in funded_ids):
        raise ValidationError({"funded": [_("Choose projects from this budget's ballot.")]})
    spent = sum(projects[pk].cost for pk in funded_ids)
    if spent > budget.amount:
        raise ValidationError(
            {
                "funded": [
                    _("Those projects cost £%(spent)s, more than the £%(amount)s budget.")
                    % {"spent": f"{spent:,}", "amount": f"{budget.amount:,}"}
                ]
            }
        )
    before = {"funded": count.funded, "override_reason": count.override_reason}
    count.funded = sorted(funded_ids)
    count.spent = spent
    count.override_reason = reason.strip()
    count.overridden_by = acting_user
    count.save()
    Project.objects.filter(budget=budget).update(funded=False)
    Project.objects.filter(budget=budget, pk__in=funded_ids).update(funded=True)
    audit_record(
        actor=acting_user,
        action="budgeting.count.override",
        target=budget,
        changes={
            "before": before,
            "after": {"funded": count.funded, "override_reason": count.override_reason},
            "computed_funded": count.computed_funded,
        },
    )
    return count
