"""SIAO-22: the person's rights of access and rectification, and the information notice."""

import json

import pytest
from django.urls import reverse

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.requests.enums import Channel
from tests.factories import make_evaluation, make_request

pytestmark = pytest.mark.django_db

PAGES = ["export", "export_json", "rectifications", "notice"]


@pytest.fixture
def alices_request(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION, notes="Suivie au CCAS")
    make_evaluation(req)
    return req


def _url(page: str, req) -> str:
    return reverse(f"privacy:{page}", args=[req.person_id])


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role_fixture", ["social_worker", "colleague", "siao_operator"])
def test_siao_22_the_referring_service_and_the_siao_answer_the_rights(
    client, request, alices_request, page, role_fixture
):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(_url(page, alices_request)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "role_fixture",
    [
        "outsider",
        "remote_worker",
        "emergency_line_user",
        "structure_manager",
        "state_service_user",
        "siae_coach",
        "territory_admin",
    ],
)
def test_siao_22_nobody_else_reaches_the_persons_data(
    client, request, alices_request, page, role_fixture
):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(_url(page, alices_request)).status_code == 404


def test_siao_22_the_export_holds_identity_requests_events_evaluation_and_audit(
    client, social_worker, alices_request
):
    client.force_login(social_worker)
    client.get(reverse("requests:detail", args=[alices_request.pk]))
    html = client.get(_url("export", alices_request)).content.decode()
    person = alices_request.person
    assert person.birth_name in html
    assert person.birth_place in html
    assert "Suivie au CCAS" in html
    assert "Demande créée" in html  # the timeline
    assert "Hébergement chez un tiers qui prend fin" in html  # a reason row of the evaluation
    assert "Consultation" in html  # the audit row of the detail page read above


def test_siao_22_the_export_is_also_a_json_file(client, social_worker, alices_request):
    client.force_login(social_worker)
    response = client.get(_url("export_json", alices_request))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["person"]["birth_name"] == alices_request.person.birth_name
    (request_data,) = data["requests"]
    assert request_data["request"]["notes"] == "Suivie au CCAS"
    assert request_data["events"][0]["kind"] == "created"
    blocks = {block["name"]: block["rows"] for block in request_data["evaluation"]["blocks"]}
    assert blocks["reasons"][0]["detail"] == "Hébergement chez un tiers qui prend fin"
    assert data["households"][0]["members"][0]["person_id"] == alices_request.person_id


def test_siao_22_an_export_is_logged(client, social_worker, alices_request):
    client.force_login(social_worker)
    client.get(_url("export", alices_request))
    client.get(_url("export_json", alices_request))
    exports = AuditEvent.objects.filter(action=Action.EXPORT).order_by("id")
    assert [e.detail["format"] for e in exports] == ["html", "json"]
    assert {e.person_id for e in exports} == {alices_request.person_id}


def test_siao_22_rectifications_show_old_and_new_values(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY, notes="Avant")
    client.force_login(social_worker)
    data = {
        "request-requested_on": req.requested_on.isoformat(),
        "request-notes": "Après",
        "person-birth_name": req.person.birth_name,
        "person-first_names": req.person.first_names,
        "person-birth_date": req.person.birth_date_display,
        "person-phone": "06 12 34 56 78",
    }
    client.post(reverse("requests:edit", args=[req.pk]), data)
    html = client.get(_url("rectifications", req)).content.decode()
    table = html.split('id="modifications"')[1]
    # Field labels and French values, never code names (issue 12, point 9).
    assert "<td>Observations</td><td>Avant</td><td>Après</td>" in table
    assert "<td>Téléphone</td><td>—</td><td>06 12 34 56 78</td>" in table
    timeline = html.split('id="historique"')[1]
    assert "Observations" in timeline and "Téléphone" in timeline
    assert "person.phone" not in html and "notes," not in timeline


def test_siao_22_the_notice_names_the_siao_the_legal_basis_retention_and_the_cnil(
    client, social_worker, siao, alices_request
):
    client.force_login(social_worker)
    html = client.get(_url("notice", alices_request)).content.decode()
    assert "SIAO du Haut-Rhin" in html
    assert "L.345-2-4" in html
    assert "2 ans après la dernière action (730 jours)" in html
    assert "conservé 1 an (365 jours)" in html
    assert "CNIL" in html
    assert str(alices_request.person) in html


def test_siao_22_the_request_page_links_the_rights_for_those_who_answer_them(
    client, social_worker, emergency_line_user
):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    client.force_login(social_worker)
    assert (
        "Droits de la personne"
        in client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    )
    client.force_login(emergency_line_user)  # sees the territory's urgence requests
    page = client.get(reverse("requests:detail", args=[req.pk]))
    assert page.status_code == 200
    assert "Droits de la personne" not in page.content.decode()


def test_siao_22_the_export_keeps_other_services_files_out(client, social_worker, cpip):
    """The same person followed by the SPIP: the CCAS's export shows neither the SPIP's
    household (the spouse named there) nor the SPIP's audit rows."""
    from relais.audit import log
    from relais.persons.enums import Relationship
    from relais.persons.models import HouseholdMember
    from tests.factories import PersonFactory

    spip_request = make_request(referrer=cpip, channel=Channel.INSERTION)
    person = spip_request.person
    HouseholdMember.objects.create(
        household=spip_request.household,
        person=PersonFactory(birth_name="Zerbib", first_names="Nadia"),
        relationship=Relationship.SPOUSE,
    )
    log.record(request_or_user=cpip, action=Action.SEARCH, obj=person, detail={"q": "x"})
    make_request(person=person, referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    exported = client.get(reverse("privacy:export_json", args=[person.pk])).content.decode()
    assert "Zerbib" not in exported
    assert "SPIP" not in exported and cpip.username not in exported
