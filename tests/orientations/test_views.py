"""SIAO-11..16 through the pages: suggestions, attribution, decision, stay, notifications."""

import html

import pytest
from django.urls import reverse

from relais.orientations.enums import OrientationState, RefusalReason
from relais.orientations.models import Orientation
from relais.places.enums import PlaceType, StructureType
from relais.requests.enums import Channel, RequestStatus
from tests.factories import (
    OrganisationFactory,
    PlaceCapacityFactory,
    StructureFactory,
    UserFactory,
    make_request,
)

pytestmark = pytest.mark.django_db


def test_siao_11_suggestions_rank_suitable_places_and_explain_each_criterion(
    client, siao_operator, evaluated_request, structure, structure_manager
):
    men_only = PlaceCapacityFactory(
        structure=StructureFactory(
            manager=structure_manager.organisation,
            name="CHU Hommes",
            structure_type=StructureType.CHU,
        ),
        place_type=PlaceType.EMERGENCY,
        places=5,
        accepts_women=False,
    )
    evaluated_request.person.sex = "F"
    evaluated_request.person.save()
    client.force_login(siao_operator)
    response = client.get(reverse("orientations:suggestions", args=[evaluated_request.pk]))
    ranked = response.context["suggestions"]
    assert ranked[0].capacity == structure.capacities.get()
    assert ranked[0].fits
    texts = [c.text for c in ranked[0].criteria]
    assert "correspond à la demande" in texts[0]
    assert texts[1] == "20 places libres pour 1 personne."
    last = next(s for s in ranked if s.capacity == men_only)
    assert not last.fits
    assert "n'accueille pas de femmes seules" in last.criteria[2].text
    page = response.content.decode()
    assert "Taille du ménage" in page and "Public accueilli" in page


def test_siao_11_only_the_siao_of_the_territory_orients(
    client, structure_manager, social_worker, evaluated_request
):
    for user in (structure_manager, social_worker):
        client.force_login(user)
        url = reverse("orientations:suggestions", args=[evaluated_request.pk])
        assert client.get(url).status_code in (403, 404)


def test_siao_14_attribution_and_decision_through_the_pages(
    client, siao_operator, structure_manager, social_worker, evaluated_request, structure
):
    capacity = structure.capacities.get()
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:attribute", args=[evaluated_request.pk]),
        {"capacity": capacity.pk, "mode": "attribute", "note": "Vue en commission"},
    )
    assert response["Location"] == reverse("requests:detail", args=[evaluated_request.pk])
    orientation = Orientation.objects.get(request=evaluated_request)

    client.force_login(structure_manager)
    detail = client.get(reverse("orientations:detail", args=[orientation.pk]))
    assert "Accepter l'admission" in html.unescape(detail.content.decode())
    response = client.post(reverse("orientations:refuse", args=[orientation.pk]), {"reason": ""})
    assert response.status_code == 400
    client.post(reverse("orientations:admit", args=[orientation.pk]))
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.ADMITTED

    client.force_login(social_worker)
    page = client.get(reverse("requests:detail", args=[evaluated_request.pk])).content.decode()
    assert "Admission acceptée (affectation)" in page
    notices = html.unescape(client.get(reverse("notifications:list")).content.decode())
    assert "admission acceptée par « CHRS Les Tilleuls »" in notices


def test_siao_14_structure_decides_only_for_its_own_structures(
    client, siao_operator, territory, evaluated_request
):
    other = OrganisationFactory(structure_manager=True, territory=territory)
    elsewhere = StructureFactory(manager=other, places=5)
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=elsewhere.capacities.get(), by=siao_operator
    )
    intruder = UserFactory(structure_manager=True, organisation__territory=territory)
    client.force_login(intruder)
    assert client.get(reverse("orientations:detail", args=[orientation.pk])).status_code == 404
    assert client.post(reverse("orientations:admit", args=[orientation.pk])).status_code == 404
    client.force_login(siao_operator)
    assert client.post(reverse("orientations:admit", args=[orientation.pk])).status_code == 403


def test_siao_12_full_capacity_refuses_attribution_with_a_french_message(
    client, siao_operator, social_worker, structure_manager
):
    shelter = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=1
    )
    capacity = shelter.capacities.get()
    Orientation.attribute(
        request=make_request(referrer=social_worker, channel=Channel.EMERGENCY),
        capacity=capacity,
        by=siao_operator,
    )
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    client.force_login(siao_operator)
    url = reverse("orientations:attribute", args=[req.pk])
    response = client.post(url, {"capacity": capacity.pk, "mode": "attribute"}, follow=True)
    assert "plus aucune place libre" in response.content.decode()
    client.post(url, {"capacity": capacity.pk, "mode": "preposition"})
    req.refresh_from_db()
    assert req.status == RequestStatus.WAITING


def test_siao_16_end_of_stay_through_the_page(
    client, siao_operator, structure_manager, evaluated_request, structure
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=structure.capacities.get(), by=siao_operator
    )
    orientation.admit(by=structure_manager)
    client.force_login(structure_manager)
    client.post(reverse("orientations:start_stay", args=[orientation.pk]))
    response = client.post(
        reverse("orientations:end_stay", args=[orientation.pk]),
        {
            "ended_on": "2000-01-01T10:00",
            "destination": "family",
            "reason": "voluntary",
        },
        follow=True,
    )
    assert "précède l'arrivée dans la structure" in html.unescape(response.content.decode())
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.IN_STAY


def test_siao_14_refusal_reasons_are_the_listed_ones(
    client, siao_operator, structure_manager, evaluated_request, structure
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=structure.capacities.get(), by=siao_operator
    )
    client.force_login(structure_manager)
    client.post(
        reverse("orientations:refuse", args=[orientation.pk]),
        {"reason": RefusalReason.COLLECTIVE_LIFE, "comment": ""},
    )
    orientation.refresh_from_db()
    assert orientation.state == OrientationState.REFUSED


def test_siao_21_manager_home_shows_decisions_vacancies_and_hosted(
    client, siao_operator, structure_manager, evaluated_request, structure
):
    Orientation.attribute(
        request=evaluated_request, capacity=structure.capacities.get(), by=siao_operator
    )
    client.force_login(structure_manager)
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert "1 orientation attend votre décision" in page
    assert str(evaluated_request.person) in page
    client.force_login(siao_operator)
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert "Places d'insertion : <strong>19</strong>" in page
    assert "1 attribution attend la décision d'une structure" in page
