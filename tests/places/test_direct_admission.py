"""SIAO-04: a direct admission is an orientation step, holding an urgence place like any
attribution: never beyond the capacity, never without urgence places, once per form sent."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.places.enums import PlaceType, StructureType
from relais.requests.enums import Channel, EventKind, RequestStatus
from relais.requests.models import Request
from tests.factories import PlaceCapacityFactory, StructureFactory, make_request

pytestmark = pytest.mark.django_db


def direct_admission_post(structure, *, members: list[dict] = (), **extra) -> dict:
    data = {
        "admission-structure": structure.pk,
        "admission-admitted_at": (timezone.localtime() - dt.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "admission-birth_name": "Nguyen",
        "admission-first_names": "Van",
        "admission-birth_date": "1970",
        "admission-submission": "3f2a9c1e0b7d4e5fa6c8d9e0f1a2b3c4",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
    }
    for i, member in enumerate(members):
        data.update({f"members-{i}-{name}": value for name, value in member.items()})
    data.update(extra)
    return data


@pytest.fixture
def shelter(structure_manager):
    """An emergency shelter (CHU) of the manager, with 2 urgence places."""
    return StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=2
    )


def _post(client, user, data):
    client.force_login(user)
    return client.post(reverse("places:direct_admission"), data)


def test_siao_04_a_direct_admission_takes_an_urgence_place_through_an_orientation(
    client, structure_manager, shelter
):
    capacity = shelter.capacities.get()
    response = _post(client, structure_manager, direct_admission_post(shelter))
    assert response.status_code == 302
    req = Request.objects.get()
    assert req.is_direct_admission and req.status == RequestStatus.ADMITTED
    assert req.channel == Channel.EMERGENCY and req.host_structure == shelter
    orientation = req.orientations.get()
    assert orientation.state == OrientationState.IN_STAY and orientation.is_direct_admission
    assert orientation.capacity == capacity
    assert capacity.vacant_places() == 1
    # In the hosted list (SIAO-16) and ended like any stay.
    assert Orientation.objects.hosted().filter(pk=orientation.pk).exists()
    assert orientation.events.get().kind == "direct_admission"
    assert req.events.get(kind=EventKind.DIRECT_ADMISSION).data["orientation"] == orientation.pk


def test_siao_04_a_full_shelter_refuses_the_direct_admission_and_says_how_to_declare_a_place(
    client, structure_manager, shelter, siao_operator
):
    for _ in range(2):
        req = make_request(channel=Channel.EMERGENCY, referrer=structure_manager)
        Orientation.admit_directly(
            request=req, structure=shelter, by=structure_manager, at=timezone.now()
        )
    assert shelter.capacities.get().vacant_places() == 0
    response = _post(client, structure_manager, direct_admission_post(shelter))
    page = response.content.decode()
    assert response.status_code == 200
    assert "0 place d&#x27;urgence libre" in page
    assert "déclarez d&#x27;abord la place supplémentaire" in page
    assert 'value="Nguyen"' in page  # nothing typed is lost
    assert Request.objects.filter(person__birth_name="Nguyen").count() == 0
    assert shelter.capacities.get().vacant_places() == 0


def test_siao_04_a_structure_without_urgence_places_cannot_record_a_direct_admission(
    client, structure_manager
):
    chrs = StructureFactory(manager=structure_manager.organisation, places=10)  # insertion
    response = _post(client, structure_manager, direct_admission_post(chrs))
    assert response.status_code == 200
    assert "pas de places d&#x27;urgence inscrites au registre" in response.content.decode()
    assert not Request.objects.exists() and not Orientation.objects.exists()


def test_siao_04_the_same_form_sent_twice_admits_once(client, structure_manager, shelter):
    data = direct_admission_post(shelter)
    first = _post(client, structure_manager, data)
    second = _post(client, structure_manager, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Request.objects.count() == 1
    assert shelter.capacities.get().vacant_places() == 1


def test_siao_04_the_household_is_admitted_together(client, structure_manager, shelter):
    child = {
        "birth_name": "Nguyen",
        "first_names": "Linh",
        "birth_date": "2015",
        "relationship": "child",
        "child_situation": "dependent",
    }
    response = _post(client, structure_manager, direct_admission_post(shelter, members=[child]))
    assert response.status_code == 302
    requests = Request.objects.order_by("pk")
    assert [r.status for r in requests] == [RequestStatus.ADMITTED] * 2
    assert requests[0].household_id == requests[1].household_id
    assert requests[0].orientations.get().places == 2
    assert shelter.capacities.get().vacant_places() == 0


def test_siao_04_a_household_larger_than_the_free_places_is_refused(
    client, structure_manager, shelter
):
    members = [
        {"birth_name": "Nguyen", "first_names": name, "relationship": "child"}
        for name in ("Linh", "Minh")
    ]
    response = _post(client, structure_manager, direct_admission_post(shelter, members=members))
    assert response.status_code == 200
    assert "ménage de 3 personnes" in response.content.decode()
    assert not Request.objects.exists()


def test_siao_04_direct_admission_lands_in_urgence_places_only(structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.EMERGENCY_IN_CHRS
    )
    PlaceCapacityFactory(structure=structure, place_type=PlaceType.INSERTION, places=10)
    urgence = PlaceCapacityFactory(structure=structure, place_type=PlaceType.EMERGENCY, places=1)
    req = make_request(channel=Channel.EMERGENCY, referrer=structure_manager)
    orientation = Orientation.admit_directly(
        request=req, structure=structure, by=structure_manager, at=timezone.now()
    )
    assert orientation.capacity == urgence


def test_siao_04_direct_admission_only_into_own_structures(client, structure_manager):
    someone_elses = StructureFactory(structure_type=StructureType.CHU, places=5)
    response = _post(client, structure_manager, direct_admission_post(someone_elses))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Request.objects.exists()


def test_siao_04_the_identity_check_runs_at_entry(client, structure_manager, shelter):
    known = make_request(channel=Channel.EMERGENCY, referrer=structure_manager).person
    data = direct_admission_post(
        shelter,
        **{
            "admission-birth_name": known.birth_name,
            "admission-first_names": known.first_names,
            "admission-birth_date": known.birth_date_display.replace("??/", ""),
        },
    )
    response = _post(client, structure_manager, data)
    assert response.status_code == 200
    assert "ressemblent à celle-ci" in response.content.decode()
    data["identity-choice"] = str(known.pk)
    data["identity-new_request"] = "confirm"  # warned of the open request (SIAO-01)
    assert _post(client, structure_manager, data).status_code == 302
    assert Request.objects.filter(person=known, is_direct_admission=True).exists()
