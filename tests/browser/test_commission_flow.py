"""JUS-10 in chromium: the SIAO plans this month's commission justice, builds its agenda,
records who was there, decides on a case, holds it, validates the minutes and opens them for
printing; the decision shows on the person's file."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from relais.commission.enums import CommissionState
from relais.commission.models import Commission, Decision
from tests.factories import PASSWORD, make_detention, make_request


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_jus_10_one_commission_from_its_agenda_to_its_printed_minutes(
    page, live_server, login, siao_operator, cpip, snap
):
    detention = make_detention(cpip=cpip, end_date=timezone.localdate() + dt.timedelta(days=75))
    make_request(detention.person, referrer=cpip, detention=detention)
    name = detention.person.birth_name.upper()

    login(page, live_server, siao_operator.username, PASSWORD)
    page.get_by_role("button", name="Justice").click()
    page.get_by_role("link", name="Commission justice").click()
    page.get_by_role("link", name="Prévoir une commission").click()
    page.get_by_label("Date de la commission").fill(_day(0))
    page.get_by_label("Lieu").fill("SPIP de Mulhouse, salle 2")
    page.get_by_role("button", name="Prévoir la commission").click()
    expect(page.locator("#etat")).to_have_text("Prévue")

    page.get_by_role("button", name="Construire l'ordre du jour").click()
    expect(page.locator("#ordre-du-jour")).to_contain_text(name)
    expect(page.locator("#ordre-du-jour")).to_contain_text(f"{detention.due_on:%d/%m/%Y}")
    snap("ordre du jour")

    attendance = page.locator("#enregistrer-presences")
    attendance.get_by_label("Sarah Keller (SIAO du Haut-Rhin)").check(force=True)
    attendance.get_by_label("Camille Fischer (SPIP du Haut-Rhin)").check(force=True)
    attendance.get_by_label("SPIP du Haut-Rhin", exact=True).select_option("represented")
    attendance.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.locator("#presents")).to_contain_text("Camille Fischer")

    case = page.locator("#ordre-du-jour li.relais-member").first
    case.get_by_label("Action décidée").fill("Transmettre l'évaluation au CHRS Les Tilleuls")
    case.get_by_label("Personne chargée de l'action").select_option(str(cpip.pk))
    case.get_by_label("À faire pour le").fill(_day(14))
    case.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#ordre-du-jour")).to_contain_text("Décision : Transmettre l'évaluation")

    page.get_by_role("button", name="Indiquer que la commission s'est tenue").click()
    expect(page.locator("#etat")).to_have_text("Tenue")
    page.get_by_role("button", name="Valider le compte rendu").click()
    expect(page.locator("#etat")).to_have_text("Compte rendu validé")
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)

    page.get_by_role("link", name="Compte rendu à imprimer").click()
    minutes = page.locator("#compte-rendu")
    expect(minutes.locator("h1")).to_contain_text("Compte rendu de la commission justice")
    expect(minutes.locator("#presents")).to_contain_text("Sarah Keller")
    expect(minutes.locator("#services")).to_contain_text("SPIP du Haut-Rhin : représenté")
    expect(minutes.locator("#decisions")).to_contain_text(name)
    expect(minutes.locator("#decisions")).to_contain_text("Camille Fischer")
    page.emulate_media(media="print")
    expect(page.locator("header.fr-header")).to_be_hidden()
    snap("compte rendu imprime")

    commission = Commission.objects.get()
    assert commission.state == CommissionState.CLOSED
    assert Decision.objects.get().owner_user == cpip
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/personnes/{detention.person_id}/")
    expect(page.locator("#commission-justice")).to_contain_text("Transmettre l'évaluation")
