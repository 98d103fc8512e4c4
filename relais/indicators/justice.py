"""The justice indicators of the dashboard (JUS-06, JUS-07, JUS-12), month by month.

Each month is counted as it was known at its end (the Paris midnight that ends its last day,
or the end of the day asked for when the month is the current one): only what was recorded
by that instant counts, so a past month recomputed any later gives the same figures — the
rule of the Annex II engine. Per month:

- **sorties de détention**: people whose detention ended in the month — its release recorded
  (`released_on`) or, without one, the day the daily job found them at their release date
  with no secured solution (a dry exit, `DryExit`). A detention counts once, on its first
  such day;
- **dont sorties sèches**: those among them with a dry exit recorded; the others left with a
  solution;
- **LSC refusées faute d'hébergement**: libérations sous contrainte refused in the month for
  lack of housing (`SentenceAdjustment`, reason « Absence d'hébergement »);
- **délai de la demande à la solution**: the requests of people in detention (linked to a
  detention) whose housing was secured in the month — a place reserved for the release, an
  admission accepted or a direct admission, the first of them — and the median number of days
  from the request's date to that day;
- **places réservées / volantes**: at the end of the month, the places of capacities then
  reserved for people leaving detention (or kept as flying places for dry exits), and those
  held by orientations and stays (see `relais.indicators.offer`).

- **mesures AVDL Justice**: on the month's last day counted, the measures running then (from
  their dates: entry into housing, end or stop) among those recorded by the counting instant,
  and how many workers held them (`relais.avdl.caseload`).
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from relais.avdl.caseload import caseload_on
from relais.justice.dates import add_months
from relais.justice.enums import (
    AdjustmentEventKind,
    AdjustmentKind,
    AdjustmentRefusalReason,
    DetentionEventKind,
)
from relais.justice.models import AdjustmentEvent, DetentionEvent
from relais.orientations.enums import OrientationEventKind
from relais.orientations.models import OrientationEvent
from relais.places.enums import PlaceReservation
from relais.releases.models import DryExit

from .offer import day_end, local_day, snapshots

MONTHS_SHOWN = 12
SOLUTION_KINDS = [
    OrientationEventKind.RESERVED,
    OrientationEventKind.ADMITTED,
    OrientationEventKind.DIRECT_ADMISSION,
]


@dataclass
class Use:
    places: int = 0
    held: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.held / self.places, 1) if self.places else None


@dataclass
class JusticeMonth:
    month: dt.date  # its first day
    at: dt.datetime  # the instant it is counted at
    releases: int = 0
    dry_exits: int = 0
    lsc_refused: int = 0
    solutions: int = 0
    median_days: float | None = None
    reserved: Use | None = None
    flying: Use | None = None
    avdl_measures: int = 0
    avdl_workers: int = 0

    @property
    def with_solution(self) -> int:
        return self.releases - self.dry_exits


def month_instants(
    until: dt.date, months: int, now: dt.datetime
) -> list[tuple[dt.date, dt.datetime]]:
    """(first day, counting instant) of the `months` months up to `until`'s month."""
    first = add_months(until.replace(day=1), -(months - 1))
    result = []
    for n in range(months):
        month = add_months(first, n)
        last_day = min(add_months(month, 1) - dt.timedelta(days=1), until)
        result.append((month, min(day_end(last_day), now)))
    return result


def justice_months(
    territory, *, until: dt.date, months: int = MONTHS_SHOWN, now: dt.datetime | None = None
) -> list[JusticeMonth]:
    now = now or timezone.now()
    instants = month_instants(until, months, now)
    result = [JusticeMonth(month, at) for month, at in instants]
    last = max(at for _, at in instants)
    _exits(territory, result, last)
    _lsc_refusals(territory, result, last)
    _solutions(territory, result, last)
    shots = snapshots(territory, [line.at for line in result])
    for line, shot in zip(result, shots, strict=True):
        for reservation, name in (
            (PlaceReservation.DETENTION, "reserved"),
            (PlaceReservation.FLYING, "flying"),
        ):
            figures = shot.figures(reservation=reservation)
            setattr(line, name, Use(figures.places, figures.held))
        caseloads = caseload_on(
            local_day(line.at - dt.timedelta(microseconds=1)), territory, known_at=line.at
        )
        line.avdl_measures = sum(load.active for load in caseloads)
        line.avdl_workers = sum(1 for load in caseloads if load.active)
    return result


def _in(line: JusticeMonth, day: dt.date) -> bool:
    return line.month <= day <= local_day(line.at - dt.timedelta(microseconds=1))


def _exits(territory, lines: list[JusticeMonth], last: dt.datetime) -> None:
    known: dict[int, list[tuple[dt.date, dt.datetime, bool]]] = defaultdict(list)
    for detention_id, on, recorded in (
        DetentionEvent.objects.filter(
            detention__territory=territory,
            kind=DetentionEventKind.RELEASED,
            recorded_at__lte=last,
        )
        .order_by()
        .values_list("detention_id", "data__on", "recorded_at")
    ):
        if on:
            known[detention_id].append((dt.date.fromisoformat(on), recorded, False))
    for detention_id, on, recorded in (
        DryExit.objects.filter(detention__territory=territory, recorded_at__lte=last)
        .order_by()
        .values_list("detention_id", "on", "recorded_at")
    ):
        known[detention_id].append((on, recorded, True))
    for line in lines:
        for facts in known.values():
            seen = [(on, dry) for on, recorded, dry in facts if recorded <= line.at]
            if not seen:
                continue
            first = min(on for on, _ in seen)
            if _in(line, first):
                line.releases += 1
                line.dry_exits += any(dry for _, dry in seen)


def _lsc_refusals(territory, lines: list[JusticeMonth], last: dt.datetime) -> None:
    rows = (
        AdjustmentEvent.objects.filter(
            adjustment__detention__territory=territory,
            adjustment__kind=AdjustmentKind.LSC,
            kind=AdjustmentEventKind.REFUSED,
            data__refusal_reason=AdjustmentRefusalReason.NO_HOUSING,
            recorded_at__lte=last,
        )
        .order_by()
        .values_list("occurred_at", "recorded_at")
    )
    for occurred, recorded in rows:
        for line in lines:
            if recorded <= line.at and occurred <= line.at and _in(line, local_day(occurred)):
                line.lsc_refused += 1


def _solutions(territory, lines: list[JusticeMonth], last: dt.datetime) -> None:
    events: dict[int, list] = defaultdict(list)
    requested: dict[int, dt.date] = {}
    for request_id, requested_on, occurred, recorded in (
        OrientationEvent.objects.filter(
            orientation__request__territory=territory,
            orientation__request__detention__isnull=False,
            kind__in=SOLUTION_KINDS,
            recorded_at__lte=last,
        )
        .order_by()
        .values_list(
            "orientation__request_id",
            "orientation__request__requested_on",
            "occurred_at",
            "recorded_at",
        )
    ):
        events[request_id].append((occurred, recorded))
        requested[request_id] = requested_on
    for line in lines:
        delays = []
        for request_id, facts in events.items():
            seen = [occurred for occurred, recorded in facts if recorded <= line.at]
            if not seen:
                continue
            first = local_day(min(seen))
            if _in(line, first):
                delays.append((first - requested[request_id]).days)
        line.solutions = len(delays)
        line.median_days = statistics.median(delays) if delays else None
