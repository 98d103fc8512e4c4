"""The demo's commission justice (JUS-10): last month's, held, its minutes validated, with a
decision on the first cases (two actions since done), and next week's, its agenda built, the
actions still open carried to it.

Built after the detentions and the IAE (it reads the detainees and their requests); every
date is counted from `now`. Its free texts name no health or justice matter.
"""

import datetime as dt

from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.commission.enums import ServiceStatus
from relais.commission.models import Commission

from .territory import Cast

PLACE = "SPIP du Haut-Rhin, antenne de Mulhouse — salle de réunion"
# The actions decided last month, in the order of the cases (by release date).
ACTIONS = [
    "Transmettre l'évaluation sociale au CHRS pour une préadmission",
    "Proposer un entretien avec l'AVDL avant la sortie",
    "Vérifier l'ouverture des droits RSA et la domiciliation",
    "Présenter la situation en commission d'orientation du SIAO",
    "Reprendre contact avec la famille pour un hébergement temporaire",
    "Faire le point avec la structure d'accueil sur l'installation",
]
DONE = 2  # the first actions, done between the two commissions


def load(cast: Cast, *, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    siao_operator = cast.staff("siao", Role.SIAO_OPERATOR)[0]
    cpip = cast.staff("spip", Role.CPIP)[0]
    services = [
        o
        for o in cast.organisations.values()
        if o.kind in (OrganisationKind.SIAO, OrganisationKind.SPIP)
    ]
    last_month = today - dt.timedelta(days=28)
    held_at = timezone.make_aware(dt.datetime.combine(last_month, dt.time(14, 0)))
    past = Commission.plan(
        territory=cast.territory,
        held_on=last_month,
        place=PLACE,
        services=services,
        by=siao_operator,
        at=held_at - dt.timedelta(days=10),
    )
    past.build_agenda(by=siao_operator, today=last_month)
    present = [siao_operator, cpip, *cast.staff("siao", Role.SOCIAL_WORKER)[:1]]
    past.record_attendance(
        users=present,
        services={
            o.pk: ServiceStatus.REPRESENTED
            if o.pk in {u.organisation_id for u in present}
            else ServiceStatus.EXCUSED
            for o in services
        },
        by=siao_operator,
    )
    items = list(past.items.all()[: len(ACTIONS)])
    decisions = []
    for n, (item, action) in enumerate(zip(items, ACTIONS, strict=False)):
        decisions.append(
            past.decide(
                item,
                action=action,
                due_on=last_month + dt.timedelta(days=14 + 7 * (n % 3)),
                owner_user=cpip if n % 2 == 0 else None,
                owner_organisation=None if n % 2 == 0 else siao_operator.organisation,
                by=siao_operator,
            )
        )
    past.hold(by=siao_operator, at=held_at)
    past.close(by=siao_operator, at=held_at + dt.timedelta(days=2))
    for n, decision in enumerate(decisions[:DONE]):
        decision.mark_done(on=last_month + dt.timedelta(days=7 + n), by=cpip)

    upcoming = Commission.plan(
        territory=cast.territory,
        held_on=today + dt.timedelta(days=7),
        place=PLACE,
        services=services,
        by=cpip,
        at=now - dt.timedelta(days=1),
    )
    upcoming.build_agenda(by=cpip, today=today)
