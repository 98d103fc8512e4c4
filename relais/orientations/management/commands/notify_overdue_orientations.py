from django.db import transaction
from django.utils import timezone

from relais.core.commands import DailyCommand
from relais.orientations import notifications
from relais.orientations.models import Orientation, OverdueNotice


class Command(DailyCommand):
    help = (
        "Signale au SIAO et à la structure les orientations sans suite au-delà du délai de "
        "leur territoire (attribuées sans décision, admissions acceptées sans arrivée). À "
        "lancer chaque jour : chaque orientation n'est signalée qu'une fois par étape."
    )

    def handle(self, *args, today: str | None = None, **options) -> None:
        day = self.today(today)
        late = Orientation.objects.overdue(day).select_related(
            "request__person", "structure__territory"
        )
        sent = 0
        for orientation in late:
            with transaction.atomic():
                _, created = OverdueNotice.objects.get_or_create(
                    orientation=orientation, state=orientation.state, defaults={"sent_on": day}
                )
                if created:
                    days = (day - timezone.localdate(orientation.waiting_since)).days
                    notifications.overdue(orientation, days=days)
                    sent += 1
        self.stdout.write(
            f"Orientations sans suite au {day:%d/%m/%Y} : {sent} signalée(s), "
            f"{len(late) - sent} déjà signalée(s)."
        )
