"""JUS-11 under concurrency: two SIAO operators assign a worker's 20th and 21st measures at
the same moment, each in its own thread with its own database connection, on SQLite as on
PostgreSQL. One succeeds; the other is told in French that the caseload is full; never a 500.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.avdl.models import HousingSupportMeasure
from tests.concurrency.threads import at_once
from tests.conftest import VerifiedClient, give_authenticator
from tests.factories import UserFactory

from .cases import make_measure, make_worker, released


def _form(worker, detention) -> dict:
    return {
        "worker": worker.pk,
        "detention": detention.pk,
        "housing": "Résidence sociale, Colmar",
        "starts_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
    }


def _post_at_once(posts: list[tuple[object, dict]]):
    for user, _ in posts:
        give_authenticator(user)

    def call_for(user, data):
        def call():
            client = VerifiedClient(raise_request_exception=False)
            client.force_login(user)
            response = client.post(reverse("avdl:assign"), data)
            return response.status_code, response.content.decode()

        return call

    return at_once([call_for(user, data) for user, data in posts])


@pytest.mark.django_db(transaction=True)
def test_jus_11_two_operators_assigning_the_20th_and_21st_at_once(siao, siao_operator, territory):
    other_operator = UserFactory(siao_operator=True, organisation=siao)
    worker = make_worker(siao)
    for _ in range(19):
        make_measure(worker, siao_operator=siao_operator)
    people = [released(territory), released(territory)]

    results = _post_at_once(
        [(siao_operator, _form(worker, people[0])), (other_operator, _form(worker, people[1]))]
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 400], statuses
    loser = next(body for status, body in results if status == 400)
    assert "Ce travailleur suit déjà 20 mesures" in loser
    assert "Résidence sociale, Colmar" in loser  # nothing typed is lost
    active = HousingSupportMeasure.objects.filter(worker=worker, state="active")
    assert active.count() == 20
    assert sorted(active.values_list("slot", flat=True)) == list(range(1, 21))


@pytest.mark.django_db(transaction=True)
def test_jus_11_parallel_assignments_below_the_limit_all_succeed(siao, siao_operator, territory):
    """Operators racing for the same lowest free slot retry on the next one."""
    operators = [siao_operator] + [
        UserFactory(siao_operator=True, organisation=siao) for _ in range(3)
    ]
    worker = make_worker(siao)
    for _ in range(14):
        make_measure(worker, siao_operator=siao_operator)
    people = [released(territory) for _ in range(8)]

    results = _post_at_once(
        [(operators[i % 4], _form(worker, person)) for i, person in enumerate(people)]
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [302] * 6 + [400] * 2, statuses
    assert all(
        "Ce travailleur suit déjà 20 mesures" in body for status, body in results if status == 400
    )
    active = HousingSupportMeasure.objects.filter(worker=worker, state="active")
    assert sorted(active.values_list("slot", flat=True)) == list(range(1, 21))
