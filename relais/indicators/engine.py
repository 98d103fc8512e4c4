"""The Annex II indicator table at one cut-off, recomputed from the event history (SIAO-17, 18).

What is counted, for the period (previous cut-off, this cut-off] of a territory:

- **demandes formulées**: requests created in the period (their `created` event), by channel.
  A request names no structure when it is made, so this line has no structure or type
  breakdown. Direct admissions are requests too, but they have their own line and are not
  counted here;
- **orientations réalisées**: attributions in the period (`oriented` events), by the
  structure they name. A pre-positioning counts when its place is confirmed (that writes
  the `oriented` event), not before;
- **admissions directes**: `direct_admission` events in the period, by structure;
- **taux d'occupation** at the cut-off instant: people whose request is admitted at that
  instant (accepted by the structure or in stay), by the structure of their admission and the
  kind of places of their orientation, over the places of that kind in the structure.

Each count is given per person (one per request and event) and per group of persons (the
distinct households among them: a household oriented twice in a period counts once).

Reproducibility and late entries. Every event carries `occurred_at` (when it happened) and
`recorded_at` (when Relais learnt it), and events are only ever added. The figures of a
cut-off only use events recorded by the cut-off instant itself (`recorded_at <= at`), so they
are exactly what the SIAO could transmit at that instant, and recomputing them any later
gives the same numbers whatever has been entered or corrected since. An entry made after the
cut-off for an earlier period (an end of stay entered late, a direct admission recorded the
next morning) is not lost: it is reported in the period during which it was recorded, on a
separate line « dont saisies tardives » (`late`), never mixed into that period's own figures.
Summed over a year, figures plus late entries count every event exactly once.

The activity reports read the other way (`compute_totals(..., known_at=now)`): each fact in
the period it happened, as known when the report is produced. A direct admission, always
entered after the fact, then counts on its own day instead of being a late entry, and a
report produced later may show more than the sum of the transmissions.

Capacity has a history too (`CapacityChange`, written on every change of a capacity): the
places of a cut-off are those in effect at its instant as known at it (`occurred_at <= at`
and `recorded_at <= known_at`), so a capacity raised afterwards, or a change entered late,
leaves a transmitted occupancy rate as it was. Winter-only places count in the capacity
while the history says they are open; declared unavailabilities do not change it.

Limits: a structure's type, a request's household and the kind of places a stay occupies
(its orientation's capacity) are read as they are now, not as they were.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Exists, OuterRef, Q, Sum

from relais.accounts.models import Territory
from relais.places.enums import PlaceType, StructureType
from relais.places.models import CapacityChange, Structure
from relais.requests.enums import Channel, EventKind, RequestStatus
from relais.requests.models import RequestEvent

from .calendar import Cutoff

# Where the table comes from (seed 004): Annex II of this circular lists the indicators, and
# article 4 of its model agreement (Annex I) has the operator send them weekly to the State.
CIRCULAR = "circulaire DGCS/USH n° 2010-252 du 7 juillet 2010"
SOURCE = f"annexe II de la {CIRCULAR}"


class Indicator(models.TextChoices):
    REQUESTS = "requests", "Demandes formulées"
    ORIENTATIONS = "orientations", "Orientations réalisées"
    DIRECT_ADMISSIONS = "direct_admissions", "Admissions directes"
    HOSTED = "hosted", "Personnes hébergées"


class Level(models.TextChoices):
    CHANNEL = "channel", "Dispositif"
    TYPE = "type", "Type de structure"
    STRUCTURE = "structure", "Structure"


COUNTED = (Indicator.DIRECT_ADMISSIONS, Indicator.REQUESTS, Indicator.ORIENTATIONS)
_KIND_INDICATOR = {
    EventKind.CREATED: Indicator.REQUESTS,
    EventKind.ORIENTED: Indicator.ORIENTATIONS,
    EventKind.DIRECT_ADMISSION: Indicator.DIRECT_ADMISSIONS,
}
PLACE_CHANNEL = {
    PlaceType.EMERGENCY: Channel.EMERGENCY,
    PlaceType.STABILISATION: Channel.INSERTION,
    PlaceType.INSERTION: Channel.INSERTION,
    PlaceType.HOUSING: Channel.HOUSING,
}
CHANNEL_ORDER = list(Channel.values)


@dataclass(frozen=True)
class Fact:
    """One counted thing: a request behind a number of the table."""

    indicator: str
    request_id: int
    household_id: int
    channel: str
    structure_id: int | None
    late: bool = False


@dataclass(frozen=True)
class Count:
    persons: int = 0
    groups: int = 0


@dataclass
class Row:
    level: str
    key: str
    channel: str
    label: str
    counts: dict[str, Count] = field(default_factory=dict)
    late: dict[str, Count] = field(default_factory=dict)
    hosted: int = 0
    capacity: int = 0

    @property
    def occupancy(self) -> Decimal | None:
        """Places used over capacity, in per cent to one decimal; None without capacity."""
        if not self.capacity:
            return None
        rate = Decimal(100 * self.hosted) / Decimal(self.capacity)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def count(self, indicator: str) -> Count | None:
        """None where the indicator has no meaning (requests per structure or type)."""
        if indicator == Indicator.REQUESTS and self.level != Level.CHANNEL:
            return None
        return self.counts.get(indicator, Count())

    def late_count(self, indicator: str) -> Count | None:
        if indicator == Indicator.REQUESTS and self.level != Level.CHANNEL:
            return None
        return self.late.get(indicator, Count())

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def cells(self) -> list[dict]:
        """The counted indicators in table order, for templates and exports."""
        return [
            {
                "indicator": indicator,
                "count": self.count(indicator),
                "late": self.late_count(indicator),
            }
            for indicator in COUNTED
        ]


@dataclass
class Table:
    territory: Territory
    cutoff: Cutoff
    known_at: dt.datetime
    rows: list[Row]
    facts: list[Fact]
    structure_types: dict[int, str] = field(default_factory=dict)
    first: Cutoff | None = None  # for added-up tables: the first cut-off added

    @property
    def period_start(self) -> dt.datetime:
        return (self.first or self.cutoff).start

    def rows_at(self, level: str) -> list[Row]:
        return [row for row in self.rows if row.level == level]

    def row(self, level: str, key: str, channel: str) -> Row | None:
        for row in self.rows:
            if (row.level, row.key, row.channel) == (level, str(key), channel):
                return row
        return None

    @property
    def channel_rows(self) -> list[Row]:
        return self.rows_at(Level.CHANNEL)

    @property
    def type_rows(self) -> list[Row]:
        return self.rows_at(Level.TYPE)

    @property
    def structure_rows(self) -> list[Row]:
        return self.rows_at(Level.STRUCTURE)

    @property
    def has_late_entries(self) -> bool:
        return any(fact.late for fact in self.facts)

    def request_ids(
        self, *, indicator: str, level: str, key: str, channel: str, late: bool = False
    ) -> set[int]:
        """The requests behind one cell (drill-down)."""
        return {
            fact.request_id
            for fact in self.facts
            if fact.indicator == indicator
            and fact.channel == channel
            and fact.late == late
            and self._fact_key(fact, level) == str(key)
        }

    def _fact_key(self, fact: Fact, level: str) -> str | None:
        if level == Level.CHANNEL:
            return fact.channel
        if fact.structure_id is None:
            return None
        if level == Level.STRUCTURE:
            return str(fact.structure_id)
        return self.structure_types.get(fact.structure_id)


def compute(territory: Territory, cutoff: Cutoff, *, known_at: dt.datetime | None = None) -> Table:
    """The Annex II table of `territory` at `cutoff`, as known at `known_at` (default: the
    cut-off instant itself, which makes it reproducible: see the module docstring)."""
    known_at = known_at or cutoff.at
    facts = _period_facts(territory, [cutoff], known_at) + _hosted_facts(
        territory, cutoff, known_at
    )
    structures = _structures(territory)
    capacities = _capacities(territory, cutoff.at, known_at)
    rows = _rows(cutoff, facts, structures, capacities)
    return Table(
        territory=territory,
        cutoff=cutoff,
        known_at=known_at,
        rows=rows,
        facts=facts,
        structure_types={pk: s.structure_type for pk, s in structures.items()},
    )


def compute_totals(
    territory: Territory, cutoffs: list[Cutoff], *, known_at: dt.datetime | None = None
) -> Table:
    """The counts of consecutive cut-offs of one schedule, added up (activity reports).

    By default each period counts as it was transmitted (as known at its own cut-off), with
    its late entries on their own line. With `known_at`, each fact counts in the period it
    occurred in, as known at `known_at` (everything recorded by then): nothing is late, a
    direct admission entered the next morning counts on the day it happened. Occupancy is
    left out (see the reports for its series)."""
    if known_at is None:
        facts = _period_facts(territory, cutoffs)
    else:
        facts = _occurred_facts(territory, cutoffs, known_at)
    structures = _structures(territory)
    last = cutoffs[-1].at
    rows = _rows(cutoffs[-1], facts, structures, _capacities(territory, last, last))
    for row in rows:
        row.hosted = row.capacity = 0
    return Table(
        territory=territory,
        cutoff=cutoffs[-1],
        known_at=known_at or last,
        rows=rows,
        facts=facts,
        structure_types={pk: s.structure_type for pk, s in structures.items()},
        first=cutoffs[0],
    )


def _structures(territory: Territory) -> dict[int, Structure]:
    return {
        s.pk: s
        for s in Structure.objects.filter(territory=territory).only("name", "structure_type")
    }


def _counted_events(territory: Territory, cutoffs: list[Cutoff]):
    """The counted events of the cut-offs' channels (one tuple per event, see _fact)."""
    return (
        RequestEvent.objects.filter(
            request__territory=territory,
            request__channel__in=cutoffs[0].channels,
            kind__in=list(_KIND_INDICATOR),
        )
        .exclude(kind=EventKind.CREATED, request__is_direct_admission=True)
        .order_by()
    )


_EVENT_FIELDS = (
    "kind",
    "request_id",
    "request__household_id",
    "request__channel",
    "data__structure",
)


def _fact(kind, request_id, household_id, channel, structure_id, *, late: bool = False) -> Fact:
    return Fact(
        indicator=_KIND_INDICATOR[kind],
        request_id=request_id,
        household_id=household_id,
        channel=channel,
        structure_id=None if kind == EventKind.CREATED else _int(structure_id),
        late=late,
    )


def _period_facts(
    territory: Territory, cutoffs: list[Cutoff], known_at: dt.datetime | None = None
) -> list[Fact]:
    """Counted events of consecutive periods. An event counts in the period it occurred in if
    it was recorded by that period's cut-off (or by `known_at`, when given); otherwise, as a
    late entry, in the period it was recorded in."""
    first, last = cutoffs[0].start, cutoffs[-1].at
    ends = [cutoff.at for cutoff in cutoffs]
    events = (
        _counted_events(territory, cutoffs)
        .filter(
            Q(occurred_at__gt=first, occurred_at__lte=last)
            | Q(recorded_at__gt=first, recorded_at__lte=last)
        )
        .values_list(*_EVENT_FIELDS, "occurred_at", "recorded_at")
    )
    facts = []
    for *event, occurred, recorded in events:
        period = bisect_left(ends, occurred) if first < occurred <= last else None
        if period is not None and recorded <= (known_at or ends[period]):
            late = False
        else:
            period = bisect_left(ends, recorded) if first < recorded <= last else None
            if period is None or occurred > cutoffs[period].start:
                continue  # recorded before it occurred, or after the last cut-off
            if known_at is not None and recorded > known_at:
                continue
            late = True
        facts.append(_fact(*event, late=late))
    return facts


def _occurred_facts(
    territory: Territory, cutoffs: list[Cutoff], known_at: dt.datetime
) -> list[Fact]:
    """Counted events that occurred during the cut-offs' periods, recorded by `known_at`."""
    events = (
        _counted_events(territory, cutoffs)
        .filter(
            occurred_at__gt=cutoffs[0].start,
            occurred_at__lte=cutoffs[-1].at,
            recorded_at__lte=known_at,
        )
        .values_list(*_EVENT_FIELDS)
    )
    return [_fact(*event) for event in events]


def _hosted_facts(territory: Territory, cutoff: Cutoff, known_at: dt.datetime) -> list[Fact]:
    """People admitted at the cut-off instant: their last status event up to it (as recorded by
    `known_at`) admitted them. Same rule, same tie-break as Request.status_at()."""
    moment = cutoff.at
    known = Q(occurred_at__lte=moment, recorded_at__lte=known_at)
    later_status = (
        RequestEvent.objects.filter(known, request_id=OuterRef("request_id"))
        .exclude(to_state="")
        .filter(
            Q(occurred_at__gt=OuterRef("occurred_at"))
            | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
        )
    )
    admissions = (
        RequestEvent.objects.filter(
            known, request__territory=territory, to_state=RequestStatus.ADMITTED
        )
        .filter(~Exists(later_status))
        .order_by()
        .values_list(
            "request_id",
            "request__household_id",
            "request__channel",
            "data__structure",
            "data__orientation",
        )
    )
    rows = list(admissions)
    place_channels = _place_channels(rows)
    facts = []
    for request_id, household_id, channel, structure_id, orientation_id in rows:
        place_channel = place_channels.get(("o", _int(orientation_id))) or place_channels.get(
            ("r", request_id), channel
        )
        if place_channel not in cutoff.channels:
            continue
        facts.append(
            Fact(
                indicator=Indicator.HOSTED,
                request_id=request_id,
                household_id=household_id,
                channel=place_channel,
                structure_id=_int(structure_id),
            )
        )
    return facts


def _place_channels(rows) -> dict[tuple[str, int], str]:
    """The channel of the places each stay occupies, from its orientation's capacity.

    Admission events name their orientation; a direct admission's event predates its
    orientation, which is then found by its request."""
    from relais.orientations.models import Orientation

    orientation_ids = {_int(row[4]) for row in rows if row[4] is not None}
    direct_requests = {row[0] for row in rows if row[4] is None}
    found = {}
    for pk, place_type in Orientation.objects.filter(pk__in=orientation_ids).values_list(
        "pk", "capacity__place_type"
    ):
        found["o", pk] = PLACE_CHANNEL[place_type]
    for request_id, place_type in (
        Orientation.objects.filter(request_id__in=direct_requests, is_direct_admission=True)
        .order_by("pk")
        .values_list("request_id", "capacity__place_type")
    ):
        found["r", request_id] = PLACE_CHANNEL[place_type]
    return found


def _capacities(
    territory: Territory, moment: dt.datetime, known_at: dt.datetime
) -> dict[tuple[int, str], int]:
    """Places per structure and channel in effect at `moment`, as known at `known_at`: for
    each capacity, its last change in effect by then (latest `occurred_at`, then latest row,
    the same rule as a request's status), summed in the database."""
    known = CapacityChange.objects.filter(occurred_at__lte=moment, recorded_at__lte=known_at)
    superseded = known.filter(capacity_id=OuterRef("capacity_id")).filter(
        Q(occurred_at__gt=OuterRef("occurred_at"))
        | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )
    capacities: dict[tuple[int, str], int] = defaultdict(int)
    for structure_id, place_type, places in (
        known.filter(structure__territory=territory, places__gt=0)
        .filter(~Exists(superseded))
        .order_by()
        .values("structure_id", "place_type")
        .annotate(total=Sum("places"))
        .values_list("structure_id", "place_type", "total")
    ):
        capacities[structure_id, PLACE_CHANNEL[place_type]] += places
    return capacities


def _rows(
    cutoff: Cutoff,
    facts: list[Fact],
    structures: dict[int, Structure],
    capacities: dict[tuple[int, str], int],
) -> list[Row]:
    rows: dict[tuple[str, str, str], Row] = {}

    def row(level: str, key: str, channel: str) -> Row:
        if (level, key, channel) not in rows:
            rows[level, key, channel] = Row(level, key, channel, _label(level, key, structures))
        return rows[level, key, channel]

    def keys(structure_id: int | None, channel: str) -> list[tuple[str, str, str]]:
        found = [(Level.CHANNEL, channel, channel)]
        if structure_id in structures:
            structure_type = structures[structure_id].structure_type
            found.append((Level.TYPE, structure_type, channel))
            found.append((Level.STRUCTURE, str(structure_id), channel))
        return found

    for channel in cutoff.channels:
        row(Level.CHANNEL, channel, channel)
    for (structure_id, channel), places in capacities.items():
        if channel in cutoff.channels and structure_id in structures:
            for key in keys(structure_id, channel):
                row(*key).capacity += places

    persons: dict[tuple, int] = defaultdict(int)
    groups: dict[tuple, set[int]] = defaultdict(set)
    for fact in facts:
        for key in keys(fact.structure_id, fact.channel):
            if fact.indicator == Indicator.HOSTED:
                row(*key).hosted += 1
                continue
            row(*key)
            cell = (*key, fact.indicator, fact.late)
            persons[cell] += 1
            groups[cell].add(fact.household_id)
    for cell, n in persons.items():
        level, key, channel, indicator, late = cell
        target = rows[level, key, channel].late if late else rows[level, key, channel].counts
        target[indicator] = Count(persons=n, groups=len(groups[cell]))

    level_order = {level: n for n, level in enumerate(Level.values)}
    return sorted(
        rows.values(),
        key=lambda r: (level_order[r.level], CHANNEL_ORDER.index(r.channel), r.label),
    )


def _label(level: str, key: str, structures: dict[int, Structure]) -> str:
    if level == Level.CHANNEL:
        return Channel(key).label
    if level == Level.TYPE:
        return StructureType(key).label if key in StructureType.values else key
    return structures[int(key)].name


def _int(value) -> int | None:
    return None if value in (None, "") else int(value)
