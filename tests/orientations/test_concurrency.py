"""SEC-05: parallel attributions at the last free place never put more people than places.

Threads with their own database connections post to the real attribution view at once. On
SQLite (one writer at a time, no row locks) the rule is tested serially in
test_transitions.py::test_sec_05_serial_attributions_never_exceed_capacity.
"""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.urls import reverse

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity
from relais.requests.enums import Channel, RequestStatus
from tests.conftest import VerifiedClient, give_authenticator
from tests.factories import StructureFactory, make_request

ATTEMPTS = 24


@pytest.mark.django_db(transaction=True)
def test_sec_05_parallel_attributions_at_the_last_free_place(
    social_worker, siao_operator, structure_manager
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serialises writers and "
            "is covered by test_sec_05_serial_attributions_never_exceed_capacity."
        )
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
    give_authenticator(siao_operator)  # set up once, not by 24 threads at a time
    barrier = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, str, list[str]]] = []
    errors: list[BaseException] = []

    def attribute(req_pk: int) -> None:
        try:
            client = VerifiedClient(raise_request_exception=True)
            client.force_login(siao_operator)
            url = reverse("orientations:attribute", kwargs={"request_pk": req_pk})
            barrier.wait(timeout=30)
            response = client.post(url, {"capacity": capacity.pk, "mode": "attribute"})
            notices = [str(m) for m in get_messages(response.wsgi_request)]
            results.append((response.status_code, response["Location"], notices))
        except BaseException as error:  # reported below, with the thread's traceback
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attribute, args=(req.pk,)) for req in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(results) == ATTEMPTS
    assert all(status == 302 for status, _, _ in results)  # no server error
    winners = [r for r in results if r[1].startswith("/demandes/")]
    losers = [r for r in results if r[1].startswith("/orientations/")]
    assert len(winners) == 1, results[:3]
    assert len(losers) == ATTEMPTS - 1
    for _, _, notices in losers:
        assert any("n'a plus aucune place libre" in notice for notice in notices), notices
    held = Orientation.objects.filter(
        capacity=capacity, state__in=OrientationState.holding_a_place()
    )
    assert sum(held.values_list("places", flat=True)) == 3
    assert PlaceCapacity.objects.with_vacancies().get(pk=capacity.pk).vacant == 0
    oriented = [r for r in requests if r.__class__.objects.get(pk=r.pk).status == "oriented"]
    assert len(oriented) == 1
    assert (
        sum(1 for r in requests if r.__class__.objects.get(pk=r.pk).status == RequestStatus.NEW)
        == ATTEMPTS - 1
    )
    assert capacity.place_type == PlaceType.EMERGENCY
