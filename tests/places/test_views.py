"""SIAO-09, SIAO-16, SIAO-21: the register, the vacancy board and hosted people, by role."""

import html

import pytest
from django.urls import reverse

from relais.orientations.models import Orientation
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity
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
    assert "Seulement 1 place" in response.content.decode()


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


def _structure_post(siao_operator, **overrides) -> dict:
    manager = OrganisationFactory(
        structure_manager=True, territory=siao_operator.organisation.territory
    )
    data = {
        "name": "Résidence Les Glycines",
        "structure_type": StructureType.SOCIAL_RESIDENCE,
        "manager": manager.pk,
        "finess": "680000973",
        "siret": "73282932000074",
        "street": "3 rue des Glycines",
        "postcode": "68200",
        "commune": "Mulhouse",
        "commune_insee_code": "68224",
        "email": "glycines@asso.example",
        "capacities-TOTAL_FORMS": "1",
        "capacities-INITIAL_FORMS": "0",
        "capacities-0-place_type": PlaceType.HOUSING,
        "capacities-0-places": "24",
        "capacities-0-accepts_men": "on",
        "capacities-0-accepts_women": "on",
        "capacities-0-min_age": "18",
    }
    return {**data, **overrides}


def test_siao_07_the_siao_registers_a_structure_with_checked_identifiers(client, siao_operator):
    client.force_login(siao_operator)
    url = reverse("places:create")
    response = client.post(url, _structure_post(siao_operator, siret="73282932000075"))
    assert response.status_code == 200
    assert "clé de contrôle est fausse" in html.unescape(response.content.decode())
    response = client.post(url, _structure_post(siao_operator))
    assert response.status_code == 302
    capacity = PlaceCapacity.objects.get(structure__name="Résidence Les Glycines")
    assert (capacity.places, capacity.accepts_couples, capacity.min_age) == (24, False, 18)
    assert capacity.structure.territory == siao_operator.organisation.territory


def test_siao_07_capacity_cannot_drop_below_the_places_held(
    client, siao_operator, structure, social_worker
):
    capacity = structure.capacities.get()
    for _ in range(3):
        Orientation.attribute(
            request=make_request(referrer=social_worker, channel=Channel.EMERGENCY),
            capacity=capacity,
            by=siao_operator,
        )
    client.force_login(siao_operator)
    data = _structure_post(
        siao_operator,
        **{
            "name": structure.name,
            "structure_type": structure.structure_type,
            "manager": structure.manager_id,
            "capacities-INITIAL_FORMS": "1",
            "capacities-0-id": str(capacity.pk),
            "capacities-0-place_type": capacity.place_type,
            "capacities-0-places": "2",
        },
    )
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    assert "ne peut pas descendre en dessous" in html.unescape(response.content.decode())
    capacity.refresh_from_db()
    assert capacity.places == 20


def test_siao_07_structure_managers_do_not_edit_the_register(client, structure_manager, structure):
    client.force_login(structure_manager)
    assert client.get(reverse("places:create")).status_code == 403
    assert client.get(reverse("places:edit", args=[structure.pk])).status_code == 403


def _raise_capacity(client, siao_operator, structure, *, places: str, on: str = ""):
    capacity = structure.capacities.get()
    data = _structure_post(
        siao_operator,
        **{
            "name": structure.name,
            "structure_type": structure.structure_type,
            "manager": structure.manager_id,
            "capacity_changes_on": on,
            "capacities-INITIAL_FORMS": "1",
            "capacities-0-id": str(capacity.pk),
            "capacities-0-place_type": capacity.place_type,
            "capacities-0-places": places,
        },
    )
    return client.post(reverse("places:edit", args=[structure.pk]), data)


def test_siao_18_a_late_capacity_correction_takes_effect_on_the_day_given(
    client, siao_operator, structure
):
    import datetime as dt

    from django.utils import timezone

    from relais.places.models import CapacityChange

    capacity = structure.capacities.get()
    CapacityChange.objects.filter(capacity_id=capacity.pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=30)
    )
    client.force_login(siao_operator)
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    response = _raise_capacity(
        client, siao_operator, structure, places="25", on=week_ago.isoformat()
    )
    assert response.status_code == 302
    change = CapacityChange.objects.filter(capacity_id=capacity.pk).latest("recorded_at")
    assert (change.places, timezone.localdate(change.occurred_at)) == (25, week_ago)
    assert change.recorded_at > change.occurred_at


def test_siao_18_a_capacity_change_cannot_take_effect_tomorrow_nor_before_the_last(
    client, siao_operator, structure
):
    import datetime as dt

    from django.utils import timezone

    client.force_login(siao_operator)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _raise_capacity(client, siao_operator, structure, places="25", on=tomorrow)
    assert "ne peut pas prendre effet demain" in html.unescape(response.content.decode())
    long_ago = (timezone.localdate() - dt.timedelta(days=3650)).isoformat()
    response = _raise_capacity(client, siao_operator, structure, places="25", on=long_ago)
    assert "avant le précédent" in html.unescape(response.content.decode())
    assert structure.capacities.get().places == 20
