"""python manage.py issue_api_token EMAIL [--name NAME]: print a new API token for a person."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bigsociety.accounts.models import User
from bigsociety.accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Issue a personal API token for the person with this email and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Issued from the command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the email address {options['email']}.")
        _token, raw = api_token_issue(user=user, name=options["name"])
        self.stdout.write(raw)
