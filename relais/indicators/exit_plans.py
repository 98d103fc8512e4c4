"""Releases with a complete exit plan (EXIT-04), per establishment and month, and what was
missing when the plan was not complete.

Each month is counted as it was known at its end, the rule of the justice indicators
(`relais.indicators.justice.month_instants`): only what was recorded by the month's counting
instant counts, so a past month recomputed any later gives the same figures. Per month and
prison establishment:

- **sorties**: detentions whose release is recorded (`DetentionEvent` of kind released, its
  day in the month, recorded by the counting instant); a detention counts once, on the first
  release day known then;
- **avec un plan complet**: those whose exit plan, at the end of the release day (Paris) and
  as known at the counting instant, existed, had every item then existing settled (done or
  not needed) and had the housing secured;
- **ce qui manquait**: for each release whose plan was not complete, every missing part: no
  plan at all, the housing, each item not settled (by its label).

The state of an item at the end of the release day is recomputed from its history
(`ExitItemEvent`), never read from its current state: the latest of its events that happened
by the end of that day and was recorded by the counting instant gives its state then, and an
item planned later (or recorded as planned after the counting instant) did not exist then. An
item done the day after the release therefore leaves that release's plan incomplete.

Housing secured: a place was secured for the person by the end of the release day — a place
reserved for the release, an admission accepted or a direct admission recorded for one of the
requests linked to the detention (the solution events the justice indicators count, as known
at the counting instant) — and no dry exit (`DryExit`) was recorded for the detention: the
daily job's own finding, on the release date, that no solution was secured then (a place
secured and lost before the release shows that way). The justice table of the same dashboard
counts a release « avec une solution » on the dry exit alone; this table also asks that a
solution was found, so that a person who never had a request is not counted as housed.

A fixed number of queries per computation, whatever the number of releases.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from relais.accounts.models import Organisation
from relais.exitplan.enums import SETTLED, ItemEventKind, ItemKind, PlanEventKind
from relais.exitplan.models import ExitItemEvent, ExitPlanEvent
from relais.justice.enums import DetentionEventKind
from relais.justice.models import DetentionEvent
from relais.orientations.models import OrientationEvent
from relais.releases.models import DryExit

from . import exports
from .justice import MONTHS_SHOWN, SOLUTION_KINDS, month_instants
from .offer import day_end, local_day
from .reports import MONTHS

# The parts of a plan that may be missing, besides the items (keyed by their ItemKind).
NO_PLAN = "no_plan"
HOUSING = "housing"
PART_LABELS = {
    NO_PLAN: "Aucun plan de sortie",
    HOUSING: "Hébergement non acquis",
    **{kind: label for kind, label in ItemKind.choices},
}
PARTS = [NO_PLAN, HOUSING, *ItemKind.values]
MOST_MISSING_SHOWN = 3


@dataclass
class ExitPlanLine:
    """One establishment in one month."""

    establishment: str
    releases: int = 0
    complete: int = 0
    missing: Counter = field(default_factory=Counter)

    @property
    def incomplete(self) -> int:
        return self.releases - self.complete

    @property
    def share(self) -> float | None:
        """The share of releases with a complete plan, in %."""
        return round(100 * self.complete / self.releases, 1) if self.releases else None

    def most_missing(self, n: int = MOST_MISSING_SHOWN) -> list[tuple[str, int]]:
        """The `n` parts missing most often: (French label, releases), most first, ties in
        the order of the plan."""
        return _top(self.missing, n)

    @property
    def most_missing_label(self) -> str:
        """ "Hébergement non acquis (2) · Compte bancaire (1)", or "" when nothing was."""
        return " · ".join(f"{label} ({count})" for label, count in self.most_missing())


@dataclass
class ExitPlanMonth:
    month: dt.date  # its first day
    at: dt.datetime  # the instant it is counted at
    lines: list[ExitPlanLine] = field(default_factory=list)  # by establishment name

    @property
    def releases(self) -> int:
        return sum(line.releases for line in self.lines)

    @property
    def complete(self) -> int:
        return sum(line.complete for line in self.lines)


def _top(missing: Counter, n: int) -> list[tuple[str, int]]:
    order = {part: i for i, part in enumerate(PARTS)}
    ranked = sorted(
        ((part, count) for part, count in missing.items() if count),
        key=lambda pc: (-pc[1], order.get(pc[0], len(order))),
    )
    return [(PART_LABELS[part], count) for part, count in ranked[:n]]


def top_missing(months: list[ExitPlanMonth], n: int = 5) -> list[tuple[str, int]]:
    """The parts missing most often over all the months shown."""
    total: Counter = Counter()
    for month in months:
        for line in month.lines:
            total.update(line.missing)
    return _top(total, n)


def exit_plan_months(
    territory, *, until: dt.date, months: int = MONTHS_SHOWN, now: dt.datetime | None = None
) -> list[ExitPlanMonth]:
    """The `months` months up to `until`'s month, oldest first, each counted as known at its
    end (see the module docstring)."""
    now = now or timezone.now()
    instants = month_instants(until, months, now)
    result = [ExitPlanMonth(month, at) for month, at in instants]
    last = max(at for _, at in instants)

    # 1. releases: detention -> [(day, recorded)], and its establishment
    releases = DetentionEvent.objects.filter(
        detention__territory=territory,
        kind=DetentionEventKind.RELEASED,
        recorded_at__lte=last,
    ).order_by()
    released: dict[int, list[tuple[dt.date, dt.datetime]]] = defaultdict(list)
    establishment_of: dict[int, int] = {}
    for detention_id, establishment_id, on, recorded in releases.values_list(
        "detention_id", "detention__establishment_id", "data__on", "recorded_at"
    ):
        if on:
            released[detention_id].append((dt.date.fromisoformat(on), recorded))
            establishment_of[detention_id] = establishment_id
    if not released:
        return result
    # The same released detentions, as a subquery (no list of ids sent to the database).
    detentions = releases.values("detention_id")

    # 2. dry exits: detention -> instants recorded
    dry: dict[int, list[dt.datetime]] = defaultdict(list)
    for detention_id, recorded in (
        DryExit.objects.filter(detention_id__in=detentions, recorded_at__lte=last)
        .order_by()
        .values_list("detention_id", "recorded_at")
    ):
        dry[detention_id].append(recorded)

    # 3. plans opened: detention -> [(occurred, recorded)]
    opened: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for detention_id, occurred, recorded in (
        ExitPlanEvent.objects.filter(
            plan__detention_id__in=detentions,
            kind=PlanEventKind.OPENED,
            recorded_at__lte=last,
        )
        .order_by()
        .values_list("plan__detention_id", "occurred_at", "recorded_at")
    ):
        opened[detention_id].append((occurred, recorded))

    # 4. item histories: detention -> item -> (kind, [(occurred, id, recorded, planned, to)])
    items: dict[int, dict[int, tuple[str, list]]] = defaultdict(dict)
    for detention_id, item_id, kind, event_id, event_kind, occurred, recorded, to_state in (
        ExitItemEvent.objects.filter(item__plan__detention_id__in=detentions, recorded_at__lte=last)
        .order_by()
        .values_list(
            "item__plan__detention_id",
            "item_id",
            "item__kind",
            "id",
            "kind",
            "occurred_at",
            "recorded_at",
            "to_state",
        )
    ):
        entry = items[detention_id].setdefault(item_id, (kind, []))
        entry[1].append(
            (occurred, event_id, recorded, event_kind == ItemEventKind.PLANNED, to_state)
        )
    for by_item in items.values():
        for _, history in by_item.values():
            history.sort()

    # 5. solutions: detention -> [(occurred, recorded)] of its requests' solution events
    solutions: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for detention_id, occurred, recorded in (
        OrientationEvent.objects.filter(
            orientation__request__detention_id__in=detentions,
            kind__in=SOLUTION_KINDS,
            recorded_at__lte=last,
        )
        .order_by()
        .values_list("orientation__request__detention_id", "occurred_at", "recorded_at")
    ):
        solutions[detention_id].append((occurred, recorded))

    # 6. establishment names
    names = dict(
        Organisation.objects.filter(pk__in=set(establishment_of.values())).values_list("pk", "name")
    )

    for line in result:
        at = line.at
        last_day = local_day(at - dt.timedelta(microseconds=1))
        by_establishment: dict[int, ExitPlanLine] = {}
        for detention_id, facts in released.items():
            seen = [on for on, recorded in facts if recorded <= at]
            if not seen:
                continue
            on = min(seen)
            if not (line.month <= on <= last_day):
                continue
            establishment_id = establishment_of[detention_id]
            counted = by_establishment.setdefault(
                establishment_id, ExitPlanLine(names.get(establishment_id, ""))
            )
            counted.releases += 1
            missing = _missing(
                end=day_end(on),
                at=at,
                opened=opened.get(detention_id, []),
                items=items.get(detention_id, {}),
                dry=dry.get(detention_id, []),
                solutions=solutions.get(detention_id, []),
            )
            if missing:
                counted.missing.update(missing)
            else:
                counted.complete += 1
        line.lines = sorted(by_establishment.values(), key=lambda counted: counted.establishment)
    return result


def _missing(*, end, at, opened, items, dry, solutions) -> list[str]:
    """The parts missing from one release's plan at `end` (its release day's end), as known
    at `at`; [] when the plan was complete."""
    missing = []
    found = any(occurred <= end and recorded <= at for occurred, recorded in solutions)
    if not found or any(recorded <= at for recorded in dry):
        missing.append(HOUSING)
    if not any(occurred <= end and recorded <= at for occurred, recorded in opened):
        return [NO_PLAN, *missing]
    for kind, history in items.values():
        known = [
            (planned, to_state)
            for occurred, _, recorded, planned, to_state in history
            if occurred <= end and recorded <= at
        ]
        if not any(planned for planned, _ in known):
            continue  # not planned yet: the item did not exist then
        if known[-1][1] not in SETTLED:
            missing.append(kind)
    return missing


# -- the XLSX sheet ---------------------------------------------------------------------------

SHEET_HEADER = [
    "Mois",
    "Établissement pénitentiaire",
    "Sorties de détention",
    "dont avec un plan de sortie complet",
    "Part avec un plan complet (%)",
    *(f"Manquait : {PART_LABELS[part]}" for part in PARTS),
    "Manques les plus fréquents",
]


def month_label(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1].capitalize()} {month.year}"


def exit_plans_sheet(months: list[ExitPlanMonth]) -> exports.Sheet:
    """One row per month and establishment with releases; a month without any, one row."""
    rows = []
    for month in months:
        label = month_label(month.month)
        if not month.lines:
            rows.append([label, "Aucune sortie", 0, 0, None, *(0 for _ in PARTS), ""])
        for line in month.lines:
            rows.append(
                [
                    label,
                    line.establishment,
                    line.releases,
                    line.complete,
                    line.share,
                    *(line.missing.get(part, 0) for part in PARTS),
                    line.most_missing_label,
                ]
            )
    return exports.Sheet(title="Plans de sortie", header=SHEET_HEADER, rows=rows)
