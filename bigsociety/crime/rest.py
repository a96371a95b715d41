"""/api/v1/crime/: the months held and a place's monthly summary (our own vocabulary).

The data.police.uk-compatible surface is separate, at /api/police/ (police_api.py).
Everything here is public: it serves only what the police publish.
"""

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from bigsociety.places.api import Place

from . import bulk, selectors

router = Router(tags=["crime"])


class MonthOut(Schema):
    month: str
    stop_and_search_forces: list[str]


class CategoryCountOut(Schema):
    category: str
    name: str
    count: int
    previous_month: int
    year_before: int


class SummaryOut(Schema):
    place: str
    month: str
    total: int
    categories: list[CategoryCountOut]
    trend: dict[str, int]
    outcomes: dict[str, int]


@router.get("/months", response=list[MonthOut])
def month_list(request: HttpRequest) -> list[MonthOut]:
    """Every month of street crime held, newest first."""
    return [
        MonthOut(month=bulk.month_str(m), stop_and_search_forces=forces)
        for m, forces in selectors.months_available()
    ]


@router.get("/places/{slug}/summary", response=SummaryOut)
def place_summary(request: HttpRequest, slug: str, month: str = "") -> SummaryOut:
    """Crime in a neighbourhood, ward or local authority for a month (default: the latest)."""
    place = Place.objects.filter(slug=slug).select_related("parent__parent").first()
    if place is None or place.kind not in selectors.PLACE_COLUMN:
        raise Http404("No neighbourhood, ward or local authority has that slug.")
    parsed = bulk.parse_month(month) if month else selectors.latest_month()
    if parsed is None:
        raise HttpError(400, "month must be YYYY-MM" if month else "No crime data is held yet.")
    summary = selectors.area_summary(place, parsed)
    return SummaryOut(
        place=place.slug,
        month=bulk.month_str(parsed),
        total=summary.total,
        categories=[
            CategoryCountOut(
                category=r.slug,
                name=r.name,
                count=r.count,
                previous_month=r.previous,
                year_before=r.year_before,
            )
            for r in summary.categories
        ],
        trend={bulk.month_str(m): n for m, n in summary.trend},
        outcomes={name: n for name, n, _share in summary.outcomes},
    )
