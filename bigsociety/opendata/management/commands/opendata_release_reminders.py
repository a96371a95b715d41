"""Send reminders of releases due within a week (run daily from cron)."""

from django.core.management.base import BaseCommand

from bigsociety.opendata.services.catalogue import release_reminders_send


class Command(BaseCommand):
    help = "Remind publishers of dataset releases due within a week."

    def handle(self, *args: object, **options: object) -> None:
        sent = release_reminders_send()
        self.stdout.write(f"{sent} reminders sent")
