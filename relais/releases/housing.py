"""Where the housing solution of each person in detention stands (JUS-06, JUS-07).

One reading for the pipeline, the escalations, the letter and the LSC "hébergement acquis":
a detention's solution is read from the requests linked to it (`Request.detention`) and their
orientations, in a fixed number of queries whatever the number of detentions.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.requests.enums import RequestStatus
from relais.requests.models import Request


class Solution(models.TextChoices):
    """The state of the housing solution, from none to secured."""

    NO_REQUEST = "no_request", "Aucune demande"
    TO_EVALUATE = "to_evaluate", "Demande à évaluer"
    EVALUATED = "evaluated", "Demande évaluée"
    REFUSED = "refused", "Refusée, de nouveau en attente"
    ORIENTED = "oriented", "Orientée"
    RESERVED = "reserved", "Place réservée sur une période"
    ADMITTED = "admitted", "Admission acceptée"


SECURED = {Solution.RESERVED, Solution.ADMITTED}


@dataclass
class Housing:
    solution: str
    request: Request | None = None
    orientation: Orientation | None = None
    # The first day the place is there for the person (the window's start, or the admission).
    secured_from: dt.date | None = None

    @property
    def label(self) -> str:
        return Solution(self.solution).label

    @property
    def secured(self) -> bool:
        return self.solution in SECURED

    def secured_by(self, day: dt.date | None) -> bool:
        """Housing acquired for a release on `day`: a place admitted or reserved for a date on
        or before it (JUS-07)."""
        return self.secured and (
            day is None or self.secured_from is None or self.secured_from <= day
        )


_LIVE = [
    RequestStatus.NEW,
    RequestStatus.EVALUATED,
    RequestStatus.WAITING,
    RequestStatus.ORIENTED,
    RequestStatus.ADMITTED,
]


@dataclass(frozen=True)
class _Columns:
    """The columns of a request or an orientation the reading needs (light mode)."""

    pk: int
    status: str = ""
    state: str = ""
    window_starts_on: dt.date | None = None


def housing_of(detention_ids, *, light: bool = False) -> dict[int, Housing]:
    """{detention id: Housing} for the given detentions (two queries; three when
    `detention_ids` is a QuerySet of ids, then read as a subquery: thousands of ids are cheaper
    to select than to send).

    `light`: for sorting thousands of detentions of which a page is shown — only the
    solution and the day it is secured from, read from a few columns (no request, no
    orientation, no person loaded: a loaded person is a read, SEC-01)."""
    ids = list(detention_ids)
    among = detention_ids if isinstance(detention_ids, models.QuerySet) else ids
    live = Request.objects.filter(detention_id__in=among, status__in=_LIVE).order_by(
        "created_at", "id"
    )
    requests: dict = {}
    if light:
        for pk, detention_id, status in live.values_list("id", "detention_id", "status"):
            requests[detention_id] = _Columns(pk, status=status)  # the latest live one wins
    else:
        for request in live.select_related("person"):
            requests[request.detention_id] = request  # the latest live request wins
    placed = Orientation.objects.filter(
        request_id__in=live.values("id") if among is not ids else [r.pk for r in requests.values()]
    ).order_by("created_at", "id")
    if light:
        placed = (
            (request_id, _Columns(pk, state=state, window_starts_on=starts))
            for pk, request_id, state, starts in placed.values_list(
                "id", "request_id", "state", "window_starts_on"
            )
        )
    else:
        placed = ((o.request_id, o) for o in placed.select_related("structure"))
    orientations: dict = {}
    refused: set[int] = set()
    for request_id, orientation in placed:
        if orientation.state in OrientationState.active():
            orientations[request_id] = orientation
        elif orientation.state == OrientationState.REFUSED:
            refused.add(request_id)
    result = {}
    for detention_id in ids:
        request = requests.get(detention_id)
        if request is None:
            result[detention_id] = Housing(Solution.NO_REQUEST)
            continue
        orientation = orientations.get(request.pk)
        housing = _housing(request, orientation, request.pk in refused)
        if light:
            housing = Housing(housing.solution, secured_from=housing.secured_from)
        result[detention_id] = housing
    return result


def _housing(request, orientation, was_refused: bool) -> Housing:
    if orientation is not None:
        state = orientation.state
        if orientation.window_starts_on and state in (
            OrientationState.PROPOSED,
            OrientationState.ADMITTED,
        ):
            return Housing(
                Solution.RESERVED, request, orientation, secured_from=orientation.window_starts_on
            )
        if state in (OrientationState.ADMITTED, OrientationState.IN_STAY):
            return Housing(Solution.ADMITTED, request, orientation)
        return Housing(Solution.ORIENTED, request, orientation)
    if was_refused:
        return Housing(Solution.REFUSED, request)
    if request.status == RequestStatus.NEW:
        return Housing(Solution.TO_EVALUATE, request)
    return Housing(Solution.EVALUATED, request)


def housing_for(detention) -> Housing:
    return housing_of([detention.pk])[detention.pk]
