"""Data quality behind the indicators (SIAO-19): are key fields filled, are ends of stay
entered in time?

An end of stay entered after the cut-off that follows it leaves the person counted as hosted
in the occupancy transmitted for that cut-off (see engine.py): that is the lateness shown.
"""

import datetime as dt
from dataclasses import dataclass, field
from statistics import median

from django.db.models import Count, Q
from django.utils import timezone

from relais.accounts.models import Territory
from relais.places.enums import StructureType
from relais.places.models import Structure
from relais.requests.enums import Channel, EventKind
from relais.requests.models import Request, RequestEvent

from . import exports
from .calendar import cutoff_covering, schedule_of

WINDOW = dt.timedelta(days=365)
FIELDS = [
    ("birth_date", "Date de naissance complète", Q(person__birth_day__isnull=False)),
    ("sex", "Sexe", ~Q(person__sex="")),
    ("nationality", "Nationalité", ~Q(person__nationality_group="")),
]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class StructureQuality:
    structure: Structure
    requests: int = 0
    filled: dict[str, float | None] = field(default_factory=dict)
    ends: int = 0
    ends_late: int = 0
    median_delay_hours: float | None = None
    max_delay_days: float | None = None

    @property
    def type_label(self) -> str:
        return StructureType(self.structure.structure_type).label

    @property
    def late_share(self) -> float | None:
        return _percent(self.ends_late, self.ends)

    @property
    def filled_list(self) -> list[float | None]:
        return [self.filled[key] for key, _, _ in FIELDS]


@dataclass
class ChannelQuality:
    channel: str
    requests: int
    filled: list[float | None]
    evaluated: float | None

    @property
    def label(self) -> str:
        return Channel(self.channel).label


@dataclass
class Quality:
    territory: Territory
    since: dt.datetime
    channels: list[ChannelQuality]
    structures: list[StructureQuality]
    field_labels: list[str] = field(default_factory=lambda: [label for _, label, _ in FIELDS])

    @property
    def sheets(self) -> list[exports.Sheet]:
        return [
            exports.Sheet(
                title="Demandes",
                header=["Dispositif", "Demandes", *self.field_labels, "Évaluation validée (%)"],
                rows=[[c.label, c.requests, *c.filled, c.evaluated] for c in self.channels],
            ),
            exports.Sheet(
                title="Structures",
                header=[
                    "Structure",
                    "Type",
                    "Personnes orientées ou hébergées",
                    *self.field_labels,
                    "Fins de séjour",
                    "Saisies après l'arrêté suivant",
                    "Part en retard (%)",
                    "Délai médian de saisie (heures)",
                    "Délai maximal (jours)",
                ],
                rows=[
                    [
                        s.structure.name,
                        s.type_label,
                        s.requests,
                        *s.filled_list,
                        s.ends,
                        s.ends_late,
                        s.late_share,
                        s.median_delay_hours,
                        s.max_delay_days,
                    ]
                    for s in self.structures
                ],
            ),
        ]


def build(territory: Territory, *, now: dt.datetime | None = None) -> Quality:
    now = now or timezone.now()
    since = now - WINDOW
    recent = Request.objects.filter(territory=territory, created_at__gt=since)
    evaluated = RequestEvent.objects.filter(kind=EventKind.EVALUATED).values("request_id")
    by_channel = {
        row["channel"]: row
        for row in recent.values("channel").annotate(
            n=Count("pk"),
            evaluated=Count("pk", filter=Q(pk__in=evaluated)),
            **{key: Count("pk", filter=condition) for key, _, condition in FIELDS},
        )
    }
    channels = []
    for channel in Channel:
        row = by_channel.get(channel.value, {"n": 0, "evaluated": 0} | {k: 0 for k, _, _ in FIELDS})
        channels.append(
            ChannelQuality(
                channel=channel,
                requests=row["n"],
                filled=[_percent(row[key], row["n"]) for key, _, _ in FIELDS],
                evaluated=None
                if channel == Channel.EMERGENCY
                else _percent(row["evaluated"], row["n"]),
            )
        )

    structures = {
        s.pk: StructureQuality(structure=s)
        for s in Structure.objects.filter(territory=territory).order_by("name")
    }
    placed = (
        Request.objects.filter(territory=territory, host_structure__isnull=False)
        .values("host_structure")
        .annotate(n=Count("pk"), **{key: Count("pk", filter=c) for key, _, c in FIELDS})
    )
    for row in placed:
        quality = structures.get(row["host_structure"])
        if quality:
            quality.requests = row["n"]
            quality.filled = {key: _percent(row[key], row["n"]) for key, _, _ in FIELDS}
    for quality in structures.values():
        quality.filled = quality.filled or {key: None for key, _, _ in FIELDS}

    delays: dict[int, list[dt.timedelta]] = {}
    ends = RequestEvent.objects.filter(
        request__territory=territory, kind=EventKind.STAY_ENDED, occurred_at__gt=since
    ).values_list("data__structure", "request__channel", "occurred_at", "recorded_at")
    for structure_id, channel, occurred, recorded in ends:
        quality = structures.get(int(structure_id)) if structure_id else None
        if quality is None:
            continue
        quality.ends += 1
        if recorded > cutoff_covering(schedule_of(channel), occurred).at:
            quality.ends_late += 1
        delays.setdefault(quality.structure.pk, []).append(max(recorded - occurred, dt.timedelta()))
    for pk, found in delays.items():
        structures[pk].median_delay_hours = round(median(found).total_seconds() / 3600, 1)
        structures[pk].max_delay_days = round(max(found).total_seconds() / 86400, 1)
    return Quality(
        territory=territory, since=since, channels=channels, structures=list(structures.values())
    )
