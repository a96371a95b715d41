"""/api/v1/data-requests: the right-to-data register as JSON, and making a request.

Reads are public (hidden requests are left out). Making a request needs an API token of a
person with a confirmed email address; only a data officer may say when a request was
received (``received_on``), anyone else's request is received today. The requester is never
part of a response.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from bigsociety.accounts.api import TokenAuth, optional_token_user
from bigsociety.organisations.models import Organisation

from .models import DataRequest
from .selectors_requests import request_register, request_visible_to
from .services.requests import request_create

router = Router(tags=["data requests"])


class DataRequestOut(Schema):
    id: str
    url: str
    title: str
    description: str
    purpose: str
    status: DataRequest.Status
    status_label: str
    overdue: bool
    very_overdue: bool
    received_on: dt.date
    due_on: dt.date
    very_overdue_on: dt.date
    responded_on: dt.date | None
    publisher: str | None
    dataset: str | None
    refusal_reason: DataRequest.RefusalReason | None

    @staticmethod
    def resolve_id(obj: DataRequest) -> str:
        return obj.reference

    @staticmethod
    def resolve_url(obj: DataRequest) -> str:
        return settings.SITE_URL + obj.get_absolute_url()

    @staticmethod
    def resolve_status_label(obj: DataRequest) -> str:
        return obj.display_status()

    @staticmethod
    def resolve_overdue(obj: DataRequest) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_very_overdue(obj: DataRequest) -> bool:
        return obj.is_very_overdue()

    @staticmethod
    def resolve_publisher(obj: DataRequest) -> str | None:
        return obj.publisher.slug if obj.publisher_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_dataset(obj: DataRequest) -> str | None:
        return obj.dataset.name if obj.dataset_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_refusal_reason(obj: DataRequest) -> str | None:
        return obj.refusal_reason or None


class DataRequestIn(Schema):
    title: str
    description: str
    purpose: str = ""
    publisher: str | None = None
    received_on: dt.date | None = None


class DataRequestFilter(Schema):
    status: str = ""
    publisher: str = ""


@router.get("", response=list[DataRequestOut], summary="The register of data requests")
@paginate(LimitOffsetPagination)
def data_request_list(request: HttpRequest, filters: Query[DataRequestFilter]) -> Any:
    """Public: requests in the register, newest first. ``status`` may also be ``overdue`` or
    ``very_overdue``; ``publisher`` is an organisation's slug."""
    return request_register(status=filters.status, publisher_slug=filters.publisher)


@router.post(
    "",
    response={201: DataRequestOut},
    auth=TokenAuth(),
    summary="Make a data request",
)
def data_request_create(request: HttpRequest, payload: DataRequestIn) -> Any:
    """Token holders with a confirmed email address. ``received_on`` is for data officers."""
    publisher = None
    if payload.publisher:
        publisher = Organisation.objects.filter(slug=payload.publisher).first()
        if publisher is None:
            raise ValidationError(
                {"publisher": f"No organisation has the slug {payload.publisher!r}."}
            )
    data_request = request_create(
        acting_user=request.auth,  # type: ignore[attr-defined]
        title=payload.title,
        description=payload.description,
        purpose=payload.purpose,
        publisher=publisher,
        received_on=payload.received_on,
        channel=DataRequest.Channel.API,
    )
    return Status(201, DataRequest.objects.for_register().get(pk=data_request.pk))


@router.get("/{reference}", response=DataRequestOut, summary="One data request")
def data_request_detail(request: HttpRequest, reference: str) -> Any:
    """Public for requests in the register; a hidden one only for its requester and staff."""
    user = optional_token_user(request)
    data_request = request_visible_to(user=user, reference=reference)
    if data_request is None:
        raise Http404("No such data request.")
    return data_request
