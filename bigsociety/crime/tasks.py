"""Background jobs of the crime app. Each takes plain values and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from .bulk import parse_month


@task()
def run_import_job(*, job_id: int) -> None:
    from .services import import_job_run

    import_job_run(job_id=job_id)


@task()
def publish_force_month(*, force: str, month: str) -> None:
    from .services import publish_month

    parsed = parse_month(month)
    if parsed is not None:
        publish_month(force=force, month=parsed)


@task()
def announce_month(*, month: str) -> int:
    from .services import month_announce

    parsed = parse_month(month)
    return month_announce(month=parsed) if parsed is not None else 0
