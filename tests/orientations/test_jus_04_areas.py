"""JUS-04: orientations respect the judicial measures of the person's detention.

Suggestions leave out a place inside an exclusion area or an area to avoid, or outside a
residence obligation, and say why; attribution, reservation, pre-positioning (and its
confirmation) refuse such a place in the model's transition, whatever the path. A structure
learns only that a geographic constraint exists (JUS-01).
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.core.transitions import TransitionNotAllowed
from relais.justice.enums import AreaKind, AreaLevel
from relais.justice.models import JudicialArea
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.orientations.suggestions import Filters, suggest
from relais.places.models import Structure
from tests.factories import StructureFactory, make_detention, make_evaluation, make_request

pytestmark = pytest.mark.django_db

MULHOUSE, COLMAR = "68224", "68066"
TODAY = timezone.localdate


@pytest.fixture
def in_mulhouse(structure_manager):
    return StructureFactory(
        manager=structure_manager.organisation,
        name="CHRS du Rebberg",
        commune="Mulhouse",
        commune_insee_code=MULHOUSE,
        places=5,
    ).capacities.get()


@pytest.fixture
def in_colmar(structure_manager):
    return StructureFactory(
        manager=structure_manager.organisation,
        name="CHRS du Ladhof",
        commune="Colmar",
        commune_insee_code=COLMAR,
        places=5,
    ).capacities.get()


def constrained_request(cpip, *areas: tuple[str, str, str, str]):
    """An evaluated request for a person in detention with these (kind, level, code, name)."""
    detention = make_detention(
        cpip=cpip, end_date=TODAY() + dt.timedelta(days=60), sentence=(8, 0, 0)
    )
    for kind, level, code, name in areas:
        JudicialArea.objects.create(
            detention=detention, kind=kind, level=level, insee_code=code, name=name
        )
    req = make_request(detention.person, referrer=cpip, detention=detention)
    make_evaluation(req)
    req.evaluate(by=cpip)
    return req


EXCLUDED_FROM_MULHOUSE = (AreaKind.EXCLUSION, AreaLevel.COMMUNE, MULHOUSE, "Mulhouse")


def test_jus_04_suggestions_leave_out_an_exclusion_area_and_say_why(cpip, in_mulhouse, in_colmar):
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    ranked = {s.capacity.pk: s for s in suggest(req, Filters())}
    assert ranked[in_mulhouse.pk].excluded == "Interdiction de paraître : Mulhouse"
    assert not ranked[in_mulhouse.pk].fits
    assert ranked[in_colmar.pk].excluded == ""
    # Excluded places come last.
    assert list(ranked.values())[-1].capacity == in_mulhouse


def test_jus_04_suggestions_leave_out_what_lies_outside_a_residence_obligation(cpip, in_mulhouse):
    req = constrained_request(cpip, (AreaKind.RESIDENCE, AreaLevel.DEPARTEMENT, "67", "Bas-Rhin"))
    [suggestion] = [s for s in suggest(req, Filters()) if s.capacity == in_mulhouse]
    assert suggestion.excluded == "Obligation de résider : Bas-Rhin"


def test_jus_04_the_suggestions_page_offers_no_excluded_place(
    client, cpip, siao_operator, in_mulhouse, in_colmar
):
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    client.force_login(siao_operator)
    html = client.get(reverse("orientations:suggestions", args=[req.pk])).content.decode()
    excluded = html.split('id="places-exclues"')[1]
    offered = html.split('id="places-exclues"')[0]
    assert "CHRS du Rebberg" in excluded and "Interdiction de paraître : Mulhouse" in excluded
    assert f'value="{in_mulhouse.pk}"' not in offered
    assert f'value="{in_colmar.pk}"' in offered


@pytest.mark.parametrize("path", ["attribute", "preposition", "reserve"])
def test_jus_04_attribute_reserve_and_preposition_refuse_an_excluded_place(
    cpip, siao_operator, in_mulhouse, path
):
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    kwargs = {"request": req, "capacity": in_mulhouse, "by": siao_operator}
    if path == "reserve":
        start, end = Orientation.default_window(req.detention)
        kwargs.update(starts_on=start, ends_on=end)
    with pytest.raises(TransitionNotAllowed) as refusal:
        getattr(Orientation, path)(**kwargs)
    assert str(refusal.value) == (
        "« CHRS du Rebberg » ne peut pas accueillir cette personne — Interdiction de "
        "paraître : Mulhouse. Choisissez une place qui respecte ses contraintes judiciaires."
    )
    assert not req.orientations.exists()
    req.refresh_from_db()
    assert req.status == "evaluated"


def test_jus_04_an_area_added_after_a_pre_positioning_blocks_its_confirmation(
    cpip, siao_operator, in_mulhouse
):
    req = constrained_request(cpip)
    waiting = Orientation.preposition(request=req, capacity=in_mulhouse, by=siao_operator)
    JudicialArea.objects.create(
        detention=req.detention,
        kind=AreaKind.AVOID,
        level=AreaLevel.DEPARTEMENT,
        insee_code="68",
        name="Haut-Rhin",
    )
    with pytest.raises(TransitionNotAllowed, match="Zone à éviter"):
        waiting.confirm_place(by=siao_operator)
    assert Orientation.objects.get(pk=waiting.pk).state == OrientationState.WAITING


def test_jus_04_an_unknown_commune_cannot_be_checked(cpip, siao_operator, structure_manager):
    unknown = StructureFactory(manager=structure_manager.organisation, places=5)
    assert unknown.commune_insee_code == ""
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    with pytest.raises(TransitionNotAllowed, match="commune de cette structure"):
        Orientation.attribute(request=req, capacity=unknown.capacities.get(), by=siao_operator)


def test_jus_04_the_page_refuses_an_excluded_place_in_french(
    client, cpip, siao_operator, in_mulhouse
):
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:attribute", args=[req.pk]),
        {"capacity": in_mulhouse.pk, "mode": "attribute"},
    )
    assert response.status_code == 400
    assert "Interdiction de paraître : Mulhouse" in response.content.decode()
    response = client.post(
        reverse("orientations:reserve", args=[req.pk]),
        {"capacity": in_mulhouse.pk, "starts_on": TODAY(), "ends_on": TODAY()},
    )
    assert response.status_code == 400
    assert "Interdiction de paraître : Mulhouse" in response.content.decode()
    assert not req.orientations.exists()


def test_jus_04_areas_lapse_with_the_judicial_measure(cpip, siao_operator, in_mulhouse):
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    yesterday = TODAY() - dt.timedelta(days=1)
    req.detention.release(on=yesterday, by=cpip, measure_ends_on=yesterday)
    orientation = Orientation.attribute(request=req, capacity=in_mulhouse, by=siao_operator)
    assert orientation.state == OrientationState.PROPOSED


def test_jus_04_the_structure_sees_only_that_a_geographic_constraint_exists(
    client, cpip, siao_operator, structure_manager, in_colmar
):
    req = constrained_request(cpip, EXCLUDED_FROM_MULHOUSE)
    orientation = Orientation.attribute(request=req, capacity=in_colmar, by=siao_operator)
    url = reverse("orientations:detail", args=[orientation.pk])
    client.force_login(structure_manager)
    html = client.get(url).content.decode()
    assert '<dt>Contrainte géographique</dt><dd id="contrainte-geographique">oui</dd>' in html
    assert "Mulhouse" not in html and "Interdiction" not in html
    client.force_login(siao_operator)
    html = client.get(url).content.decode()
    assert "Interdiction de paraître : Mulhouse" in html
    # Without areas, no line at all.
    plain = constrained_request(cpip)
    other = Orientation.attribute(request=plain, capacity=in_colmar, by=siao_operator)
    client.force_login(structure_manager)
    html = client.get(reverse("orientations:detail", args=[other.pk])).content.decode()
    assert "Contrainte géographique" not in html


def test_jus_04_a_direct_admission_names_no_area_to_the_structure(
    cpip, structure_manager, territory
):
    from relais.places.enums import PlaceType, StructureType

    shelter = StructureFactory(
        manager=structure_manager.organisation,
        structure_type=StructureType.CHU,
        commune_insee_code=MULHOUSE,
        places=3,
    )
    assert shelter.capacities.get().place_type == PlaceType.EMERGENCY
    detention = make_detention(cpip=cpip, sentence=(8, 0, 0))
    JudicialArea.objects.create(
        detention=detention,
        kind=AreaKind.EXCLUSION,
        level=AreaLevel.COMMUNE,
        insee_code=MULHOUSE,
        name="Mulhouse",
    )
    req = make_request(detention.person, referrer=cpip, detention=detention, channel="emergency")
    with pytest.raises(TransitionNotAllowed) as refusal:
        Orientation.admit_directly(
            request=req, by=structure_manager, at=timezone.now(), structure=shelter
        )
    assert str(refusal.value).startswith("Contrainte géographique")
    assert "Mulhouse" not in str(refusal.value)
    assert Structure.objects.get(pk=shelter.pk).orientations.count() == 0
