"""Issue 10 in chromium: the CPIP records a detainee and sends the request, the SIAO reserves a
place for the window, the release date moves, the reservation follows, the person is released
and the arrival is recorded (JUS-01, JUS-02, JUS-06)."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from relais.justice.models import Detention
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.requests.models import Request
from tests.factories import PASSWORD, OrganisationFactory, make_evaluation


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_jus_06_from_detention_to_arrival_through_a_reserved_window(
    page, context, live_server, login, cpip, siao_operator, structure_manager, structure, snap
):
    prison = OrganisationFactory(
        prison=True,
        territory=cpip.organisation.territory,
        name="Centre pénitentiaire de Lutterbach",
    )

    # The CPIP records the detainee: a sentence over 5 years, so no LSC date comes first.
    login(page, live_server, cpip.username, PASSWORD)
    page.goto(f"{live_server.url}/justice/detentions/nouvelle/")
    page.get_by_label("Nom de naissance").fill("Marchetti")
    page.get_by_label("Prénom(s)").fill("Dario")
    page.get_by_label("Établissement pénitentiaire").select_option(label=prison.name)
    page.get_by_label("Numéro d'écrou").fill("E-4521")
    page.get_by_label("Date d'incarcération").fill((_day(-6 * 365)).isoformat())
    page.get_by_label("Peine totale : années").fill("6")
    page.get_by_label("Date de fin de peine prévue").fill(_day(100).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#detention")).to_contain_text("E-4521")
    expect(page.locator("#date-fin")).to_have_text(_day(100).strftime("%d/%m/%Y"))
    detention = Detention.objects.get(prison_number="E-4521")

    # … and sends the request to the SIAO, prefilled with the person.
    page.get_by_role("link", name="Envoyer une demande au SIAO").click()
    expect(page.get_by_label("Nom de naissance")).to_have_value("Marchetti")
    page.get_by_label("Insertion / stabilisation").check(force=True)
    page.get_by_role("button", name="Enregistrer et passer à l'évaluation").click()
    snap("demande envoyee")
    req = Request.objects.get(detention=detention)
    make_evaluation(req)  # the evaluation form has its own browser tests
    req.evaluate(by=cpip)
    context.clear_cookies()

    # The SIAO reserves a place over the window around the release date.
    login(page, live_server, siao_operator.username, PASSWORD)
    page.goto(f"{live_server.url}/orientations/demande/{req.pk}/")
    page.get_by_role("link", name="Réserver sur une période").first.click()
    expect(page.get_by_label("Place réservée à partir du")).to_have_value(_day(93).isoformat())
    page.get_by_role("button", name="Réserver la place").click()
    expect(page.locator("#periode")).to_contain_text(_day(93).strftime("%d/%m/%Y"))
    reservation = Orientation.objects.get(request=req)
    context.clear_cookies()

    # The release date moves (a reduction of sentence): the reservation is flagged.
    login(page, live_server, cpip.username, PASSWORD)
    page.goto(f"{live_server.url}/justice/detentions/{detention.pk}/")
    page.get_by_label("Nouvelle date de fin de peine prévue").fill(_day(1).isoformat())
    page.get_by_label("Motif du changement").select_option(label="Réduction de peine")
    page.get_by_role("button", name="Enregistrer la nouvelle date").click()
    expect(page.locator("#historique-fin")).to_contain_text("Réduction de peine")
    context.clear_cookies()

    # The SIAO confirms a new window; the structure pre-admits.
    login(page, live_server, siao_operator.username, PASSWORD)
    page.goto(f"{live_server.url}/orientations/{reservation.pk}/")
    expect(page.locator("#hors-periode")).to_contain_text("Date de sortie hors période")
    form = page.locator("#changer-periode")
    form.get_by_label("Place réservée à partir du").fill(_day(0).isoformat())
    form.get_by_label("Jusqu'au").fill(_day(14).isoformat())
    form.get_by_role("button", name="Confirmer la nouvelle période").click()
    expect(page.locator("#periode")).to_contain_text(_day(0).strftime("%d/%m/%Y"))
    expect(page.locator("#hors-periode")).to_have_count(0)
    context.clear_cookies()

    login(page, live_server, structure_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/orientations/{reservation.pk}/")
    expect(page.locator("main")).not_to_contain_text("E-4521")  # no judicial detail
    page.get_by_role("button", name="Accepter l'admission").click()
    context.clear_cookies()

    # The CPIP records the release; the structure records the arrival.
    login(page, live_server, cpip.username, PASSWORD)
    page.goto(f"{live_server.url}/justice/detentions/{detention.pk}/")
    page.locator("#liberer").get_by_role("button", name="Enregistrer la libération").click()
    expect(page.locator("#etat")).to_contain_text("Libérée")
    context.clear_cookies()

    login(page, live_server, structure_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/orientations/{reservation.pk}/")
    page.get_by_role("button", name="Enregistrer l'arrivée de la personne").click()
    expect(page.locator("#etat-orientation")).to_have_text("Séjour en cours")

    reservation.refresh_from_db()
    assert reservation.state == OrientationState.IN_STAY
    assert Detention.objects.get(pk=detention.pk).released_on == timezone.localdate()
