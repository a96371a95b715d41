"""Public place pages: the hierarchy, one place, and "Find my area" by postcode."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .forms import PostcodeSearchForm
from .models import Place, Postcode


@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    """Public: every local authority with its wards and neighbourhoods."""
    places = list(
        Place.objects.exclude(kind=Place.Kind.LSOA)
        .only("name", "slug", "kind", "code", "parent_id")
        .order_by("name")
    )
    children: dict[int | None, list[Place]] = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)
    tree = [
        (root, [(ward, children.get(ward.pk, [])) for ward in children.get(root.pk, [])])
        for root in children.get(None, [])
    ]
    return render(request, "places/place_list.html", {"tree": tree})


@require_GET
def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: one place, what it lies within and what lies within it."""
    place = get_object_or_404(Place.objects.select_related("parent__parent__parent"), slug=slug)
    return render(
        request,
        "places/place_detail.html",
        {
            "place": place,
            "ancestors": place.ancestors(),
            "children": place.children.order_by("name").only("name", "slug", "kind", "code"),
            "postcode_count": place.postcodes.count(),
            "boundary": {
                "type": "Feature",
                "properties": {"name": place.name},
                "geometry": place.boundary,
            }
            if place.boundary
            else None,
        },
    )


@require_GET
def place_boundary(request: HttpRequest, slug: str) -> JsonResponse:
    """Public: the place's boundary as a GeoJSON Feature."""
    place = get_object_or_404(Place, slug=slug)
    return JsonResponse(
        {
            "type": "Feature",
            "properties": {"code": place.code, "name": place.name, "kind": place.kind},
            "geometry": place.boundary,
        },
        content_type="application/geo+json",
    )


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """Public: "Find my area". A known postcode goes to its place; otherwise say why."""
    form = PostcodeSearchForm(request.GET or None)
    if request.GET and form.is_valid():
        row = (
            Postcode.objects.select_related("place")
            .filter(postcode=form.cleaned_data["postcode"])
            .first()
        )
        if row is not None and row.place is not None:
            return redirect(row.place.get_absolute_url())
        form.add_error(
            "postcode",
            _("We cannot find %(postcode)s in our area. Check it, or browse the list of places.")
            % {"postcode": form.cleaned_data["postcode"]},
        )
    return render(request, "places/find.html", {"form": form}, status=400 if form.errors else 200)
