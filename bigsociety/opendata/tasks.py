"""Background jobs of the catalogue. They take ids, call a service and are idempotent.

``send_release_reminders`` runs daily (``manage.py opendata_release_reminders`` from cron, or
enqueued by the platform's scheduler): it reminds publishers of releases due within a week.
"""

from __future__ import annotations

from django_tasks import task

from .services import catalogue as services


@task()
def send_release_reminders() -> int:
    return services.release_reminders_send()


@task()
def reindex_datasets(dataset_ids: list[int]) -> int:
    """Rebuild search documents, e.g. after a publisher's name changed."""
    return services.dataset_reindex(dataset_ids=dataset_ids)
