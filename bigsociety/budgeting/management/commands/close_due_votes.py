"""Close every vote whose closing time has passed and count it (run from cron every minute:
``* * * * * cd /srv/bigsociety && .venv/bin/python manage.py close_due_votes``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bigsociety.budgeting.services.processes import close_due_votes


class Command(BaseCommand):
    help = "Close votes whose closing time has passed; each is counted after it closes."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = close_due_votes()
        self.stdout.write(f"Closed {len(closed)} vote(s).")
