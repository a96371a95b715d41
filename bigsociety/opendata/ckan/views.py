"""The CKAN Action API transport: /api/3/action/<name> and /api/action/<name>.

Who may use it: everyone may call the read actions (published datasets only; drafts for the
token holder who may edit them). Writes need ``Authorization: <token>`` (with or without
``Bearer``) or ``X-CKAN-API-Key`` of a data officer. CSRF does not apply: the API uses no
cookies (a session is ignored).

Envelope and status codes are CKAN's (``ckan/views/api.py``): 200 ``{help, success: true,
result}``; errors ``{help, success: false, error: {__type, message | field: [..]}}`` with 400
(Search Query Error, bad request), 403 (Authorization Error), 404 (Not Found Error), 409
(Validation Error, Search Error). Unknown action and GET on a write: 400 with a bare string.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from bigsociety.accounts.api import user_for_api_token

from .. import datastore as datastore_reader
from ..models import Resource
from . import actions

logger = logging.getLogger(__name__)


def _help_url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri("/api/3/action/help_show") + f"?name={name}"


def _json(payload: Any, status: int = 200) -> HttpResponse:
    response = JsonResponse(payload, status=status, safe=False, json_dumps_params={})
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _bad_request(message: str) -> HttpResponse:
    return _json(f"Bad request - {message}", status=400)


def _data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        data: dict[str, Any] = {}
        for key in request.GET:
            values = request.GET.getlist(key)
            data[key] = values[0] if len(values) == 1 else values
        return data
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        data = {}
        for key in request.POST:
            values = request.POST.getlist(key)
            data[key] = values[0] if len(values) == 1 else values
        if len(data) == 1 and not request.FILES:
            ((key, value),) = data.items()
            if value == "" and key.strip().startswith("{"):  # a single key holding JSON
                data = json.loads(key)
        for key in request.FILES:
            data[key] = request.FILES[key]
        return data
    body = request.body
    if not body.strip():
        return {}
    parsed = json.loads(body)
    if not isinstance(parsed, dict):
        raise ValueError("Request data JSON decoded to a non-dict")
    return parsed


def _user(request: HttpRequest) -> tuple[Any, bool]:
    """(user or None, whether a token was sent)."""
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    if not raw.strip():
        return None, False
    return user_for_api_token(raw), True


@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    """Public (reads) / data officers with a token (writes): one CKAN action."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=200)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Authorization, X-CKAN-API-Key, Content-Type"
        return response
    if request.method not in ("GET", "POST"):
        return _bad_request("Please use GET or POST")
    func = actions.ACTIONS.get(name)
    if func is None:
        return _bad_request(f"Action name not known: {name}")
    help_url = _help_url(request, name)
    if request.method == "GET" and name not in actions.SIDE_EFFECT_FREE:
        return _bad_request("JSON Error: Invalid request. Please use POST method for your request")
    try:
        data = _data(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return _bad_request(f"JSON Error: Error decoding JSON data. Error: {exc!r}")

    def error(status: int, body: dict[str, Any]) -> HttpResponse:
        return _json({"help": help_url, "success": False, "error": body}, status=status)

    user, sent = _user(request)
    if sent and user is None:
        return error(
            403, {"__type": "Authorization Error", "message": "Access denied: API token not valid"}
        )
    ctx = actions.Context(
        user=user, site_url=request.build_absolute_uri("/").rstrip("/"), method=request.method
    )
    try:
        result = func(data, ctx)
    except actions.NotFound as exc:
        return error(404, {"__type": "Not Found Error", "message": f"Not found: {exc}"})
    except actions.NotAuthorized as exc:
        return error(403, {"__type": "Authorization Error", "message": f"Access denied: {exc}"})
    except actions.ValidationError as exc:
        return error(409, {**exc.errors, "__type": "Validation Error"})
    except actions.SearchQueryError as exc:
        return error(
            400, {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc}"}
        )
    except actions.SearchError as exc:
        return error(409, {"__type": "Search Error", "message": f"Search error: {exc}"})
    except Exception:
        logger.exception("CKAN action %s failed", name)
        return error(500, {"__type": "Internal Server Error", "message": "Internal Server Error"})
    return _json({"help": help_url, "success": True, "result": result})


def datastore_dump(request: HttpRequest, resource_id: str) -> HttpResponseBase:
    """Public: a published resource's datastore table as CSV (CKAN's /datastore/dump/<id>)."""
    from django.http import Http404

    resource = (
        Resource.objects.select_related("dataset")
        .filter(uuid=actions._uuid_or_none(resource_id))
        .first()
    )
    if resource is None or not resource.datastore_active:
        raise Http404("Resource not found in the datastore")
    user = request.user if request.user.is_authenticated else None
    try:
        actions._document(actions.Context(user, "", "GET"), str(resource.dataset.uuid))
    except actions.NotFound as exc:
        raise Http404("Resource not found in the datastore") from exc
    fmt = request.GET.get("format", "csv")
    if fmt != "csv":
        return HttpResponse("Only format=csv is supported", status=400, content_type="text/plain")
    response = StreamingHttpResponse(
        datastore_reader.dump_csv(resource), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{resource.uuid}.csv"'
    return response
