"""SIAO-09, SIAO-16, SIAO-21: the register, the vacancy board and hosted people, by role."""

import pytest
from django.urls import reverse

from relais.orientations.models import Orientation
from relais.places.enums import PlaceType, StructureType
from relais.requests.enums import Channel
from tests.factories import OrganisationFactory, StructureFactory, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_structure(territory):
    other = OrganisationFactory(structure_manager=True, territory=territory, name="Autre asso")
    return StructureFactory(
        manager=other, name="CHU Ailleurs", structure_type=StructureType.CHU, places=8
    )


def test_siao_21_structure_manager_sees_only_its_structures(
    client, structure_manager, structure, other_structure
):
    client.force_login(structure_manager)
    page = client.get(reverse("places:list")).content.decode()
    assert "CHRS Les Tilleuls" in page and "CHU Ailleurs" not in page
    assert client.get(reverse("places:structure", args=[structure.pk])).status_code == 200
    assert client.get(reverse("places:structure", args=[other_structure.pk])).status_code == 404
    url = reverse("places:declare_availability", args=[other_structure.pk, 1])
    assert client.post(url, {"action": "unavailable", "count": 1}).status_code == 404


def test_siao_21_manager_sees_its_capacity_and_hosted_people(
    client, structure_manager, structure, other_structure, siao_operator, social_worker
):
    mine = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    theirs = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    for req, where in [(mine, structure), (theirs, other_structure)]:
        orientation = Orientation.attribute(
            request=req, capacity=where.capacities.get(), by=siao_operator
        )
        orientation.admit(by=siao_operator)
        orientation.start_stay(by=siao_operator)
    client.force_login(structure_manager)
    page = client.get(reverse("places:hosted")).content.decode()
    assert str(mine.person) in page and str(theirs.person) not in page
    detail = client.get(reverse("places:structure", args=[structure.pk])).content.decode()
    assert str(mine.person) in detail


def test_siao_09_manager_declares_places_in_two_clicks(client, structure_manager, structure):
    capacity = structure.capacities.get()
    client.force_login(structure_manager)
    url = reverse("places:declare_availability", args=[structure.pk, capacity.pk])
    response = client.post(url, {"action": "unavailable", "count": 2, "note": "Dégât des eaux"})
    assert response.status_code == 302
    capacity.refresh_from_db()
    assert capacity.unavailable_places == 2
    client.post(url, {"action": "available", "count": 1})
    capacity.refresh_from_db()
    assert capacity.unavailable_places == 1
    response = client.post(url, {"action": "available", "count": 5}, follow=True)
    assert "Seulement 1 place(s)" in response.content.decode()


def test_siao_09_vacancy_board_filters_by_type_and_commune(
    client, siao_operator, structure, other_structure, social_worker
):
    other_structure.commune = "Colmar"
    other_structure.save()
    client.force_login(siao_operator)
    page = client.get(reverse("places:vacancies")).content.decode()
    assert "CHRS Les Tilleuls" in page and "CHU Ailleurs" in page
    page = client.get(
        reverse("places:vacancies"),
        {"place_type": PlaceType.EMERGENCY, "only_vacant": "on", "include_winter": "on"},
    ).content.decode()
    assert "CHU Ailleurs" in page and "CHRS Les Tilleuls" not in page
    page = client.get(reverse("places:vacancies"), {"commune": "Colmar"}).content.decode()
    assert "CHU Ailleurs" in page and "CHRS Les Tilleuls" not in page


def test_siao_09_vacancy_board_is_for_the_siao(client, structure_manager, social_worker):
    for user in (structure_manager, social_worker):
        client.force_login(user)
        assert client.get(reverse("places:vacancies")).status_code == 403
