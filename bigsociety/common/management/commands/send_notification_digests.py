"""python manage.py send_notification_digests: run once a day (cron or a systemd timer).

Sends each person one email with every digest notification not yet emailed, and marks them
emailed, so running it twice sends nothing twice. ``--enqueue`` hands the work to the
background worker instead of doing it now.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bigsociety.common.tasks import send_notification_digests


class Command(BaseCommand):
    help = "Email each person one digest of their pending digest notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for the background worker (manage.py db_worker) and return.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = send_notification_digests.enqueue()
            self.stdout.write(f"Digest job queued ({result.id}).")
            return
        sent = send_notification_digests.call()
        self.stdout.write(f"{sent} digest(s) sent.")
