"""SEC-01: the request pages write who read, searched or changed which file to the audit log."""

import pytest
from django.urls import reverse

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.places.enums import StructureType
from relais.requests.enums import Channel
from tests.factories import StructureFactory, make_evaluation, make_request
from tests.places.test_direct_admission import direct_admission_post
from tests.requests.test_evaluation import _complete_evaluation_post
from tests.requests.test_intake import _insertion_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_request(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req)
    return req


def _only_event(**filters) -> AuditEvent:
    return AuditEvent.objects.get(**filters)


@pytest.mark.parametrize("view", ["detail", "edit", "evaluation", "evaluation_print"])
def test_sec_01_opening_a_file_is_logged_as_a_read(client, siao_operator, alices_request, view):
    client.force_login(siao_operator)
    assert client.get(reverse(f"requests:{view}", args=[alices_request.pk])).status_code == 200
    event = _only_event(action=Action.READ)
    assert event.user == siao_operator
    assert (event.object_type, event.object_id) == ("request", str(alices_request.pk))
    assert event.person_id == alices_request.person_id
    assert event.territory_id == alices_request.territory_id
    assert event.ip == "127.0.0.1"


def test_sec_01_an_out_of_scope_file_logs_nothing(client, outsider, alices_request):
    client.force_login(outsider)
    assert client.get(reverse("requests:detail", args=[alices_request.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_sec_01_a_search_by_name_is_logged_as_a_search(client, siao_operator):
    client.force_login(siao_operator)
    client.get(reverse("requests:list"))
    assert not AuditEvent.objects.exists()
    client.get(reverse("requests:list"), {"q": "Lefèvre"})
    event = _only_event(action=Action.SEARCH)
    assert event.detail["filters"]["q"] == "Lefèvre"
    assert event.territory_id == siao_operator.organisation.territory_id


def test_sec_01_creating_a_request_is_logged_as_a_write(client, social_worker):
    client.force_login(social_worker)
    assert client.post(reverse("requests:create"), _insertion_post()).status_code == 302
    event = _only_event(action=Action.WRITE)
    assert event.detail == {"event": "created"}
    assert event.person_id is not None


def test_sec_01_an_urgence_call_is_logged_as_a_write(client, emergency_line_user):
    client.force_login(emergency_line_user)
    data = {
        "call-birth_name": "Moreau",
        "call-first_names": "Kevin",
        "call-sex": "M",
        "call-birth_date": "1996",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("requests:create_emergency"), data).status_code == 302
    assert _only_event(action=Action.WRITE).username == "eric"


def test_sec_01_an_edit_logs_each_changed_field_old_and_new(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY, notes="Avant")
    client.force_login(social_worker)
    data = {
        "request-requested_on": req.requested_on.isoformat(),
        "request-current_location": "Parc Salvator",
        "request-notes": "Après",
        "person-birth_name": req.person.birth_name,
        "person-first_names": req.person.first_names,
        "person-birth_date": req.person.birth_date_display,
        "person-phone": "06 12 34 56 78",
    }
    assert client.post(reverse("requests:edit", args=[req.pk]), data).status_code == 302
    changes = _only_event(action=Action.WRITE).detail["changes"]
    assert changes["current_location"] == ["", "Parc Salvator"]
    assert changes["notes"] == ["Avant", "Après"]
    assert changes["person.phone"] == ["", "06 12 34 56 78"]
    assert "person.birth_name" not in changes


def test_sec_01_an_evaluation_save_logs_its_changes(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    client.post(reverse("requests:evaluation", args=[req.pk]), _complete_evaluation_post())
    changes = _only_event(action=Action.WRITE).detail["changes"]
    assert changes["main.interviewers"] == ["", "A. Martin, CCAS de Mulhouse"]
    # As the form shows them, for the people who read the log.
    assert changes["resources.applicant-rsa__monthly_amount"] == ["", "607,75"]


def test_sec_01_the_social_security_number_never_enters_the_log(client, social_worker):
    social_worker.organisation.territory.stores_social_security_number = True
    social_worker.organisation.territory.save()
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    client.post(
        reverse("requests:evaluation", args=[req.pk]),
        _complete_evaluation_post(**{"evaluation-social_security_number": "185057800608491"}),
    )
    event = _only_event(action=Action.WRITE)
    assert event.detail["changes"]["main.social_security_number"] == ["•••", "•••"]
    assert "185057800608491" not in str(event.detail)


def test_sec_01_validating_an_evaluation_is_logged(client, social_worker, alices_request):
    client.force_login(social_worker)
    client.post(reverse("requests:evaluate", args=[alices_request.pk]))
    assert _only_event(action=Action.WRITE).detail == {"event": "evaluated"}


def test_sec_01_adding_a_household_member_is_logged(client, social_worker, alices_request):
    client.force_login(social_worker)
    data = {
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-birth_name": "Lefèvre",
        "members-0-first_names": "Léa",
        "members-0-sex": "F",
        "members-0-birth_date": "2015",
        "members-0-relationship": "child",
        "members-0-child_situation": "",
    }
    response = client.post(reverse("requests:household_add", args=[alices_request.pk]), data)
    assert response.status_code == 302
    added = _only_event(action=Action.WRITE).detail["added_person_ids"]
    assert len(added) == 1
    assert added[0] != alices_request.person_id


def test_sec_01_a_direct_admission_is_logged_as_a_write(client, structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=10
    )
    client.force_login(structure_manager)
    data = direct_admission_post(structure)
    assert client.post(reverse("places:direct_admission"), data).status_code == 302
    event = _only_event(action=Action.WRITE)
    assert event.detail == {"event": "direct_admission"}
    assert event.username == "gaston"


def test_sec_01_saving_an_evaluation_unchanged_records_no_rectification(client, social_worker):
    """Issue 12: "main.is_indebted True → True" was logged for a save that changed nothing."""
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    url = reverse("requests:evaluation", args=[req.pk])
    client.post(url, _complete_evaluation_post(**{"evaluation-is_indebted": "true"}))
    writes = AuditEvent.objects.filter(action=Action.WRITE)
    assert writes.count() == 1
    labels = writes.get().detail["labels"]
    assert labels["main.is_indebted"] == "Le demandeur est-il endetté ?"
    assert writes.get().detail["changes"]["main.is_indebted"] == ["", "Oui"]
    updates = req.events.filter(kind="updated").count()
    client.post(url, _complete_evaluation_post(**{"evaluation-is_indebted": "true"}))
    assert writes.count() == 1, [e.detail for e in writes.order_by("id")[1:]]
    assert req.events.filter(kind="updated").count() == updates
