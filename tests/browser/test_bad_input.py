"""SEC-04 in a browser: the 115 operator types an impossible birth date, reads why next to the
field with everything else still typed, corrects it and saves."""

from playwright.sync_api import expect

from relais.requests.enums import Channel
from relais.requests.models import Request
from tests.factories import PASSWORD


def test_sec_04_siao_05_an_impossible_birth_date_on_the_115_call_keeps_the_call(
    page, live_server, login, emergency_line_user, snap
):
    login(page, live_server, emergency_line_user.username, PASSWORD)
    page.goto(f"{live_server.url}/demandes/urgence/nouvelle/")
    page.locator("#id_call-birth_name").fill("Lambert")
    page.locator("#id_call-first_names").fill("Inès")
    page.locator("#id_call-birth_date").fill("31/02/1990")
    page.locator("#id_call-phone").fill("06 11 22 33 44")
    page.locator("#id_call-current_location").fill("Parvis de la gare")
    page.locator("#id_call-notes").fill("Enceinte de 7 mois, sans solution ce soir.")
    snap("appel saisi avec une date impossible")
    page.get_by_role("button", name="Enregistrer la demande").click()

    message = page.locator("#id_call-birth_date").locator(
        "xpath=ancestor::*[contains(@class, 'fr-input-group')][1]"
    )
    expect(message).to_contain_text("Cette date de naissance n'existe pas.")
    expect(page.locator("#id_call-birth_name")).to_have_value("Lambert")
    expect(page.locator("#id_call-first_names")).to_have_value("Inès")
    expect(page.locator("#id_call-birth_date")).to_have_value("31/02/1990")
    expect(page.locator("#id_call-phone")).to_have_value("06 11 22 33 44")
    expect(page.locator("#id_call-current_location")).to_have_value("Parvis de la gare")
    expect(page.locator("#id_call-notes")).to_have_value(
        "Enceinte de 7 mois, sans solution ce soir."
    )
    assert not Request.objects.exists()
    snap("message à côté de la date, le reste toujours saisi")

    page.locator("#id_call-birth_date").fill("28/02/1990")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.get_by_text("Demande d'urgence enregistrée")).to_be_visible()
    snap("appel enregistré")
    req = Request.objects.get()
    assert req.channel == Channel.EMERGENCY
    assert (req.person.birth_year, req.person.birth_month, req.person.birth_day) == (1990, 2, 28)
    assert req.current_location == "Parvis de la gare"
