"""Daily job of the IAE exits (IAE-06): alert the SIAE and the CPIP before a release.

    python manage.py alert_iae_exits            # today
    python manage.py alert_iae_exits --today 2027-03-01

Idempotent: each alert goes once per release date. See the README (daily jobs).
"""

from relais.core.commands import DailyCommand
from relais.iae import exits


class Command(DailyCommand):
    help = "Alertes de sortie des parcours IAE : synthèse de parcours à préparer."

    def handle(self, *args, today=None, **options):
        day = self.today(today)
        report = exits.run(day)
        self.stdout.write(f"{day:%d/%m/%Y} : {report}")
