"""SIAO-11 on the suggestions page: strict types, a compact ranked table (ten first, the rest
on demand), the criteria as a line of ✔/✘ with their reason, and no action offered on a
request the model says cannot be oriented now."""

import html
import re

import pytest
from django.urls import reverse

from relais.orientations.models import Orientation
from relais.orientations.suggestions import Filters, suggest
from relais.places.enums import PlaceType, StructureType
from relais.requests.enums import Channel, OrientationProposal
from tests.factories import PlaceCapacityFactory, StructureFactory, make_evaluation, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def chrs_request(social_worker):
    """An evaluated insertion request whose evaluation proposes a CHRS."""
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req, orientation_proposal=OrientationProposal.INSERTION_CHRS)
    req.evaluate(by=social_worker)
    return req


def _chrs(manager, name: str, *place_types: str) -> list:
    structure = StructureFactory(
        manager=manager.organisation, name=name, structure_type=StructureType.INSERTION_CHRS
    )
    return [
        PlaceCapacityFactory(structure=structure, place_type=kind, places=10)
        for kind in place_types
    ]


def _page(client, user, req, **params) -> str:
    client.force_login(user)
    url = reverse("orientations:suggestions", args=[req.pk])
    response = client.get(url, params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _buttons(page: str) -> list[str]:
    return re.findall(r'name="mode" value="(\w+)"', page)


def test_siao_11_a_chrs_insertion_request_is_not_matched_by_its_urgence_or_stabilisation_places(
    chrs_request, structure_manager
):
    insertion, emergency, stabilisation = _chrs(
        structure_manager,
        "CHRS Le Phare",
        PlaceType.INSERTION,
        PlaceType.EMERGENCY,
        PlaceType.STABILISATION,
    )
    ranked = {s.capacity: s for s in suggest(chrs_request, Filters())}
    assert ranked[insertion].criteria[0].ok is True
    for other in (emergency, stabilisation):
        criterion = ranked[other].criteria[0]
        assert criterion.ok is False
        assert "ne correspond pas à la demande" in criterion.text
        assert not ranked[other].fits
    assert next(iter(ranked)) == insertion


def test_siao_11_the_channel_decides_the_place_types_under_a_structure_proposal(
    social_worker, structure_manager
):
    """An insertion request proposing an ALT is not served by the ALT's housing places."""
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req, orientation_proposal=OrientationProposal.ALT)
    req.evaluate(by=social_worker)
    alt = StructureFactory(manager=structure_manager.organisation, structure_type=StructureType.ALT)
    insertion = PlaceCapacityFactory(structure=alt, place_type=PlaceType.INSERTION, places=5)
    housing = PlaceCapacityFactory(structure=alt, place_type=PlaceType.HOUSING, places=5)
    ranked = {s.capacity: s for s in suggest(req, Filters())}
    assert ranked[insertion].criteria[0].ok is True
    assert ranked[housing].criteria[0].ok is False


def test_siao_11_the_page_shows_the_best_ten_and_the_rest_on_demand(
    client, siao_operator, chrs_request, structure_manager
):
    for i in range(13):
        _chrs(structure_manager, f"CHRS {i:02d}", PlaceType.INSERTION)
    page = _page(client, siao_operator, chrs_request)
    best, others = page.split('id="autres-places"')
    assert best.count('class="relais-suggestion"') == 10
    assert others.count('class="relais-suggestion"') == 3
    assert "Voir les 3 autres places" in others
    assert best.endswith('<details class="fr-mt-2w" ')  # closed until the operator opens it


def test_siao_11_the_criteria_are_a_short_line_with_the_reason_in_the_title(
    client, siao_operator, chrs_request, structure_manager
):
    _chrs(structure_manager, "CHRS Le Phare", PlaceType.EMERGENCY)
    page = _page(client, siao_operator, chrs_request)
    assert re.search(
        r'title="Type demandé : [^"]*ne correspond pas à la demande[^"]*">✘ Type', page
    )
    assert re.search(r'title="Taille du ménage : [^"]*">✔ Taille', page)
    # Ten places or fewer: no "see the others".
    assert "autres-places" not in page


def test_siao_11_an_orientable_request_offers_attribution_and_prepositioning(
    client, siao_operator, chrs_request, structure_manager
):
    _chrs(structure_manager, "CHRS Le Phare", PlaceType.INSERTION)
    assert _buttons(_page(client, siao_operator, chrs_request)) == ["attribute", "preposition"]


def test_siao_11_no_action_on_a_request_already_oriented_or_admitted(
    client, siao_operator, structure_manager, chrs_request
):
    (capacity,) = _chrs(structure_manager, "CHRS Le Phare", PlaceType.INSERTION)
    orientation = Orientation.attribute(request=chrs_request, capacity=capacity, by=siao_operator)
    page = _page(client, siao_operator, chrs_request)
    assert _buttons(page) == []
    assert "Cette demande ne peut pas être orientée maintenant" in page
    assert "la demande est « Orientée »" in page
    orientation.admit(by=structure_manager)
    page = _page(client, siao_operator, chrs_request)
    assert _buttons(page) == [] and "Attribuer" not in page
    assert 'class="relais-suggestion"' in page  # the places are still shown, to read


def test_siao_11_a_waiting_request_may_get_a_place_but_not_a_second_prepositioning(
    client, siao_operator, structure_manager, chrs_request
):
    first, second = (
        _chrs(structure_manager, name, PlaceType.INSERTION)[0] for name in ("CHRS A", "CHRS B")
    )
    Orientation.preposition(request=chrs_request, capacity=first, by=siao_operator)
    assert set(_buttons(_page(client, siao_operator, chrs_request))) == {"attribute"}


def test_siao_11_an_unevaluated_insertion_request_may_only_be_prepositioned(
    client, siao_operator, social_worker, structure_manager
):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    _chrs(structure_manager, "CHRS Le Phare", PlaceType.INSERTION)
    page = _page(client, siao_operator, req)
    assert _buttons(page) == ["preposition"]
    assert "La demande doit d'abord être évaluée." in page
