"""Who is on a commission justice's agenda (JUS-10): the cases of one territory on one day.

- every person **in detention** in the territory with an **open request** of the territory (a
  request not yet ended or closed: `relais.requests.ongoing.FINISHED`), far from release or
  near it, with their earliest possible release;
- every person **released** in the territory within the follow-up window of the release
  pipeline (`FOLLOW_UP_MONTHS_BACK` months: the checks at 1, 3 and 6 months, JUS-05), with or
  without a request.

One case per person: in detention first (a new detention outweighs the follow-up of an older
one). A fixed number of queries, whatever the number of cases.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F

from relais.accounts.models import Territory
from relais.justice.dates import add_months
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.releases.escalations import FOLLOW_UP_MONTHS_BACK
from relais.requests.models import Request
from relais.requests.ongoing import FINISHED

from .enums import AgendaReason


@dataclass(frozen=True)
class Case:
    person_id: int
    reason: str
    detention_id: int
    request_id: int | None
    release_on: dt.date | None


def follow_up_since(on: dt.date) -> dt.date:
    """The first release day still followed on `on`."""
    return add_months(on, -FOLLOW_UP_MONTHS_BACK)


def cases_on(territory: Territory, on: dt.date) -> list[Case]:
    """The territory's cases on day `on`: in detention by release date, then the releases
    followed, by release date."""
    open_requests: dict[int, list[tuple[int, int | None]]] = {}
    for pk, person_id, detention_id in (
        Request.objects.filter(territory=territory)
        .exclude(status__in=FINISHED)
        .order_by("-requested_on", "-id")
        .values_list("pk", "person_id", "detention_id")
    ):
        open_requests.setdefault(person_id, []).append((pk, detention_id))

    def request_for(person_id: int, detention_id: int) -> int | None:
        """The open request preparing this detention's release, else the person's latest."""
        requests = open_requests.get(person_id, [])
        linked = [pk for pk, linked_to in requests if linked_to == detention_id]
        return (linked or [pk for pk, _ in requests] or [None])[0]

    cases: dict[int, Case] = {}
    detained = (
        Detention.objects.filter(territory=territory, state=DetentionState.IN_DETENTION)
        .order_by(F("due_on").asc(nulls_last=True), "id")
        .values_list("pk", "person_id", "due_on")
    )
    for pk, person_id, due_on in detained:
        if person_id in cases or person_id not in open_requests:
            continue
        cases[person_id] = Case(
            person_id, AgendaReason.IN_DETENTION, pk, request_for(person_id, pk), due_on
        )
    in_detention = list(cases.values())
    released = (
        Detention.objects.filter(
            territory=territory,
            state=DetentionState.RELEASED,
            released_on__gte=follow_up_since(on),
            released_on__lte=on,
        )
        .order_by("-released_on", "-id")
        .values_list("pk", "person_id", "released_on")
    )
    followed = []
    for pk, person_id, released_on in released:
        if person_id in cases:
            continue
        cases[person_id] = case = Case(
            person_id, AgendaReason.FOLLOW_UP, pk, request_for(person_id, pk), released_on
        )
        followed.append(case)
    followed.sort(key=lambda c: (c.release_on, c.detention_id))
    return in_detention + followed
