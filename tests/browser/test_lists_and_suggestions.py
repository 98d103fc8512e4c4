"""SIAO-02 and SIAO-11 in chromium: the operator finds a family as one row of the list,
scans the suggestions as a compact table (ten first), opens the rest and orients."""

from django.utils import timezone
from playwright.sync_api import expect

from relais.orientations.models import Orientation
from relais.persons.enums import Relationship, Sex
from relais.persons.models import HouseholdMember
from relais.places.enums import PlaceType, StructureType
from relais.requests.enums import Channel, OrientationProposal
from tests.factories import (
    PASSWORD,
    PersonFactory,
    PlaceCapacityFactory,
    StructureFactory,
    make_evaluation,
    make_request,
)


def _family(social_worker):
    """A mother and her three children, one insertion request each, evaluated for a CHRS."""
    year = timezone.localdate().year
    mother = make_request(
        referrer=social_worker,
        channel=Channel.INSERTION,
        person=PersonFactory(birth_name="Benali", first_names="Nadia", sex=Sex.FEMALE),
    )
    for i, first in enumerate(["Yanis", "Lina", "Sofia"]):
        child = PersonFactory(
            birth_name="Benali", first_names=first, birth_year=year - 4 - i, birth_month=3
        )
        HouseholdMember.objects.create(
            household=mother.household, person=child, relationship=Relationship.CHILD
        )
        make_request(person=child, referrer=social_worker, household=mother.household)
    make_evaluation(mother, orientation_proposal=OrientationProposal.INSERTION_CHRS)
    mother.evaluate(by=social_worker)
    return mother


def test_siao_02_siao_11_operator_finds_the_family_scans_the_places_and_orients(
    page, live_server, login, snap, siao_operator, social_worker, structure_manager
):
    mother = _family(social_worker)
    for i in range(13):
        structure = StructureFactory(
            manager=structure_manager.organisation,
            name=f"CHRS {chr(65 + i)}",
            structure_type=StructureType.INSERTION_CHRS,
        )
        PlaceCapacityFactory(structure=structure, place_type=PlaceType.INSERTION, places=8 + i)
    # An urgence place of a CHRS: listed, but not "matching" an insertion request.
    PlaceCapacityFactory(structure=structure, place_type=PlaceType.EMERGENCY, places=30)

    # The list: one row names the whole family.
    login(page, live_server, siao_operator.username, PASSWORD)
    page.goto(f"{live_server.url}/demandes/")
    expect(page.get_by_role("status")).to_have_text("1 ménage, 4 personnes")
    rows = page.locator("#resultats tbody tr")
    expect(rows).to_have_count(1)
    for first in ("Nadia", "Yanis", "Lina", "Sofia"):
        expect(rows.first).to_contain_text(first)
    snap("liste-un-menage")

    # The request, then its suggestions: a compact table of the ten best.
    rows.first.get_by_role("link", name="Nadia").click()
    snap("demande")
    page.get_by_role("link", name="Chercher une place et orienter").click()
    best = page.locator("#suggestions tbody tr")
    expect(best).to_have_count(10)
    expect(best.first).to_contain_text("CHRS M")  # the most vacancies among equals
    expect(best.first.locator("summary")).to_contain_text("✔ Type")
    assert page.evaluate("document.documentElement.scrollHeight") < 3000
    snap("suggestions-dix-premieres")

    # The rest on demand; the CHRS's urgence places do not match the request.
    others = page.locator("#suggestions-autres tbody tr")
    expect(others.first).to_be_hidden()
    page.get_by_text("Voir les 4 autres places").click()
    expect(others).to_have_count(4)
    expect(others.last).to_be_visible()
    expect(others.last.locator("summary")).to_contain_text("✘ Type")
    others.last.locator("summary").click()
    expect(others.last).to_contain_text("ne correspond pas à la demande")
    snap("suggestions-toutes")

    # Orient to the best-ranked place.
    best.first.get_by_label("Commentaire pour la structure (facultatif)").fill("Vue en commission")
    best.first.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.get_by_text("Place attribuée dans « CHRS M »")).to_be_visible()
    snap("orientee")
    assert Orientation.objects.get(request=mother).structure.name == "CHRS M"

    # Back on the suggestions: nothing more to do on an oriented request.
    page.goto(f"{live_server.url}/orientations/demande/{mother.pk}/")
    expect(page.locator("#non-orientable")).to_be_visible()
    expect(page.get_by_role("button", name="Attribuer", exact=True)).to_have_count(0)
    snap("plus-orientable")
