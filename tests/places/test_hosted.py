"""SIAO-16, SIAO-21: "hosted" means admitted by the structure (arrival expected) or in stay.

Each screen and figure that counts hosted people is checked with one person in each of the two
states, and with one person before (attributed) and one after (stay ended) who must not count.
"""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.indicators.calendar import Cutoff
from relais.indicators.engine import Level, compute
from relais.orientations.enums import EndDestination, EndReason
from relais.orientations.models import Orientation
from relais.places.enums import StructureType
from relais.requests.enums import Channel
from tests.factories import PersonFactory, StructureFactory, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(structure_manager):
    return StructureFactory(
        manager=structure_manager.organisation,
        name="CHU Le Phare",
        structure_type=StructureType.CHU,
        places=10,
    )


@pytest.fixture
def people(shelter, social_worker, siao_operator, structure_manager):
    """One urgence request per step: attributed, admitted, in stay, stay ended."""
    capacity = shelter.capacities.get()
    found = {}
    for step, name in [
        ("attributed", "Attribuée"),
        ("admitted", "Admise"),
        ("in_stay", "Arrivée"),
        ("ended", "Sortie"),
    ]:
        person = PersonFactory(birth_name=name.upper(), first_names=f"Personne{name}")
        req = make_request(person=person, referrer=social_worker, channel=Channel.EMERGENCY)
        orientation = Orientation.attribute(request=req, capacity=capacity, by=siao_operator)
        if step != "attributed":
            orientation.admit(by=structure_manager)
        if step in ("in_stay", "ended"):
            orientation.start_stay(by=structure_manager)
        if step == "ended":
            orientation.end_stay(
                by=structure_manager,
                at=timezone.now(),
                destination=EndDestination.FAMILY,
                reason=EndReason.VOLUNTARY,
            )
        found[step] = str(person)
    return found


def _assert_hosted_are_admitted_and_in_stay(page: str, people: dict) -> None:
    assert people["admitted"] in page, "an admitted person (arrival expected) is hosted"
    assert people["in_stay"] in page, "a person in stay is hosted"
    assert people["attributed"] not in page
    assert people["ended"] not in page


def test_siao_16_hosted_queryset_is_admitted_and_in_stay(people):
    hosted = {str(o.request.person) for o in Orientation.objects.hosted()}
    assert hosted == {people["admitted"], people["in_stay"]}


@pytest.mark.parametrize("role", ["siao_operator", "structure_manager"])
def test_siao_16_hosted_list_shows_admitted_and_in_stay(client, request, people, role):
    client.force_login(request.getfixturevalue(role))
    page = html.unescape(client.get(reverse("places:hosted")).content.decode())
    _assert_hosted_are_admitted_and_in_stay(page, people)
    assert "Admission acceptée (affectation)" in page and "Séjour en cours" in page


def test_siao_21_manager_home_lists_admitted_and_in_stay(client, people, structure_manager):
    client.force_login(structure_manager)
    response = client.get(reverse("home"))
    hosted = {str(o.request.person) for o in response.context["hosted"]}
    assert hosted == {people["admitted"], people["in_stay"]}
    page = html.unescape(response.content.decode())
    assert people["admitted"] in page and people["in_stay"] in page
    assert people["ended"] not in page  # (the attributed one is listed among decisions to take)


def test_siao_16_indicators_count_admitted_and_in_stay_as_hosted(territory, shelter, people):
    table = compute(territory, Cutoff.daily(timezone.localdate()))
    by_structure = table.row(Level.STRUCTURE, shelter.pk, Channel.EMERGENCY)
    assert by_structure.hosted == 2
    assert table.row(Level.CHANNEL, Channel.EMERGENCY, Channel.EMERGENCY).hosted == 2
    assert str(by_structure.occupancy) == "20.0"
