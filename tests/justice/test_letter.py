"""JUS-05: a one-page letter in plain French tells the person in detention where their
request stands; the SIAO of the territory and the CPIP following them print it."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from relais.orientations.enums import RefusalReason
from relais.orientations.models import Orientation
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
)
from tests.justice.test_cpip_notices import reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def detention(cpip):
    prison = OrganisationFactory(
        prison=True, territory=cpip.territory, name="Maison d'arrêt de Mulhouse"
    )
    return make_detention(cpip=cpip, establishment=prison, prison_number="4471")


@pytest.fixture
def siao_contacts(siao):
    siao.address = "12 rue du Sauvage, 68100 Mulhouse"
    siao.phone = "03 89 00 00 00"
    siao.save()
    return siao


def _letter(client, user, detention) -> str:
    client.force_login(user)
    response = client.get(reverse("justice:letter", args=[detention.pk]))
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def _request(detention, siao_operator, *, evaluated: bool = True):
    req = make_request(person=detention.person, referrer=siao_operator, detention=detention)
    if evaluated:
        make_evaluation(req)
        req.evaluate(by=siao_operator)
    return req


def test_jus_05_letter_names_the_person_the_establishment_the_ecrou_and_the_siao_only(
    client, siao_operator, siao_contacts, detention
):
    text = _letter(client, siao_operator, detention)
    person = detention.person
    assert f"{person.first_names} {person.last_name.upper()}" in text
    assert "Écrou n° 4471" in text and "Maison d'arrêt de Mulhouse" in text
    assert "12 rue du Sauvage, 68100 Mulhouse" in text and "03 89 00 00 00" in text
    assert f"Le {timezone.localdate().day} " in text
    # No judicial detail beyond that: neither the sentence nor its dates.
    for day in (detention.end_date, detention.incarcerated_on, detention.lsc_examination_on):
        if day:
            assert day.strftime("%d/%m/%Y") not in text
            assert date_format(day, "j F Y") not in text
    assert "peine" not in text.lower()
    assert "pas encore reçu de demande" in text


def test_jus_05_letter_while_the_request_is_evaluated(client, siao_operator, detention):
    req = _request(detention, siao_operator, evaluated=False)
    text = _letter(client, siao_operator, detention)
    assert "Le SIAO a bien reçu votre demande d'hébergement le" in text
    assert "en cours d'évaluation" in text
    make_evaluation(req)
    req.evaluate(by=siao_operator)
    text = _letter(client, siao_operator, detention)
    assert "son évaluation est terminée" in text and "cherche maintenant une place" in text


def test_jus_05_letter_when_a_place_is_proposed_or_awaited(
    client, siao_operator, structure, detention
):
    req = _request(detention, siao_operator)
    orientation = Orientation.attribute(
        request=req, capacity=structure.capacities.get(), by=siao_operator
    )
    text = _letter(client, siao_operator, detention)
    assert "Le SIAO a proposé une place pour vous à « CHRS Les Tilleuls » (Mulhouse)." in text
    assert "La structure doit maintenant donner sa réponse" in text
    orientation.cancel(by=siao_operator, reason="Attente d'une autre place")
    Orientation.preposition(request=req, capacity=structure.capacities.get(), by=siao_operator)
    text = _letter(client, siao_operator, detention)
    assert "sur la liste d'attente de « CHRS Les Tilleuls »" in text


def test_jus_05_letter_when_a_place_is_reserved_over_a_window(
    client, monkeypatch, siao_operator, structure_manager, detention
):
    req = _request(detention, siao_operator)
    flat = StructureFactory(
        manager=structure_manager.organisation, name="Appartement SAS", places=2, commune="Colmar"
    )
    starts = dt.date(2027, 3, 1)
    reserve(
        monkeypatch,
        request=req,
        capacity=flat.capacities.get(),
        by=siao_operator,
        starts_on=starts,
        ends_on=dt.date(2027, 3, 31),
    )
    text = _letter(client, siao_operator, detention)
    assert (
        "Une place vous est réservée à « Appartement SAS » (Colmar), du 1 mars 2027 au "
        "31 mars 2027, pour votre sortie." in text
    )
    assert "La structure doit encore confirmer" in text
    req.orientations.get().admit(by=structure_manager)
    text = _letter(client, siao_operator, detention)
    assert "La structure a accepté de vous accueillir." in text


def test_jus_05_letter_when_admitted_and_when_refused(
    client, siao_operator, structure_manager, structure, detention
):
    req = _request(detention, siao_operator)
    orientation = Orientation.attribute(
        request=req, capacity=structure.capacities.get(), by=siao_operator
    )
    orientation.refuse(by=structure_manager, reason=RefusalReason.HEALTH_NEEDS)
    text = _letter(client, siao_operator, detention)
    assert "n'a pas pu vous accueillir" in text
    assert "Votre demande reste active : le SIAO continue de chercher une solution" in text
    assert "santé" not in text
    second = StructureFactory(
        manager=structure_manager.organisation, name="CHRS Arc-en-ciel", places=5
    )
    Orientation.attribute(request=req, capacity=second.capacities.get(), by=siao_operator).admit(
        by=structure_manager
    )
    text = _letter(client, siao_operator, detention)
    assert "Bonne nouvelle : « CHRS Arc-en-ciel » (Mulhouse) a accepté de vous accueillir." in text


def test_jus_05_letter_is_printed_by_the_siao_of_the_territory_and_the_spip_only(
    client, request, siao_operator, cpip, detention, remote_worker
):
    assert _letter(client, cpip, detention)
    assert _letter(client, siao_operator, detention)
    colleague = UserFactory(cpip=True, organisation=cpip.organisation)
    assert _letter(client, colleague, detention)
    url = reverse("justice:letter", args=[detention.pk])
    elsewhere = UserFactory(siao_operator=True, organisation__territory=remote_worker.territory)
    other_spip = UserFactory(cpip=True, organisation__territory=cpip.territory)
    for fixture in ("social_worker", "structure_manager", "emergency_line_user", "territory_admin"):
        client.force_login(request.getfixturevalue(fixture))
        assert client.get(url).status_code == 404, fixture
    for user in (elsewhere, other_spip):
        client.force_login(user)
        assert client.get(url).status_code == 404
    # JUS-13: once the measure has ended, the SPIP no longer reads it.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    detention.release(on=yesterday, by=cpip, measure_ends_on=yesterday)
    client.force_login(cpip)
    assert client.get(url).status_code == 404
