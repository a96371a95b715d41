"""The budgeting JSON API at /api/v1/budgeting/: processes, projects, results (once published)
and casting a ballot with a personal API token. Thin: validate, call a service, shape."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from bigsociety.accounts.api import TokenAuth, optional_token_user

from . import selectors
from .services import ballots as ballot_services

router = Router(tags=["budgeting"])


class ProjectOut(Schema):
    reference: str
    title: str
    description: str
    cost: int
    category: str
    location: str
    feasibility: str
    feasibility_reason: str
    funded: bool
    delivery_status: str
    progress: int


class BudgetOut(Schema):
    slug: str
    name: str
    amount: int
    ward: str | None
    projects: list[ProjectOut]


class ProcessOut(Schema):
    slug: str
    title: str
    summary: str
    phase: str
    ballot_kind: str
    rule: str
    min_projects: int
    max_projects: int | None
    cost_cap: int | None
    total_points: int | None
    rank_k: int | None
    minimum_age: int | None
    voting_opens_at: dt.datetime | None
    voting_closes_at: dt.datetime | None


class ProcessDetailOut(ProcessOut):
    budgets: list[BudgetOut]


class ProcessListOut(Schema):
    count: int
    items: list[ProcessOut]


class Paging(Schema):
    limit: int = 20
    offset: int = 0


class BallotIn(Schema):
    projects: list[str]
    points: list[int] = []


class BallotOut(Schema):
    budget: str
    projects: list[str]
    points: list[int]
    revision: int
    voting_method: str


def _user(request: HttpRequest) -> Any:
    return optional_token_user(request) or request.user


def _process_out(process: Any) -> dict[str, Any]:
    return {name: getattr(process, name) for name in ProcessOut.model_fields}


@router.get("/processes", response=ProcessListOut)
def list_processes(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Public: processes past their draft."""
    limit = max(1, min(paging.limit, 100))
    qs = selectors.process_list_visible_to(user=_user(request))
    items = list(qs[paging.offset : paging.offset + limit])
    return {"count": qs.count(), "items": [_process_out(p) for p in items]}


@router.get("/processes/{slug}", response=ProcessDetailOut)
def get_process(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Public: a process with its budgets and projects."""
    process = selectors.process_visible_to(user=_user(request), slug=slug)
    data = _process_out(process)
    data["budgets"] = [
        {
            "slug": b.slug,
            "name": b.name,
            "amount": b.amount,
            "ward": b.ward.code if b.ward else None,
            "projects": [
                {name: getattr(p, name) for name in ProjectOut.model_fields}
                for p in b.projects.all()
            ],
        }
        for b in selectors.budgets_with_projects(process)
    ]
    return data


@router.get("/processes/{slug}/results")
def get_results(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Public once results are published: the same as the results page, as JSON."""
    user = _user(request)
    process = selectors.process_visible_to(user=user, slug=slug)
    if not selectors.results_visible(process=process, user=user):
        raise Http404("Results are not published yet.")
    return {
        "process": {"slug": process.slug, "title": process.title, "phase": process.phase},
        "budgets": [r.as_json() for r in selectors.process_results(process)],
    }


@router.put(
    "/processes/{slug}/budgets/{budget_slug}/ballot",
    response=BallotOut,
    auth=TokenAuth(),
)
def put_ballot(
    request: HttpRequest, slug: str, budget_slug: str, payload: BallotIn
) -> dict[str, Any]:
    """Token holders who are eligible voters, while voting is open: cast or change a ballot.
    ``projects`` are project references (e.g. "P3") in the voter's order."""
    user = request.user
    budget = selectors.budget_for_ballot(user=user, slug=slug, budget_slug=budget_slug)
    projects = selectors.ballot_projects(budget)
    refs = {p.reference: pk for pk, p in projects.items()}
    unknown = [r for r in payload.projects if r not in refs]
    if unknown:
        raise ValidationError({"projects": [f"Not on this ballot: {', '.join(unknown)}"]})
    try:
        ballot = ballot_services.ballot_cast(
            budget=budget,
            acting_user=user,
            selection=[refs[r] for r in payload.projects],
            points=payload.points,
            projects=projects,
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise HttpError(409, " ".join(exc.messages)) from exc
    back = {pk: ref for ref, pk in refs.items()}
    return {
        "budget": budget.slug,
        "projects": [back[pk] for pk in ballot.selection],
        "points": ballot.points,
        "revision": ballot.revision,
        "voting_method": ballot.voting_method,
    }
