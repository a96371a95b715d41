"""Pages of the right-to-data workflow: the register, a request's page, the forms, the queue.

Each view says who may use it. Writes go through ``services.requests``, which checks again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bigsociety.organisations.models import Organisation

from .. import selectors_requests as selectors
from ..forms.requests import (
    ClarifyForm,
    DataRequestForm,
    HideForm,
    MessageForm,
    OfflineRequestForm,
    RespondForm,
    apply_service_error,
)
from ..models import DataRequest, can_transition
from ..services import requests as services

Status = DataRequest.Status
PAGE_SIZE = 20


def _get_visible(request: HttpRequest, reference: str) -> DataRequest:
    data_request = selectors.request_visible_to(user=request.user, reference=reference)
    if data_request is None:
        raise Http404(_("No such data request."))
    return data_request


def _breadcrumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Data requests"), reverse("opendata:request_list")), *extra]


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Public: the register of requests (hidden ones left out), filterable by status."""
    status = request.GET.get("status", "")
    publisher = request.GET.get("publisher", "")
    requests = selectors.request_register(status=status, publisher_slug=publisher)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    status_choices = [
        *Status.choices,
        ("overdue", _("Overdue")),
        ("very_overdue", _("Very overdue")),
    ]
    return render(
        request,
        "opendata/request_list.html",
        {
            "page_obj": page,
            "data_requests": page.object_list,
            "status": status,
            "status_choices": status_choices,
            "publisher": publisher,
            "publishers": Organisation.objects.filter(
                Exists(DataRequest.objects.public().filter(publisher=OuterRef("pk")))
            )
            .order_by("name")
            .values_list("slug", "name"),
            "can_make_request": True,
        },
    )


@require_GET
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Public for requests in the register; a hidden one only for its requester and staff.

    The requester's personal details are shown only to the requester and data officers.
    """
    data_request = _get_visible(request, reference)
    user = request.user
    responder = services.can_respond(user, data_request)
    for_requester = services.can_act_for_requester(user, data_request)
    status = data_request.status
    actions = {
        "ask_clarification": responder and can_transition(status, Status.AWAITING_CLARIFICATION),
        "respond": responder and any(can_transition(status, o) for o in DataRequest.OUTCOMES),
        "clarify": for_requester and can_transition(status, Status.AWAITING_RESPONSE),
        "review": for_requester and can_transition(status, Status.INTERNAL_REVIEW),
        "withdraw": for_requester and can_transition(status, Status.WITHDRAWN),
        "hide": services.is_moderator(user) and not data_request.is_hidden,
        "unhide": services.is_moderator(user) and data_request.is_hidden,
    }
    return render(
        request,
        "opendata/request_detail.html",
        {
            "data_request": data_request,
            "events": selectors.request_events_visible_to(user=user, request=data_request),
            "actions": actions,
            "any_action": any(actions.values()),
            "show_private": services.is_requester(user, data_request)
            or services.is_data_officer(user),
            "breadcrumbs": _breadcrumbs((data_request.reference, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """Signed-in people with a confirmed email address."""
    if not services.can_make_request(request.user):
        return render(request, "opendata/request_unconfirmed.html", status=403)
    form = DataRequestForm(
        request.POST or None,
        initial={"contact_email": request.user.email},  # type: ignore[union-attr] # signed in
    )
    if request.method == "POST" and form.is_valid():
        try:
            data_request = services.request_create(
                acting_user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                purpose=form.cleaned_data["purpose"],
                publisher=form.cleaned_data["publisher"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("Your request is in the register. A response is due by %(day)s.")
                % {"day": f"{data_request.due_on:%-d %B %Y}"},
            )
            return redirect(data_request)
    return render(
        request,
        "opendata/request_form.html",
        {
            "form": form,
            "title": _("Ask for data"),
            "breadcrumbs": _breadcrumbs((_("Ask for data"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_log(request: HttpRequest) -> HttpResponse:
    """Data officers: log a request that arrived by post or email, with its date of receipt."""
    if not services.is_data_officer(request.user):
        raise PermissionDenied
    form = OfflineRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            data_request = services.request_log_offline(
                acting_user=request.user,
                title=data["title"],
                description=data["description"],
                purpose=data["purpose"],
                publisher=data["publisher"],
                received_on=data["received_on"],
                channel=data["channel"],
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                requester_address=data["requester_address"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("Request %(reference)s logged. A response is due by %(day)s.")
                % {"reference": data_request.reference, "day": f"{data_request.due_on:%-d %B %Y}"},
            )
            return redirect(data_request)
    return render(
        request,
        "opendata/request_form.html",
        {
            "form": form,
            "title": _("Log a request received by post or email"),
            "breadcrumbs": _breadcrumbs(
                (_("Queue"), reverse("opendata:staff_request_queue")), (_("Log a request"), None)
            ),
        },
    )


@login_required
@require_GET
def staff_request_queue(request: HttpRequest) -> HttpResponse:
    """Data officers (every request) and publishers' admins and editors (their own)."""
    if not services.can_see_queue(request.user):
        raise PermissionDenied
    requests = selectors.request_queue_for(user=request.user)
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/request_queue.html",
        {
            "page_obj": page,
            "data_requests": page.object_list,
            "can_log": services.is_data_officer(request.user),
            "breadcrumbs": _breadcrumbs((_("Queue"), None)),
        },
    )


def _transition_view(
    request: HttpRequest,
    reference: str,
    *,
    allowed: Callable[[Any, DataRequest], bool],
    make_form: Callable[[HttpRequest, DataRequest], Any],
    perform: Callable[[HttpRequest, DataRequest, dict[str, Any]], DataRequest],
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    data_request = _get_visible(request, reference)
    if not allowed(request.user, data_request):
        raise PermissionDenied
    form = make_form(request, data_request)
    if request.method == "POST" and form.is_valid():
        try:
            perform(request, data_request, form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect(data_request)
    return render(
        request,
        "opendata/request_action.html",
        {
            "form": form,
            "data_request": data_request,
            "title": title,
            "button": button,
            "breadcrumbs": _breadcrumbs(
                (data_request.reference, data_request.get_absolute_url()), (title, None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_ask_clarification(request: HttpRequest, reference: str) -> HttpResponse:
    """Data officers, and the publisher's admins and editors."""
    return _transition_view(
        request,
        reference,
        allowed=services.can_respond,
        make_form=lambda r, d: MessageForm(
            r.POST or None, label=_("What do you need the requester to clarify?")
        ),
        perform=lambda r, d, data: services.request_ask_clarification(
            request=d, acting_user=r.user, message=data["message"]
        ),
        title=_("Ask the requester to clarify"),
        button=_("Ask for clarification"),
        done=_("The requester has been asked to clarify. The clock has stopped."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_clarify(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester; data officers for a request logged from post or email."""
    return _transition_view(
        request,
        reference,
        allowed=services.can_act_for_requester,
        make_form=lambda r, d: ClarifyForm(
            r.POST or None, staff=not services.is_requester(r.user, d)
        ),
        perform=lambda r, d, data: services.request_clarify(
            request=d,
            acting_user=r.user,
            message=data["message"],
            replied_on=data.get("replied_on"),
        ),
        title=_("Clarify your request"),
        button=_("Send clarification"),
        done=_("Thank you. The clock has restarted from today."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_respond(request: HttpRequest, reference: str) -> HttpResponse:
    """Data officers, and the publisher's admins and editors."""

    def perform(r: HttpRequest, d: DataRequest, data: dict[str, Any]) -> DataRequest:
        return services.request_respond(
            request=d,
            acting_user=r.user,
            outcome=data["outcome"],
            dataset=data.get("dataset"),
            refusal_reason=data.get("refusal_reason") or "",
            message=data.get("message") or "",
            release_frequency=data.get("release_frequency") or "",
            next_release_on=data.get("next_release_on"),
        )

    return _transition_view(
        request,
        reference,
        allowed=services.can_respond,
        make_form=lambda r, d: RespondForm(
            r.POST or None, datasets=services.datasets_for_response(d)
        ),
        perform=perform,
        title=_("Answer the request"),
        button=_("Send the answer"),
        done=_("The answer is recorded and the requester has been told."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_request_review(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester; data officers for a request logged from post or email."""
    return _transition_view(
        request,
        reference,
        allowed=services.can_act_for_requester,
        make_form=lambda r, d: MessageForm(
            r.POST or None, label=_("Why should the answer be reviewed?")
        ),
        perform=lambda r, d, data: services.request_request_review(
            request=d, acting_user=r.user, message=data["message"]
        ),
        title=_("Ask for an internal review"),
        button=_("Ask for a review"),
        done=_("An internal review has been requested."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester; data officers for a request logged from post or email."""
    return _transition_view(
        request,
        reference,
        allowed=services.can_act_for_requester,
        make_form=lambda r, d: MessageForm(
            r.POST or None, label=_("Why are you withdrawing it? (optional)"), required=False
        ),
        perform=lambda r, d, data: services.request_withdraw(
            request=d, acting_user=r.user, message=data.get("message") or ""
        ),
        title=_("Withdraw the request"),
        button=_("Withdraw"),
        done=_("The request has been withdrawn."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_hide(request: HttpRequest, reference: str) -> HttpResponse:
    """Moderators."""
    return _transition_view(
        request,
        reference,
        allowed=lambda user, d: services.is_moderator(user),
        make_form=lambda r, d: HideForm(r.POST or None),
        perform=lambda r, d, data: services.request_hide(
            request=d, acting_user=r.user, reason=data["reason"]
        ),
        title=_("Hide from the public register"),
        button=_("Hide"),
        done=_("The request is hidden from the public register."),
    )


@login_required
@require_POST
def request_unhide(request: HttpRequest, reference: str) -> HttpResponse:
    """Moderators."""
    data_request = _get_visible(request, reference)
    if not services.is_moderator(request.user):
        raise PermissionDenied
    try:
        services.request_unhide(request=data_request, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is back in the public register."))
    return redirect(data_request)


@require_GET
def request_statistics(request: HttpRequest) -> HttpResponse:
    """Public: per month and per publisher, how many requests were answered on time."""
    rows = selectors.request_statistics()
    return render(
        request,
        "opendata/request_statistics.html",
        {
            "rows": rows,
            "chart": selectors.statistics_chart_data(rows),
            "breadcrumbs": _breadcrumbs((_("Statistics"), None)),
        },
    )
