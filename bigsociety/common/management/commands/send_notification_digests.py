"""python manage.py send_notification_digests: run once a day (cron or a systemd timer)."""

from typing import Any

from django.core.management.base import BaseCommand

from bigsociety.common.tasks import send_notification_digests


class Command(BaseCommand):
    help = "Email each person one digest of their pending digest notifications."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_notification_digests.call()
        self.stdout.write(f"{sent} digest(s) sent.")
