"""IAE-06: the daily exit alert, run by the `alert_iae_exits` management command.

For each parcours in progress (ACTIVE) whose detention's earliest possible release
(`Detention.due_on`) falls within the site's `exit_alert_weeks` weeks of today (and is still to
come), the SIAE's staff at the site — only while the person's consent runs — and the CPIP who
follows the detention are told to prepare the exit synthesis. Each alert is an `ExitAlert` row,
unique per parcours and release date: a second run sends nothing, and a release date that moves
(a new `due_on`) alerts again.

The whole run is one transaction; the notices go through `notify_all` (one in-app notice per
person alerted, naming the person; one e-mail per address, naming nobody).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from relais.accounts.models import User
from relais.core.text import count_of
from relais.notifications.sending import Notice, notify_all

from .enums import ParcoursState
from .models import SIAE_ROLES, ExitAlert, Parcours

# Alerts reach at most this many weeks ahead (the site setting's upper bound).
MAX_WEEKS = 52


@dataclass
class Report:
    alerts: int = 0
    notified: int = 0

    def __str__(self) -> str:
        return (
            count_of(self.alerts, "alerte de sortie", "alertes de sortie")
            + ", "
            + count_of(self.notified, "notification envoyée", "notifications envoyées")
            + "."
        )


def due_for_alert(today: dt.date):
    """The ACTIVE parcours whose release is within their site's alert weeks and not yet
    alerted for that release date (a fixed number of queries)."""
    alerted = ExitAlert.objects.filter(
        parcours=OuterRef("pk"), release_on=OuterRef("detention__due_on")
    )
    candidates = (
        Parcours.objects.filter(
            state=ParcoursState.ACTIVE,
            detention__due_on__gte=today,
            detention__due_on__lte=today + dt.timedelta(weeks=MAX_WEEKS),
        )
        .exclude(Exists(alerted))
        .annotate(
            siae_reads=Exists(Parcours.objects.with_running_consent().filter(pk=OuterRef("pk")))
        )
        .select_related("person", "detention__cpip", "site__siae", "site__establishment")
        .order_by("detention__due_on", "pk")
    )
    return [
        p
        for p in candidates
        if p.detention.due_on <= today + dt.timedelta(weeks=p.site.exit_alert_weeks)
    ]


def run(today: dt.date) -> Report:
    report = Report()
    with transaction.atomic():
        due = due_for_alert(today)
        staff = defaultdict(list)
        siae_ids = {p.site.siae_id for p in due}
        for user in User.objects.filter(
            organisation_id__in=siae_ids, role__in=SIAE_ROLES, is_active=True
        ):
            staff[user.organisation_id].append(user)
        notices = []
        for parcours in due:
            release_on = parcours.detention.due_on
            ExitAlert.objects.create(parcours=parcours, release_on=release_on, alerted_on=today)
            report.alerts += 1
            recipients = []
            if parcours.siae_reads:
                recipients += staff[parcours.site.siae_id]
            if parcours.detention.cpip and parcours.detention.cpip.is_active:
                recipients.append(parcours.detention.cpip)
            if not recipients:
                continue
            report.notified += len({u.pk for u in recipients})
            notices.append(
                Notice(
                    recipients=recipients,
                    message=(
                        f"Sortie prévue le {release_on:%d/%m/%Y} pour {parcours.person} "
                        f"({parcours.site.siae}) : préparez la synthèse de parcours IAE."
                    ),
                    mail=(
                        f"Une personne en parcours IAE sort le {release_on:%d/%m/%Y} : la "
                        "synthèse de parcours est à préparer."
                    ),
                    link=reverse("iae:synthesis", kwargs={"pk": parcours.pk}),
                    link_label="Préparer la synthèse",
                    about={"parcours": parcours},
                )
            )
        notify_all(
            notices,
            subject=f"Parcours IAE : sorties à préparer ({today:%d/%m/%Y})",
            intro=(
                f"Relais a relevé le {today:%d/%m/%Y} les sorties de détention prochaines "
                "suivantes. Les noms des personnes figurent dans vos notifications Relais."
            ),
        )
    return report
