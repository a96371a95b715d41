"""A data.police.uk-compatible API at /api/police/ (so police-api-client works against us).

Same paths, parameters and JSON shapes as https://data.police.uk/docs/ (latitude and
longitude as strings, ``persistent_id`` empty for anti-social behaviour, ``outcome_status``
``{category, date}`` or null). Everyone may read it: it serves only what the police publish.

Differences from data.police.uk, on purpose:

* a custom-area or radius query that finds more than 10,000 crimes is answered in full
  (streamed), where data.police.uk answers 503;
* ``id`` (the API-only crime id) is our row id and ``location.street.id`` is a synthetic
  stable id (a hash of the published point and street name), since the bulk files carry
  neither;
* errors are 400 (bad parameters: a malformed date, polygon, point or unknown category) and
  404 (unknown force or crime) with a one-line plain-text message.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import bulk, selectors
from .models import Crime, CrimeOutcome, Force

STREAM_ABOVE = 10_000


class BadRequest(Exception):
    status = 400


class NotFound(Exception):
    status = 404


def _error(exc: BadRequest | NotFound) -> HttpResponseBase:
    return HttpResponse(
        str(exc) + "\n", status=exc.status, content_type="text/plain; charset=utf-8"
    )


def police_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Turn BadRequest/NotFound into data.police.uk's status codes (never a 500)."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except (BadRequest, NotFound) as exc:
            return _error(exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- parameters ----------------------------------------------------------------------------


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _month(value: str | None) -> dt.date | None:
    """``date`` (YYYY-MM, default the latest month); BadRequest when malformed."""
    if not value:
        return selectors.latest_month()
    month = bulk.parse_month(value)
    if month is None:
        raise BadRequest(f"Invalid date '{value}': use YYYY-MM, for example 2024-01.")
    return month


def _point(params: Any) -> tuple[float, float]:
    try:
        lat, lng = float(params["lat"]), float(params["lng"])
    except KeyError:
        raise BadRequest("Give lat and lng, or poly.") from None
    except ValueError:
        raise BadRequest("lat and lng must be numbers.") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise BadRequest("lat must be within ±90 and lng within ±180.")
    return lat, lng


def _poly(value: str) -> list[tuple[float, float]]:
    try:
        return bulk.parse_poly(value)
    except ValueError as exc:
        raise BadRequest(f"Invalid poly: {exc}. Use lat,lng:lat,lng:lat,lng.") from None


def _category(slug: str) -> str:
    if slug != bulk.ALL_CRIME and slug not in bulk.CATEGORY_NAMES:
        raise BadRequest(f"Unknown crime category '{slug}'. See crime-categories.")
    return slug


# --- JSON shapes ---------------------------------------------------------------------------


def _location(lat: float | None, lng: float | None, location_id: int | None, street: str) -> Any:
    if lat is None or lng is None:
        return None
    return {
        "latitude": f"{lat:.6f}",
        "street": {"id": location_id, "name": street},
        "longitude": f"{lng:.6f}",
    }


def crime_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row of selectors.CRIME_FIELDS as data.police.uk's street-crime item."""
    (pk, category, crime_id, lat, lng, location_id, street, context, month, last_outcome,
     outcome_month, force) = row  # fmt: skip
    located = lat is not None
    return {
        "category": category,
        "location_type": ("BTP" if force == "btp" else "Force") if located else None,
        "location": _location(lat, lng, location_id, street),
        "context": context,
        "outcome_status": {
            "category": last_outcome,
            "date": bulk.month_str(outcome_month or month),
        }
        if last_outcome
        else None,
        "persistent_id": crime_id,
        "id": pk,
        "location_subtype": "" if located else None,
        "month": bulk.month_str(month),
    }


class _CrimeEncoder:
    """Street-crime items straight to JSON text, byte for byte what ``json.dumps`` of
    ``crime_dict`` gives (same keys, order, escaping), without building a dict per crime.

    Streets, outcomes, contexts and months repeat a lot within an answer, so their JSON
    fragments are made once.
    """

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.months: dict[dt.date, str] = {}

    def string(self, value: str) -> str:
        found = self.strings.get(value)
        if found is None:
            found = self.strings[value] = json.dumps(value)
        return found

    def month(self, value: dt.date) -> str:
        found = self.months.get(value)
        if found is None:
            found = self.months[value] = f'"{bulk.month_str(value)}"'
        return found

    def item(self, row: tuple[Any, ...]) -> str:
        (pk, category, crime_id, lat, lng, location_id, street, context, month, last_outcome,
         outcome_month, force) = row  # fmt: skip
        string = self.string
        if lat is not None and lng is not None:
            location = (
                f'{{"latitude":"{lat:.6f}","street":{{"id":'
                f"{'null' if location_id is None else int(location_id)},"
                f'"name":{string(street)}}},"longitude":"{lng:.6f}"}}'
            )
        else:
            location = "null"
        if lat is not None:
            located = '"BTP"' if force == "btp" else '"Force"'
            subtype = '""'
        else:
            located = subtype = "null"
        status = (
            f'{{"category":{string(last_outcome)},"date":{self.month(outcome_month or month)}}}'
            if last_outcome
            else "null"
        )
        return (
            f'{{"category":{string(category)},"location_type":{located},'
            f'"location":{location},"context":{string(context)},"outcome_status":{status},'
            f'"persistent_id":{string(crime_id)},"id":{int(pk)},'
            f'"location_subtype":{subtype},"month":{self.month(month)}}}'
        )


def _crime_list(rows: list[tuple[Any, ...]]) -> HttpResponseBase:
    """Street crimes (rows of selectors.CRIME_FIELDS) as a JSON array."""
    return _json_array(rows, _CrimeEncoder().item)


def _json_array(items: list[Any], encode: Callable[[Any], str]) -> HttpResponseBase:
    """A JSON array of items, each encoded to JSON text by ``encode``; streamed in chunks when
    large (data.police.uk would answer 503)."""
    if len(items) <= STREAM_ABOVE:
        return HttpResponse(
            "[" + ",".join([encode(i) for i in items]) + "]", content_type="application/json"
        )

    def chunks() -> Iterator[str]:
        yield "["
        for start in range(0, len(items), 2000):
            part = ",".join([encode(i) for i in items[start : start + 2000]])
            yield ("," if start else "") + part
        yield "]"

    return StreamingHttpResponse(chunks(), content_type="application/json")


def _json_list(items: list[Any], transform: Callable[[Any], Any]) -> HttpResponseBase:
    """A JSON array of ``transform(item)`` for each item."""
    return _json_array(items, lambda i: json.dumps(transform(i), separators=(",", ":")))


# --- endpoints -----------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
@police_view
def crimes_street(request: HttpRequest, category: str) -> HttpResponseBase:
    """Public. Street crimes within a mile of lat/lng, or inside poly, for one month."""
    slug = _category(category)
    params = _params(request)
    month = _month(params.get("date"))
    if month is None:
        return _crime_list([])
    if params.get("poly"):
        rows = selectors.crimes_in_polygon(points=_poly(params["poly"]), month=month, category=slug)
    else:
        lat, lng = _point(params)
        rows = selectors.crimes_near(lat=lat, lng=lng, month=month, category=slug)
    return _crime_list(rows)


@require_GET
@police_view
def crimes_at_location(request: HttpRequest) -> HttpResponseBase:
    """Public. Crimes at one published location (location_id, or the nearest to lat/lng)."""
    month = _month(request.GET.get("date"))
    if month is None:
        return _crime_list([])
    if request.GET.get("location_id"):
        try:
            location_id = int(request.GET["location_id"])
        except ValueError:
            raise BadRequest("location_id must be a whole number.") from None
    else:
        lat, lng = _point(request.GET)
        found = selectors.nearest_location_id(lat=lat, lng=lng, month=month)
        if found is None:
            return _crime_list([])
        location_id = found
    rows = list(
        Crime.objects.filter(month=month, location_id=location_id)
        .order_by("id")
        .values_list(*selectors.CRIME_FIELDS)
    )
    return _crime_list(rows)


@require_GET
@police_view
def crimes_no_location(request: HttpRequest) -> HttpResponseBase:
    """Public. A force's crimes with no location in one month."""
    slug = _category(request.GET.get("category") or bulk.ALL_CRIME)
    force = request.GET.get("force", "")
    if not force:
        raise BadRequest("Give force, for example force=city-of-london.")
    if force not in bulk.FORCES and not Force.objects.filter(slug=force).exists():
        raise NotFound(f"Unknown force '{force}'.")
    month = _month(request.GET.get("date"))
    if month is None:
        return _crime_list([])
    rows = list(
        Crime.objects.filter(month=month, force=force, latitude__isnull=True)
        .of_category(slug)
        .order_by("id")
        .values_list(*selectors.CRIME_FIELDS)
    )
    return _crime_list(rows)


@require_GET
@police_view
def crime_categories(request: HttpRequest) -> HttpResponseBase:
    """Public. The crime categories (the same for every month we hold)."""
    _month(request.GET.get("date"))
    items = [{"url": bulk.ALL_CRIME, "name": "All crime"}] + [
        {"url": slug, "name": name} for slug, name in bulk.CATEGORY_NAMES.items()
    ]
    return JsonResponse(items, safe=False)


@require_GET
@police_view
def crime_last_updated(request: HttpRequest) -> HttpResponseBase:
    """Public. The latest month held, as data.police.uk's ``{"date": "YYYY-MM-DD"}``."""
    month = selectors.latest_month()
    return JsonResponse({"date": month.isoformat() if month else None})


@require_GET
@police_view
def crimes_street_dates(request: HttpRequest) -> HttpResponseBase:
    """Public. Every month held, newest first, with the forces that published stops."""
    return JsonResponse(
        [
            {"date": bulk.month_str(month), "stop-and-search": forces}
            for month, forces in selectors.months_available()
        ],
        safe=False,
    )


def _outcome(month: dt.date, name: str) -> dict[str, Any]:
    return {
        "category": {"code": selectors.outcome_code(name), "name": name},
        "date": bulk.month_str(month),
        "person_id": None,
    }


@require_GET
@police_view
def outcomes_for_crime(request: HttpRequest, persistent_id: str) -> HttpResponseBase:
    """Public. One crime and its outcome history (from the outcomes files)."""
    if (
        not persistent_id
        or len(persistent_id) > 64
        or not all(c in "0123456789abcdef" for c in persistent_id.lower())
    ):
        raise BadRequest("A crime's persistent_id is a 64-character hexadecimal string.")
    row = (
        Crime.objects.filter(crime_key=bulk.crime_key(persistent_id), crime_id=persistent_id)
        .order_by("month", "id")
        .values_list(*selectors.CRIME_FIELDS)
        .first()
    )
    if row is None:
        raise NotFound(f"No crime with persistent_id '{persistent_id}'.")
    crime = crime_dict(row)
    crime.pop("outcome_status")
    history = selectors.outcome_history(persistent_id)
    if not history and row[9]:
        history = [(row[10] or row[8], row[9])]  # only the street file's last outcome
    return JsonResponse({"crime": crime, "outcomes": [_outcome(m, n) for m, n in history]})


@require_GET
@police_view
def outcomes_at_location(request: HttpRequest) -> HttpResponseBase:
    """Public. Outcomes recorded in a month at a location, near a point or inside poly."""
    month = _month(request.GET.get("date"))
    if month is None:
        return _json_list([], lambda x: x)
    outcomes = CrimeOutcome.objects.filter(month=month)
    if request.GET.get("location_id"):
        try:
            outcomes = outcomes.filter(location_id=int(request.GET["location_id"]))
        except ValueError:
            raise BadRequest("location_id must be a whole number.") from None
        rows = list(
            outcomes.values_list(
                "latitude", "longitude", "crime_id", "outcome", "location_id", "location", "month"
            )
        )
    elif request.GET.get("poly"):
        points = _poly(request.GET["poly"])
        lats, lngs = [p[0] for p in points], [p[1] for p in points]
        rows = selectors._poly_filter(
            outcomes.filter(
                latitude__range=(min(lats), max(lats)), longitude__range=(min(lngs), max(lngs))
            ).values_list(
                "latitude", "longitude", "crime_id", "outcome", "location_id", "location", "month"
            ),
            points,
            0,
            1,
        )
    else:
        lat, lng = _point(request.GET)
        box = bulk.radius_bbox(lat, lng, bulk.MILE_M)
        rows = selectors._radius_filter(
            outcomes.filter(latitude__range=box[:2], longitude__range=box[2:]).values_list(
                "latitude", "longitude", "crime_id", "outcome", "location_id", "location", "month"
            ),
            lat,
            lng,
            bulk.MILE_M,
            0,
            1,
        )
    crimes = {
        r[2]: r
        for r in Crime.objects.filter(
            crime_key__in={bulk.crime_key(r[2]) for r in rows}, crime_id__in={r[2] for r in rows}
        )
        .order_by("-month")
        .values_list(*selectors.CRIME_FIELDS)
    }

    def item(r: tuple[Any, ...]) -> dict[str, Any]:
        lat, lng, crime_id, outcome, location_id, street, m = r
        crime_row = crimes.get(crime_id)
        crime = {
            "category": crime_row[1] if crime_row else "",
            "location_type": "Force",
            "location": _location(lat, lng, location_id, street),
            "context": crime_row[7] if crime_row else "",
            "persistent_id": crime_id,
            "id": crime_row[0] if crime_row else None,
            "location_subtype": "",
            "month": bulk.month_str(crime_row[8]) if crime_row else bulk.month_str(m),
        }
        return {**_outcome(m, outcome), "crime": crime}

    return _json_list(rows, item)


def _stop_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    (kind, date_text, part, operation, lat, lng, gender, age, self_eth, officer_eth, legislation,
     obj, outcome, linked, removal) = row  # fmt: skip

    def flag(value: str) -> bool | None:
        return {"true": True, "false": False}.get(value.lower())

    return {
        "age_range": age or None,
        "officer_defined_ethnicity": officer_eth or None,
        "involved_person": kind != "Vehicle search",
        "self_defined_ethnicity": self_eth or None,
        "gender": gender or None,
        "legislation": legislation or None,
        "outcome_linked_to_object_of_search": flag(linked),
        "datetime": date_text,
        "outcome_object": {"id": selectors.outcome_code(outcome), "name": outcome}
        if outcome
        else None,
        "location": _location(lat, lng, bulk.location_id(lat, lng, ""), "On or near ")
        if lat is not None
        else None,
        "object_of_search": obj or None,
        "operation": flag(part),
        "outcome": outcome or None,
        "type": kind,
        "operation_name": operation or None,
        "removal_of_more_than_outer_clothing": flag(removal),
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
@police_view
def stops_street(request: HttpRequest) -> HttpResponseBase:
    """Public. Stop and searches within a mile of lat/lng, or inside poly, in a month."""
    params = _params(request)
    month = _month(params.get("date"))
    if month is None:
        return _json_list([], _stop_dict)
    if params.get("poly"):
        rows = selectors.stops_in_polygon(points=_poly(params["poly"]), month=month)
    else:
        lat, lng = _point(params)
        rows = selectors.stops_near(lat=lat, lng=lng, month=month)
    return _json_list(rows, _stop_dict)


def _forces() -> dict[str, str]:
    forces = dict(bulk.FORCES)
    forces.update(dict(Force.objects.values_list("slug", "name")))
    return forces


@require_GET
@police_view
def force_list(request: HttpRequest) -> HttpResponseBase:
    """Public. Every police force, by the slug of the bulk files."""
    return JsonResponse(
        [{"id": slug, "name": name} for slug, name in sorted(_forces().items())], safe=False
    )


@require_GET
@police_view
def force_detail(request: HttpRequest, force: str) -> HttpResponseBase:
    """Public. One force."""
    name = _forces().get(force)
    if name is None:
        raise NotFound(f"Unknown force '{force}'.")
    return JsonResponse(
        {
            "description": None,
            "url": "",
            "engagement_methods": [],
            "telephone": "101",
            "id": force,
            "name": name,
        }
    )
