"""A social worker creates an insertion request with its evaluation, end to end, in chromium."""

import re

from playwright.sync_api import expect

from relais.requests.enums import RequestStatus
from relais.requests.models import Request
from tests.factories import PASSWORD


def test_siao_06_social_worker_creates_an_insertion_request_with_its_evaluation(
    page, live_server, login, social_worker
):
    login(page, live_server, social_worker.username, PASSWORD)
    page.get_by_role("link", name="Nouvelle demande d'insertion / logement").first.click()

    # Step 1: the person and the household. A mistake first: nothing typed is lost.
    page.get_by_label("Insertion / stabilisation").check(
        force=True
    )  # DSFR draws the box on the label
    page.get_by_label("Nom de naissance").fill("Rousseau")
    page.get_by_label("Prénom(s)").fill("Nadia")
    page.locator("#id_person-birth_date").fill("31/02/1990")
    page.get_by_role("button", name="Ajouter une personne (conjoint, enfant…)").click()
    page.locator("#id_members-0-relationship").select_option("child")
    page.locator("#id_members-0-birth_name").fill("Rousseau")
    page.locator("#id_members-0-first_names").fill("Yanis")
    page.locator("#id_members-0-birth_date").fill("2018")
    page.get_by_role("button", name="Enregistrer et passer à l'évaluation").click()
    expect(page.get_by_text("Cette date de naissance n'existe pas.")).to_be_visible()
    expect(page.locator("#id_person-birth_name")).to_have_value("Rousseau")
    expect(page.locator("#id_members-0-first_names")).to_have_value("Yanis")
    page.locator("#id_person-birth_date").fill("28/02/1990")
    page.get_by_role("button", name="Enregistrer et passer à l'évaluation").click()

    # Step 2: the Annex IV evaluation.
    expect(page.get_by_role("heading", name=re.compile("Évaluation sociale"))).to_be_visible()
    page.get_by_role("radio", name="Service ou association").check(force=True)
    page.get_by_role("radio", name="Hébergement gratuit (famille, ami)").check(force=True)
    page.locator("#id_resources-applicant-rsa__monthly_amount").fill("607.75")
    page.get_by_role("checkbox", name="Violences familiales").check(force=True)
    page.get_by_role("checkbox", name="Hébergement", exact=True).check(force=True)
    page.get_by_label("Argumentaire (parcours – besoins)").fill(
        "Mère isolée hébergée chez une amie jusqu'à la fin du mois."
    )
    page.get_by_label("Proposition d'orientation").select_option("insertion_chrs")
    page.get_by_role("button", name="Enregistrer et valider l'évaluation").click()

    expect(page.get_by_text("Évaluation validée")).to_be_visible()
    expect(page.locator("#etat")).to_have_text("Évaluée")
    expect(page.locator("#menage")).to_contain_text("Yanis")

    # The request is in the list, and the list filters by name without reloading the page.
    page.get_by_role("link", name="Demandes", exact=True).first.click()
    page.get_by_label("Nom ou prénom").fill("rousseau")
    rows = page.locator("#resultats tbody tr")
    expect(rows).to_have_count(1)  # one row per household (SIAO-02), naming its members
    expect(rows).to_contain_text("ROUSSEAU Nadia")
    expect(rows).to_contain_text("Yanis")

    req = Request.objects.get(person__first_names="Nadia")
    assert req.status == RequestStatus.EVALUATED
    assert req.evaluation.resources.get().monthly_amount == 607.75
