"""SIAO-01 as an operator lives it: a 115 call for someone hosted tonight warns, names the
stay, and leads to the person's whole story."""

import re

from playwright.sync_api import expect

from relais.requests.models import Request
from tests.factories import PASSWORD
from tests.persons.test_person_file import story  # noqa: F401 (the fixture)


def test_siao_01_a_call_for_someone_hosted_tonight_leads_to_their_file(
    page,
    live_server,
    login,
    snap,
    siao_operator,
    story,  # noqa: F811
):
    person, stay = story["person"], story["stay"]
    before = Request.objects.count()
    login(page, live_server, siao_operator.username, PASSWORD)
    page.get_by_role("link", name="Nouvel appel urgence").first.click()

    # Typing the caller's name: the suggestion already says she is hosted tonight.
    page.locator("#id_call-birth_name").fill("Rousseau")
    page.locator("#id_call-first_names").fill("Nadia")
    page.locator("#id_call-birth_date").fill("1990")
    suggestion = page.locator("#identite-candidats")
    expect(suggestion).to_contain_text("Séjour en cours à CHRS Les Tilleuls")
    page.locator("#id_call-current_location").fill("Gare de Mulhouse")
    snap("appel-suggestion")

    # She is the person already known: the request would be a second one, so it warns.
    page.locator(f'label[for="identite-{person.pk}"]').click()
    page.get_by_role("button", name="Enregistrer la demande").click()
    warning = page.locator("#demande-en-cours")
    expect(warning).to_contain_text("Cette personne est hébergée en ce moment")
    expect(warning).to_contain_text(f"demande n° {story['request'].pk}")
    expect(warning).to_contain_text("Séjour en cours à CHRS Les Tilleuls depuis le")
    expect(page.locator("#id_call-current_location")).to_have_value("Gare de Mulhouse")
    assert Request.objects.count() == before
    snap("avertissement-sejour")

    # The person's file: the stay first and obvious, then every request, orientation, household.
    warning.get_by_role("link", name="Voir tout le parcours de la personne").click()
    expect(page).to_have_url(re.compile(rf"/personnes/{person.pk}/$"))
    expect(page.locator("#en-ce-moment")).to_contain_text(
        "Hébergée en ce moment : CHRS Les Tilleuls"
    )
    expect(page.locator("#demandes tbody tr")).to_have_count(2)
    expect(page.locator("#orientations tbody tr").first).to_contain_text("Séjour en cours")
    expect(page.locator("#orientations")).to_contain_text("CHRS Le Phare")
    expect(page.locator("#menages")).to_contain_text("Yanis")
    expect(page.locator("#acces")).to_contain_text("Suivi SPIP de la personne")
    snap("parcours-de-la-personne")

    # From the file to the stay itself.
    page.locator("#en-ce-moment").get_by_role("link", name="Voir le séjour").click()
    expect(page).to_have_url(re.compile(rf"/orientations/{stay.pk}/$"))
    snap("sejour")
