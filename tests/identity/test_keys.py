"""IDV-01 in the database: keys follow every save, lookups read only shared keys."""

import io

import pytest
from django.core.management import call_command

from relais.identity.matching import Identity
from relais.identity.models import IdentityKey, PairStatus, PersonPair
from relais.identity.normalize import parse_date
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def sophie(last: str):
    return PersonFactory(
        birth_name=last,
        first_names="Sophie",
        sex="F",
        birth_year=1962,
        birth_month=7,
        birth_day=4,
        birth_place="",
    )


def identity(last, first, date="", usage="") -> Identity:
    return Identity.build(
        birth_name=last, usage_name=usage, first_names=first, birth=parse_date(date)
    )


def test_idv_01_keys_are_stored_on_every_save_and_follow_changes():
    person = PersonFactory(birth_name="Lefèvre", first_names="Jean", birth_year=1985)
    keys = set(IdentityKey.objects.filter(person=person).values_list("key", flat=True))
    assert keys
    person.birth_name = "Nguyen"
    person.save()
    assert set(IdentityKey.objects.filter(person=person).values_list("key", flat=True)) != keys


def test_idv_01_lookup_finds_variants_and_explains_them():
    jean = PersonFactory(
        birth_name="Lefèvre",
        first_names="Jean-Pierre",
        birth_year=1985,
        birth_month=3,
        birth_day=12,
    )
    PersonFactory(birth_name="Martin", first_names="Sophie", birth_year=1962)
    found = IdentityKey.objects.candidates_for(identity("LEFEBVRE", "jean pierre", "03/12/1985"))
    assert [c.person for c in found] == [jean]
    assert "birth_date=swapped" in found[0].comparison.reasons


def test_idv_01_lookup_reads_only_the_persons_sharing_a_key(django_assert_max_num_queries):
    for n in range(30):
        PersonFactory(birth_name=f"Nom{n}", first_names="Paul", birth_year=1950 + n)
    with django_assert_max_num_queries(2):
        assert IdentityKey.objects.candidates_for(identity("Durand", "Luc", "1990")) == []


def test_idv_01_a_likely_pair_is_kept_for_review_when_a_person_is_saved():
    one, other = sophie("Durand"), sophie("Durant")
    pair = PersonPair.objects.between(one, other).get()
    assert pair.status == PairStatus.OPEN and "last_name=phonetic" in pair.reasons


def test_idv_01_rebuild_identity_keys_restores_missing_keys_and_pairs():
    one, other = sophie("Durand"), sophie("Durant")
    IdentityKey.objects.all().delete()
    PersonPair.objects.all().delete()
    call_command("rebuild_identity_keys", "--pairs", "--workers=1", stdout=io.StringIO())
    assert IdentityKey.objects.filter(person=one).exists()
    assert PersonPair.objects.between(one, other).exists()
