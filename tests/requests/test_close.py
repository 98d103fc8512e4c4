"""A request is closed from its page, by its referrer or the SIAO, with a reason of the list."""

import pytest
from django.urls import reverse

from relais.orientations.enums import OrientationState
from relais.requests.enums import Channel, CloseReason, RequestStatus
from tests.factories import StructureFactory, make_request, orient

pytestmark = pytest.mark.django_db


def test_siao_01_the_referrer_closes_a_request_with_a_reason_from_the_list(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert reverse("requests:close", args=[req.pk]) in page
    response = client.post(
        reverse("requests:close", args=[req.pk]),
        {"reason": CloseReason.NO_NEWS, "note": "Trois relances sans réponse"},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.CLOSED and req.close_reason == CloseReason.NO_NEWS
    assert req.events.last().note == "Sans nouvelles de la personne. Trois relances sans réponse"


def test_sec_04_closing_for_another_reason_needs_words_and_keeps_what_was_typed(
    client, social_worker
):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    response = client.post(reverse("requests:close", args=[req.pk]), {"reason": "other"})
    assert response.status_code == 400
    assert "Précisez le motif de clôture." in response.content.decode()
    response = client.post(reverse("requests:close", args=[req.pk]), {"reason": "bogus"})
    assert response.status_code == 400
    assert "selected>Autre" not in response.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.NEW


def test_siao_01_the_siao_closes_an_oriented_request_and_its_orientation_is_cancelled(
    client, siao_operator, social_worker
):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orientation = orient(req, by=siao_operator)
    client.force_login(siao_operator)
    page = client.get(reverse("requests:close", args=[req.pk])).content.decode()
    assert "sera annulée" in page
    client.post(reverse("requests:close", args=[req.pk]), {"reason": CloseReason.LEFT_TERRITORY})
    orientation.refresh_from_db()
    req.refresh_from_db()
    assert req.status == RequestStatus.CLOSED
    assert orientation.state == OrientationState.CANCELLED


def test_siao_01_an_admitted_request_is_not_closed_but_ended_by_a_stay(
    client, siao_operator, social_worker, structure_manager
):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    structure = StructureFactory(manager=structure_manager.organisation)
    orient(req, by=siao_operator, structure=structure).admit(by=structure_manager)
    client.force_login(social_worker)
    assert (
        reverse("requests:close", args=[req.pk])
        not in client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    )
    response = client.post(
        reverse("requests:close", args=[req.pk]), {"reason": CloseReason.NO_NEWS}
    )
    assert "ne peut pas être clôturée" in response.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.ADMITTED
