"""Background jobs for budgeting. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from .models import Phase, Process


@task()
def count_process_task(*, process_id: int) -> int:
    """Count every budget of a process whose voting has just closed (a first, provisional
    count; officers recount after late paper ballots and publish)."""
    from .services.counting import process_count

    process = Process.objects.filter(pk=process_id, phase=Phase.CLOSED).first()
    if process is None:
        return 0
    try:
        return len(process_count(process=process, acting_user=None))
    except ValidationError:
        return 0


@task()
def close_due_votes_task() -> list[int]:
    """Close votes whose closing time has passed; each is counted after commit. Scheduled
    by cron running ``manage.py close_due_votes`` every minute (see the app's README); pages
    also close an ended vote when they are visited."""
    from .services.processes import close_due_votes

    return close_due_votes()
