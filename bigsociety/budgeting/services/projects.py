"""Projects: residents' ideas, staff projects, the feasibility review and delivery tracking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record, diff, snapshot

from ..models import Budget, DeliveryStatus, Feasibility, Milestone, Phase, Process, Project
from . import require_officer

PROJECT_FIELDS = [
    "title",
    "description",
    "cost",
    "location",
    "latitude",
    "longitude",
    "category",
]


def _next_reference(budget: Budget) -> str:
    numbers = [
        int(ref[1:])
        for ref in Project.objects.filter(budget__process=budget.process).values_list(
            "reference", flat=True
        )
        if ref[:1] == "P" and ref[1:].isdigit()
    ]
    return f"P{max(numbers, default=0) + 1}"


def _check_project(fields: dict[str, Any], budget: Budget) -> None:
    errors: dict[str, list[str]] = {}
    if not (fields.get("title") or "").strip():
        errors["title"] = [_("Enter a title.")]
    cost = fields.get("cost")
    if cost is None or cost <= 0:
        errors["cost"] = [_("Enter a cost of more than £0.")]
    elif cost > budget.amount:
        errors["cost"] = [
            _("The cost is more than the whole budget (£%(amount)s).") % {"amount": budget.amount}
        ]
    if errors:
        raise ValidationError(errors)


def _locked_process(budget: Budget) -> Process:
    return Process.objects.select_for_update().get(pk=budget.process_id)


@transaction.atomic
def idea_submit(*, budget: Budget, acting_user: Any, **fields: Any) -> Project:
    """A resident proposes a project while the process collects ideas."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to propose an idea."))
    process = _locked_process(budget)
    if process.phase != Phase.IDEAS:
        raise ValidationError(_("This process is not collecting ideas now."))
    _check_project(fields, budget)
    project = Project.objects.create(
        budget=budget,
        reference=_next_reference(budget),
        origin=Project.Origin.RESIDENT,
        proposer=acting_user,
        **{k: v for k, v in fields.items() if k in PROJECT_FIELDS},
    )
    audit_record(
        actor=acting_user,
        action="budgeting.project.propose",
        target=project,
        changes=snapshot(project, ["reference", *PROJECT_FIELDS]),
    )
    return project


@transaction.atomic
def project_save(
    *, budget: Budget, acting_user: Any, project: Project | None = None, **fields: Any
) -> Project:
    """Staff add or edit a project. Costs and titles freeze when voting opens."""
    require_officer(acting_user)
    process = _locked_process(budget)
    if process.is_frozen:
        raise ValidationError(_("Projects cannot change after voting has opened."))
    _check_project(fields, budget)
    if project is None:
        project = Project(
            budget=budget,
            reference=_next_reference(budget),
            origin=Project.Origin.STAFF,
            feasibility=Feasibility.FEASIBLE,
        )
        before: dict[str, Any] = {}
    else:
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = snapshot(project, PROJECT_FIELDS)
    for name in PROJECT_FIELDS:
        if name in fields:
            setattr(project, name, fields[name])
    project.budget = budget
    project.save()
    audit_record(
        actor=acting_user,
        action="budgeting.project.save",
        target=project,
        changes=diff(before, snapshot(project, PROJECT_FIELDS)),
    )
    return project


@transaction.atomic
def project_review(
    *, project: Project, feasibility: str, reason: str, acting_user: Any, cost: int | None = None
) -> Project:
    """Record the feasibility decision (with its reason, shown publicly) and, optionally, a
    revised cost from the review."""
    require_officer(acting_user)
    process = _locked_process(project.budget)
    if process.is_frozen:
        raise ValidationError(_("The feasibility review closed when voting opened."))
    if feasibility not in (Feasibility.FEASIBLE, Feasibility.NOT_FEASIBLE):
        raise ValidationError({"feasibility": [_("Choose feasible or not feasible.")]})
    if feasibility == Feasibility.NOT_FEASIBLE and not reason.strip():
        raise ValidationError({"reason": [_("Explain why the project is not feasible.")]})
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = snapshot(project, ["feasibility", "feasibility_reason", "cost"])
    project.feasibility = feasibility
    project.feasibility_reason = reason.strip()
    if cost is not None:
        _check_project({"title": project.title, "cost": cost}, project.budget)
        project.cost = cost
    project.save()
    audit_record(
        actor=acting_user,
        action="budgeting.project.review",
        target=project,
        changes=diff(before, snapshot(project, ["feasibility", "feasibility_reason", "cost"])),
    )
    return project


@transaction.atomic
def project_delivery_update(
    *, project: Project, status: str, progress: int, acting_user: Any
) -> Project:
    require_officer(acting_user)
    project = (
        Project.objects.select_for_update().select_related("budget__process").get(pk=project.pk)
    )
    if not project.funded:
        raise ValidationError(_("Only funded projects are tracked in delivery."))
    if project.budget.process.phase not in (Phase.RESULTS, Phase.DELIVERY):
        raise ValidationError(_("Delivery is tracked once results are published."))
    if status not in DeliveryStatus.values:
        raise ValidationError({"status": [_("Choose a delivery status.")]})
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress": [_("Enter progress between 0 and 100.")]})
    if status == DeliveryStatus.COMPLETED and progress != 100:
        raise ValidationError({"progress": [_("A completed project is 100% done.")]})
    before = snapshot(project, ["delivery_status", "progress"])
    project.delivery_status, project.progress = status, progress
    project.save(update_fields=["delivery_status", "progress", "updated_at"])
    audit_record(
        actor=acting_user,
        action="budgeting.project.delivery",
        target=project,
        changes=diff(before, snapshot(project, ["delivery_status", "progress"])),
    )
    return project


@transaction.atomic
def milestone_add(
    *,
    project: Project,
    title: str,
    acting_user: Any,
    due_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    note: str = "",
) -> Milestone:
    require_officer(acting_user)
    if not project.funded:
        raise ValidationError(_("Only funded projects have milestones."))
    if not title.strip():
        raise ValidationError({"title": [_("Enter a title.")]})
    milestone = Milestone.objects.create(
        project=project, title=title.strip(), due_on=due_on, completed_on=completed_on, note=note
    )
    audit_record(
        actor=acting_user,
        action="budgeting.milestone.add",
        target=milestone,
        changes=snapshot(milestone, ["project", "title", "due_on", "completed_on", "note"]),
    )
    return milestone
