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


def housing_of(detention_ids, *, persons: bool = True) -> dict[int, Housing]:
    """{detention id: Housing} for the given detentions (two queries).

    `persons=False` leaves each request's person unloaded: a loaded person is a read
    (SEC-01), and a list that sorts thousands of detentions shows only a page of them."""
    ids = list(detention_ids)
    requests = {}
    live = Request.objects.filter(detention_id__in=ids, status__in=_LIVE)
    for request in (live.select_related("person") if persons else live).order_by(
        "created_at", "id"
    ):
        requests[request.detention_id] = request  # the latest live request wins
    orientations: dict[int, Orientation] = {}
    refused: set[int] = set()
    for orientation in (
        Orientation.objects.filter(request_id__in=[r.pk for r in requests.values()])
        .select_related("structure")
        .order_by("created_at", "id")
    ):
        if orientation.state in OrientationState.active():
            orientations[orientation.request_id] = orientation
        elif orientation.state == OrientationState.REFUSED:
            refused.add(orientation.request_id)
    result = {}
    for detention_id in ids:
        request = requests.get(detention_id)
        if request is None:
            result[detention_id] = Housing(Solution.NO_REQUEST)
            continue
        orientation = orientations.get(request.pk)
        result[detention_id] = _housing(request, orientation, request.pk in refused)
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
