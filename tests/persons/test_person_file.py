"""SIAO-01: one file per person — the whole story on one page, within the reader's scope —
and a warning before a second request is opened for someone with one under way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.access.models import AccessGrant
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.notifications.models import Notification
from relais.orientations.models import Orientation
from relais.persons.enums import Relationship
from relais.persons.models import HouseholdMember
from relais.requests.enums import Channel, RequestReason
from relais.requests.models import EvaluationReason, Request
from tests.factories import (
    PersonFactory,
    StructureFactory,
    UserFactory,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(siao_operator, social_worker, emergency_line_user, structure_manager, structure, cpip):
    """Nadia Rousseau: a 115 call last winter (closed), an earlier orientation refused by
    another structure, and tonight a stay at CHRS Les Tilleuls with her son."""
    person = PersonFactory(
        birth_name="Rousseau", usage_name="", first_names="Nadia", birth_year=1990
    )
    call = make_request(
        person,
        referrer=emergency_line_user,
        channel=Channel.EMERGENCY,
        occurred_at=timezone.now() - dt.timedelta(days=300),
        requested_on=timezone.localdate() - dt.timedelta(days=300),
    )
    call.close(by=emergency_line_user, reason="solution_found")
    req = make_request(person, referrer=social_worker, channel=Channel.INSERTION)
    HouseholdMember.objects.create(
        household=req.household,
        person=PersonFactory(birth_name="Rousseau", first_names="Yanis", birth_year=2018),
        relationship=Relationship.CHILD,
    )
    evaluation = make_evaluation(req)
    EvaluationReason.objects.create(evaluation=evaluation, reason=RequestReason.PRISON_RELEASE)
    req.evaluate(by=social_worker)
    other_manager = UserFactory(structure_manager=True, organisation__territory=structure.territory)
    elsewhere = StructureFactory(manager=other_manager.organisation, name="CHRS Le Phare", places=5)
    first = Orientation.attribute(
        request=req, capacity=elsewhere.capacities.get(), by=siao_operator
    )
    first.refuse(by=other_manager, reason="public")
    stay = Orientation.attribute(request=req, capacity=structure.capacities.get(), by=siao_operator)
    stay.admit(by=structure_manager)
    stay.start_stay(by=structure_manager)
    Notification.objects.create(
        recipient=siao_operator, request=req, message="Arrivée de Nadia Rousseau aux Tilleuls."
    )
    AccessGrant.grant(user=cpip, request=req, reason="Suivi SPIP de la personne")
    req.refresh_from_db()
    return {"person": person, "call": call, "request": req, "stay": stay, "elsewhere": elsewhere}


def _file(client, user, person):
    client.force_login(user)
    return client.get(reverse("persons:file", args=[person.pk]))


def test_siao_01_the_file_tells_the_whole_story_to_the_siao(client, siao_operator, story):
    response = _file(client, siao_operator, story["person"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hébergée en ce moment : CHRS Les Tilleuls" in html
    # Every request, both channels, past and current.
    assert f"n° {story['call'].pk}" in html and f"n° {story['request'].pk}" in html
    assert "Urgence" in html and "Clôturée" in html and "Admise" in html
    # Orientations: the current stay first, then the refused one.
    assert html.index("Séjour en cours") < html.index("Admission refusée")
    assert "CHRS Le Phare" in html
    assert "Yanis" in html  # the household
    assert "Arrivée de Nadia Rousseau aux Tilleuls." in html  # the reader's notifications
    assert "Suivi SPIP de la personne" in html  # access granted to others
    assert "Sortie de prison" in html


def test_siao_01_reading_the_file_is_logged(client, siao_operator, story):
    _file(client, siao_operator, story["person"])
    read = AuditEvent.objects.get(action=Action.READ, person_id=story["person"].pk)
    assert read.user == siao_operator
    assert read.detail.get("page") == "persons:file"


def test_siao_01_an_outsider_sees_no_file(
    client, outsider, remote_worker, state_service_user, story
):
    for user in (outsider, remote_worker, state_service_user):
        assert _file(client, user, story["person"]).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


def test_siao_01_the_structure_manager_sees_only_their_stay(client, structure_manager, story):
    html = _file(client, structure_manager, story["person"]).content.decode()
    assert "Hébergée en ce moment : CHRS Les Tilleuls" in html
    assert "CHRS Le Phare" not in html  # another structure's refusal is not theirs
    assert f"n° {story['call'].pk}<" not in html  # nor the 115's file
    assert "Suivi SPIP" not in html  # nor who else opened the file
    assert "Sortie de prison" not in html  # justice stays with the SIAO and the referrer


def test_siao_01_the_115_sees_its_own_call_and_not_the_insertion_file(
    client, emergency_line_user, story
):
    html = _file(client, emergency_line_user, story["person"]).content.decode()
    assert f"n° {story['call'].pk}" in html
    assert "CHRS Les Tilleuls" not in html
    assert "Une demande est en cours auprès du SIAO" in html


def test_siao_01_the_request_page_links_to_the_file(client, siao_operator, story):
    client.force_login(siao_operator)
    html = client.get(reverse("requests:detail", args=[story["request"].pk])).content.decode()
    assert reverse("persons:file", args=[story["person"].pk]) in html
    html = client.get(reverse("requests:list")).content.decode()
    assert reverse("persons:file", args=[story["person"].pk]) in html


# -- the warning at entry -------------------------------------------------------------------


def _call(person, **extra) -> dict:
    return {
        "call-birth_name": person.birth_name,
        "call-first_names": person.first_names,
        "call-birth_date": str(person.birth_year),
        "call-current_location": "Gare de Mulhouse",
        "call-notes": "Appelle depuis la gare",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "identity-choice": str(person.pk),
        **extra,
    }


def test_siao_01_a_115_call_for_someone_hosted_tonight_warns_and_names_the_stay(
    client, siao_operator, story
):
    client.force_login(siao_operator)
    before = Request.objects.count()
    response = client.post(reverse("requests:create_emergency"), _call(story["person"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cette personne est hébergée en ce moment" in html
    assert "Séjour en cours à CHRS Les Tilleuls depuis le" in html
    assert reverse("requests:detail", args=[story["request"].pk]) in html
    assert reverse("persons:file", args=[story["person"].pk]) in html
    assert "Gare de Mulhouse" in html  # nothing typed is lost
    assert Request.objects.count() == before
    # Confirmed deliberately: the new request is made, attached to the same person.
    response = client.post(
        reverse("requests:create_emergency"),
        _call(story["person"], **{"identity-new_request": "confirm"}),
    )
    assert response.status_code == 302
    assert Request.objects.filter(person=story["person"]).count() == 3


def test_siao_01_out_of_scope_the_warning_says_only_that_a_request_exists(
    client, emergency_line_user, social_worker
):
    person = PersonFactory(birth_name="Lambert", usage_name="", first_names="Odile")
    make_request(person, referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(emergency_line_user)
    response = client.post(reverse("requests:create_emergency"), _call(person))
    html = response.content.decode()
    assert "Une demande est déjà en cours auprès du SIAO" in html
    assert "CCAS de Mulhouse" not in html
    assert not Request.objects.filter(referrer_organisation=emergency_line_user.organisation)


def test_siao_01_the_insertion_form_warns_too(client, siao_operator, story):
    person = story["person"]
    client.force_login(siao_operator)
    data = {
        "request-channel": Channel.INSERTION,
        "request-requested_on": timezone.localdate().isoformat(),
        "person-birth_name": person.birth_name,
        "person-first_names": person.first_names,
        "person-birth_date": str(person.birth_year),
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "identity-choice": str(person.pk),
    }
    response = client.post(reverse("requests:create"), data)
    assert response.status_code == 200
    assert "Séjour en cours à CHRS Les Tilleuls" in response.content.decode()


def test_siao_01_the_suggestions_at_entry_say_a_stay_is_under_way(client, siao_operator, story):
    person = story["person"]
    client.force_login(siao_operator)
    response = client.post(
        reverse("identity:entry_candidates"),
        {"source": "call", **_call(person)},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert f'value="{person.pk}"' in html
    assert "Séjour en cours à CHRS Les Tilleuls" in html


def test_siao_01_no_warning_when_every_request_is_finished(client, emergency_line_user):
    person = PersonFactory(birth_name="Lambert", usage_name="", first_names="Odile")
    old = make_request(person, referrer=emergency_line_user, channel=Channel.EMERGENCY)
    old.close(by=emergency_line_user, reason="solution_found")
    client.force_login(emergency_line_user)
    response = client.post(reverse("requests:create_emergency"), _call(person))
    assert response.status_code == 302
    assert Request.objects.filter(person=person).count() == 2


def test_siao_01_under_an_access_on_request_the_read_keeps_its_reason(client, cpip, story):
    html = _file(client, cpip, story["person"]).content.decode()
    assert f"n° {story['request'].pk}" in html
    assert f"n° {story['call'].pk}<" not in html  # the 115's file is not under the access
    assert "Sortie de prison" not in html  # read under an access: no justice, no health
    read = AuditEvent.objects.get(action=Action.READ, person_id=story["person"].pk)
    assert read.reason == "Suivi SPIP de la personne"
