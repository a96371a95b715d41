"""python manage.py import_police_data PATH [PATH ...]: data.police.uk bulk files into the site."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bigsociety.crime.services import import_paths


class Command(BaseCommand):
    help = (
        "Import data.police.uk bulk files (street, outcomes, stop-and-search) from CSV files, "
        "folders or zips laid out as the bulk download (YYYY-MM/YYYY-MM-<force>-<kind>.csv). "
        "Each force-month is replaced atomically; a file with bad rows is refused whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def on_file(done: int, total: int, report: Any) -> None:
            state = "imported" if report.imported else "REFUSED"
            self.stdout.write(
                f"[{done}/{total}] {report.file}: {state}, {report.rows} rows"
                + (" (replaced)" if report.replaced and report.imported else "")
            )
            for error in report.errors:
                self.stderr.write(f"  {error}")
            if report.error_count > len(report.errors):
                self.stderr.write(f"  … and {report.error_count - len(report.errors)} more")

        report = import_paths(paths=options["paths"], on_file=on_file)
        for problem in report.problems:
            self.stderr.write(problem)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{report.rows} rows from {sum(f.imported for f in report.files)} of "
            f"{len(report.files)} files in {seconds:.1f}s"
        )
        if not report.ok:
            raise CommandError("Some files were not imported; see the messages above.")
