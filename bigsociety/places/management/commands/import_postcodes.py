"""python manage.py import_postcodes FILE.csv: load an ONS Postcode Directory-style file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bigsociety.common.csvimport import ImportRejected
from bigsociety.places.services import postcodes_import


class Command(BaseCommand):
    help = (
        "Import postcodes from a CSV with columns postcode (or pcds), latitude (lat), "
        "longitude (long) and optionally ward_code (osward) and lsoa_code (lsoa21). "
        "A file with any broken row is rejected whole, with every line listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            with path.open("rb") as handle:
                result = postcodes_import(data=handle)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except ImportRejected as rejected:
            for problem in rejected.issues:
                self.stderr.write(f"{path}: {problem}")
            total = len(rejected.issues) + rejected.result.more_issues
            raise CommandError(f"{total} problem(s) in {path}; nothing was imported.") from rejected
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.imported} postcodes imported ({result.unplaced} outside every place, "
                f"{result.skipped_without_location} without a location skipped)."
            )
        )
