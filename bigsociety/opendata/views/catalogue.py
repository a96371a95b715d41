"""Catalogue pages: search, dataset and publisher pages, feeds, DCAT, and the staff pages.

Each view says who may use it. Writes go through ``services.catalogue``, which checks again.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from bigsociety.organisations.models import Organisation

from .. import dcat, selectors
from ..ckan.query import QueryError, parse_datetime
from ..forms.catalogue import (
    DatasetForm,
    ResourceForm,
    ScheduleForm,
    WithdrawForm,
    apply_service_error,
)
from ..models import Dataset, DatasetChange, Resource
from ..search import SearchParams, search
from ..services import catalogue as services
from ..text import markdown_to_html, markdown_to_text

PAGE_SIZE = 20
FACETS = [
    ("organization", gettext_lazy("Publisher")),
    ("groups", gettext_lazy("Theme")),
    ("tags", gettext_lazy("Tag")),
    ("res_format", gettext_lazy("Format")),
    ("license_id", gettext_lazy("Licence")),
]
SORTS = {
    "relevance": ("score desc, metadata_modified desc", gettext_lazy("Relevance")),
    "modified": ("metadata_modified desc", gettext_lazy("Last updated")),
    "name": ("title_string asc", gettext_lazy("Name (A to Z)")),
}


def _breadcrumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Datasets"), reverse("opendata:dataset_list")), *extra]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    """Public: search published datasets, with facets (publisher, theme, tag, format, licence)."""
    q = request.GET.get("q", "").strip()[:200]
    sort_key = request.GET.get("sort", "relevance" if q else "modified")
    sort = SORTS.get(sort_key, SORTS["modified"])[0]
    chosen: list[tuple[str, str]] = []
    for name, _label in FACETS:
        for value in request.GET.getlist(name)[:10]:
            chosen.append((name, value[:200]))
    fq = " ".join(f"{name}:{_quote(value)}" for name, value in chosen)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    try:
        result = search(
            SearchParams(
                q=q.replace(":", " "),
                fq=fq,
                sort=sort,
                rows=PAGE_SIZE,
                start=(page_number - 1) * PAGE_SIZE,
                facet_fields=[name for name, _label in FACETS],
                facet_limit=10,
            )
        )
    except QueryError:
        raise Http404(_("That search could not be understood.")) from None
    paginator = Paginator(range(result.count), PAGE_SIZE)
    page_obj = paginator.get_page(page_number)
    titles = _facet_titles(result.facets)
    facets = [
        {
            "name": name,
            "label": label,
            "items": [
                {
                    "value": value,
                    "label": titles.get((name, value), value),
                    "count": count,
                    "checked": (name, value) in chosen,
                }
                for value, count in result.facets.get(name, [])
            ],
        }
        for name, label in FACETS
    ]
    return render(
        request,
        "opendata/dataset_list.html",
        {
            "q": q,
            "results": result.packages,
            "count": result.count,
            "facets": facets,
            "chosen": [(n, titles.get((n, v), v)) for n, v in chosen],
            "page_obj": page_obj,
            "sort_key": sort_key,
            "sorts": [(k, v[1]) for k, v in SORTS.items()],
            "can_create": bool(selectors.editable_publisher_ids(request.user) != set()),
        },
    )


def _facet_titles(facets: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], str]:
    from ..ckan.actions import _display_names

    return _display_names(facets)


def _visible(request: HttpRequest, name: str) -> Dataset:
    dataset = selectors.dataset_for_page(user=request.user, name=name)
    if dataset is None:
        raise Http404(_("No such dataset."))
    return dataset


def _editable(request: HttpRequest, name: str) -> Dataset:
    dataset = _visible(request, name)
    if not selectors.can_edit_dataset(request.user, dataset):
        raise PermissionDenied(_("You cannot change this dataset."))
    return dataset


@require_GET
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    """Public for published and withdrawn datasets; drafts only for those who may edit them."""
    dataset = _visible(request, name)
    changes = DatasetChange.objects.filter(dataset=dataset).select_related(None)[:20]
    json_ld = json.dumps(dcat.schema_org(dataset), ensure_ascii=False).replace("<", "\\u003c")
    return render(
        request,
        "opendata/dataset_detail.html",
        {
            "dataset": dataset,
            "description_html": mark_safe(markdown_to_html(dataset.description)),  # noqa: S308 - nh3-sanitised
            "resources": list(dataset.resources.all()),
            "changes": changes,
            "json_ld": mark_safe(json_ld) if dataset.is_published else "",  # noqa: S308 - JSON, < escaped
            "can_edit": selectors.can_edit_dataset(request.user, dataset),
            "is_overdue": dataset.is_overdue(),
            "rdf_formats": [
                ("ttl", "text/turtle"),
                ("rdf", "application/rdf+xml"),
                ("jsonld", "application/ld+json"),
            ],
            "breadcrumbs": _breadcrumbs((dataset.title, None)),
        },
    )


@require_GET
def resource_detail(request: HttpRequest, name: str, resource: Any) -> HttpResponse:
    """Public (as the dataset): a resource with a preview of its first rows."""
    dataset = _visible(request, name)
    item = next((r for r in dataset.resources.all() if r.uuid == resource), None)
    if item is None:
        raise Http404(_("No such resource."))
    return render(
        request,
        "opendata/dataset_resource.html",
        {
            "dataset": dataset,
            "resource": item,
            "breadcrumbs": _breadcrumbs(
                (dataset.title, dataset.get_absolute_url()), (item.name, None)
            ),
        },
    )


@require_GET
def resource_download(request: HttpRequest, resource: Any) -> HttpResponseBase:
    """Public (as the dataset): the uploaded file."""
    item = get_object_or_404(Resource.objects.select_related("dataset"), uuid=resource)
    if not item.file or not selectors.can_see_dataset(request.user, item.dataset):
        raise Http404(_("No such file."))
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1]
    )
    if item.media_type:
        response["Content-Type"] = item.media_type
    return response


@require_GET
def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """Public (as the dataset page): the dataset in DCAT-AP as Turtle, RDF/XML or JSON-LD."""
    dataset = _visible(request, name)
    body, content_type = dcat.serialise(dcat.dataset_graph(dataset), fmt)
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


@require_GET
def catalogue_rdf(request: HttpRequest, fmt: str) -> HttpResponse:
    """Public: the catalogue in DCAT-AP, 100 datasets a page (?page=, ?modified_since=)."""
    try:
        page = int(request.GET.get("page", "1"))
        if page < 1:
            raise ValueError
    except ValueError:
        return HttpResponse(
            _("page must be a whole number from 1"),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    since = None
    if request.GET.get("modified_since"):
        try:
            since = parse_datetime(request.GET["modified_since"], "modified_since")
        except QueryError as exc:
            return HttpResponse(
                f"modified_since: {exc}", status=400, content_type="text/plain; charset=utf-8"
            )
    graph = dcat.catalogue_graph(page=page, modified_since=since, fmt=fmt)
    body, content_type = dcat.serialise(graph, fmt)
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


@require_GET
def publisher_list(request: HttpRequest) -> HttpResponse:
    """Public: organisations that publish data, with their dataset counts."""
    return render(
        request,
        "opendata/publisher_list.html",
        {
            "publishers": selectors.publishers_with_datasets(),
            "breadcrumbs": _breadcrumbs((_("Publishers"), None)),
        },
    )


@require_GET
def publisher_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: a publisher's published datasets and its release calendar."""
    organisation = get_object_or_404(Organisation, slug=slug)
    datasets = (
        Dataset.objects.published()
        .of_publisher(organisation.pk)
        .select_related("licence")
        .order_by("title")
    )
    return render(
        request,
        "opendata/publisher_detail.html",
        {
            "organisation": organisation,
            "datasets": datasets,
            "upcoming": datasets.filter(next_release_on__isnull=False).order_by("next_release_on"),
            "breadcrumbs": _breadcrumbs(
                (_("Publishers"), reverse("opendata:publisher_list")), (organisation.name, None)
            ),
        },
    )


@require_GET
def release_calendar(request: HttpRequest) -> HttpResponse:
    """Public: the publication calendar (releases due in the next 12 months, by month)."""
    today = timezone.localdate()
    upcoming = (
        Dataset.objects.due_between(today, today + dt.timedelta(days=366))
        .select_related("publisher")
        .order_by("next_release_on", "title")
    )
    months: dict[str, list[Dataset]] = {}
    for dataset in upcoming:
        months.setdefault(dataset.next_release_on.strftime("%B %Y"), []).append(dataset)  # type: ignore[union-attr]
    return render(
        request,
        "opendata/dataset_calendar.html",
        {"months": months, "breadcrumbs": _breadcrumbs((_("Publication calendar"), None))},
    )


@login_required
@require_GET
def release_overdue(request: HttpRequest) -> HttpResponse:
    """Data officers (all publishers) and publisher editors/admins (their own): overdue releases."""
    ids = selectors.editable_publisher_ids(request.user)
    if ids == set():
        raise PermissionDenied(_("Only data officers and publishers' editors see this list."))
    overdue = Dataset.objects.overdue().select_related("publisher").order_by("next_release_on")
    if ids is not None:
        overdue = overdue.filter(publisher_id__in=ids)
    return render(
        request,
        "opendata/dataset_overdue.html",
        {
            "datasets": overdue,
            "today": timezone.localdate(),
            "breadcrumbs": _breadcrumbs((_("Overdue releases"), None)),
        },
    )


def _publishers_for(user: Any) -> Any:
    ids = selectors.editable_publisher_ids(user)
    publishers = Organisation.objects.order_by("name")
    return publishers if ids is None else publishers.filter(pk__in=ids)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    """Data officers, and editors/admins of an organisation (for that organisation): new draft."""
    publishers = _publishers_for(request.user)
    if not publishers.exists():
        raise PermissionDenied(_("Only data officers and publishers' editors can add datasets."))
    form = DatasetForm(request.POST or None, publishers=publishers)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            dataset = services.dataset_create(acting_user=request.user, **kwargs)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Draft dataset created. Now add its data."))
            return redirect("opendata:resource_create", name=dataset.name)
    return render(
        request,
        "opendata/dataset_form.html",
        {
            "form": form,
            "title": _("Add a dataset"),
            "breadcrumbs": _breadcrumbs((_("Add a dataset"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    """Data officers, and editors/admins of the dataset's publisher: change its metadata."""
    dataset = _editable(request, name)
    initial = {
        "title": dataset.title,
        "name": dataset.name,
        "description": dataset.description,
        "publisher": dataset.publisher.slug,
        "licence": dataset.licence.code,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "tags": ", ".join(t.name for t in dataset.tags.all()),
        "themes": [t.slug for t in dataset.themes.all()],
        "places": [p.slug for p in dataset.spatial.all()],
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "update_frequency": dataset.update_frequency,
    }
    form = DatasetForm(
        request.POST or None, initial=initial, publishers=_publishers_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if not kwargs.get("name"):
            kwargs["name"] = dataset.name
        kwargs.setdefault("licence", services.default_licence())
        try:
            dataset = services.dataset_update(dataset=dataset, acting_user=request.user, **kwargs)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Dataset updated."))
            return redirect(dataset)
    return render(
        request,
        "opendata/dataset_form.html",
        {
            "form": form,
            "title": _("Edit “%(title)s”") % {"title": dataset.title},
            "breadcrumbs": _breadcrumbs(
                (dataset.title, dataset.get_absolute_url()), (_("Edit"), None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_publish(request: HttpRequest, name: str) -> HttpResponse:
    """Data officers, and editors/admins of the publisher: publish a draft or withdrawn dataset."""
    dataset = _editable(request, name)
    error = None
    if request.method == "POST":
        try:
            services.dataset_publish(dataset=dataset, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Dataset published."))
            return redirect(dataset)
    return render(
        request,
        "opendata/dataset_confirm.html",
        {
            "dataset": dataset,
            "error": error,
            "title": _("Publish “%(title)s”") % {"title": dataset.title},
            "button": _("Publish"),
            "breadcrumbs": _breadcrumbs(
                (dataset.title, dataset.get_absolute_url()), (_("Publish"), None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_withdraw(request: HttpRequest, name: str) -> HttpResponse:
    """Data officers, and editors/admins of the publisher: withdraw a published dataset."""
    dataset = _editable(request, name)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_withdraw(
                dataset=dataset, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Dataset withdrawn."))
            return redirect(dataset)
    return render(
        request,
        "opendata/dataset_form.html",
        {
            "form": form,
            "title": _("Withdraw “%(title)s”") % {"title": dataset.title},
            "button": _("Withdraw the dataset"),
            "breadcrumbs": _breadcrumbs(
                (dataset.title, dataset.get_absolute_url()), (_("Withdraw"), None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_schedule(request: HttpRequest, name: str) -> HttpResponse:
    """Data officers, and editors/admins of the publisher: set the release schedule, or record
    that a release came out (button ``released``)."""
    dataset = _editable(request, name)
    form = ScheduleForm(
        request.POST or None,
        initial={"frequency": dataset.update_frequency, "next_release_on": dataset.next_release_on},
    )
    if request.method == "POST" and "released" in request.POST:
        services.release_record(dataset=dataset, acting_user=request.user)
        messages.success(request, _("Release recorded; the next one is due one period later."))
        return redirect(dataset)
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_set_release_schedule(
                dataset=dataset,
                frequency=form.cleaned_data["frequency"],
                next_release_on=form.cleaned_data["next_release_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Release schedule saved."))
            return redirect(dataset)
    return render(
        request,
        "opendata/dataset_form.html",
        {
            "form": form,
            "title": _("Release schedule of “%(title)s”") % {"title": dataset.title},
            "button": _("Save the schedule"),
            "breadcrumbs": _breadcrumbs(
                (dataset.title, dataset.get_absolute_url()), (_("Release schedule"), None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, name: str) -> HttpResponse:
    """Data officers, and editors/admins of the publisher: add a file or link."""
    dataset = _editable(request, name)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.resource_create(
                dataset=dataset,
                acting_user=request.user,
                name=data["name"],
                description=data["description"],
                url=data["url"],
                upload=data["upload"],
                format=data["format"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Data added."))
            return redirect(dataset)
    return render(
        request,
        "opendata/dataset_form.html",
        {
            "form": form,
            "title": _("Add data to “%(title)s”") % {"title": dataset.title},
            "button": _("Add the data"),
            "multipart": True,
            "breadcrumbs": _breadcrumbs(
                (dataset.title, dataset.get_absolute_url()), (_("Add data"), None)
            ),
        },
    )


class DatasetFeed(Feed):
    """Public: an Atom feed of new and updated datasets (the 50 most recently changed)."""

    feed_type = Atom1Feed
    title = gettext_lazy("New and updated datasets")
    subtitle = gettext_lazy("Open data published by the organisations of the area.")

    def link(self) -> str:
        return reverse("opendata:dataset_list")

    def items(self) -> Any:
        return Dataset.objects.published().select_related("publisher").order_by("-modified_at")[:50]

    def item_title(self, item: Dataset) -> str:
        return item.title

    def item_description(self, item: Dataset) -> str:
        return markdown_to_text(item.description)[:1000]

    def item_pubdate(self, item: Dataset) -> Any:
        return item.published_at

    def item_updateddate(self, item: Dataset) -> Any:
        return item.modified_at

    def item_author_name(self, item: Dataset) -> str:
        return item.publisher.name

    def item_guid(self, item: Dataset) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False
