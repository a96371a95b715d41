"""Reads that depend on the person asking or span models: what is visible, ballots, results."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count as DbCount
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .eligibility import AGE_BANDS
from .models import (
    AFTER_VOTING,
    PUBLIC_PHASES,
    Ballot,
    Budget,
    Count,
    Elector,
    Phase,
    Process,
    Project,
)
from .services import is_officer


def process_list_visible_to(*, user: Any) -> QuerySet[Process]:
    qs = Process.objects.select_related("place")
    if is_officer(user):
        return qs.all()
    return qs.public()


def process_visible_to(*, user: Any, slug: str) -> Process:
    """The process, or Http404: drafts and cancelled processes are for officers only."""
    process = process_list_visible_to(user=user).filter(slug=slug).first()
    if process is None:
        raise Http404(_("No such budgeting process."))
    return process


def budget_for_ballot(*, user: Any, slug: str, budget_slug: str) -> Budget:
    """A budget with its process (one query), or Http404 when the process is not visible to
    ``user`` (see :func:`process_visible_to`)."""
    budgets = Budget.objects.select_related("process").filter(process__slug=slug, slug=budget_slug)
    if not is_officer(user):
        budgets = budgets.filter(process__phase__in=PUBLIC_PHASES)
    budget = budgets.first()
    if budget is None:
        raise Http404(_("No such budget."))
    return budget


# The projects on each frozen ballot, by (budget id, budget created, config frozen at). Once
# voting opens the ballot is frozen (the services refuse project, budget and ballot changes),
# so every submission of a vote may share one lookup. The instances are read only.
_BALLOT_PROJECTS: dict[tuple[Any, ...], dict[int, Project]] = {}
_BALLOT_PROJECTS_MAX = 256


def ballot_projects(budget: Budget) -> dict[int, Project]:
    """The budget's projects on the ballot, by id (id, reference and cost loaded). Cached in
    the process once the process's config is frozen; read afresh before that."""
    process = budget.process
    frozen_at = process.config_frozen_at
    key = (budget.pk, budget.created_at, process.pk, frozen_at)
    if frozen_at is not None and (cached := _BALLOT_PROJECTS.get(key)) is not None:
        return cached
    on_ballot = budget.projects.on_ballot().only("id", "budget_id", "reference", "cost")
    projects = {p.pk: p for p in on_ballot}
    if frozen_at is not None:
        if len(_BALLOT_PROJECTS) >= _BALLOT_PROJECTS_MAX:
            _BALLOT_PROJECTS.clear()
        _BALLOT_PROJECTS[key] = projects
    return projects


def budgets_with_projects(process: Process) -> list[Budget]:
    return list(
        process.budgets.select_related("ward")
        .prefetch_related("projects")
        .order_by("ward__name", "name")
    )


def ballots_of(*, user: Any, process: Process) -> dict[int, Ballot]:
    """The person's current ballots in the process, by budget id."""
    if not getattr(user, "is_authenticated", False):
        return {}
    elector = Elector.objects.filter(process=process, user=user).first()
    if elector is None:
        return {}
    return {b.budget_id: b for b in Ballot.objects.filter(elector=elector)}


@dataclass
class BudgetResult:
    budget: Budget
    count: Count | None
    projects: list[Project]
    funded: list[Project] = field(default_factory=list)
    unfunded: list[Project] = field(default_factory=list)
    votes: dict[int, int] = field(default_factory=dict)
    spent: int = 0
    ballots: int = 0
    turnout_by_ward: list[tuple[str, int]] = field(default_factory=list)
    turnout_by_age: list[tuple[str, int]] = field(default_factory=list)
    by_method: list[tuple[str, int]] = field(default_factory=list)
    share_with_funded: float | None = None
    fairness: dict[str, Any] = field(default_factory=dict)

    @property
    def unspent(self) -> int:
        return self.budget.amount - self.spent

    def as_json(self) -> dict[str, Any]:
        count = self.count
        explanation = count.explanation if count else {}
        return {
            "budget": {
                "slug": self.budget.slug,
                "name": self.budget.name,
                "amount": self.budget.amount,
                "ward": self.budget.ward.code if self.budget.ward else None,
            },
            "rule": count.rule if count else None,
            "ballots": self.ballots,
            "spent": self.spent,
            "funded": [_project_json(p, self.votes) for p in self.funded],
            "not_funded": [_project_json(p, self.votes) for p in self.unfunded],
            "override": (
                {"reason": count.override_reason, "computed_funded": count.computed_funded}
                if count and count.is_overridden
                else None
            ),
            "explanation": explanation,
            "turnout": {
                "by_ward": [{"ward": w, "ballots": n} for w, n in self.turnout_by_ward],
                "by_age_band": [{"age_band": a, "ballots": n} for a, n in self.turnout_by_age],
                "by_voting_method": [{"method": m, "ballots": n} for m, n in self.by_method],
            },
            "fairness": {
                "share_of_voters_with_a_funded_project": self.share_with_funded,
                **self.fairness,
            },
        }


def _project_json(project: Project, votes: dict[int, int]) -> dict[str, Any]:
    return {
        "reference": project.reference,
        "title": project.title,
        "cost": project.cost,
        "category": project.category,
        "votes": votes.get(project.pk, 0),
    }


def budget_result(budget: Budget) -> BudgetResult:
    """Tallies, turnout and (when counted) the outcome of one budget. Only for after voting."""
    count = Count.objects.filter(budget=budget).first()
    projects = list(budget.projects.on_ballot().order_by("reference"))
    by_id = {p.pk: p for p in projects}
    votes: Counter[int] = Counter()
    ballots = list(Ballot.objects.filter(budget=budget).values_list("selection", "points"))
    for selection, points in ballots:
        if points:
            for pk, pts in zip(selection, points, strict=False):
                votes[pk] += pts
        else:
            votes.update(selection)
    result = BudgetResult(budget=budget, count=count, projects=projects, votes=dict(votes))
    result.ballots = len(ballots)
    if count is not None:
        funded_ids = set(count.funded)
        result.funded = [p for p in projects if p.pk in funded_ids]
        result.unfunded = [p for p in projects if p.pk not in funded_ids]
        result.spent = sum(p.cost for p in result.funded)
        if ballots:
            satisfied = sum(1 for selection, _pts in ballots if funded_ids & set(selection))
            result.share_with_funded = round(satisfied / len(ballots), 4)
        result.fairness = dict(count.explanation.get("fairness", {}))
    else:
        result.unfunded = sorted(projects, key=lambda p: -votes.get(p.pk, 0))
    ward_rows = (
        Ballot.objects.filter(budget=budget)
        .values("voter_ward__name")
        .annotate(n=DbCount("id"))
        .order_by("voter_ward__name")
    )
    result.turnout_by_ward = [
        (row["voter_ward__name"] or _("Ward not known"), row["n"]) for row in ward_rows
    ]
    ages = Counter(Ballot.objects.filter(budget=budget).values_list("age_band", flat=True))
    result.turnout_by_age = [(band, ages[band]) for band in AGE_BANDS if ages.get(band)]
    if ages.get(""):
        result.turnout_by_age.append((_("Age not known"), ages[""]))
    methods = Counter(Ballot.objects.filter(budget=budget).values_list("voting_method", flat=True))
    result.by_method = sorted(methods.items())
    del by_id
    return result


def results_visible(*, process: Process, user: Any) -> bool:
    """Results pages are public from the results phase; officers may preview after close."""
    if process.phase in (Phase.RESULTS, Phase.DELIVERY):
        return True
    return process.phase in AFTER_VOTING and is_officer(user)


def process_results(process: Process) -> list[BudgetResult]:
    return [budget_result(b) for b in process.budgets.select_related("ward")]
