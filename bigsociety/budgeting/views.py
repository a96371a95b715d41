"""Pages of participatory budgeting: public pages, the ballot, results, delivery, and the
engagement officers' pages under /budgeting/staff/.

Each view says who may use it. Writes go through ``services``, which check again.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors
from .forms import (
    BallotForm,
    BudgetForm,
    ClaimForm,
    CodesForm,
    DeliveryForm,
    ElectorImportForm,
    IdeaForm,
    MilestoneForm,
    OverrideForm,
    PaperBallotForm,
    PbImportForm,
    ProcessForm,
    ProjectForm,
    ResolveForm,
    ReviewForm,
    apply_service_error,
)
from .models import (
    AFTER_VOTING,
    PHASE_TRANSITIONS,
    Ballot,
    Budget,
    Elector,
    PaperBallot,
    Phase,
    Process,
    Project,
)
from .services import ballots as ballot_services
from .services import counting as counting_services
from .services import eligibility as eligibility_services
from .services import is_officer
from .services import pabulib as pabulib_services
from .services import processes as process_services
from .services import projects as project_services


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Engagement officers only, signed in with two factors (as every staff area requires)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(user):
            raise PermissionDenied(_("Only engagement officers can use this page."))
        if not user.is_verified():  # type: ignore[attr-defined]  # django_otp adds it
            from django_otp import devices_for_user

            target = (
                "accounts:two_factor_verify"
                if any(True for _d in devices_for_user(user))
                else "accounts:two_factor_setup"
            )
            response = redirect(target)
            response["Location"] += f"?next={request.get_full_path()}"
            return response
        return view(request, *args, **kwargs)

    return wrapped


def _visible_process(request: HttpRequest, slug: str) -> Process:
    """The process if ``request.user`` may see it (else 404), closed first when its voting
    time is over."""
    return process_services.close_if_due(selectors.process_visible_to(user=request.user, slug=slug))


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Home"), "/"),
        (_("Participatory budgeting"), reverse("budgeting:process_list")),
        *extra,
    ]


def _staff_crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Budgeting back office"), reverse("budgeting:staff_process_list")), *extra]


# --- public ----------------------------------------------------------------------------------


@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    """Public: processes past their draft (officers also see drafts and cancelled ones)."""
    processes = selectors.process_list_visible_to(user=request.user)
    return render(
        request,
        "budgeting/process_list.html",
        {
            "processes": processes,
            "breadcrumbs": _crumbs()[:1],
            "is_officer": is_officer(request.user),
        },
    )


@require_GET
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: a process, its phases, budgets and projects (with feasibility decisions)."""
    process = _visible_process(request, slug)
    budgets = selectors.budgets_with_projects(process)
    phases = [
        (Phase.IDEAS.label, process.ideas_open_on),
        (Phase.REVIEW.label, process.review_opens_on),
        (Phase.VOTING.label, process.voting_opens_at),
        (_("Voting closes"), process.voting_closes_at),
        (Phase.RESULTS.label, process.results_on),
        (Phase.DELIVERY.label, process.delivery_from),
    ]
    return render(
        request,
        "budgeting/process_detail.html",
        {
            "process": process,
            "budgets": budgets,
            "phases": phases,
            "breadcrumbs": _crumbs(),
            "show_results": selectors.results_visible(process=process, user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Signed-in people, while the process collects ideas."""
    process = selectors.process_visible_to(user=request.user, slug=slug)
    if process.phase != Phase.IDEAS:
        raise Http404(_("This process is not collecting ideas."))
    form = IdeaForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        budget = data.pop("budget")
        try:
            project_services.idea_submit(budget=budget, acting_user=request.user, **data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Thank you. Staff will review your idea."))
            return redirect(process)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("Propose an idea"),
            "button": _("Send your idea"),
            "breadcrumbs": _crumbs((process.title, process.get_absolute_url())),
        },
    )


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Public page; voting needs a signed-in, eligible person. Shows the budgets to vote in,
    the person's current ballots, and the code form for those not yet on the roll."""
    process = _visible_process(request, slug)
    from .eligibility import elector_for

    form = ClaimForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                if form.cleaned_data.get("code"):
                    eligibility_services.elector_redeem_code(
                        process=process, code=form.cleaned_data["code"], acting_user=request.user
                    )
                else:
                    eligibility_services.elector_claim_identifier(
                        process=process,
                        identifier=form.cleaned_data["identifier"],
                        acting_user=request.user,
                    )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("You can now vote."))
                return redirect("budgeting:vote", slug=process.slug)
    decision = elector_for(user=request.user, process=process)
    return render(
        request,
        "budgeting/vote.html",
        {
            "process": process,
            "decision": decision,
            "form": form,
            "budgets": list(process.budgets.select_related("ward")),
            "my_ballots": selectors.ballots_of(user=request.user, process=process),
            "breadcrumbs": _crumbs((process.title, process.get_absolute_url())),
        },
    )


def _ballot_context(process: Process, budget: Budget) -> list[Project]:
    return list(budget.projects.on_ballot().order_by("reference"))


@login_required
@require_http_methods(["GET", "POST"])
def ballot_edit(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Signed-in eligible voters while voting is open: cast or change a ballot in one budget."""
    budget = selectors.budget_for_ballot(user=request.user, slug=slug, budget_slug=budget_slug)
    process = budget.process
    projects = _ballot_context(process, budget)
    current = selectors.ballots_of(user=request.user, process=process).get(budget.pk)
    initial = (
        BallotForm.initial_for(process, current.selection, current.points) if current else None
    )
    form = BallotForm(
        request.POST or None, initial=initial, process=process, budget=budget, projects=projects
    )
    if request.method == "POST" and form.is_valid():
        try:
            selection, points = form.selection()
            ballot_services.ballot_cast(
                budget=budget,
                acting_user=request.user,
                selection=selection,
                points=points,
                projects={p.pk: p for p in projects},
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(None, str(exc))
            else:
                apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Your ballot in %(budget)s is saved. You can change it until voting closes.")
                % {"budget": budget.name},
            )
            return redirect("budgeting:vote", slug=process.slug)
    status = 400 if request.method == "POST" else 200
    if request.method == "GET" and not process.voting_is_open:
        messages.info(request, _("Voting is not open."))
    return render(
        request,
        "budgeting/ballot_form.html",
        {
            "process": process,
            "budget": budget,
            "projects": projects,
            "form": form,
            "current": current,
            "cap": min(process.cost_cap or budget.amount, budget.amount),
            "breadcrumbs": _crumbs(
                (process.title, process.get_absolute_url()),
                (_("Vote"), reverse("budgeting:vote", args=[process.slug])),
            ),
        },
        status=status,
    )


@require_POST
def ballot_total(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Public (htmx enhancement): the running total of a shopping-cart selection. Reveals
    only project costs, which are public."""
    process = selectors.process_visible_to(user=request.user, slug=slug)
    budget = get_object_or_404(Budget, process=process, slug=budget_slug)
    costs = dict(budget.projects.on_ballot().values_list("pk", "cost"))
    chosen = [int(x) for x in request.POST.getlist("projects") if x.isdigit()]
    total = sum(costs.get(pk, 0) for pk in chosen)
    cap = min(process.cost_cap or budget.amount, budget.amount)
    return render(
        request,
        "budgeting/_running_total.html",
        {"total": total, "cap": cap, "count": len(chosen), "over": total > cap},
    )


@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    """Public once results are published (officers may preview after voting closes)."""
    process = _visible_process(request, slug)
    if not selectors.results_visible(process=process, user=request.user):
        raise Http404(_("Results are not published yet."))
    budget_results = selectors.process_results(process)
    charts = [
        {
            "id": f"chart-{r.budget.slug}",
            "labels": [p.title for p in r.projects],
            "votes": [r.votes.get(p.pk, 0) for p in r.projects],
            "funded": [p in r.funded for p in r.projects],
        }
        for r in budget_results
    ]
    return render(
        request,
        "budgeting/results.html",
        {
            "process": process,
            "results": budget_results,
            "charts": charts,
            "breadcrumbs": _crumbs((process.title, process.get_absolute_url())),
        },
    )


@require_GET
def results_json(request: HttpRequest, slug: str) -> HttpResponse:
    """Public once results are published: the results page as JSON."""
    process = _visible_process(request, slug)
    if not selectors.results_visible(process=process, user=request.user):
        raise Http404(_("Results are not published yet."))
    return JsonResponse(
        {
            "process": {"slug": process.slug, "title": process.title, "phase": process.phase},
            "budgets": [r.as_json() for r in selectors.process_results(process)],
        }
    )


@require_GET
def delivery(request: HttpRequest, slug: str) -> HttpResponse:
    """Public once results are published: funded projects' status, progress and milestones."""
    process = selectors.process_visible_to(user=request.user, slug=slug)
    if process.phase not in (Phase.RESULTS, Phase.DELIVERY):
        raise Http404(_("Nothing has been funded yet."))
    projects = (
        Project.objects.funded()
        .filter(budget__process=process)
        .select_related("budget")
        .prefetch_related("milestones")
    )
    return render(
        request,
        "budgeting/delivery.html",
        {
            "process": process,
            "projects": projects,
            "breadcrumbs": _crumbs((process.title, process.get_absolute_url())),
        },
    )


def _open_data_budget(request: HttpRequest, slug: str, budget_slug: str) -> Budget:
    process = selectors.process_visible_to(user=request.user, slug=slug)
    if process.phase not in AFTER_VOTING:
        # Vote counts must not leak while voting is open.
        raise Http404(_("Open data is published once voting has closed."))
    return get_object_or_404(
        Budget.objects.select_related("process"), process=process, slug=budget_slug
    )


@require_GET
def export_pb(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Public once voting has closed: the budget as a pabulib .pb file (anonymised ballots)."""
    budget = _open_data_budget(request, slug, budget_slug)
    text = pabulib_services.budget_as_pb(budget)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{budget.process.slug}-{budget.slug}.pb"'
    )
    return response


@require_GET
def export_ballots_csv(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Public once voting has closed: anonymised ballots as CSV."""
    budget = _open_data_budget(request, slug, budget_slug)
    response = HttpResponse(
        pabulib_services.ballots_csv(budget), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{budget.slug}-ballots.csv"'
    return response


@require_GET
def export_results_csv(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Public once voting has closed: per-project tallies (and outcome once counted) as CSV."""
    budget = _open_data_budget(request, slug, budget_slug)
    response = HttpResponse(
        pabulib_services.results_csv(budget), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{budget.slug}-results.csv"'
    return response


# --- staff -----------------------------------------------------------------------------------


@officer_required
@require_GET
def staff_process_list(request: HttpRequest) -> HttpResponse:
    """Engagement officers (2FA): every process."""
    return render(
        request,
        "budgeting/staff/process_list.html",
        {"processes": Process.objects.all(), "breadcrumbs": _staff_crumbs()[:0]},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_process_create(request: HttpRequest) -> HttpResponse:
    """Engagement officers (2FA): set up a process."""
    form = ProcessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        title = data.pop("title")
        try:
            process = process_services.process_create(acting_user=request.user, title=title, **data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Process created. Add its budgets next."))
            return redirect("budgeting:staff_process_edit", slug=process.slug)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("New budgeting process"),
            "button": _("Create"),
            "breadcrumbs": _staff_crumbs(),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_process_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Engagement officers (2FA): configure a process, its budgets, projects and phase."""
    process = process_services.close_if_due(get_object_or_404(Process, slug=slug))
    form = ProcessForm(request.POST or None, instance=process)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not form.fields[k].disabled}
        try:
            process_services.process_update(process=process, acting_user=request.user, **data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("budgeting:staff_process_edit", slug=process.slug)
        process.refresh_from_db()
    budgets = selectors.budgets_with_projects(process)
    papers = PaperBallot.objects.filter(budget__process=process)
    return render(
        request,
        "budgeting/staff/process_edit.html",
        {
            "process": process,
            "form": form,
            "budgets": budgets,
            "transitions": sorted(PHASE_TRANSITIONS[process.phase]),
            "phase_labels": dict(Phase.choices),
            "opening_problems": process_services.opening_errors(process)
            if Phase.VOTING in PHASE_TRANSITIONS[process.phase]
            else [],
            "electors": Elector.objects.filter(process=process).count(),
            "ballots": Ballot.objects.filter(budget__process=process).count(),
            "mismatches": papers.filter(status=PaperBallot.Status.MISMATCH),
            "awaiting": papers.filter(status=PaperBallot.Status.AWAITING_SECOND).count(),
            "breadcrumbs": _staff_crumbs(),
        },
    )


@officer_required
@require_POST
def staff_transition(request: HttpRequest, slug: str) -> HttpResponse:
    """Engagement officers (2FA): move the process to another phase."""
    process = get_object_or_404(Process, slug=slug)
    try:
        process_services.process_transition(
            process=process, target=request.POST.get("target", ""), acting_user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The process moved to its next phase."))
    return redirect("budgeting:staff_process_edit", slug=process.slug)


@officer_required
@require_http_methods(["GET", "POST"])
def staff_budget_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Engagement officers (2FA): add a budget (area-wide or for a ward)."""
    process = get_object_or_404(Process, slug=slug)
    form = BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            process_services.budget_save(
                process=process, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("budgeting:staff_process_edit", slug=process.slug)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("Add a budget"),
            "button": _("Add budget"),
            "breadcrumbs": _staff_crumbs(
                (process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_project_create(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Engagement officers (2FA): add a staff project to a budget."""
    process = get_object_or_404(Process, slug=slug)
    budget = get_object_or_404(Budget, process=process, slug=budget_slug)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project_services.project_save(
                budget=budget, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("budgeting:staff_process_edit", slug=process.slug)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("Add a project to %(b)s") % {"b": budget.name},
            "button": _("Add project"),
            "breadcrumbs": _staff_crumbs(
                (process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_project_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Engagement officers (2FA): record a feasibility decision with its reason."""
    project = get_object_or_404(
        Project.objects.select_related("budget__process"), pk=pk, budget__process__slug=slug
    )
    form = ReviewForm(
        request.POST or None,
        initial={"feasibility": project.feasibility, "reason": project.feasibility_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            project_services.project_review(
                project=project,
                feasibility=form.cleaned_data["feasibility"],
                reason=form.cleaned_data["reason"],
                cost=form.cleaned_data["cost"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("budgeting:staff_process_edit", slug=slug)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("Review %(p)s") % {"p": project},
            "button": _("Save decision"),
            "intro": project.description,
            "breadcrumbs": _staff_crumbs(
                (project.budget.process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_electors(request: HttpRequest, slug: str) -> HttpResponse:
    """Engagement officers (2FA): import the list of eligible voters; make voting codes."""
    process = get_object_or_404(Process, slug=slug)
    form = ElectorImportForm(request.POST or None, request.FILES or None, prefix="list")
    codes_form = CodesForm(prefix="codes")
    if request.method == "POST" and form.is_valid():
        try:
            added = eligibility_services.electors_import(
                process=process, text=form.cleaned_data["identifiers"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(n)s voters added to the roll.") % {"n": added})
            return redirect("budgeting:staff_electors", slug=slug)
    return render(
        request,
        "budgeting/staff/electors.html",
        {
            "process": process,
            "form": form,
            "codes_form": codes_form,
            "counts": {
                source: Elector.objects.filter(process=process, source=source).count()
                for source in Elector.Source.values
            },
            "breadcrumbs": _staff_crumbs(
                (process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_POST
def staff_codes_generate(request: HttpRequest, slug: str) -> HttpResponse:
    """Engagement officers (2FA): make voting codes, downloaded once as CSV for the letters."""
    process = get_object_or_404(Process, slug=slug)
    form = CodesForm(request.POST, prefix="codes")
    if form.is_valid():
        try:
            codes = eligibility_services.voting_codes_generate(
                process=process, count=form.cleaned_data["count"], acting_user=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["voting_code"])
            writer.writerows([c] for c in codes)
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{slug}-voting-codes.csv"'
            response["Cache-Control"] = "no-store"
            return response
    else:
        messages.error(request, _("Enter how many codes to make (1 to 100,000)."))
    return redirect("budgeting:staff_electors", slug=slug)


@officer_required
@require_http_methods(["GET", "POST"])
def staff_paper_entry(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Engagement officers (2FA): key a paper ballot (each paper is keyed by two officers)."""
    process = get_object_or_404(Process, slug=slug)
    budget = get_object_or_404(Budget, process=process, slug=budget_slug)
    projects = _ballot_context(process, budget)
    form = PaperBallotForm(request.POST or None, process=process, budget=budget, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            selection, points = form.selection()
            paper = ballot_services.paper_ballot_enter(
                budget=budget,
                paper_number=form.cleaned_data["paper_number"],
                voter_secret=form.cleaned_data["voter_code"],
                selection=selection,
                points=points,
                age_band=form.cleaned_data.get("age_band") or "",
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Paper %(n)s: %(status)s.")
                % {"n": paper.paper_number, "status": paper.get_status_display()},
            )
            return redirect("budgeting:staff_paper_entry", slug=slug, budget_slug=budget_slug)
    return render(
        request,
        "budgeting/staff/paper_entry.html",
        {
            "process": process,
            "budget": budget,
            "form": form,
            "papers": budget.paper_ballots.prefetch_related("entries").order_by("-updated_at")[:50],
            "breadcrumbs": _staff_crumbs(
                (process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_paper_resolve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Engagement officers (2FA) who did not key the paper: settle a double-entry mismatch."""
    paper = get_object_or_404(
        PaperBallot.objects.select_related("budget__process"), pk=pk, budget__process__slug=slug
    )
    entries = list(paper.entries.all())
    form = ResolveForm(request.POST or None, entries=entries)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        accept = next((e for e in entries if str(e.pk) == decision), None)
        try:
            ballot_services.paper_ballot_resolve(
                paper=paper,
                acting_user=request.user,
                accept_entry=accept,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("budgeting:staff_process_edit", slug=slug)
    names = {p.pk: str(p) for p in paper.budget.projects.all()}
    return render(
        request,
        "budgeting/staff/paper_resolve.html",
        {
            "paper": paper,
            "entries": [(e, [names.get(pk, pk) for pk in e.selection]) for e in entries],
            "form": form,
            "breadcrumbs": _staff_crumbs(
                (paper.budget.process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_POST
def staff_count(request: HttpRequest, slug: str) -> HttpResponse:
    """Engagement officers (2FA): count every budget with the process's rule (after close)."""
    process = get_object_or_404(Process, slug=slug)
    try:
        counting_services.process_count(process=process, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Counted. Preview the results before publishing them."))
    return redirect("budgeting:staff_process_edit", slug=slug)


@officer_required
@require_http_methods(["GET", "POST"])
def staff_override(request: HttpRequest, slug: str, budget_slug: str) -> HttpResponse:
    """Engagement officers (2FA): replace the rule's outcome, with a published reason."""
    process = get_object_or_404(Process, slug=slug)
    budget = get_object_or_404(Budget, process=process, slug=budget_slug)
    projects = list(budget.projects.on_ballot())
    count = getattr(budget, "count", None)
    initial = {"funded": [str(pk) for pk in count.funded]} if count else None
    form = OverrideForm(request.POST or None, initial=initial, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            counting_services.count_override(
                budget=budget,
                funded_ids=[int(x) for x in form.cleaned_data["funded"]],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("budgeting:staff_process_edit", slug=slug)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("Override the count of %(b)s") % {"b": budget.name},
            "button": _("Override"),
            "intro": _("The reason is published on the results page beside what the rule chose."),
            "breadcrumbs": _staff_crumbs(
                (process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_delivery(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Engagement officers (2FA): a funded project's status, progress and milestones."""
    project = get_object_or_404(
        Project.objects.select_related("budget__process"), pk=pk, budget__process__slug=slug
    )
    form = DeliveryForm(
        request.POST if request.POST.get("which") == "delivery" else None,
        initial={"status": project.delivery_status, "progress": project.progress},
    )
    milestone_form = MilestoneForm(
        request.POST if request.POST.get("which") == "milestone" else None
    )
    if request.method == "POST":
        try:
            if request.POST.get("which") == "delivery" and form.is_valid():
                project_services.project_delivery_update(
                    project=project, acting_user=request.user, **form.cleaned_data
                )
                return redirect("budgeting:staff_delivery", slug=slug, pk=pk)
            if request.POST.get("which") == "milestone" and milestone_form.is_valid():
                project_services.milestone_add(
                    project=project, acting_user=request.user, **milestone_form.cleaned_data
                )
                return redirect("budgeting:staff_delivery", slug=slug, pk=pk)
        except ValidationError as exc:
            apply_service_error(
                form if request.POST.get("which") == "delivery" else milestone_form, exc
            )
    return render(
        request,
        "budgeting/staff/delivery.html",
        {
            "project": project,
            "form": form,
            "milestone_form": milestone_form,
            "breadcrumbs": _staff_crumbs(
                (project.budget.process.title, reverse("budgeting:staff_process_edit", args=[slug]))
            ),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def staff_pb_import(request: HttpRequest) -> HttpResponse:
    """Engagement officers (2FA): import a pabulib .pb file as a new, closed process."""
    form = PbImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file must be UTF-8 text."))
        else:
            try:
                process = pabulib_services.process_import_pb(text=text, acting_user=request.user)
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Imported %(t)s.") % {"t": process.title})
                return redirect("budgeting:staff_process_edit", slug=process.slug)
    return render(
        request,
        "budgeting/form.html",
        {
            "form": form,
            "title": _("Import a .pb file"),
            "button": _("Import"),
            "multipart": True,
            "intro": _(
                "The file's projects and votes become a new process whose voting has closed. "
                "If any line is wrong nothing is imported."
            ),
            "breadcrumbs": _staff_crumbs(),
        },
    )
