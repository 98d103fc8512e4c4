"""JUS-11: a worker's caseload, today or on a past day (for the indicators).

`caseload_on(day, territory)` recomputes from the measures' dates alone (entry into housing,
end or stop), so a past day reads the same whenever it is asked.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from .enums import MAX_ACTIVE_MEASURES
from .models import HousingSupportMeasure, Worker


@dataclass(frozen=True)
class Caseload:
    worker: Worker
    active: int
    maximum: int = MAX_ACTIVE_MEASURES

    @property
    def free(self) -> int:
        return max(self.maximum - self.active, 0)

    @property
    def is_full(self) -> bool:
        return self.active >= self.maximum


def caseload_on(day: dt.date, territory, *, known_at: dt.datetime | None = None) -> list[Caseload]:
    """Per AVDL Justice worker of `territory` (designated by `day`, or holding measures then),
    the number of measures that ran on `day`; in the workers' order. `known_at`: count only
    the measures recorded by then (a month as it was known at its end)."""
    running = HousingSupportMeasure.objects.active_on(day).filter(territory=territory)
    if known_at is not None:
        running = running.filter(created_at__lte=known_at)
    workers = (
        Worker.objects.filter(territory=territory)
        .filter(Q(designated_on__lte=day) | Q(measures__in=running))
        .select_related("user")
        .distinct()
    )
    counts = dict(running.values("worker_id").annotate(n=Count("id")).values_list("worker_id", "n"))
    return [Caseload(worker=w, active=counts.get(w.pk, 0)) for w in workers]
