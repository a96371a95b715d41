"""Public crime pages ("Crime in my area"), downloads, subscriptions and staff imports."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bigsociety.places.api import Place, Postcode

from . import bulk, selectors
from .forms import AreaSearchForm, ImportUploadForm, MonthForm
from .models import ForceMonth, ImportJob, Subscription
from .services import import_job_create, subscription_create, subscription_delete
from .services.jobs import can_import, live_rows_key

AREA_KINDS = (Place.Kind.NEIGHBOURHOOD, Place.Kind.WARD, Place.Kind.LOCAL_AUTHORITY)


def _area_for(place: Place) -> Place:
    """An LSOA is shown through the neighbourhood (or ward) it lies in."""
    node: Place | None = place
    while node is not None and node.kind not in AREA_KINDS:
        node = node.parent
    return node or place


@require_GET
def area_search(request: HttpRequest) -> HttpResponse:
    """Public: "Crime in my area" from a postcode, or pick a place from the list."""
    form = AreaSearchForm(request.GET or None)
    if request.GET and form.is_valid():
        row = (
            Postcode.objects.select_related("place__parent__parent")
            .filter(postcode=form.cleaned_data["postcode"])
            .first()
        )
        if row is not None and row.place is not None:
            return redirect("crime:area_detail", slug=_area_for(row.place).slug)
        form.add_error(
            "postcode", _("We have no crime data for that postcode: it is not in our area")
        )
    places = list(
        Place.objects.filter(kind__in=AREA_KINDS)
        .only("name", "slug", "kind", "parent_id")
        .order_by("name")
    )
    authorities = [p for p in places if p.kind == Place.Kind.LOCAL_AUTHORITY]
    wards = [p for p in places if p.kind == Place.Kind.WARD]
    hoods = [p for p in places if p.kind == Place.Kind.NEIGHBOURHOOD]
    return render(
        request,
        "crime/area_search.html",
        {
            "form": form,
            "authorities": authorities,
            "wards": wards,
            "neighbourhoods": hoods,
            "latest": selectors.latest_month(),
        },
    )


def _place(slug: str) -> Place:
    place = get_object_or_404(Place.objects.select_related("parent__parent"), slug=slug)
    if place.kind not in AREA_KINDS:
        raise Http404(_("Crime is shown for neighbourhoods, wards and the local authority."))
    return place


def _months() -> list[dt.date]:
    return [m for m, _forces in selectors.months_available()]


@require_GET
def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: crime in one place for a month: counts, trend, map, outcomes, stop and search."""
    place = _place(slug)
    months = _months()
    month_choices = [(bulk.month_str(m), f"{m:%B %Y}") for m in months]
    categories = [
        (bulk.ALL_CRIME, _("All crime")),
        *sorted(bulk.CATEGORY_NAMES.items(), key=lambda kv: kv[1]),
    ]
    form = MonthForm(request.GET or None, months=month_choices, categories=categories)
    month = months[0] if months else None
    category = bulk.ALL_CRIME
    if request.GET and form.is_valid():
        month = bulk.parse_month(form.cleaned_data["month"] or "") or month
        category = form.cleaned_data["category"] or bulk.ALL_CRIME
    context: dict[str, Any] = {"place": place, "form": form, "month": month, "category": category}
    if month is not None:
        summary = selectors.area_summary(place, month)
        crimes = (
            selectors.crimes_for_place(place, month)
            .of_category(category)
            .order_by("category", "location", "id")
            .only("category", "location", "latitude", "longitude", "last_outcome", "crime_id")
        )
        page = Paginator(crimes, 100).get_page(request.GET.get("page"))
        points = [
            [c.latitude, c.longitude, c.category_name, c.location]
            for c in page.object_list
            if c.latitude is not None
        ]
        context.update(
            summary=summary,
            page_obj=page,
            map_data={"points": points, "boundary": place.boundary},
            trend_data={
                "labels": [f"{m:%b %Y}" for m, _n in summary.trend],
                "counts": [n for _m, n in summary.trend],
                "label": _("Crimes and anti-social behaviour"),
            },
            month_str=bulk.month_str(month),
            subscribed=request.user.is_authenticated
            and Subscription.objects.filter(user=request.user, place=place).exists(),
        )
    return render(request, "crime/area_detail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def area_download(request: HttpRequest, slug: str, month: str, fmt: str) -> HttpResponseBase:
    """Public: a place's crimes of a month, as CSV in the police layout or as GeoJSON."""
    place = _place(slug)
    parsed = bulk.parse_month(month)
    if parsed is None:
        raise Http404(_("No such month."))
    crimes = selectors.crimes_for_place(place, parsed).order_by("id")
    filename = f"{month}-{place.slug}-street"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        names = bulk.CATEGORY_NAMES

        def rows() -> Any:
            yield writer.writerow(bulk.LAYOUTS[bulk.STREET])
            for c in crimes.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        c.crime_id,
                        month,
                        c.reported_by,
                        c.falls_within,
                        "" if c.longitude is None else f"{c.longitude:.6f}",
                        "" if c.latitude is None else f"{c.latitude:.6f}",
                        c.location,
                        c.lsoa_code,
                        c.lsoa_name,
                        names.get(c.category, c.category),
                        c.last_outcome,
                        c.context,
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.longitude, c.latitude]},
            "properties": {
                "crime_id": c.crime_id,
                "month": month,
                "category": c.category,
                "crime_type": c.category_name,
                "location": c.location,
                "lsoa_code": c.lsoa_code,
                "lsoa_name": c.lsoa_name,
                "last_outcome": c.last_outcome,
            },
        }
        for c in crimes.located()
    ]
    geojson = HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}),
        content_type="application/geo+json",
    )
    geojson["Content-Disposition"] = f'attachment; filename="{filename}.geojson"'
    return geojson


@require_POST
def area_subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """Signed-in people: subscribe to (or, with action=unsubscribe, leave) a place's monthly email.

    Anyone else is sent to sign in and brought back to the place's page."""
    place = _place(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("crime:area_detail", kwargs={"slug": place.slug}))
    if request.POST.get("action") == "unsubscribe":
        subscription_delete(user=request.user, place=place)
        messages.success(
            request,
            _("You will no longer get monthly crime emails for %(place)s.") % {"place": place.name},
        )
    else:
        subscription_create(user=request.user, place=place)
        messages.success(
            request,
            _("You will get an email when a new month of crime data for %(place)s is published.")
            % {"place": place.name},
        )
    return redirect("crime:area_detail", slug=place.slug)


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied(_("Only data officers can import police data."))


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Data officers: upload bulk files to import; the imports and force-months held."""
    _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(upload=form.cleaned_data["file"], acting_user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect(job.get_absolute_url())
    return render(
        request,
        "crime/import_list.html",
        {
            "form": form,
            "jobs": ImportJob.objects.select_related("created_by")[:20],
            "force_months": ForceMonth.objects.select_related("force")[:50],
        },
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Data officers: one import's progress and report (refreshes itself while running)."""
    _require_importer(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return render(
        request,
        "crime/import_detail.html",
        {
            "job": job,
            "live_rows": cache.get(live_rows_key(job.pk)),
            "list_url": reverse("crime:import_list"),
        },
    )
