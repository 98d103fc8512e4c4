"""SIAO-11, 14, 15 in chromium: the SIAO orients a request, the structure admits the person,
the referring social worker sees the outcome."""

import re

from playwright.sync_api import expect

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.requests.enums import RequestStatus
from relais.requests.models import Request
from tests.factories import PASSWORD, make_evaluation, make_request


def test_siao_14_operator_orients_structure_admits_referrer_sees_outcome(
    page, context, live_server, login, siao_operator, structure_manager, social_worker, structure
):
    req = make_request(referrer=social_worker)
    make_evaluation(req)
    req.evaluate(by=social_worker)

    # The SIAO operator looks for a place and attributes the best-ranked one.
    login(page, live_server, siao_operator.username, PASSWORD)
    page.goto(f"{live_server.url}/demandes/{req.pk}/")
    page.get_by_role("link", name="Chercher une place et orienter").click()
    first = page.locator("#suggestions tbody tr").first
    expect(first).to_contain_text("CHRS Les Tilleuls")
    expect(first).to_contain_text("Taille du ménage")
    expect(first).to_contain_text("20 places libres pour 1 personne.")
    first.get_by_label("Commentaire pour la structure (facultatif)").fill("Vue en commission")
    first.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.get_by_text("Place attribuée dans « CHRS Les Tilleuls »")).to_be_visible()
    expect(page.locator("#orientation")).to_contain_text("Attribuée")
    context.clear_cookies()

    # The structure manager finds it on the structure's page and accepts.
    login(page, live_server, structure_manager.username, PASSWORD)
    page.get_by_role("link", name="Orientations", exact=True).first.click()
    page.get_by_role("link", name=str(req.person)).click()
    expect(page.locator("#etat-orientation")).to_have_text(re.compile("Attribuée"))
    page.get_by_role("button", name="Accepter l'admission").click()
    expect(page.get_by_text("Admission acceptée. Le SIAO")).to_be_visible()
    page.get_by_role("button", name="Enregistrer l'arrivée de la personne").click()
    expect(page.locator("#etat-orientation")).to_have_text("Séjour en cours")
    context.clear_cookies()

    # The referring social worker sees the outcome on the request and in the notifications.
    login(page, live_server, social_worker.username, PASSWORD)
    page.goto(f"{live_server.url}/demandes/{req.pk}/")
    expect(page.locator("#etat")).to_have_text("Admise")
    expect(page.locator("#orientation")).to_contain_text("Séjour en cours")
    expect(page.locator("#orientation")).to_contain_text("CHRS Les Tilleuls")
    page.get_by_role("link", name="Notifications").first.click()
    expect(page.locator("#notifications")).to_contain_text(
        "admission acceptée par « CHRS Les Tilleuls » (affectation)"
    )

    assert Request.objects.get(pk=req.pk).status == RequestStatus.ADMITTED
    assert Orientation.objects.get(request=req).state == OrientationState.IN_STAY
