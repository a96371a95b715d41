"""What other apps may import from budgeting (nothing else in this app is a public interface).

* ``funded_projects_for_place(place)``: funded PB projects in a place, for delivery timelines
  and impact reporting (accountability, content pages).
* ``open_processes()``: processes whose vote is open now, for the home page and notifications.
* ``count_election`` / ``read_pb`` / ``write_pb``: the counting engine and the .pb format, for
  anything that needs to count or exchange pabulib data (for example a research export).
* ``register_eligibility_source(source)``: how a general verification of residents (the
  participation app, later) tells budgeting who may vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .counting.election import Election
from .counting.outcome import Outcome
from .counting.pabulib import parse_pb as read_pb
from .counting.pabulib import write_pb
from .counting.rules import count as count_election
from .eligibility import SOURCES, EligibilitySource
from .models import Phase, Process, Project

__all__ = [
    "Election",
    "EligibilitySource",
    "FundedProject",
    "Outcome",
    "count_election",
    "funded_projects_for_place",
    "open_processes",
    "read_pb",
    "register_eligibility_source",
    "write_pb",
]


@dataclass(frozen=True)
class FundedProject:
    reference: str
    title: str
    cost: int
    process_title: str
    process_url: str
    delivery_status: str
    progress: int


def funded_projects_for_place(place: Any) -> list[FundedProject]:
    """Funded projects of published processes in ``place`` (the process's area or a ward
    budget's ward)."""
    from django.db.models import Q

    projects = (
        Project.objects.funded()
        .filter(budget__process__phase__in=(Phase.RESULTS, Phase.DELIVERY))
        .filter(Q(budget__process__place=place) | Q(budget__ward=place))
        .select_related("budget__process")
        .order_by("budget__process__title", "reference")
    )
    return [
        FundedProject(
            reference=p.reference,
            title=p.title,
            cost=p.cost,
            process_title=p.budget.process.title,
            process_url=p.budget.process.get_absolute_url(),
            delivery_status=p.delivery_status,
            progress=p.progress,
        )
        for p in projects
    ]


def open_processes() -> list[Process]:
    """Processes whose vote is open at this moment."""
    return [p for p in Process.objects.voting().select_related("place") if p.voting_is_open]


def register_eligibility_source(source: EligibilitySource) -> None:
    """Add a general verification that may vouch for voters (idempotent)."""
    if source not in SOURCES:
        SOURCES.append(source)
