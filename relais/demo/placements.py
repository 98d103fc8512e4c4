"""After the households: orientation dates as their stories say, and a few places that the
managers declared unavailable (SIAO-09)."""

import datetime as dt

from django.db.models import F, OuterRef, Subquery

from relais.accounts.enums import Role
from relais.notifications.models import Notification
from relais.orientations.models import OrientationEvent
from relais.places.models import CapacityEvent, PlaceCapacity
from relais.requests.models import RequestEvent

from .territory import Cast

# (structure key in data.STRUCTURES, places taken out, why)
UNAVAILABLE = [
    ("armoises", 2, "Deux chambres en travaux de peinture jusqu'à la fin du mois."),
    ("miroir", 1, "Lit réservé à une remise à l'abri du soir, en lien avec l'équipe mobile."),
]


def settle_dates(now: dt.datetime) -> None:
    """Every orientation fact was recorded when it happened; notices older than three days
    have been read."""
    RequestEvent.objects.filter(data__has_key="orientation").update(recorded_at=F("occurred_at"))
    OrientationEvent.objects.update(recorded_at=F("occurred_at"))
    last_event = (
        OrientationEvent.objects.filter(orientation=OuterRef("orientation"))
        .order_by("-occurred_at", "-id")
        .values("occurred_at")[:1]
    )
    Notification.objects.update(created_at=Subquery(last_event))
    Notification.objects.filter(created_at__lt=now - dt.timedelta(days=3)).update(
        read_at=F("created_at") + dt.timedelta(hours=2)
    )


def declare_unavailable(cast: Cast, now: dt.datetime) -> None:
    keys = {spec.key: pk for pk, spec in cast.specs.items()}
    for key, count, note in UNAVAILABLE:
        structure_pk = keys[key]
        capacity = (
            PlaceCapacity.objects.with_vacancies()
            .filter(structure_id=structure_pk, vacant__gte=count)
            .order_by("-vacant", "pk")
            .first()
        )
        if capacity is None:
            continue
        manager = cast.staff(cast.specs[structure_pk].manager, Role.STRUCTURE_MANAGER)[0]
        event = capacity.declare_unavailable(by=manager, count=count, note=note)
        CapacityEvent.objects.filter(pk=event.pk).update(occurred_at=now - dt.timedelta(days=4))
