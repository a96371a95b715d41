"""Pages of the organisation directory: the list, an organisation's page, its forms and the
membership actions. Each view's docstring says who may use it; the services check again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm, Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bigsociety.common.pagecache import cache_for_anonymous

from . import selectors, services
from .forms import (
    DirectoryFilterForm,
    JoinRequestForm,
    MembershipActionForm,
    MembershipRoleForm,
    OrganisationContactForm,
    OrganisationCreateForm,
    OrganisationForm,
)
from .models import Membership, Organisation
from .permissions import Rights, can_create_organisation, rights_of

PAGE_SIZE = 20


class WindowPaginator(Paginator):
    """A paginator whose ``page_range`` holds only the numbers components/pagination.html
    shows (first two, the current page ±2, last two), so the template does not loop over all
    500 pages of a 10,000-organisation directory. Set ``window_around`` before rendering."""

    window_around = 1

    @property
    def page_range(self) -> range | list[int]:  # type: ignore[override]
        last, here = self.num_pages, self.window_around
        shown = {1, 2, last - 1, last, *range(here - 2, here + 3)}
        return sorted(n for n in shown if 1 <= n <= last)


def _breadcrumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Organisations"), reverse("organisations:organisation_list")), *extra]


def _two_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Staff powers need a session verified with a second factor, as in the back office."""
    user: Any = request.user
    if user.is_verified():
        return None
    from django_otp import devices_for_user

    target = (
        "accounts:two_factor_verify"
        if any(True for _device in devices_for_user(user))
        else "accounts:two_factor_setup"
    )
    return redirect(reverse(target) + f"?next={request.get_full_path()}")


def _authorise(
    request: HttpRequest, allowed_by_membership: bool, rights: Rights
) -> HttpResponse | None:
    """None when the person may go on; a redirect to the second factor when only their staff
    role lets them and the session is not verified; PermissionDenied otherwise."""
    if allowed_by_membership:
        return None
    if rights.staff_administrator:
        return _two_factor_redirect(request)
    raise PermissionDenied


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.only("id", "name", "slug"), slug=slug)


@require_GET
@cache_for_anonymous
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Public: the directory, searchable and filterable by type and place, 20 to a page."""
    form = DirectoryFilterForm(request.GET or None, place_choices=selectors.place_choices())
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    place = selectors.place_for_filter(data.get("place") or "")
    filters = selectors.DirectoryFilter(
        q=(data.get("q") or "").strip(), kinds=tuple(data.get("kind") or ()), place=place
    )
    paginator = WindowPaginator(selectors.organisation_directory(filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    paginator.window_around = page.number
    # Label each type once: get_kind_display() would translate all sixteen labels per row.
    kind_choices = [(value, str(label)) for value, label in Organisation.Kind.choices]
    kind_labels = dict(kind_choices)
    organisations = list(page.object_list)
    for organisation in organisations:
        organisation.kind_label = kind_labels.get(organisation.kind, organisation.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "form": form,
            "kind_choices": kind_choices,
            "selected_kinds": request.GET.getlist("kind"),
            "selected_place": request.GET.get("place", ""),
            "page_obj": page,
            "organisations": organisations,
            "filtered": bool(filters.q or filters.kinds or filters.place),
            "place": place,
            "can_create": can_create_organisation(request.user),
        },
    )


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public. Members see who else belongs; the organisation's admins (and staff
    administrators) also see join requests and manage members."""
    organisation = selectors.organisation_page(slug)
    if organisation is None:
        raise Http404(_("No such organisation."))
    rights = rights_of(request.user, organisation)
    members = list(selectors.active_members(organisation)) if rights.can_view_members else []
    pending = list(selectors.pending_requests(organisation)) if rights.can_manage_members else []
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "rights": rights,
            "members": members,
            "pending": pending,
            "role_choices": Membership.Role.choices,
            "join_form": JoinRequestForm() if rights.can_request else None,
            "breadcrumbs": _breadcrumbs((organisation.name, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Staff holding the Administrator role, with a verified second factor."""
    if not can_create_organisation(request.user):
        raise PermissionDenied
    if (response := _two_factor_redirect(request)) is not None:
        return response
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            organisation = services.organisation_create(
                acting_user=request.user,
                first_admin=data.pop("first_admin_email"),
                **data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": organisation.name})
            return redirect(organisation)
    return render(
        request,
        "organisations/organisation_form.html",
        {
            "form": form,
            "title": _("Add an organisation"),
            "breadcrumbs": _breadcrumbs((_("Add an organisation"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's editors and admins (contact details and description); staff
    administrators with a verified second factor (everything)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    rights = rights_of(request.user, organisation)
    by_membership = rights.role in (Membership.Role.EDITOR, Membership.Role.ADMIN)
    if (response := _authorise(request, by_membership, rights)) is not None:
        return response
    full = rights.staff_administrator and request.user.is_verified()  # type: ignore[union-attr]
    form_class = OrganisationForm if full else OrganisationContactForm
    form = form_class(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The details have been saved."))
            return redirect(organisation)
    return render(
        request,
        "organisations/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": _("Edit %(name)s") % {"name": organisation.name},
            "breadcrumbs": _breadcrumbs(
                (organisation.name, organisation.get_absolute_url()), (_("Edit"), None)
            ),
        },
    )


@login_required
@require_POST
def organisation_verify(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff holding the Administrator role, with a verified second factor. POST
    ``verified=1`` to verify, ``verified=0`` to take the mark away."""
    organisation = _organisation(slug)
    rights = rights_of(request.user, organisation)
    if (response := _authorise(request, False, rights)) is not None:
        return response
    verified = request.POST.get("verified", "1") != "0"
    services.organisation_verify(
        organisation=organisation, acting_user=request.user, verified=verified
    )
    messages.success(
        request,
        _("%(name)s is now verified.") if verified else _("%(name)s is no longer verified."),
    )
    return redirect(organisation)


@login_required
@require_POST
def membership_request(request: HttpRequest, slug: str) -> HttpResponse:
    """Signed-in people who are not members and have no pending request."""
    organisation = _organisation(slug)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect(organisation)
    try:
        services.membership_request(
            organisation=organisation, user=request.user, message=form.cleaned_data["message"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You have asked to join %(name)s. Its admins will decide.")
            % {"name": organisation.name},
        )
    return redirect(organisation)


@login_required
@require_POST
def membership_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Signed-in members (or people with a pending request). The only admin cannot leave."""
    organisation = _organisation(slug)
    try:
        services.membership_leave(organisation=organisation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
    return redirect(organisation)


def _membership_action(
    request: HttpRequest, slug: str, form_class: type[Form]
) -> tuple[Organisation, Membership, Form] | HttpResponse:
    """Shared checks of the admins' membership actions: the membership must belong to this
    organisation, and the person must manage its members."""
    organisation = _organisation(slug)
    rights = rights_of(request.user, organisation)
    by_membership = rights.role == Membership.Role.ADMIN
    if (response := _authorise(request, by_membership, rights)) is not None:
        return response
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a member and an action."))
        return redirect(organisation)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=form.cleaned_data["membership"],
        organisation=organisation,
    )
    return organisation, membership, form


def _run(
    request: HttpRequest, organisation: Organisation, action: Any, success: str
) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(organisation)


@login_required
@require_POST
def membership_approve(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's admins; staff administrators with a verified second factor."""
    result = _membership_action(request, slug, MembershipActionForm)
    if isinstance(result, HttpResponse):
        return result
    organisation, membership, _form = result
    return _run(
        request,
        organisation,
        lambda: services.membership_approve(membership=membership, acting_user=request.user),
        _("%(person)s is now a member.") % {"person": membership.user.display_name},
    )


@login_required
@require_POST
def membership_decline(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's admins; staff administrators with a verified second factor."""
    result = _membership_action(request, slug, MembershipActionForm)
    if isinstance(result, HttpResponse):
        return result
    organisation, membership, _form = result
    return _run(
        request,
        organisation,
        lambda: services.membership_decline(membership=membership, acting_user=request.user),
        _("You declined %(person)s's request.") % {"person": membership.user.display_name},
    )


@login_required
@require_POST
def membership_set_role(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's admins; staff administrators with a verified second factor. The
    only admin cannot demote themselves."""
    result = _membership_action(request, slug, MembershipRoleForm)
    if isinstance(result, HttpResponse):
        return result
    organisation, membership, form = result
    role = form.cleaned_data["role"]
    return _run(
        request,
        organisation,
        lambda: services.membership_set_role(
            membership=membership, role=role, acting_user=request.user
        ),
        _("%(person)s is now %(role)s.")
        % {"person": membership.user.display_name, "role": Membership.Role(role).label.lower()},
    )


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's admins; staff administrators with a verified second factor. The
    only admin cannot remove themselves."""
    result = _membership_action(request, slug, MembershipActionForm)
    if isinstance(result, HttpResponse):
        return result
    organisation, membership, _form = result
    return _run(
        request,
        organisation,
        lambda: services.membership_remove(membership=membership, acting_user=request.user),
        _("%(person)s has been removed.") % {"person": membership.user.display_name},
    )
