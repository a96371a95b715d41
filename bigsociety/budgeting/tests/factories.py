"""Builders for budgeting tests: a process ready to vote in, with budgets and projects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.budgeting.eligibility import secret_hash
from bigsociety.budgeting.models import (
    BallotKind,
    Budget,
    Elector,
    Feasibility,
    Phase,
    Process,
    Project,
    Rule,
)


def officer(**kwargs: Any) -> Any:
    return UserFactory(roles=[Role.ENGAGEMENT_OFFICER], **kwargs)


def make_process(
    *,
    phase: str = Phase.DRAFT,
    ballot_kind: str = BallotKind.APPROVAL,
    rule: str = Rule.GREEDY,
    costs: tuple[int, ...] = (40_000, 30_000, 20_000, 10_000),
    amount: int = 60_000,
    slug: str = "kingsbridge-decides",
    **fields: Any,
) -> Process:
    """A process with one area-wide budget and feasible projects P1..Pn."""
    now = timezone.now()
    defaults: dict[str, Any] = {
        "title": "Kingsbridge decides",
        "voting_opens_at": now - dt.timedelta(days=1),
        "voting_closes_at": now + dt.timedelta(days=7),
    }
    if ballot_kind == BallotKind.CUMULATIVE:
        defaults["total_points"] = 10
    if ballot_kind == BallotKind.RANKED:
        defaults["rank_k"] = 3
    defaults.update(fields)
    process = Process.objects.create(
        slug=slug, phase=phase, ballot_kind=ballot_kind, rule=rule, **defaults
    )
    if phase not in (Phase.DRAFT, Phase.IDEAS, Phase.REVIEW):
        process.config_frozen_at = now - dt.timedelta(days=1)
        process.save()
    budget = Budget.objects.create(
        process=process, name="Area-wide", slug="area-wide", amount=amount
    )
    for i, cost in enumerate(costs, start=1):
        Project.objects.create(
            budget=budget,
            reference=f"P{i}",
            title=f"Project {i}",
            cost=cost,
            origin=Project.Origin.STAFF,
            feasibility=Feasibility.FEASIBLE,
        )
    return process


def enrol(process: Process, user: Any, *, ward: Any = None) -> Elector:
    """Put ``user`` on the roll (as a claimed list entry)."""
    return Elector.objects.create(
        process=process,
        source=Elector.Source.LIST,
        secret_hash=secret_hash(process=process, raw=user.email),
        user=user,
        claimed_at=timezone.now(),
        ward=ward,
    )


def project_ids(process: Process) -> dict[str, int]:
    return dict(Project.objects.filter(budget__process=process).values_list("reference", "pk"))
