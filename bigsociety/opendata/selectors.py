"""Catalogue reads that depend on who is asking, and who may change what.

Who may edit a dataset: a data officer (``Role.DATA_OFFICER``) may edit every dataset; an
active editor or admin of the publishing organisation may edit that organisation's datasets.
Everyone may see published and withdrawn datasets; drafts only those who may edit them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from bigsociety.accounts.roles import Role, has_role
from bigsociety.organisations.models import Membership, Organisation

from .models import Dataset, Theme

__all__ = [
    "can_edit_dataset",
    "can_publish_for",
    "dataset_for_page",
    "editable_publisher_ids",
    "is_data_officer",
    "publishers_with_datasets",
    "themes_with_counts",
]


def is_data_officer(user: Any) -> bool:
    return has_role(user, Role.DATA_OFFICER)


def editable_publisher_ids(user: Any) -> set[int] | None:
    """The organisations whose datasets ``user`` may edit; None means every organisation."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if is_data_officer(user):
        return None
    cache = getattr(user, "_opendata_publisher_ids", None)
    if cache is None:
        cache = set(
            Membership.objects.active()
            .filter(user=user, role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN])
            .values_list("organisation_id", flat=True)
        )
        user._opendata_publisher_ids = cache
    return cache


def can_publish_for(user: Any, publisher: Organisation) -> bool:
    ids = editable_publisher_ids(user)
    return ids is None or publisher.pk in ids


def can_edit_dataset(user: Any, dataset: Dataset) -> bool:
    ids = editable_publisher_ids(user)
    return ids is None or dataset.publisher_id in ids


def can_see_dataset(user: Any, dataset: Dataset) -> bool:
    return dataset.state != Dataset.State.DRAFT or can_edit_dataset(user, dataset)


def dataset_for_page(*, user: Any, name: str) -> Dataset | None:
    """A dataset by name with everything its page shows, if ``user`` may see it."""
    dataset = Dataset.objects.for_page().filter(name=name).first()
    if dataset is None or not can_see_dataset(user, dataset):
        return None
    return dataset


def editable_datasets(*, user: Any) -> QuerySet[Dataset]:
    ids = editable_publisher_ids(user)
    datasets = Dataset.objects.select_related("publisher")
    if ids is None:
        return datasets
    return datasets.filter(publisher_id__in=ids)


def publishers_with_datasets() -> QuerySet[Organisation]:
    """Organisations with at least one published dataset, with the count."""
    return (
        Organisation.objects.annotate(
            dataset_count=Count("datasets", filter=Q(datasets__state=Dataset.State.PUBLISHED))
        )
        .filter(dataset_count__gt=0)
        .order_by("name")
    )


def themes_with_counts() -> QuerySet[Theme]:
    return Theme.objects.annotate(
        dataset_count=Count("datasets", filter=Q(datasets__state=Dataset.State.PUBLISHED))
    ).order_by("title")
