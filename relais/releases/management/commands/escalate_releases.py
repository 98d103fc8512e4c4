"""Daily job of the releases (JUS-06, JUS-05): escalations, dry exits, follow-up checks.

    python manage.py escalate_releases            # today
    python manage.py escalate_releases --today 2027-03-01

Idempotent: run it as often as you like, each alert goes once. See the README (daily jobs).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from relais.releases import escalations


class Command(BaseCommand):
    help = "Alertes avant la sortie de détention, sorties sèches et points de suivi."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Jour de référence (AAAA-MM-JJ), aujourd'hui par défaut."
        )

    def handle(self, *args, today=None, **options):
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"Date invalide : {today} (attendu AAAA-MM-JJ).") from error
        else:
            day = timezone.localdate()
        report = escalations.run(day)
        self.stdout.write(f"{day:%d/%m/%Y} : {report}")
