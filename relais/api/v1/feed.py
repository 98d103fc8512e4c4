"""The change feed: `GET /api/v1/events?after=<cursor>` — what changed in the caller's scope,
in the order Relais recorded it, so that a partner stays in sync without re-reading all.

Four sources, each an append-only table of events: the steps of requests and of
orientations, the availability a manager declared, and the changes of capacities. Each
source is read through the `visible_to` of the record it is about, and only when the token
reads that resource. The cursor is opaque: (recorded_at, source, id) of the last event sent.

An event is served once it is SETTLE old: a transaction still open when the partner reads
could otherwise commit an event recorded *before* the cursor it already moved past.
"""

import base64
import binascii
import datetime as dt
import heapq
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from relais.core.inputs import MAX_ID
from relais.orientations.models import Orientation, OrientationEvent
from relais.places.models import CapacityChange, CapacityEvent, PlaceCapacity
from relais.requests.models import Request, RequestEvent

from ..enums import Resource

SETTLE = dt.timedelta(seconds=5)
BAD_CURSOR = "Curseur invalide : reprenez celui que la dernière réponse a donné."


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Source:
    name: str
    resource: str
    model: type
    object_field: str  # the event's foreign key to the record it is about
    record_model: type
    kind_field: str | None = "kind"


SOURCES = [
    Source("request", Resource.REQUESTS, RequestEvent, "request", Request),
    Source("orientation", Resource.ORIENTATIONS, OrientationEvent, "orientation", Orientation),
    Source("availability", Resource.STRUCTURES, CapacityEvent, "capacity", PlaceCapacity),
    Source("capacity", Resource.STRUCTURES, CapacityChange, "capacity", PlaceCapacity, None),
]
ORDER = {source.name: index for index, source in enumerate(SOURCES)}


@dataclass(frozen=True, order=True)
class Position:
    recorded_at: dt.datetime
    source: int
    id: int

    def encode(self) -> str:
        text = f"{self.recorded_at.isoformat()}|{self.source}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            when, source, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
            position = cls(dt.datetime.fromisoformat(when), int(source), int(pk))
        except (ValueError, binascii.Error, UnicodeError) as error:
            raise BadCursor(BAD_CURSOR) from error
        if (
            position.recorded_at.tzinfo is None
            or not 0 <= position.source < len(SOURCES)
            or not 0 <= position.id <= MAX_ID
        ):
            raise BadCursor(BAD_CURSOR)
        return position


def _after(position: Position | None, source_index: int) -> Q:
    if position is None:
        return Q()
    if source_index < position.source:
        return Q(recorded_at__gt=position.recorded_at)
    if source_index == position.source:
        return Q(recorded_at__gt=position.recorded_at) | Q(
            recorded_at=position.recorded_at, pk__gt=position.id
        )
    return Q(recorded_at__gte=position.recorded_at)


def read(*, user, token, after: str = "", limit: int = 100, now=None) -> dict:
    """Up to `limit` events after cursor `after`, oldest first, in the scope of `user`."""
    position = Position.decode(after) if after else None
    until = (now or timezone.now()) - SETTLE
    streams = []
    for index, source in enumerate(SOURCES):
        if not token.allows(source.resource, write=False):
            continue
        visible = source.record_model.objects.visible_to(user)
        rows = (
            source.model.objects.filter(**{f"{source.object_field}__in": visible.values("pk")})
            .filter(_after(position, index), recorded_at__lte=until)
            .order_by("recorded_at", "pk")[: limit + 1]
        )
        streams.append([(Position(row.recorded_at, index, row.pk), source, row) for row in rows])
    merged = list(heapq.merge(*streams, key=lambda item: item[0]))
    page = merged[:limit]
    return {
        "events": [_event(position, source, row) for position, source, row in page],
        "cursor": page[-1][0].encode() if page else after,
        "has_more": len(merged) > limit,
    }


def _event(position: Position, source: Source, row) -> dict:
    event = {
        "cursor": position.encode(),
        "source": source.name,
        "id": row.pk,
        "object_id": getattr(row, f"{source.object_field}_id"),
        "occurred_at": row.occurred_at,
        "recorded_at": row.recorded_at,
    }
    if source.kind_field:
        event["kind"] = row.kind
        event["label"] = row.get_kind_display()
    if source.name in ("request", "orientation"):
        event["from_state"], event["to_state"] = row.from_state, row.to_state
    elif source.name == "availability":
        event["label"] = row.get_kind_display()
        event["places"] = row.count
    else:
        event["kind"], event["label"] = "capacity_changed", "Capacité modifiée"
        event["places"], event["places_before"] = row.places, row.places_before
    return event
