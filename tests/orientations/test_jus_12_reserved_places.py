"""JUS-12: places reserved for people leaving detention (a contingent) and "flying" places kept
for dry exits. The SIAO sets a capacity's reservation; the board, the suggestions and the
register show them apart; a reserved place goes only to a person with a detention (in
detention or released within 6 months), a flying place only to a release without solution
(the dry-exit path of the release pipeline) — one rule (`relais.orientations.offer`) that
the suggestions, the attribution, the pre-positioning, the reservation and the direct
admission all apply."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.core.transitions import TransitionNotAllowed
from relais.justice.dates import add_months
from relais.orientations import offer
from relais.orientations.models import Orientation
from relais.orientations.suggestions import Filters, suggest
from relais.places.enums import PlaceReservation, PlaceType, StructureType
from relais.places.models import places_by_reservation
from relais.releases.models import DryExit
from relais.requests.enums import Channel
from tests.factories import (
    PlaceCapacityFactory,
    StructureFactory,
    make_detention,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db

R = PlaceReservation
TODAY = timezone.localdate


def _evaluated(req):
    make_evaluation(req)
    req.evaluate(by=req.events.first().actor)
    return req


def plain_request(social_worker):
    return _evaluated(make_request(referrer=social_worker))


def detained_request(cpip, *, due_in=60, released_ago=None, dry_exit_ago=None):
    """A request of a person in detention due out in `due_in` days, or released
    `released_ago` days ago (with a dry exit recorded `dry_exit_ago` days ago)."""
    detention = make_detention(
        cpip=cpip, end_date=TODAY() + dt.timedelta(days=due_in), sentence=(8, 0, 0)
    )
    if released_ago is not None:
        detention.release(on=TODAY() - dt.timedelta(days=released_ago), by=cpip)
    if dry_exit_ago is not None:
        DryExit.objects.create(
            detention=detention,
            person=detention.person,
            on=TODAY() - dt.timedelta(days=dry_exit_ago),
            solution="no_request",
        )
    return _evaluated(make_request(detention.person, referrer=cpip, detention=detention))


@pytest.fixture
def kept(structure):
    """In the CHRS: its 20 ordinary places, 4 reserved for people leaving detention, and the
    SAS flat (one flying place)."""
    ordinary = structure.capacities.get()
    contingent = PlaceCapacityFactory(
        structure=structure, place_type=PlaceType.INSERTION, places=4, reservation=R.DETENTION
    )
    flying = PlaceCapacityFactory(
        structure=structure,
        place_type=PlaceType.INSERTION,
        label="appartement SAS",
        places=1,
        reservation=R.FLYING,
    )
    return {"ordinary": ordinary, "detention": contingent, "flying": flying}


def offered(req) -> set:
    return {s.capacity.reservation for s in suggest(req, Filters(include_full=True))}


def attribute_refusal(req, capacity, siao) -> str:
    try:
        Orientation.attribute(request=req, capacity=capacity, by=siao).cancel(
            by=siao, reason="Essai"
        )
    except TransitionNotAllowed as refusal:
        return str(refusal)
    return ""


# -- the SIAO sets the reservation -------------------------------------------------------


def test_jus_12_the_siao_sets_a_capacitys_reservation_and_its_history_keeps_it(
    client, siao_operator, structure
):
    capacity = structure.capacities.get()
    client.force_login(siao_operator)
    data = {
        "name": structure.name,
        "structure_type": structure.structure_type,
        "has_chrs_status": "on",
        "manager": structure.manager_id,
        "commune": structure.commune,
        "capacities-TOTAL_FORMS": "1",
        "capacities-INITIAL_FORMS": "1",
        "capacities-0-id": capacity.pk,
        "capacities-0-structure": structure.pk,
        "capacities-0-place_type": capacity.place_type,
        "capacities-0-places": "20",
        "capacities-0-accepts_men": "on",
        "capacities-0-reservation": "flying",
    }
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    assert response.status_code == 302
    capacity.refresh_from_db()
    assert capacity.reservation == R.FLYING
    assert capacity.changes.first().reservation == R.FLYING
    # A form sent without the field keeps what the places are kept for.
    del data["capacities-0-reservation"]
    client.post(reverse("places:edit", args=[structure.pk]), data)
    capacity.refresh_from_db()
    assert capacity.reservation == R.FLYING


# -- who each kind of place is offered to --------------------------------------------------


def test_jus_12_reserved_places_go_only_to_a_person_with_a_detention(
    kept, social_worker, cpip, siao_operator
):
    recent = add_months(TODAY(), -offer.RECENT_RELEASE_MONTHS)
    cases = {
        "no detention": (plain_request(social_worker), False),
        "in detention": (detained_request(cpip, due_in=200), True),
        "released 3 months ago": (detained_request(cpip, released_ago=90), True),
        "released over 6 months ago": (
            detained_request(cpip, released_ago=(TODAY() - recent).days + 1),
            False,
        ),
    }
    for case, (req, allowed) in cases.items():
        assert (R.DETENTION in offered(req)) is allowed, case
        refusal = attribute_refusal(req, kept["detention"], siao_operator)
        if allowed:
            assert refusal == "", case
        else:
            assert refusal == offer.DETENTION_REFUSAL, case
        assert R.ORDINARY in offered(req)


def test_jus_12_a_flying_place_goes_only_to_a_release_without_solution(
    kept, social_worker, cpip, siao_operator
):
    cases = {
        "no detention": (plain_request(social_worker), False),
        "due out in two months": (detained_request(cpip, due_in=60), False),
        "due out in three days, no solution": (detained_request(cpip, due_in=3), True),
        "released today, no solution": (detained_request(cpip, released_ago=0), True),
        "released ten days ago": (detained_request(cpip, released_ago=10), False),
        "dry exit recorded three days ago": (
            detained_request(cpip, released_ago=3, dry_exit_ago=3),
            True,
        ),
    }
    for case, (req, allowed) in cases.items():
        assert (R.FLYING in offered(req)) is allowed, case
        refusal = attribute_refusal(req, kept["flying"], siao_operator)
        assert refusal == ("" if allowed else offer.FLYING_REFUSAL), case


def test_jus_12_no_flying_place_once_housing_is_secured(kept, cpip, siao_operator, structure):
    req = detained_request(cpip, due_in=3)
    assert offer.on_dry_exit_path(req)
    # Another request of the same detention already has its admission.
    other = _evaluated(make_request(req.person, referrer=cpip, detention=req.detention))
    Orientation.attribute(request=other, capacity=kept["ordinary"], by=siao_operator).admit(
        by=siao_operator
    )
    assert not offer.on_dry_exit_path(req)
    assert R.FLYING not in offered(req)


def test_jus_12_every_path_applies_the_one_rule(kept, social_worker, siao_operator, cpip):
    req = plain_request(social_worker)
    for capacity, message in ((kept["flying"], "place volante"), (kept["detention"], "réservées")):
        with pytest.raises(TransitionNotAllowed, match=message):
            Orientation.preposition(request=req, capacity=capacity, by=siao_operator)
    detained = detained_request(cpip, due_in=60)
    start, end = Orientation.default_window(detained.detention)
    with pytest.raises(TransitionNotAllowed, match="place volante"):
        Orientation.reserve(
            request=detained,
            capacity=kept["flying"],
            by=siao_operator,
            starts_on=start,
            ends_on=end,
        )
    assert Orientation.reserve(
        request=detained,
        capacity=kept["detention"],
        by=siao_operator,
        starts_on=start,
        ends_on=end,
    ).is_reservation


def test_jus_12_direct_admission_never_takes_kept_urgence_places(structure_manager):
    shelter = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU
    )
    PlaceCapacityFactory(
        structure=shelter, place_type=PlaceType.EMERGENCY, places=2, reservation=R.FLYING
    )
    req = make_request(referrer=structure_manager, channel=Channel.EMERGENCY)
    with pytest.raises(TransitionNotAllowed, match="sont gardées"):
        Orientation.admit_directly(
            request=req, structure=shelter, by=structure_manager, at=timezone.now()
        )
    ordinary = PlaceCapacityFactory(structure=shelter, place_type=PlaceType.EMERGENCY, places=1)
    admission = Orientation.admit_directly(
        request=req, structure=shelter, by=structure_manager, at=timezone.now()
    )
    assert admission.capacity == ordinary


# -- shown apart -------------------------------------------------------------------------


def test_jus_12_the_views_refuse_kept_places_with_a_french_message(
    client, kept, social_worker, siao_operator
):
    req = plain_request(social_worker)
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:attribute", args=[req.pk]),
        {"capacity": kept["flying"].pk, "mode": "attribute"},
    )
    assert response.status_code == 400
    assert "Cette place volante est gardée pour les sorties sèches" in response.content.decode()
    assert not Orientation.objects.exists()


def test_jus_12_the_suggestions_show_kept_places_apart_with_a_filter(
    client, kept, cpip, social_worker, siao_operator
):
    client.force_login(siao_operator)
    detained = detained_request(cpip, due_in=3)
    url = reverse("orientations:suggestions", args=[detained.pk])
    page = client.get(url).content.decode()
    assert "Réservée aux sortants de détention" in page
    assert "Place volante (sorties sèches)" in page
    only = client.get(url, {"reservation": "flying"}).content.decode()
    assert "appartement SAS" in only and "Réservée aux sortants de détention</span>" not in only
    # For a request they are not kept for: not offered, and the page says why.
    plain = client.get(
        reverse("orientations:suggestions", args=[plain_request(social_worker).pk])
    ).content.decode()
    assert 'id="places-gardees"' in plain
    assert "gardées pour les sorties sèches" in plain
    assert f'name="capacity" value="{kept["flying"].pk}"' not in plain
    assert f'name="capacity" value="{kept["ordinary"].pk}"' in plain


def test_jus_12_the_board_and_the_register_show_kept_places_apart_with_filters(
    client, kept, siao_operator, structure
):
    elsewhere = StructureFactory(manager=structure.manager, name="Résidence ordinaire", places=5)
    client.force_login(siao_operator)
    board = client.get(reverse("places:vacancies")).content.decode()
    assert 'id="places-reservees"' in board
    assert "Réservée aux sortants de détention" in board and "Place volante" in board
    flying = client.get(reverse("places:vacancies"), {"reservation": "flying"}).content.decode()
    assert "appartement SAS" in flying and "Résidence ordinaire" not in flying
    register = client.get(reverse("places:list")).content.decode()
    assert "dont 4" in register and "dont 1" in register
    kept_only = client.get(reverse("places:list"), {"reservation": "detention"}).content.decode()
    assert structure.name in kept_only and elsewhere.name not in kept_only


def test_jus_12_places_held_per_reservation_kind_on_a_day(kept, cpip, siao_operator, structure):
    req = detained_request(cpip, due_in=3)
    Orientation.attribute(request=req, capacity=kept["flying"], by=siao_operator)
    counts = places_by_reservation(territory_id=structure.territory_id)
    assert counts[R.FLYING] == {"places": 1, "held": 1}
    assert counts[R.DETENTION] == {"places": 4, "held": 0}
    assert counts[R.ORDINARY] == {"places": 20, "held": 0}
    assert counts[R.PLACEMENT] == {"places": 0, "held": 0}
