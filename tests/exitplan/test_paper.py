"""EXIT-03: the paper the person takes on release day — where to sleep that night (the
secured housing, else the 115), the appointments in date order, the documents held and still
to get; only what the printer sees on the plan, printed by whoever reads the plan."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.exitplan.enums import ItemEventKind, ItemKind
from relais.exitplan.paper_views import when
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_exit_plan,
    make_parcours,
    make_request,
    orient,
)

pytestmark = pytest.mark.django_db


def _plan():
    parcours = make_parcours(state="active")
    return make_exit_plan(parcours.detention)


def _item(plan, kind):
    return plan.items.get(kind=kind)


def _siao(plan):
    return UserFactory(siao_operator=True, organisation__territory=plan.territory)


def _coach(plan):
    return UserFactory(siae_coach=True, organisation=plan.site.siae)


def _paper(client, user, plan) -> str:
    client.force_login(user)
    response = client.get(reverse("exitplan:paper", args=[plan.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def _part(html: str, part_id: str) -> str:
    """The text of one <section id=…> of the paper."""
    start = html.index(f'id="{part_id}"')
    return html[start : html.index("</section>", start)]


def _secure_housing(plan, *, name="CHRS Les Tilleuls"):
    """A place admitted in a structure of the territory, through the workflows."""
    detention = plan.detention
    siao = _siao(plan)
    structure = StructureFactory(
        name=name, manager__territory=plan.territory, manager__phone="03 89 11 22 33"
    )
    request = make_request(detention.person, referrer=detention.cpip, detention=detention)
    make_evaluation(request)
    request.evaluate(by=detention.cpip)
    orientation = orient(request, by=siao, structure=structure)
    manager = UserFactory(structure_manager=True, organisation=structure.manager)
    orientation.admit(by=manager)
    return siao, structure


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_exit_03_with_secured_housing_the_paper_says_where_and_when_to_arrive(client):
    plan = _plan()
    siao, structure = _secure_housing(plan)
    plan.set_first_night(
        by=siao,
        arrival_hours="de 14 h à 18 h",
        arrival_contact="Mme Weber",
        arrival_phone="",
        arrival_note="Apportez votre carte d'identité.\nBus 7, arrêt Tilleuls.",
    )
    night = _part(_paper(client, plan.detention.cpip, plan), "premier-soir")
    assert "CHRS Les Tilleuls" in night and structure.address in night
    assert "Arrivez de 14 h à 18 h." in night and "Mme Weber" in night
    # No phone for the arrival: the structure manager's.
    assert "03 89 11 22 33" in night
    assert "<p>Bus 7, arrêt Tilleuls.</p>" in night
    assert "Appelez le" not in night
    # The SIAO prints the same.
    assert "CHRS Les Tilleuls" in _part(_paper(client, siao, plan), "premier-soir")


def test_exit_03_without_secured_housing_the_paper_says_call_the_115(client):
    plan = _plan()
    OrganisationFactory(
        emergency_line=True,
        territory=plan.territory,
        name="115 du Haut-Rhin",
        phone="03 89 00 01 15",
    )
    OrganisationFactory(emergency_line=True, phone="01 00 00 00 00")  # another territory's
    night = _part(_paper(client, plan.detention.cpip, plan), "premier-soir")
    assert "Appelez le <strong>115</strong>" in night and "C'est gratuit." in night
    assert "24 h sur 24" in night
    assert "<strong>03 89 00 01 15</strong> (115 du Haut-Rhin)" in night
    assert "01 00 00 00 00" not in night
    assert "Allez à" not in night and "Vous n'avez pas encore de place" in night
    # A first night told by the SIAO without a place secured (a night arranged by the 115):
    # said, and the 115 kept for a problem.
    plan.set_first_night(
        by=_siao(plan),
        arrival_hours="après 19 h",
        arrival_contact="",
        arrival_phone="03 89 44 55 66",
        arrival_note="",
    )
    night = _part(_paper(client, plan.detention.cpip, plan), "premier-soir")
    assert "Pour le premier soir" in night and "Arrivez après 19 h." in night
    assert "03 89 44 55 66" in night
    assert "En cas de problème, appelez le <strong>115</strong>" in night


def test_exit_03_appointments_are_printed_in_date_order_in_plain_words(client):
    plan = _plan()
    cpip = plan.detention.cpip
    caf, ccas = _item(plan, ItemKind.APPOINTMENT_CAF), _item(plan, ItemKind.APPOINTMENT_CCAS)
    spip = _item(plan, ItemKind.APPOINTMENT_SPIP)
    caf.take(
        ItemEventKind.DONE,
        by=cpip,
        appointment_at=_at(125, 10, 30),
        place="CAF du Haut-Rhin",
        address="26 avenue Robert Schuman, Mulhouse",
        phone="3230",
    )
    ccas.take(ItemEventKind.DETAILS, by=cpip, appointment_at=_at(130, 9), place="CCAS de Mulhouse")
    spip.take(ItemEventKind.NOT_NEEDED, by=cpip, remarks="Fin de peine sèche")
    part = _part(_paper(client, cpip, plan), "rendez-vous")
    # The CAF first: its date comes first, though the catalogue lists the CCAS first.
    assert part.index("CAF du Haut-Rhin") < part.index("CCAS de Mulhouse")
    assert f"Le {when(_at(125, 10, 30))}" in part and f"Le {when(_at(130, 9))}" in part
    assert when(_at(125, 10, 30)) == f"{formats.date_format(_at(125, 10), 'l j F')} à 10 h 30"
    assert when(_at(130, 9)).endswith(" à 9 h")
    assert "26 avenue Robert Schuman, Mulhouse" in part and "Téléphone : 3230" in part
    # Neither an appointment not booked nor one not needed.
    assert "France Travail" not in part and "SPIP" not in part


def test_exit_03_documents_held_and_still_to_get(client):
    plan = _plan()
    cpip = plan.detention.cpip
    _item(plan, ItemKind.IDENTITY_DOCUMENT).take(ItemEventKind.DONE, by=cpip)
    _item(plan, ItemKind.BANK_ACCOUNT).take(ItemEventKind.STARTED, by=cpip)
    _item(plan, ItemKind.POSTAL_ADDRESS).take(
        ItemEventKind.NOT_NEEDED, by=cpip, remarks="Hébergé au CHRS"
    )
    html = _paper(client, cpip, plan)
    held = html[html.index('id="papiers-obtenus"') : html.index('id="papiers-a-obtenir"')]
    to_get = _part(html, "papiers")[_part(html, "papiers").index('id="papiers-a-obtenir"') :]
    assert "Carte d'identité ou titre de séjour" in held
    assert "Relevé d'identité bancaire (RIB)" not in held
    assert "Relevé d'identité bancaire (RIB)" in to_get
    assert "Attestation d'assurance maladie" in to_get
    assert "Carte d'identité" not in to_get
    assert "Qui vous aide" in to_get
    # Not needed: neither held nor to get.
    assert "Attestation de domiciliation" not in html
    assert "Ce document est à vous." in html


def test_exit_03_the_siae_prints_only_what_it_sees(client):
    plan = _plan()
    cpip = plan.detention.cpip
    coach = _coach(plan)
    _secure_housing(plan, name="CHRS Le Phare")
    _item(plan, ItemKind.APPOINTMENT_SPIP).take(
        ItemEventKind.DETAILS, by=cpip, appointment_at=_at(122, 14), place="SPIP milieu ouvert"
    )
    _item(plan, ItemKind.HEALTH_INSURANCE).take(ItemEventKind.DONE, by=cpip)
    _item(plan, ItemKind.JOB_OR_TRAINING).take(
        ItemEventKind.DONE, by=coach, remarks="CDDI en espaces verts\nDébut le lundi à 8 h"
    )
    full = _paper(client, cpip, plan)
    assert "SPIP milieu ouvert" in full and "Attestation d'assurance maladie" in full
    assert "CHRS Le Phare" in full
    seen = _paper(client, coach, plan)
    assert "SPIP milieu ouvert" not in seen
    assert "assurance maladie" not in seen and "santé" not in seen
    # The SIAE knows a place is secured, not where.
    night = _part(seen, "premier-soir")
    assert "CHRS Le Phare" not in night and "vous donne l'adresse" in night
    assert "<p>CDDI en espaces verts</p>" in _part(seen, "travail")
    # …and tells the person that the paper is not the whole of it.
    assert "Ce document ne dit pas tout" in seen and "Ce document ne dit pas tout" not in full


def test_exit_03_an_lsc_date_is_printed_as_a_possible_release_not_a_firm_one(client):
    today = timezone.localdate()
    detention = make_detention(end_date=today + dt.timedelta(days=600))
    plan = make_exit_plan(detention)
    assert plan.release_on(today) != detention.end_date  # an LSC date comes first
    html = _paper(client, detention.cpip, plan)
    dates = _part(html, "date-de-sortie")
    assert "si le juge accorde votre libération" in dates
    assert formats.date_format(detention.end_date, "l j F Y") in dates


def test_exit_03_who_does_not_read_the_plan_gets_a_404(client):
    plan = _plan()
    url = reverse("exitplan:paper", args=[plan.pk])
    for outsider in (
        UserFactory(siae_coach=True),
        UserFactory(cpip=True, organisation__territory=plan.territory),
        UserFactory(siao_operator=True),
        UserFactory(prison_staff=True, organisation=plan.detention.establishment),
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_exit_03_printing_the_paper_is_an_audited_read_of_the_person(client):
    plan = _plan()
    coach = _coach(plan)
    _paper(client, coach, plan)
    row = AuditEvent.objects.get(action=Action.READ, user=coach, person_id=plan.person_id)
    assert row.detail["page"] == "exitplan:paper"
    assert (row.object_type, row.object_id) == ("exitplan", str(plan.pk))
