"""IDV-02: likely existing persons are shown at entry; the user links or says "someone else"."""

import pytest
from django.urls import reverse

from relais.identity.models import EntryDecision, EntryOutcome, PairStatus, PersonPair
from relais.persons.models import Person
from relais.requests.enums import Channel
from relais.requests.models import Request
from tests.factories import PersonFactory, make_request

pytestmark = pytest.mark.django_db


def _insertion_post(**extra) -> dict:
    data = {
        "request-channel": Channel.INSERTION,
        "request-requested_on": "2026-11-02",
        "person-birth_name": "LEFEBVRE",
        "person-first_names": "Jean Marc",
        "person-sex": "M",
        "person-birth_date": "11/02/1979",
        "person-birth_place": "Colmar",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.fixture
def known(outsider):
    """Jean-Marc Lefèvre, already referred by another service of the territory."""
    person = PersonFactory(
        birth_name="Lefèvre",
        first_names="Jean-Marc",
        sex="M",
        birth_year=1979,
        birth_month=11,
        birth_day=2,
        birth_place="",
    )
    make_request(person, referrer=outsider)
    return person


def test_idv_02_likely_persons_appear_while_typing_with_the_traits_that_matched(
    client, social_worker, known
):
    client.force_login(social_worker)
    response = client.post(
        reverse("identity:entry_candidates"),
        {"source": "person", **_insertion_post()},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{known.pk}"' in html
    assert "Date de naissance : jour et mois inversés" in html
    assert "Nom : se prononce pareil" in html
    assert "c'est quelqu'un d'autre" in html


def test_idv_02_the_entry_form_carries_the_htmx_check(client, social_worker):
    client.force_login(social_worker)
    html = client.get(reverse("requests:create")).content.decode()
    assert reverse("identity:entry_candidates") in html and 'id="identite-candidats"' in html
    html = client.get(reverse("requests:create_emergency")).content.decode()
    assert "{&quot;source&quot;: &quot;call&quot;}" in html or '{"source": "call"}' in html


def test_idv_02_persons_of_another_territory_are_not_shown(client, remote_worker, known):
    client.force_login(remote_worker)
    response = client.post(
        reverse("identity:entry_candidates"), {"source": "person", **_insertion_post()}
    )
    assert f'value="{known.pk}"' not in response.content.decode()


def test_idv_02_roles_that_do_not_enter_requests_get_nothing(client, state_service_user, known):
    client.force_login(state_service_user)
    response = client.post(
        reverse("identity:entry_candidates"), {"source": "person", **_insertion_post()}
    )
    assert response.status_code == 403


def test_idv_02_saving_without_answering_is_refused_and_shows_the_choice(
    client, social_worker, known
):
    client.force_login(social_worker)
    response = client.post(reverse("requests:create"), _insertion_post())
    assert response.status_code == 200
    assert "Cette personne est-elle déjà connue" in response.content.decode()
    assert Request.objects.count() == 1


def test_idv_02_picking_a_person_attaches_the_request_and_records_the_decision(
    client, social_worker, known
):
    client.force_login(social_worker)
    # Known with an open request (SIAO-01): a second one only once the warning is confirmed.
    response = client.post(
        reverse("requests:create"),
        _insertion_post(**{"identity-choice": str(known.pk), "identity-new_request": "confirm"}),
    )
    assert response.status_code == 302
    assert Person.objects.count() == 1
    new_request = Request.objects.filter(referrer_organisation=social_worker.organisation).get()
    assert new_request.person == known
    known.refresh_from_db()
    assert known.birth_place == "Colmar"  # blank trait completed, nothing overwritten
    assert known.birth_name == "Lefèvre"
    decision = EntryDecision.objects.get()
    assert decision.outcome == EntryOutcome.LINKED and decision.person == known
    assert "birth_date=swapped" in decision.candidates[0]["reasons"]


def test_idv_02_someone_else_creates_a_person_and_the_pair_is_never_proposed_again(
    client, social_worker, known
):
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:create"), _insertion_post(**{"identity-choice": "new"})
    )
    assert response.status_code == 302
    new_person = Person.objects.exclude(pk=known.pk).get()
    pair = PersonPair.objects.between(known, new_person).get()
    assert pair.status == PairStatus.DIFFERENT and pair.decided_by == social_worker
    assert EntryDecision.objects.get().outcome == EntryOutcome.SOMEONE_ELSE
    assert not PersonPair.objects.to_review().exists()
    new_person.save()  # a later save does not reopen the decided pair
    assert PersonPair.objects.between(known, new_person).get().status == PairStatus.DIFFERENT


def test_idv_02_the_115_form_checks_too(client, emergency_line_user, known):
    client.force_login(emergency_line_user)
    data = {
        "call-birth_name": "Lefevre",
        "call-first_names": "Jean-Marc",
        "call-birth_date": "02/11/1979",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("requests:create_emergency"), data).status_code == 200
    data["call-choice"] = "ignored"
    data["identity-choice"] = str(known.pk)
    assert client.post(reverse("requests:create_emergency"), data).status_code == 200
    data["identity-new_request"] = "confirm"  # warned of the open request (SIAO-01)
    assert client.post(reverse("requests:create_emergency"), data).status_code == 302
    assert Request.objects.filter(person=known).count() == 2


def test_idv_02_a_tampered_choice_is_refused(client, social_worker, known):
    stranger = PersonFactory(birth_name="Nguyen", first_names="Thi", sex="F")
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:create"), _insertion_post(**{"identity-choice": str(stranger.pk)})
    )
    assert response.status_code == 200
    assert not Request.objects.filter(person=stranger).exists()


def test_sec_01_showing_resembling_persons_is_logged(client, social_worker, known):
    from relais.audit.models import AuditEvent

    client.force_login(social_worker)
    client.post(
        reverse("identity:entry_candidates"),
        {"source": "person", **_insertion_post()},
        HTTP_HX_REQUEST="true",
    )
    row = AuditEvent.objects.get(user=social_worker, action="search")
    assert row.detail["shown_persons"] == [known.pk]
