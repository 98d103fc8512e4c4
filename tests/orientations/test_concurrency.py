"""SEC-05 and OPS-01: actions posted at the same moment, on SQLite as on PostgreSQL.

Threads with their own database connections post to the real views at once (the test
database is a file on SQLite: config/settings/test.py). PostgreSQL queues the transactions on
row locks (SELECT … FOR UPDATE); SQLite has none, and queues them on its one write lock,
taken when the transaction begins (transaction_mode IMMEDIATE, config/settings/base.py): the
second transaction then reads what the first one wrote. Either way the loser gets a French
message, never a server error.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation, OrientationEvent
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity
from relais.requests.enums import Channel, EventKind, RequestStatus
from relais.requests.models import Request
from tests.concurrency.threads import at_once
from tests.conftest import VerifiedClient, give_authenticator
from tests.factories import StructureFactory, make_request

ATTEMPTS = 24


def _post_at_once(user, url_and_data: list[tuple[str, dict]]) -> list[tuple[int, str, list]]:
    """POST each (url, data) in its own thread, all at once, as `user`; return each
    response's status, redirect target and messages."""
    give_authenticator(user)  # set up once, not by every thread at a time

    def post(url: str, data: dict):
        def call():
            client = VerifiedClient(raise_request_exception=False)
            client.force_login(user)
            response = client.post(url, data)
            notices = [str(m) for m in get_messages(response.wsgi_request)]
            return response.status_code, response.get("Location", ""), notices

        return call

    return at_once([post(url, data) for url, data in url_and_data])


@pytest.mark.django_db(transaction=True)
def test_sec_05_parallel_attributions_at_the_last_free_place(
    social_worker, siao_operator, structure_manager
):
    shelter = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=3
    )
    capacity = shelter.capacities.get()
    for _ in range(2):  # two of the three places are already taken
        Orientation.attribute(
            request=make_request(referrer=social_worker, channel=Channel.EMERGENCY),
            capacity=capacity,
            by=siao_operator,
        )
    requests = [
        make_request(referrer=social_worker, channel=Channel.EMERGENCY) for _ in range(ATTEMPTS)
    ]

    results = _post_at_once(
        siao_operator,
        [
            (
                reverse("orientations:attribute", kwargs={"request_pk": req.pk}),
                {"capacity": capacity.pk, "mode": "attribute"},
            )
            for req in requests
        ],
    )

    # No server error: the winner goes to the request, the losers see the places again
    # with what they typed (SEC-04).
    assert sorted(status for status, _, _ in results) == [302] + [400] * (ATTEMPTS - 1)
    winners = [r for r in results if r[0] == 302 and r[1].startswith("/demandes/")]
    losers = [r for r in results if r[0] == 400]
    assert len(winners) == 1, results[:3]
    assert len(losers) == ATTEMPTS - 1
    for _, _, notices in losers:
        assert any("n'a plus aucune place libre" in notice for notice in notices), notices
    held = Orientation.objects.filter(
        capacity=capacity, state__in=OrientationState.holding_a_place()
    )
    assert sum(held.values_list("places", flat=True)) == 3
    assert PlaceCapacity.objects.with_vacancies().get(pk=capacity.pk).vacant == 0
    statuses = list(Request.objects.filter(pk__in=[r.pk for r in requests]).values_list("status"))
    assert statuses.count((RequestStatus.ORIENTED,)) == 1
    assert statuses.count((RequestStatus.NEW,)) == ATTEMPTS - 1
    assert capacity.place_type == PlaceType.EMERGENCY


@pytest.mark.django_db(transaction=True)
def test_ops_01_double_click_on_admit_admits_once(social_worker, siao_operator, structure_manager):
    shelter = StructureFactory(manager=structure_manager.organisation, places=5)
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orientation = Orientation.attribute(
        request=req, capacity=shelter.capacities.get(), by=siao_operator
    )
    url = reverse("orientations:admit", kwargs={"pk": orientation.pk})

    results = _post_at_once(structure_manager, [(url, {}), (url, {})])

    detail = reverse("orientations:detail", kwargs={"pk": orientation.pk})
    assert [(status, location) for status, location, _ in results] == [(302, detail)] * 2
    notices = sorted(notice for _, _, [notice] in results)
    assert notices[0].startswith("Admission acceptée.")
    assert notices[1] == "Impossible : l'orientation est « Admission acceptée (affectation) »."
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.ADMITTED
    assert (
        OrientationEvent.objects.filter(
            orientation=orientation, to_state=OrientationState.ADMITTED
        ).count()
        == 1
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.ADMITTED
    assert req.events.filter(kind=EventKind.ADMITTED).count() == 1
