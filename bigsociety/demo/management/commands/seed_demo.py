"""python manage.py seed_demo: build the fictional demo area (idempotent).

Each app contributes its part through its own ``demo.seed``; they run in layer order so
later parts can build on earlier ones (organisations serve places, datasets have publishers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bigsociety.accounts import demo as accounts_demo
from bigsociety.content import demo as content_demo
from bigsociety.places import demo as places_demo

SEEDERS = [
    ("places", places_demo.seed),
    ("accounts", accounts_demo.seed),
    ("content", content_demo.seed),
]


class Command(BaseCommand):
    help = "Load the fictional demo area: places, accounts, organisations and demo content."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="force",
            help="Seed even though DEBUG is off (demo accounts have published passwords).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords. It only runs with "
                "DEBUG on, or with --i-know-this-is-not-production."
            )
        for name, seed in SEEDERS:
            self.stdout.write(f"Seeding {name}…")
            seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("The demo area is ready."))
