"""python manage.py import_boundaries FILE.geojson: create or update places, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bigsociety.places.services import ImportRejected, boundaries_import


class Command(BaseCommand):
    help = (
        "Import a GeoJSON FeatureCollection of boundaries. Each feature's properties need "
        "code (GSS code), name, kind (local_authority, ward, neighbourhood, lsoa) and optionally "
        "parent_code. A file with any broken feature is rejected whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            result = boundaries_import(text=text)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{len(rejected.problems)} problem(s) in {path}; nothing was imported."
            ) from rejected
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.created)} places created, {len(result.updated)} updated."
            )
        )
