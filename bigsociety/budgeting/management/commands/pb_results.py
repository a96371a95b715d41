"""``manage.py pb_results FILE.pb [--rule RULE] [--format json|text]``: count a pabulib file.

The counting is done by the pure package ``bigsociety.budgeting.counting``
(:func:`~bigsociety.budgeting.counting.report.results_for_file`); this command only reads the
arguments and prints. A malformed file is refused with every problem's section, line and
reason.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bigsociety.budgeting.counting.pabulib import PbFormatError
from bigsociety.budgeting.counting.report import FORMATS, results_for_file
from bigsociety.budgeting.counting.rules import RULES


class Command(BaseCommand):
    help = (
        "Count a pabulib .pb file and print the outcome with its explanation. Without --rule, "
        "the rule named in the file's META is used (equalshares -> mes, equalshares/add1 -> "
        "mes-add1, equalshares/add1-comparison -> mes-add1-comparison; unknown: greedy)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .pb file")
        parser.add_argument("--rule", choices=sorted(RULES), default=None)
        parser.add_argument("--format", choices=FORMATS, default="json", dest="fmt")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            output = results_for_file(options["file"], rule=options["rule"], fmt=options["fmt"])
        except FileNotFoundError as error:
            raise CommandError(f"no such file: {error.filename}") from error
        except PbFormatError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(output, ending="")
