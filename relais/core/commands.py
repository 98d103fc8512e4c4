"""The daily jobs' common ground: each is an idempotent management command taking
`--today AAAA-MM-JJ`, to replay a missed day or to test a given one."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class DailyCommand(BaseCommand):
    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", help="Date du jour à retenir, AAAA-MM-JJ (par défaut : aujourd'hui)."
        )

    @staticmethod
    def today(value: str | None) -> dt.date:
        """The day `--today` names, else today; a misspelt date is a French refusal."""
        if not value:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--today attend une date AAAA-MM-JJ, pas « {value} ».") from error
