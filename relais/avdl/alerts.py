"""JUS-11: the daily job of the AVDL Justice measures, run by `alert_avdl_measures`.

1. Each active measure whose end date has come (`ends_on` on or before the day) ends on that
   date and frees its slot in the worker's caseload.
2. Each active measure ending within ALERT_DAYS_BEFORE_END days is announced to its worker
   and to the SIAO's référent justice, once per measure and end date (an `EndAlert` row): a
   second run sends nothing, a renewal moves the end date and alerts again.

The in-app notice names the person; the e-mail names nobody (notify_all).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.core.text import count_of
from relais.notifications.sending import Notice, notify_all

from .enums import ALERT_DAYS_BEFORE_END
from .models import EndAlert, HousingSupportMeasure


@dataclass
class Report:
    ended: int = 0
    alerts: int = 0

    def __str__(self) -> str:
        return (
            count_of(self.ended, "mesure terminée", "mesures terminées")
            + ", "
            + count_of(self.alerts, "alerte d'échéance", "alertes d'échéance")
            + "."
        )


def due_for_alert(today: dt.date):
    alerted = EndAlert.objects.filter(measure=OuterRef("pk"), ends_on=OuterRef("ends_on"))
    return (
        HousingSupportMeasure.objects.active()
        .filter(ends_on__gt=today, ends_on__lte=today + dt.timedelta(days=ALERT_DAYS_BEFORE_END))
        .exclude(Exists(alerted))
        .select_related("person", "worker__user")
        .order_by("ends_on", "pk")
    )


def _siao_referents(territory_ids) -> dict[int, list]:
    referents: dict[int, list] = {}
    for siao in Organisation.objects.filter(
        kind=OrganisationKind.SIAO, territory_id__in=territory_ids, referent__isnull=False
    ).select_related("referent"):
        referents.setdefault(siao.territory_id, []).append(siao.referent)
    return referents


def run(today: dt.date) -> Report:
    report = Report()
    with transaction.atomic():
        for measure in HousingSupportMeasure.objects.ending_by(today).order_by("ends_on", "pk"):
            measure.end(today=today)
            report.ended += 1
        due = list(due_for_alert(today))
        referents = _siao_referents({m.territory_id for m in due})
        notices = []
        for measure in due:
            EndAlert.objects.create(measure=measure, ends_on=measure.ends_on, alerted_on=today)
            report.alerts += 1
            notices.append(
                Notice(
                    recipients=[measure.worker.user, *referents.get(measure.territory_id, [])],
                    message=(
                        f"La mesure AVDL Justice de {measure.person} prend fin le "
                        f"{measure.ends_on:%d/%m/%Y} : renouvelez-la ou préparez sa fin."
                    ),
                    mail=(
                        f"Une mesure AVDL Justice prend fin le {measure.ends_on:%d/%m/%Y} : "
                        "renouvelez-la ou préparez sa fin."
                    ),
                    link=reverse("avdl:detail", kwargs={"pk": measure.pk}),
                    link_label="Voir la mesure",
                )
            )
        notify_all(
            notices,
            subject=f"AVDL Justice : mesures à échéance ({today:%d/%m/%Y})",
            intro=(
                f"Relais a relevé le {today:%d/%m/%Y} les mesures AVDL Justice qui prennent fin "
                "prochainement. Les noms des personnes figurent dans vos notifications Relais."
            ),
        )
    return report
