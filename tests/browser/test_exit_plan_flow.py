"""EXIT-01 and EXIT-03 in chromium: the three partners each fill their part of one exit plan on
its page — the CPIP the rights (the identity card done, the CAF appointment booked), the SIAE
coach the job, the SIAO the first night — then the paper for release day is opened and
printed, and shows all three in plain French."""

import datetime as dt

from django.urls import reverse
from django.utils import formats
from playwright.sync_api import expect

from relais.exitplan.enums import ItemKind, ItemState
from tests.factories import (
    PASSWORD,
    StructureFactory,
    UserFactory,
    make_evaluation,
    make_exit_plan,
    make_parcours,
    make_request,
    orient,
)


def _secure_housing(plan, siao):
    """A place admitted at the CHRS Les Tilleuls for the person, through the workflows."""
    detention = plan.detention
    structure = StructureFactory(name="CHRS Les Tilleuls", manager__territory=plan.territory)
    request = make_request(detention.person, referrer=detention.cpip, detention=detention)
    make_evaluation(request)
    request.evaluate(by=detention.cpip)
    orientation = orient(request, by=siao, structure=structure)
    orientation.admit(by=UserFactory(structure_manager=True, organisation=structure.manager))
    return structure


def test_exit_03_three_partners_fill_the_plan_and_the_paper_shows_their_parts(
    page, live_server, login, snap
):
    parcours = make_parcours(state="active")
    plan = make_exit_plan(parcours.detention)
    cpip = plan.detention.cpip
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    siao = UserFactory(siao_operator=True, organisation__territory=plan.territory)
    structure = _secure_housing(plan, siao)
    identity = plan.items.get(kind=ItemKind.IDENTITY_DOCUMENT)
    caf = plan.items.get(kind=ItemKind.APPOINTMENT_CAF)
    job = plan.items.get(kind=ItemKind.JOB_OR_TRAINING)
    plan_url = (
        f"{live_server.url}{reverse('exitplan:plan', kwargs={'detention_pk': plan.detention_id})}"
    )
    rdv_day = plan.release_on() + dt.timedelta(days=3)

    # The CPIP: the identity card is done, the CAF appointment booked.
    login(page, live_server, cpip.username, PASSWORD)
    page.goto(plan_url)
    card = page.locator(f"#element-{identity.pk}")
    card.get_by_role("button", name="Fait", exact=True).click()
    expect(page.locator(f"#element-{identity.pk}")).to_contain_text("Fait le")
    card = page.locator(f"#element-{caf.pk}")
    card.get_by_label("Date du rendez-vous").fill(rdv_day.isoformat())
    card.get_by_label("Heure").fill("10:30")
    card.get_by_label("Service").fill("CAF du Haut-Rhin")
    card.get_by_label("Adresse").fill("26 avenue Robert Schuman, Mulhouse")
    card.get_by_label("Téléphone").fill("3230")
    card.get_by_role("button", name="Fait", exact=True).click()
    expect(page.locator(f"#element-{caf.pk}")).to_contain_text("CAF du Haut-Rhin")
    snap("plan rempli par le SPIP")

    # The SIAE coach: the job lined up.
    page.context.clear_cookies()
    login(page, live_server, coach.username, PASSWORD)
    page.goto(plan_url)
    card = page.locator(f"#element-{job.pk}")
    card.get_by_label("Précisions").fill("CDDI en espaces verts chez Tremplin")
    card.get_by_role("button", name="Fait", exact=True).click()
    expect(page.locator(f"#element-{job.pk}")).to_contain_text("Fait le")
    snap("plan rempli par la SIAE")

    # The SIAO: the first night.
    page.context.clear_cookies()
    login(page, live_server, siao.username, PASSWORD)
    page.goto(plan_url)
    first_night = page.locator("#premier-soir")
    first_night.get_by_label("Heures d'arrivée").fill("de 14 h à 18 h")
    first_night.get_by_label("Personne à demander").fill("Mme Weber")
    first_night.get_by_role("button", name="Enregistrer l'accueil du premier soir").click()
    expect(page.locator("#hebergement")).to_contain_text("arrivée de 14 h à 18 h")
    snap("plan rempli par le SIAO")

    assert {i.kind: i.state for i in plan.items.filter(pk__in=[identity.pk, caf.pk, job.pk])} == {
        ItemKind.IDENTITY_DOCUMENT: ItemState.DONE,
        ItemKind.APPOINTMENT_CAF: ItemState.DONE,
        ItemKind.JOB_OR_TRAINING: ItemState.DONE,
    }

    # The paper for release day, from the plan page's button.
    page.get_by_role("link", name="Imprimer le document de sortie").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('exitplan:paper', args=[plan.pk])}")
    paper = page.locator("#document-de-sortie")
    expect(paper.locator("h1")).to_have_text("Votre sortie")
    expect(paper).to_contain_text("Ce document est à vous.")
    night = paper.locator("#premier-soir")
    expect(night).to_contain_text("CHRS Les Tilleuls")
    expect(night).to_contain_text(structure.address)
    expect(night).to_contain_text("Arrivez de 14 h à 18 h.")
    expect(night).to_contain_text("Demandez : Mme Weber")
    appointments = paper.locator("#rendez-vous")
    day = formats.date_format(rdv_day, "l j F")
    expect(appointments).to_contain_text(f"Le {day} à 10 h 30")
    expect(appointments).to_contain_text("CAF du Haut-Rhin")
    expect(appointments).to_contain_text("26 avenue Robert Schuman, Mulhouse")
    expect(paper.locator("#travail")).to_contain_text("CDDI en espaces verts chez Tremplin")
    expect(paper.locator("#papiers-obtenus")).to_contain_text("Carte d'identité ou titre de séjour")
    expect(paper.locator("#papiers-a-obtenir")).to_contain_text("Relevé d'identité bancaire")
    expect(paper.locator("#numeros")).to_contain_text(cpip.get_full_name())
    snap("document de sortie")

    page.emulate_media(media="print")
    expect(page.locator("header.fr-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(paper).to_be_visible()
    snap("document de sortie imprime")
    page.emulate_media(media="screen")
