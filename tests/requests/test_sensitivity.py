"""Health and justice fields reach only the roles that need them (see
relais/requests/sensitivity.py for the matrix)."""

import pytest
from django.urls import reverse

from relais.access.models import AccessGrant
from relais.requests.enums import Channel
from relais.requests.models import EvaluationReason
from tests.factories import StructureFactory, make_evaluation, make_request, orient

pytestmark = pytest.mark.django_db


@pytest.fixture
def released_prisoner(cpip):
    req = make_request(referrer=cpip, channel=Channel.INSERTION)
    evaluation = make_evaluation(
        req,
        problem_health=True,
        problem_justice=True,
        health_coverage="complementary",
        mutual_insurance="Mutuelle MGEN 123",
    )
    EvaluationReason.objects.create(
        evaluation=evaluation, reason="prison_release", detail="Levée d'écrou le 12/12"
    )
    return req


def _print(client, user, req) -> str:
    client.force_login(user)
    response = client.get(reverse("requests:evaluation_print", args=[req.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_siao_20_the_siao_and_the_referrer_read_health_and_justice(
    client, siao_operator, cpip, released_prisoner
):
    for user in (siao_operator, cpip):
        page = _print(client, user, released_prisoner)
        assert "Mutuelle MGEN 123" in page
        assert "Sortie de prison" in page
        assert "Levée d&#x27;écrou" in page


def test_siao_21_a_structure_manager_does_not_read_health_or_justice(
    client, structure_manager, siao_operator, released_prisoner
):
    released_prisoner.evaluate(by=siao_operator)
    orient(
        released_prisoner,
        by=siao_operator,
        structure=StructureFactory(manager=structure_manager.organisation),
    )
    page = _print(client, structure_manager, released_prisoner)
    assert "Mutuelle MGEN 123" not in page
    assert "Sortie de prison" not in page
    assert "Levée d&#x27;écrou" not in page
    assert "information de santé réservée" in page
    assert "justice : information réservée" in page


def test_sec_02_access_on_request_does_not_open_health_or_justice(
    client, social_worker, released_prisoner
):
    AccessGrant.grant(user=social_worker, request=released_prisoner, reason="Suivi commun")
    page = _print(client, social_worker, released_prisoner)
    assert "Mutuelle MGEN 123" not in page
    assert "Sortie de prison" not in page


def test_siao_21_a_kept_social_security_number_is_not_shown_to_the_structure(
    client, structure_manager, siao_operator, released_prisoner
):
    territory = released_prisoner.territory
    territory.stores_social_security_number = True
    territory.save()
    evaluation = released_prisoner.evaluation
    evaluation.social_security_number = "185057800608491"
    evaluation.save()
    assert "185057800608491" in _print(client, siao_operator, released_prisoner)
    released_prisoner.evaluate(by=siao_operator)
    orient(
        released_prisoner,
        by=siao_operator,
        structure=StructureFactory(manager=structure_manager.organisation),
    )
    assert "185057800608491" not in _print(client, structure_manager, released_prisoner)
