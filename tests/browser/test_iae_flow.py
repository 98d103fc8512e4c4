"""Issue 11 in chromium: the CPIP prescribes and records the consent, the CPU orients, the SIAE
interviews, the prison head assigns, the CPIP and the SIAE exchange in the handover log, the
SIAE evaluates the skills, the exit synthesis is printed (IAE-01 … IAE-06)."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from relais.iae.models import Parcours, Skill
from tests.factories import PASSWORD, make_detention, make_site


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_iae_02_from_the_prescription_to_the_printed_exit_synthesis(
    page, context, live_server, login, cpip, prison, prison_staff, siae_coach, snap
):
    prison.spip = cpip.organisation
    prison.save()
    site = make_site(establishment=prison, siae=siae_coach.organisation, activity="Menuiserie")
    detention = make_detention(
        cpip=cpip, establishment=prison, end_date=timezone.localdate() + dt.timedelta(days=400)
    )
    person = detention.person

    # The CPIP prescribes, then records the person's written consent.
    login(page, live_server, cpip.username, PASSWORD)
    page.goto(f"{live_server.url}/iae/parcours/")
    page.locator("#candidats").get_by_role("link", name="Prescrire un parcours").click()
    page.get_by_label("SIAE de l'établissement").select_option(str(site.pk))
    page.get_by_label("Prescrit le").fill(_day(-20))
    page.get_by_label("Avis du SPIP").select_option("favourable")
    page.get_by_label("Pièce d'identité ou autorisation").select_option("birth_certificate")
    page.get_by_label("La personne est volontaire").check(force=True)
    page.get_by_role("button", name="Prescrire").click()
    expect(page.locator("#etape")).to_contain_text("Proposée par le SPIP")
    expect(page.locator("#eligibilite")).to_contain_text("Reliquat de peine entre 4 et 36 mois")
    form = page.locator("#recueillir-consentement")
    form.get_by_label("Signé le").fill(_day(-20))
    form.get_by_label("la personne a été informée").check(force=True)
    form.get_by_label("Original signé conservé").fill("Dossier SPIP, bureau du CPIP")
    form.get_by_role("button", name="Enregistrer le consentement").click()
    expect(page.locator("#badge-consentement")).to_contain_text("Consentement écrit en cours")
    parcours = Parcours.objects.get(person=person)
    context.clear_cookies()

    # The establishment records the CPU sitting and its orientation.
    login(page, live_server, prison_staff.username, PASSWORD)
    page.goto(f"{live_server.url}/iae/cpu/nouvelle/")
    page.get_by_label("Date de la CPU").fill(_day(-15))
    page.get_by_label("Présidée par").fill("Mme Marchal, directrice adjointe")
    page.get_by_label("Membres présents").fill("CPIP\nSIAE\nResponsable du travail")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#en-attente")).to_contain_text(person.birth_name.upper())
    page.goto(f"{live_server.url}/iae/parcours/{parcours.pk}/")
    decision = page.locator("#decision-cpu")
    decision.get_by_label("Séance de CPU").select_option(index=1)
    decision.get_by_label("Décision de la CPU").select_option("orient")
    decision.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#etape")).to_contain_text("liste d'attente")
    context.clear_cookies()

    # The SIAE finds the person on its waiting list and retains them.
    login(page, live_server, siae_coach.username, PASSWORD)
    page.goto(f"{live_server.url}/iae/sites/{site.pk}/liste-d-attente/")
    page.locator("#liste-attente").get_by_role("link").first.click()
    interview = page.locator("#entretien")
    interview.get_by_label("Date").fill(_day(-10))
    interview.get_by_label("Résultat de l'entretien").select_option("retained")
    interview.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.locator("#etape")).to_contain_text("Retenue par la SIAE")
    context.clear_cookies()

    # The prison head's affectation decision.
    login(page, live_server, prison_staff.username, PASSWORD)
    page.goto(f"{live_server.url}/iae/parcours/{parcours.pk}/")
    assign = page.locator("#affectation")
    assign.get_by_label("Date").fill(_day(-7))
    assign.get_by_label("Décision signée par").fill("M. Frey, chef d'établissement")
    assign.get_by_role("button", name="Enregistrer l'affectation").click()
    expect(page.locator("#etape")).to_contain_text("En parcours")
    expect(page.locator("#transmissions")).to_have_count(0)  # not the prison's
    context.clear_cookies()

    # The CPIP writes in the handover log …
    login(page, live_server, cpip.username, PASSWORD)
    page.goto(f"{live_server.url}/iae/parcours/{parcours.pk}/")
    log = page.locator("#ecrire-transmission")
    log.get_by_label("Transmission").fill("Audience JAP le 12 : merci d'une attestation.")
    log.get_by_role("button", name="Ajouter au cahier").click()
    expect(page.locator("#transmissions")).to_contain_text("Audience JAP le 12")
    context.clear_cookies()

    # … the SIAE answers, evaluates the skills and writes the exit synthesis.
    login(page, live_server, siae_coach.username, PASSWORD)
    page.goto(f"{live_server.url}/iae/parcours/{parcours.pk}/")
    expect(page.locator("#transmissions")).to_contain_text("Audience JAP le 12")
    log = page.locator("#ecrire-transmission")
    log.get_by_label("Transmission").fill("Attestation de présence remise au CPIP.")
    log.get_by_role("button", name="Ajouter au cahier").click()
    expect(page.locator("#transmissions")).to_contain_text("Attestation de présence")
    page.get_by_role("link", name="Voir et compléter le livret").click()
    page.get_by_label("Type d'évaluation").select_option("entry")
    page.get_by_label("Date de l'évaluation").fill(_day(-5))
    for skill in Skill.referential(site):
        page.locator(f"select[name='niveau_{skill.pk}']").select_option("2")
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    expect(page.get_by_text("En cours d'acquisition").first).to_be_visible()
    snap("livret")
    page.goto(f"{live_server.url}/iae/parcours/{parcours.pk}/synthese/")
    page.get_by_label("Compétences acquises").fill("Débit et assemblage en sécurité.")
    page.get_by_label("Situation prévue à la sortie").select_option("training")
    page.get_by_role("button", name="Enregistrer la synthèse").click()
    page.get_by_role("button", name="Transmettre au SPIP").click()
    page.goto(f"{live_server.url}/iae/parcours/{parcours.pk}/synthese/imprimer/")
    expect(page.locator("h1")).to_have_text("Synthèse de parcours")
    expect(page.locator("body")).to_contain_text("Débit et assemblage en sécurité.")
    snap("synthese imprimee")
    parcours.refresh_from_db()
    assert parcours.synthesis.sent_at is not None
    assert parcours.log_entries.count() == 2 and parcours.assessments.count() == 1
