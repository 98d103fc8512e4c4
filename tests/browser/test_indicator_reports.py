"""SIAO-17, SIAO-19 as the State service lives them, in chromium: the dashboard, the 6-month
report with its two labelled downloads, the XLSX and its charts. The golden fortnight of
tests/indicators/conftest.py supplies the figures (March and April 2026)."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.indicators.conftest import golden  # noqa: F401 (the fixture)

# Every tilted x label of every chart, as the browser lays it out, against its picture.
LABELS_OUTSIDE = """
() => [...document.querySelectorAll("svg.relais-chart")].flatMap((svg) => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll("text[transform]")].filter((text) => {
    const r = text.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1;
  }).map((text) => text.textContent);
})
"""


def _downloads_are_labelled(page):
    csv = page.get_by_role("link", name="Télécharger en CSV")
    xlsx = page.get_by_role("link", name="Télécharger en XLSX")
    expect(csv).to_be_visible()
    expect(xlsx).to_be_visible()
    assert csv.get_attribute("class") != xlsx.get_attribute("class")  # not the same icon
    for link in (csv, xlsx):  # the words are shown, not clipped down to the icon
        assert link.evaluate("a => a.scrollWidth <= a.clientWidth && a.clientWidth > 120")
    return xlsx


def test_siao_19_the_state_service_reads_the_six_month_report_and_downloads_its_xlsx(
    page,
    live_server,
    login,
    snap,
    golden,  # noqa: F811
    state_service_user,
):
    login(page, live_server, state_service_user.username, PASSWORD)
    page.get_by_role("link", name="Indicateurs de l'annexe II").click()
    page.locator("#id_arrete").select_option("daily")
    page.locator("#id_jour").fill("2026-03-29")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h1")).to_contain_text("Indicateurs")
    expect(page.get_by_text("circulaire DGCS/USH n° 2010-252 du 7 juillet 2010")).to_be_visible()
    _downloads_are_labelled(page)
    assert page.evaluate(LABELS_OUTSIDE) == []
    snap("tableau de bord")

    page.get_by_role("link", name="Bilans d'activité").click()
    page.locator("#id_bilan").select_option("semestriel")
    page.locator("#id_debut").fill("2026-03-01")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h1")).to_contain_text("Bilan à six mois")
    expect(page.get_by_text("Du 01/03/2026 au 31/08/2026")).to_be_visible()
    expect(page.locator("#relais-report-reading")).to_contain_text("tel qu'il est connu le")
    # D1, admitted directly on 29 March and entered the next morning, is in the main table.
    chu = page.locator(
        "table", has_text="Urgence (cumul des arrêtés quotidiens) — Par structure"
    ).locator("tr", has_text="CHU")
    expect(chu.locator("td").nth(1)).to_have_text("1")
    expect(
        page.get_by_role("heading", name="Chiffres tels que transmis chaque semaine")
    ).to_be_visible()
    assert page.evaluate(LABELS_OUTSIDE) == []
    xlsx = _downloads_are_labelled(page)
    snap("bilan à six mois")

    with page.expect_download() as download:
        xlsx.click()
    path = download.value.path()
    assert download.value.suggested_filename == "bilan-semestriel-68-2026-03-01.xlsx"
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    assert sum(len(workbook[name]._charts) for name in workbook.sheetnames) == 3
    page.get_by_role("link", name="vendredi 03/04/2026").click()
    expect(page.locator("h1")).to_contain_text("Transmission hebdomadaire")
    expect(
        page.get_by_text("Saisies tardives enregistrées pendant cette période").first
    ).to_be_visible()
    snap("transmission du vendredi")
