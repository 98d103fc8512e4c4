"""Issue 10, point 11: the SPIP's list of detainees due out, imported from a CSV file — dry
run first, line-numbered errors, idempotent on establishment + écrou, identity checked
against the persons already known, nothing half-written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from relais.justice.enums import EndDateReason
from relais.justice.models import Detention
from relais.persons.models import Person
from relais.releases import imports
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, make_request

pytestmark = pytest.mark.django_db

HEADER = "Établissement;Écrou;Nom;Prénoms;Sexe;Date de naissance;Date d'incarcération;peine_annees;Peine mois;peine jours;date_fin_peine;CPIP\n"


@pytest.fixture
def prison(territory):
    return OrganisationFactory(prison=True, territory=territory, name="Maison d'arrêt de Mulhouse")


def _csv(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


def _line(ecrou="1001", nom="Roussel", end="15/09/2027", email=""):
    return f"Maison d'arrêt de Mulhouse;{ecrou};{nom};Karim;M;03/04/1990;01/02/2026;1;6;0;{end};{email}"


def test_jus_01_import_a_dry_run_writes_nothing_then_the_confirmation_writes_all(
    client, cpip, prison
):
    client.force_login(cpip)
    upload = SimpleUploadedFile("liste.csv", _csv(_line(), _line("1002", "Vidal")).encode())
    response = client.post(
        reverse("justice:import"), {"spip": cpip.organisation_id, "file": upload}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 à créer" in page and "Confirmer l'import" in page
    assert not Detention.objects.exists()
    content = response.context["form"]["content"].value()
    response = client.post(
        reverse("justice:import"),
        {"spip": cpip.organisation_id, "content": content, "confirm": "1"},
    )
    assert response.status_code == 302
    assert Detention.objects.count() == 2
    assert set(Detention.objects.values_list("spip_id", flat=True)) == {cpip.organisation_id}


def test_jus_01_import_errors_are_numbered_and_nothing_is_half_written(cpip, prison):
    text = _csv(_line(), _line("1002", end="31/02/2027"), _line("1001", "Autre"))
    result = imports.plan(text, spip=cpip.organisation)
    assert result.errors == [
        (3, "date de fin de peine : « 31/02/2027 » n'est pas une date JJ/MM/AAAA."),
        (4, "écrou 1001 : déjà à la ligne 2."),
    ]
    with pytest.raises(ValueError):
        imports.apply(result, spip=cpip.organisation, by=cpip)
    assert not Detention.objects.exists() and not Person.objects.exists()


def test_jus_01_import_is_idempotent_and_a_moved_date_keeps_its_history(cpip, prison):
    imports.apply(
        imports.plan(_csv(_line()), spip=cpip.organisation), spip=cpip.organisation, by=cpip
    )
    again = imports.plan(_csv(_line()), spip=cpip.organisation)
    assert again.count(imports.UNCHANGED) == 1
    imports.apply(again, spip=cpip.organisation, by=cpip)
    assert Detention.objects.count() == 1 and Person.objects.count() == 1
    moved = imports.plan(_csv(_line(end="15/06/2027")), spip=cpip.organisation)
    assert moved.count(imports.UPDATE) == 1
    imports.apply(moved, spip=cpip.organisation, by=cpip)
    detention = Detention.objects.get()
    (change,) = detention.end_date_history()
    assert change.data["reason"] == EndDateReason.PRISON_RECORD
    assert detention.end_date.isoformat() == "2027-06-15"


def test_jus_01_import_links_a_known_person_and_refuses_a_doubt(cpip, prison):
    known = _karim("Roussel")
    make_request(known, referrer=cpip)  # known in the territory
    result = imports.plan(_csv(_line()), spip=cpip.organisation)
    assert result.ok and result.lines[0].person == known
    make_request(_karim("Rousel"), referrer=cpip)
    result = imports.plan(_csv(_line()), spip=cpip.organisation)
    assert result.errors and "ressemblent" in result.errors[0][1]


def test_jus_01_import_does_not_look_into_another_territory(cpip, prison):
    elsewhere = UserFactory(social_worker=True)  # a service of another territory
    make_request(_karim("Roussel"), referrer=elsewhere)
    result = imports.plan(_csv(_line()), spip=cpip.organisation)
    assert result.ok and result.lines[0].person is None  # a new person, nothing learnt


def _karim(birth_name: str):
    return PersonFactory(
        birth_name=birth_name,
        first_names="Karim",
        sex="M",
        birth_year=1990,
        birth_month=4,
        birth_day=3,
    )


def test_jus_01_import_checks_columns_establishment_and_cpip(cpip, prison):
    assert (
        imports.plan("ecrou;nom\n1;X\n", spip=cpip.organisation)
        .errors[0][1]
        .startswith("Colonnes manquantes")
    )
    result = imports.plan(
        _csv(_line().replace("Maison d'arrêt de Mulhouse", "Ailleurs"), _line("9", email="x@y.fr")),
        spip=cpip.organisation,
    )
    assert [number for number, _ in result.errors] == [2, 3]


def test_jus_01_import_as_a_command_with_a_dry_run(tmp_path, cpip, prison):
    path = tmp_path / "liste.csv"
    path.write_text(_csv(_line()), encoding="utf-8-sig")
    args = [str(path), "--spip", cpip.organisation.name, "--by", cpip.username]
    call_command("import_detainees", *args, "--dry-run")
    assert not Detention.objects.exists()
    call_command("import_detainees", *args)
    assert Detention.objects.count() == 1
    path.write_text(_csv(_line(end="pas une date")), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_detainees", *args)
