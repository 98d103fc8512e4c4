"""SIAO-01: what is still under way for a person — an open request, a current stay — as one
reader may be told of it before a second request is opened for them.

A request the reader may see is named (which one, which structure, since when); one they may
not see is only said to exist with the SIAO: its existence is what keeps the file single.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from relais.persons.models import Person
from relais.places.models import Structure

from .enums import RequestStatus
from .models import Request

# A request in these states is finished: a new one may be opened without a second thought.
FINISHED = (RequestStatus.ENDED, RequestStatus.CLOSED)


@dataclass(frozen=True)
class OngoingRequest:
    """One unfinished request the reader may see, with where it stands."""

    request: Request
    structure: Structure | None
    since: dt.date | dt.datetime
    in_stay: bool
    editable: bool  # the reader may add to it rather than open another

    @property
    def phrase(self) -> str:
        """One line for a busy operator: what, where, since when."""
        since = self.since
        if isinstance(since, dt.datetime):
            since = timezone.localtime(since)
        since = since.strftime("%d/%m/%Y")
        status = self.request.get_status_display().lower()
        if self.in_stay:
            return f"Séjour en cours à {self.structure} depuis le {since}"
        if self.structure:
            return f"Demande « {status} » vers {self.structure} depuis le {since}"
        return f"Demande « {status} » depuis le {since}"


@dataclass
class Ongoing:
    """The person's unfinished requests: those the reader sees, and how many others exist."""

    visible: list[OngoingRequest] = field(default_factory=list)
    hidden: int = 0

    def __bool__(self) -> bool:
        return bool(self.visible or self.hidden)

    @property
    def stay(self) -> OngoingRequest | None:
        return next((o for o in self.visible if o.in_stay), None)


def ongoing_for(person: Person, *, user) -> Ongoing:
    """The person's requests not yet finished, current stay first, within `user`'s scope."""
    seen = set(Request.objects.visible_to(user).filter(person=person).values_list("pk", flat=True))
    ongoing = Ongoing()
    requests = (
        Request.objects.filter(person=person)
        .exclude(status__in=FINISHED)
        .select_related("host_structure", "referrer_organisation")
        .order_by("-created_at", "-id")
    )
    for req in requests:
        if req.pk not in seen:
            ongoing.hidden += 1
            continue
        orientation = (
            req.orientations.active().select_related("structure").order_by("-created_at").first()
        )
        in_stay = bool(orientation and orientation.stay_started_at and not orientation.ended_at)
        since = (
            (orientation.stay_started_at if in_stay else orientation.created_at)
            if orientation
            else req.requested_on
        )
        ongoing.visible.append(
            OngoingRequest(
                request=req,
                structure=orientation.structure if orientation else None,
                since=since,
                in_stay=in_stay,
                editable=req.editable_by(user),
            )
        )
    ongoing.visible.sort(key=lambda o: not o.in_stay)
    return ongoing
