"""Daily job of the AVDL Justice measures (JUS-11): end the measures whose end date has
come, and alert the worker and the SIAO before a measure ends.

    python manage.py alert_avdl_measures            # today
    python manage.py alert_avdl_measures --today 2027-03-01

Idempotent: each alert goes once per measure and end date. See the README (daily jobs).
"""

from relais.avdl import alerts
from relais.core.commands import DailyCommand


class Command(DailyCommand):
    help = "Mesures AVDL Justice : fin des mesures échues, alertes avant l'échéance."

    def handle(self, *args, today=None, **options):
        day = self.today(today)
        report = alerts.run(day)
        self.stdout.write(f"{day:%d/%m/%Y} : {report}")
