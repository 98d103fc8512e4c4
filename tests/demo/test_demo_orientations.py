"""The demo territory's places and orientations: every state, true vacancies (SIAO-09..16)."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.places.models import CapacityEvent, PlaceCapacity
from relais.requests.enums import EventKind, RequestStatus
from relais.requests.models import Request, RequestEvent

pytestmark = pytest.mark.django_db


def test_demo_has_orientations_in_every_state_and_true_vacancies():
    call_command("load_demo", stdout=StringIO())

    states = set(Orientation.objects.values_list("state", flat=True))
    assert states == set(OrientationState.values)
    assert Orientation.objects.filter(is_direct_admission=True).exists()
    assert not mail.outbox  # past decisions are not mailed again
    for capacity in PlaceCapacity.objects.with_vacancies():
        assert capacity.vacant >= 0, capacity
    assert CapacityEvent.objects.exists()
    flats = PlaceCapacity.objects.filter(dwellings__isnull=False).distinct()
    assert flats.exists()
    for capacity in flats:  # SIAO-10: places derived from the surfaces, by Table 2
        assert sum(d.places for d in capacity.dwellings.all()) == capacity.places
    assert PlaceCapacity.objects.filter(unavailable_places__gt=0).exists()

    # The request and its household's orientation tell the same story.
    expected = {
        RequestStatus.WAITING: {OrientationState.WAITING},
        RequestStatus.ORIENTED: {OrientationState.PROPOSED},
        RequestStatus.ADMITTED: {OrientationState.ADMITTED, OrientationState.IN_STAY},
    }
    for request in Request.objects.filter(status__in=expected):
        active = Orientation.objects.active().get(
            request__household=request.household, request__channel=request.channel
        )
        assert active.state in expected[request.status], request
        assert active.structure_id == request.host_structure_id
    # Every orientation move is on the request's timeline, dated as it happened.
    moves = RequestEvent.objects.filter(data__has_key="orientation")
    assert moves.filter(kind=EventKind.ORIENTATION_REFUSED).exists()
    assert not moves.exclude(recorded_at=F("occurred_at")).exists()
