"""SIAO-07, SIAO-08, SIAO-10: the register of structures, their places and dwellings."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from relais.places.enums import PlaceType, StructureType
from relais.places.models import Dwelling, places_for_surface
from relais.places.validators import validate_finess, validate_siret
from tests.factories import PlaceCapacityFactory, StructureFactory


@pytest.mark.parametrize(
    ("surface", "places"),
    [
        ("8.99", 0),
        ("9", 1),
        ("11.99", 1),
        ("12", 2),
        ("22.99", 2),
        ("23", 3),
        ("33.99", 3),
        ("34", 4),
        ("44.99", 4),
        ("45", 5),
        ("55.99", 5),
        ("56", 6),
        ("66.99", 6),
        ("67", 7),
        ("77.99", 7),
        ("78", 8),
        ("88.99", 8),
        ("89", 9),
        ("99.99", 9),
        ("100", 9),
        ("100.01", 10),
        ("110", 10),
        ("110.01", 11),
        ("120", 11),
        ("120.01", 12),
        ("155", 15),
    ],
)
def test_siao_10_places_from_surface_follow_table_2_at_every_boundary(surface, places):
    assert places_for_surface(Decimal(surface)) == places


@pytest.mark.django_db
def test_siao_10_housing_capacity_counts_its_dwellings_places(structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.IML
    )
    capacity = PlaceCapacityFactory(structure=structure, place_type=PlaceType.HOUSING, places=1)
    Dwelling.objects.create(capacity=capacity, label="T1 rue Koechlin", surface=Decimal("18.5"))
    Dwelling.objects.create(capacity=capacity, label="T4 avenue Kennedy", surface=Decimal("72"))
    capacity.refresh_from_db()
    assert capacity.places == 2 + 7
    capacity.dwellings.get(label__startswith="T1").delete()
    capacity.refresh_from_db()
    assert capacity.places == 7


@pytest.mark.django_db
def test_siao_10_winter_only_places_are_not_counted(structure_manager):
    structure = StructureFactory(manager=structure_manager.organisation, places=20)
    PlaceCapacityFactory(structure=structure, places=12, is_winter_only=True)
    winter_flats = PlaceCapacityFactory(
        structure=structure, place_type=PlaceType.HOUSING, places=1, is_winter_only=True
    )
    Dwelling.objects.create(capacity=winter_flats, label="T3", surface=Decimal("40"))
    assert structure.permanent_capacity() == 20


@pytest.mark.django_db
def test_siao_10_a_dwelling_under_9_square_metres_is_refused(structure):
    dwelling = Dwelling(
        capacity=structure.capacities.get(), label="Chambre", surface=Decimal("8.5")
    )
    with pytest.raises(ValidationError, match="9 m²"):
        dwelling.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        dwelling.save()


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a real company's site (Luhn)
        "35600000000001",  # La Poste: sum of digits divisible by 5
    ],
)
def test_siao_07_valid_siret_is_accepted(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("7328293200007", "14 chiffres"),
        ("7328293200007A", "14 chiffres"),
        ("732 829 320 00074", "14 chiffres"),
        ("73282932000075", "clé de contrôle"),
        ("35600000000002", "clé de contrôle"),
    ],
)
def test_siao_07_invalid_siret_is_refused_with_the_reason(siret, message):
    with pytest.raises(ValidationError, match=message):
        validate_siret(siret)


@pytest.mark.parametrize("finess", ["680000973", "2A0000008", "970000006"])
def test_siao_07_valid_finess_is_accepted(finess):
    validate_finess(finess)


@pytest.mark.parametrize(
    ("finess", "message"),
    [
        ("68000097", "9 caractères"),
        ("6800009730", "9 caractères"),
        ("AB0000973", "9 caractères"),
        ("680000974", "clé de contrôle"),
    ],
)
def test_siao_07_invalid_finess_is_refused_with_the_reason(finess, message):
    with pytest.raises(ValidationError, match=message):
        validate_finess(finess)


@pytest.mark.django_db
def test_siao_07_structure_address_is_structured_and_checked(structure):
    structure.commune_insee_code = "67482"
    with pytest.raises(ValidationError) as error:
        structure.full_clean()
    assert "département 68" in str(error.value)
    structure.commune_insee_code = "68224"
    structure.postcode = "6810"
    with pytest.raises(ValidationError, match="5 chiffres"):
        structure.full_clean()
    structure.postcode = "68100"
    structure.full_clean()
    assert structure.address == "12 rue des Tilleuls, 68100 Mulhouse"


@pytest.mark.django_db
def test_siao_08_place_attributes_follow_table_1(structure):
    capacity = PlaceCapacityFactory(
        structure=structure,
        place_type=PlaceType.EMERGENCY,
        places=4,
        is_dormitory=True,
        is_winter_only=True,
    )
    with pytest.raises(ValidationError, match="au moins 5 places"):
        capacity.full_clean()
    capacity.places = 6
    capacity.full_clean()
    assert capacity.description == "Places en urgence, regroupées, dortoir, hivernales"


@pytest.mark.django_db
def test_siao_08_restrictions_read_as_a_shelter_states_them(structure):
    capacity = PlaceCapacityFactory(
        structure=structure,
        accepts_men=False,
        accepts_couples=False,
        min_age=18,
        max_age=25,
        accepts_pets=True,
    )
    assert capacity.public_display == (
        "femmes, familles avec enfants, de 18 à 25 ans, animaux acceptés"
    )
    capacity.min_age = 30
    with pytest.raises(IntegrityError), transaction.atomic():
        capacity.save()
