"""Daily job of the releases (JUS-06, JUS-05): escalations, dry exits, follow-up checks; and,
in the same run and the same digest, the exit plans (EXIT-02): plans opened before release,
late items told to their owners.

    python manage.py escalate_releases            # today
    python manage.py escalate_releases --today 2027-03-01

Idempotent: run it as often as you like, each alert goes once. See the README (daily jobs).
"""

from relais.core.commands import DailyCommand
from relais.exitplan import jobs as exit_plans
from relais.releases import escalations


class Command(DailyCommand):
    help = (
        "Alertes avant la sortie de détention, sorties sèches, points de suivi, plans de "
        "sortie ouverts et démarches en retard."
    )

    def handle(self, *args, today=None, **options):
        day = self.today(today)
        report = escalations.run(day, also=[exit_plans.run])
        self.stdout.write(f"{day:%d/%m/%Y} : {report}")
