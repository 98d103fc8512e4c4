"""The SIAO's periodic report of its offer of places (JUS-09; seed 000, article 3: « l'état et
les caractéristiques de l'offre de places sur le territoire départemental »).

For a period (a year, or one of its halves) of a territory:

- the places at the end of the period, by kind of places (urgence, stabilisation, insertion,
  logement) and by who they are kept for (ordinary places, places reserved for people leaving
  detention, flying places kept for dry exits, placement à l'extérieur);
- month by month, at the end of each month: the places, those held by orientations and stays,
  those declared unavailable and the vacant ones (places − unavailable − held), with the
  average over the period;
- the same period a year before, side by side, with the difference.

Every figure is recomputed from histories that are only ever added to, as known at the instant
it describes (`occurred_at <= moment` and `recorded_at <= moment`, as the Annex II engine does):
a capacity's places and reservation from `CapacityChange`, a declared unavailability from
`CapacityEvent`, whether an orientation held its places from `OrientationEvent` (its last
state change by then). A report of a past period gives the same figures whenever it is
produced. Limits: a structure's kind and an orientation's number of places and reservation
window are read as they are now.

The same readings serve the justice indicators of the dashboard (use of reserved and flying
places, `relais.indicators.justice`).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Sum

from relais.accounts.models import Territory
from relais.justice.dates import add_months
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation, OrientationEvent
from relais.places.enums import PlaceReservation, PlaceType
from relais.places.models import CapacityChange, CapacityEvent

from .calendar import PARIS

RESERVATION_ORDER = [
    PlaceReservation.ORDINARY,
    PlaceReservation.DETENTION,
    PlaceReservation.FLYING,
    PlaceReservation.PLACEMENT,
]
SHORT_RESERVATION = {
    PlaceReservation.ORDINARY: "Ordinaires",
    PlaceReservation.DETENTION: "Réservées sortants de détention",
    PlaceReservation.FLYING: "Volantes (sorties sèches)",
    PlaceReservation.PLACEMENT: "Placement à l'extérieur",
}


def day_end(day: dt.date) -> dt.datetime:
    """The instant that ends `day` in Paris (the next midnight), in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS).astimezone(
        dt.UTC
    )


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(PARIS).date()


# -- what a capacity was at an instant ------------------------------------------------------


@dataclass(frozen=True)
class CapacityState:
    capacity_id: int
    structure_id: int
    place_type: str
    reservation: str
    places: int


def capacities_at(territory: Territory, moment: dt.datetime) -> dict[int, CapacityState]:
    """The capacities of the territory in effect at `moment`, as known then: for each, its
    last change by then (latest `occurred_at`, then latest row); removed ones left out."""
    known = CapacityChange.objects.filter(occurred_at__lte=moment, recorded_at__lte=moment)
    superseded = known.filter(capacity_id=OuterRef("capacity_id")).filter(
        Q(occurred_at__gt=OuterRef("occurred_at"))
        | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )
    rows = (
        known.filter(structure__territory=territory, places__gt=0)
        .filter(~Exists(superseded))
        .order_by()
        .values_list("capacity_id", "structure_id", "place_type", "reservation", "places")
    )
    return {row[0]: CapacityState(*row) for row in rows}


def unavailable_at(capacity_ids, moment: dt.datetime) -> dict[int, int]:
    """Places declared unavailable at `moment`, as known then (the declarations add up)."""
    rows = (
        CapacityEvent.objects.filter(
            capacity_id__in=list(capacity_ids), occurred_at__lte=moment, recorded_at__lte=moment
        )
        .order_by()
        .values("capacity_id")
        .annotate(n=Sum("delta"))
        .values_list("capacity_id", "n")
    )
    return {pk: max(0, n or 0) for pk, n in rows}


def held_at(capacity_ids, moments: list[dt.datetime]) -> list[dict[int, int]]:
    """For each instant, the places held on each capacity, as known then: orientations whose
    last state change by that instant leaves them attributed, admitted or in stay (a place
    reserved for a window is held from the window's first day, as `holding_places` says)."""
    capacity_ids = list(capacity_ids)
    if not moments or not capacity_ids:
        return [{} for _ in moments]
    last = max(moments)
    orientations = {
        pk: (capacity_id, places, starts)
        for pk, capacity_id, places, starts in Orientation.objects.filter(
            capacity_id__in=capacity_ids
        ).values_list("pk", "capacity_id", "places", "window_starts_on")
    }
    events: dict[int, list] = defaultdict(list)
    for orientation_id, occurred, recorded, state in (
        OrientationEvent.objects.filter(
            orientation_id__in=list(orientations), occurred_at__lte=last, recorded_at__lte=last
        )
        .exclude(to_state="")
        .order_by("occurred_at", "pk")
        .values_list("orientation_id", "occurred_at", "recorded_at", "to_state")
    ):
        events[orientation_id].append((occurred, recorded, state))
    holding = set(OrientationState.holding_a_place())
    result = []
    for moment in moments:
        day = local_day(moment - dt.timedelta(microseconds=1))
        held: dict[int, int] = defaultdict(int)
        for orientation_id, history in events.items():
            state = None
            for occurred, recorded, to_state in history:
                if occurred <= moment and recorded <= moment:
                    state = to_state
            if state not in holding:
                continue
            capacity_id, places, starts = orientations[orientation_id]
            if state != OrientationState.IN_STAY and starts is not None and starts > day:
                continue
            held[capacity_id] += places
        result.append(dict(held))
    return result


# -- the report ------------------------------------------------------------------------------


@dataclass
class Figures:
    places: int = 0
    held: int = 0
    unavailable: int = 0

    @property
    def vacant(self) -> int:
        return max(0, self.places - self.unavailable - self.held)

    def add(self, other: "Figures") -> None:
        self.places += other.places
        self.held += other.held
        self.unavailable += other.unavailable


@dataclass
class Snapshot:
    """The offer at one instant: figures per (kind of places, reservation)."""

    moment: dt.datetime
    cells: dict[tuple[str, str], Figures] = field(default_factory=dict)

    def figures(self, *, place_type: str | None = None, reservation: str | None = None):
        total = Figures()
        for (kind, kept_for), figures in self.cells.items():
            if place_type in (None, kind) and reservation in (None, kept_for):
                total.add(figures)
        return total


def snapshots(territory: Territory, moments: list[dt.datetime]) -> list[Snapshot]:
    states = [capacities_at(territory, moment) for moment in moments]
    every = set().union(*(set(s) for s in states)) if states else set()
    holds = held_at(every, moments)
    result = []
    for moment, capacities, held in zip(moments, states, holds, strict=True):
        unavailable = unavailable_at(capacities, moment)
        cells: dict[tuple[str, str], Figures] = defaultdict(Figures)
        for pk, state in capacities.items():
            cells[state.place_type, state.reservation].add(
                Figures(state.places, held.get(pk, 0), unavailable.get(pk, 0))
            )
        result.append(Snapshot(moment, dict(cells)))
    return result


class PeriodKind:
    YEAR = "annee"
    FIRST_HALF = "s1"
    SECOND_HALF = "s2"
    CHOICES = [
        (YEAR, "Année civile"),
        (FIRST_HALF, "Premier semestre"),
        (SECOND_HALF, "Second semestre"),
    ]
    VALUES = [value for value, _ in CHOICES]


@dataclass(frozen=True)
class Period:
    year: int
    kind: str = PeriodKind.YEAR

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 7 if self.kind == PeriodKind.SECOND_HALF else 1, 1)

    @property
    def months(self) -> list[dt.date]:
        count = 12 if self.kind == PeriodKind.YEAR else 6
        return [add_months(self.first_day, n) for n in range(count)]

    @property
    def last_day(self) -> dt.date:
        return add_months(self.months[-1], 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"année {self.year}"
        half = "premier" if self.kind == PeriodKind.FIRST_HALF else "second"
        return f"{half} semestre {self.year}"

    @property
    def previous_year(self) -> "Period":
        return Period(self.year - 1, self.kind)


@dataclass
class MonthLine:
    month: dt.date
    moment: dt.datetime
    snapshot: Snapshot

    @property
    def total(self) -> Figures:
        return self.snapshot.figures()

    def kept_for(self, reservation: str) -> Figures:
        return self.snapshot.figures(reservation=reservation)

    @property
    def detention(self) -> Figures:
        return self.kept_for(PlaceReservation.DETENTION)

    @property
    def flying(self) -> Figures:
        return self.kept_for(PlaceReservation.FLYING)

    @property
    def placement(self) -> Figures:
        return self.kept_for(PlaceReservation.PLACEMENT)


@dataclass
class OfferReport:
    territory: Territory
    period: Period
    at: dt.datetime  # the instant the "end of period" figures describe
    end: Snapshot
    months: list[MonthLine]

    def cell(self, place_type: str | None, reservation: str | None) -> Figures:
        return self.end.figures(place_type=place_type, reservation=reservation)

    @property
    def table(self) -> list[dict]:
        """Rows by kind of places (and a total), columns by reservation (and a total)."""
        rows = []
        for place_type, label in [*PlaceType.choices, (None, "Total")]:
            cells = [self.cell(place_type, r) for r in RESERVATION_ORDER]
            rows.append({"label": label, "cells": cells, "total": self.cell(place_type, None)})
        return rows

    @property
    def average_vacant(self) -> float | None:
        if not self.months:
            return None
        return round(sum(m.total.vacant for m in self.months) / len(self.months), 1)

    @property
    def average_held(self) -> float | None:
        if not self.months:
            return None
        return round(sum(m.total.held for m in self.months) / len(self.months), 1)


def build(territory: Territory, period: Period, *, now: dt.datetime) -> OfferReport:
    """The offer of `period`; the months not yet ended are cut at `now`, later ones left out."""
    moments, months = [], []
    for month in period.months:
        if month > local_day(now):
            break
        moments.append(min(day_end(add_months(month, 1) - dt.timedelta(days=1)), now))
        months.append(month)
    at = min(day_end(period.last_day), now)
    shots = snapshots(territory, [*moments, at])
    lines = [
        MonthLine(month, moment, shot)
        for month, moment, shot in zip(months, moments, shots, strict=False)
    ]
    return OfferReport(territory, period, at, shots[-1], lines)


@dataclass
class Comparison:
    label: str
    current: int | float | None
    previous: int | float | None

    @property
    def difference(self):
        if self.current is None or self.previous is None:
            return None
        return round(self.current - self.previous, 1)


def compare(current: OfferReport, previous: OfferReport) -> list[Comparison]:
    """This period and the same one a year before, line by line, with the difference."""
    lines = [
        Comparison(
            f"Places à la fin de la période – {SHORT_RESERVATION[r].lower()}",
            current.cell(None, r).places,
            previous.cell(None, r).places,
        )
        for r in RESERVATION_ORDER
    ]
    lines += [
        Comparison(
            f"Places à la fin de la période – {label.lower()}",
            current.cell(place_type, None).places,
            previous.cell(place_type, None).places,
        )
        for place_type, label in PlaceType.choices
    ]
    lines += [
        Comparison(
            "Places à la fin de la période – total",
            current.cell(None, None).places,
            previous.cell(None, None).places,
        ),
        Comparison(
            "Places occupées, moyenne des fins de mois", current.average_held, previous.average_held
        ),
        Comparison(
            "Places vacantes, moyenne des fins de mois",
            current.average_vacant,
            previous.average_vacant,
        ),
    ]
    return lines
