"""SIAO-12, 14, 16 in chromium: two requests wait for a full structure; an end of stay entered
the next morning frees a place; the SIAO is told, serves the older request first, and the
structure records the arrival at the time it happened."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.places.enums import PlaceType
from tests.factories import PASSWORD, PlaceCapacityFactory, make_evaluation, make_request


def _evaluated(referrer, *, days_ago: int):
    req = make_request(
        referrer=referrer, requested_on=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    make_evaluation(req)
    req.evaluate(by=referrer)
    return req


def _typed(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_siao_12_a_freed_place_goes_to_the_oldest_waiting_request_arrival_dated_this_morning(
    page,
    context,
    live_server,
    login,
    snap,
    siao_operator,
    structure_manager,
    social_worker,
    structure,
):
    # A one-room CHRS, taken by a stay; two requests pre-positioned on it, the younger first.
    room = PlaceCapacityFactory(
        structure=structure, place_type=PlaceType.INSERTION, places=1, label="chambre 12"
    )
    month_ago = timezone.now() - dt.timedelta(days=30)
    stay = Orientation.attribute(
        request=_evaluated(social_worker, days_ago=45),
        capacity=room,
        by=siao_operator,
        at=month_ago,
    )
    stay.admit(by=structure_manager, at=month_ago)
    stay.start_stay(by=structure_manager, at=month_ago + dt.timedelta(days=1))
    week_ago = timezone.now() - dt.timedelta(days=7)
    younger = Orientation.preposition(
        request=_evaluated(social_worker, days_ago=8),
        capacity=room,
        by=siao_operator,
        at=week_ago,
    )
    older = Orientation.preposition(
        request=_evaluated(social_worker, days_ago=20),
        capacity=room,
        by=siao_operator,
        at=week_ago + dt.timedelta(hours=1),
    )
    older_name, younger_name = str(older.request.person), str(younger.request.person)

    # The SIAO sees the waiting list in the order it is served: the older request first.
    login(page, live_server, siao_operator.username, PASSWORD)
    page.goto(f"{live_server.url}/structures/{structure.pk}/")
    rows = page.locator("#liste-attente tbody tr")
    expect(rows.nth(0)).to_contain_text(older_name)
    expect(rows.nth(0).locator("td").first).to_have_text("1")
    expect(rows.nth(1)).to_contain_text(younger_name)
    snap("liste d'attente de la structure")
    context.clear_cookies()

    # The structure enters, this morning, the departure of yesterday evening at 18:00.
    yesterday_evening = timezone.localtime().replace(
        hour=18, minute=0, second=0, microsecond=0
    ) - dt.timedelta(days=1)
    login(page, live_server, structure_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/orientations/{stay.pk}/")
    # A departure typed in the future is refused next to the date, everything else kept.
    page.locator("#id_ended_on").fill(_typed(timezone.now() + dt.timedelta(days=1)))
    page.locator("#id_destination").select_option(label="Logement autonome – parc social")
    page.locator("#id_reason").select_option(label="Accès à une solution de logement")
    page.locator("#id_note").fill("Bail signé avec Habitats de Haute-Alsace")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.locator("#fin-de-sejour")).to_contain_text("pas de date future")
    expect(page.locator("#id_destination")).to_have_value("social_housing")
    expect(page.locator("#id_reason")).to_have_value("housing")
    expect(page.locator("#id_note")).to_have_value("Bail signé avec Habitats de Haute-Alsace")
    snap("fin de séjour refusée, saisie conservée")
    page.locator("#id_ended_on").fill(_typed(yesterday_evening))
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_text("Fin de séjour enregistrée")).to_be_visible()
    expect(page.locator("#historique-orientation")).to_contain_text(
        f"{yesterday_evening:%d/%m/%Y} 18:00"
    )
    snap("fin de séjour d'hier soir enregistrée")
    context.clear_cookies()

    # The SIAO is told, and which request the list serves first.
    login(page, live_server, siao_operator.username, PASSWORD)
    page.goto(f"{live_server.url}/notifications/")
    notice = page.locator("#notifications li").filter(has_text="la plus ancienne")
    expect(notice).to_contain_text("fin de séjour, 1 place libre")
    expect(notice).to_contain_text(f"à servir en premier : {older_name}")
    snap("notification de place libérée")
    # The younger request cannot jump the queue: no button to serve it.
    page.goto(f"{live_server.url}/orientations/{younger.pk}/")
    expect(page.locator("#rang-attente")).to_contain_text("Rang 2 sur 2")
    expect(page.get_by_role("button", name="Une place s'est libérée : attribuer")).to_have_count(0)
    snap("la demande plus récente attend son tour")
    page.goto(f"{live_server.url}/notifications/")
    notice.get_by_role("link", name="Voir la liste d'attente et attribuer la place").click()
    expect(page.locator("#rang-attente")).to_contain_text("Rang 1 sur 2")
    snap("la demande la plus ancienne, rang 1")
    page.get_by_role("button", name="Une place s'est libérée : attribuer").click()
    expect(page.get_by_text("Place attribuée : la demande n'est plus en attente.")).to_be_visible()
    expect(page.locator("#etat-orientation")).to_have_text(re.compile("Attribuée"))
    snap("place attribuée à la plus ancienne")
    context.clear_cookies()

    # The structure accepts and records the arrival of this morning.
    now = timezone.localtime()
    this_morning = now.replace(hour=8, minute=30, second=0, microsecond=0)
    if this_morning > now:  # a run before 8:30: a few minutes ago
        this_morning = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=2)
    login(page, live_server, structure_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/orientations/{older.pk}/")
    page.get_by_role("button", name="Accepter l'admission").click()
    expect(page.get_by_text("Admission acceptée.")).to_be_visible()
    snap("admission acceptée")
    page.locator("#id_arrived_at").fill(_typed(this_morning))
    page.get_by_role("button", name="Enregistrer l'arrivée de la personne").click()
    expect(page.locator("#etat-orientation")).to_have_text("Séjour en cours")
    expect(page.locator("#historique-orientation")).to_contain_text(
        f"{this_morning:%d/%m/%Y %H:%M}"
    )
    snap("arrivée de ce matin enregistrée")

    older.refresh_from_db()
    younger.refresh_from_db()
    assert older.state == OrientationState.IN_STAY
    assert older.stay_started_at == this_morning
    assert older.events.get(kind="stay_started").recorded_at > this_morning
    assert younger.state == OrientationState.WAITING
