"""IAE-08 as the State service lives it, in chromium: the indicators of its territory's
sites, the quick periods, the XLSX with its charts, the steering committee's printed report."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.iae.test_indicators import NAMES, PERIOD, world  # noqa: F401 (the fixture)


def test_iae_08_the_state_service_reads_the_indicators_and_prints_the_steering_report(
    page,
    live_server,
    login,
    snap,
    world,  # noqa: F811
    state_service_user,
):
    login(page, live_server, state_service_user.username, PASSWORD)
    page.goto(f"{live_server.url}/indicateurs/")
    page.get_by_role("link", name="Insertion par l'activité économique").click()
    expect(page.locator("h1")).to_contain_text("Insertion par l'activité économique")
    page.get_by_role("link", name="Semestre précédent").click()
    expect(page.locator(".fr-text--lead")).to_contain_text(PERIOD.title)
    row = page.locator("tr", has_text="Personnes orientées par la CPU")
    expect(row.locator("td").last).to_have_text("4")
    expect(page.locator("svg.relais-chart")).to_have_count(2)
    snap("indicateurs")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en XLSX").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert len(workbook["Par mois"]._charts) == 2

    page.get_by_role("link", name="Bilan pour le comité de pilotage").click()
    expect(page.locator("h1")).to_contain_text("Comité de pilotage départemental")
    expect(page.get_by_text("Décisions du comité", exact=True)).to_be_visible()
    text = page.inner_text("body")
    assert not any(name in text for name in NAMES)
    snap("comité de pilotage")
    page.emulate_media(media="print")
    expect(page.locator("form.no-print")).to_be_hidden()
    snap("comité de pilotage imprimé")
