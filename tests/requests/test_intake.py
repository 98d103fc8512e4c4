"""SIAO-05 (who enters which channel) and SEC-04 (clear French errors, nothing lost)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.persons.models import Person
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import Request, RequestQuerySet
from tests.factories import make_request

pytestmark = pytest.mark.django_db


def _insertion_post(**extra) -> dict:
    data = {
        "request-channel": Channel.INSERTION,
        "request-requested_on": "2026-11-02",
        "person-birth_name": "Lefèvre",
        "person-first_names": "Jean-Marc",
        "person-sex": "M",
        "person-birth_date": "02/11/1979",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role_fixture", ["social_worker", "cpip", "siao_operator"])
def test_siao_05_authorised_social_workers_enter_insertion_requests(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    response = client.post(reverse("requests:create"), _insertion_post())
    assert response.status_code == 302
    created = Request.objects.get()
    assert created.channel == Channel.INSERTION
    assert created.referrer_organisation == user.organisation
    assert created.referrer == user
    assert created.status == RequestStatus.NEW


@pytest.mark.parametrize(
    "role_fixture", ["emergency_line_user", "structure_manager", "state_service_user", "siae_coach"]
)
def test_siao_05_other_roles_cannot_enter_insertion_requests(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("requests:create")).status_code == 403
    assert client.post(reverse("requests:create"), _insertion_post()).status_code == 403
    assert not Request.objects.exists()


def test_siao_05_the_115_enters_an_urgence_request_in_one_short_form(client, emergency_line_user):
    client.force_login(emergency_line_user)
    response = client.post(
        reverse("requests:create_emergency"),
        {
            "call-birth_name": "Moreau",
            "call-first_names": "Kevin",
            "call-sex": "M",
            "call-birth_date": "1996",
            "call-current_location": "Gare de Mulhouse",
            "call-needs_tonight": "on",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    req = Request.objects.get()
    assert req.channel == Channel.EMERGENCY
    assert req.needs_tonight
    assert req.current_location == "Gare de Mulhouse"
    assert (req.person.birth_year, req.person.birth_month) == (1996, None)


@pytest.mark.parametrize("role_fixture", ["cpip", "structure_manager", "state_service_user"])
def test_siao_05_urgence_intake_is_reserved_to_the_veille_sociale(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("requests:create_emergency")).status_code == 403


def test_sec_04_bad_birth_date_gets_a_french_message_and_keeps_the_input(client, social_worker):
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:create"),
        _insertion_post(
            **{"person-birth_date": "31/02/1979", "request-notes": "Urgent, 3 enfants"}
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cette date de naissance n&#x27;existe pas." in page
    assert 'value="Lefèvre"' in page
    assert 'value="Jean-Marc"' in page
    assert "Urgent, 3 enfants" in page
    assert not Person.objects.exists()


def test_sec_04_unreadable_birth_date_explains_the_expected_format(client, social_worker):
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:create"), _insertion_post(**{"person-birth_date": "vers 1980"})
    )
    assert "écrivez JJ/MM/AAAA" in response.content.decode()


def test_sec_04_a_future_request_date_is_refused(client, social_worker):
    client.force_login(social_worker)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("requests:create"), _insertion_post(**{"request-requested_on": tomorrow})
    )
    assert "ne peut pas être dans le futur" in response.content.decode()

    assert not Request.objects.exists()


def test_siao_01_editing_a_request_is_written_on_its_timeline(client, social_worker):
    from tests.factories import make_request

    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    client.force_login(social_worker)
    data = {
        "request-requested_on": req.requested_on.isoformat(),
        "request-current_location": "Parc Salvator",
        "request-needs_tonight": "on",
        "person-birth_name": req.person.birth_name,
        "person-first_names": req.person.first_names,
        "person-birth_date": "",
    }
    response = client.post(reverse("requests:edit", args=[req.pk]), data)
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.current_location == "Parc Salvator"
    update = req.events.get(kind="updated")
    assert "Lieu où se trouve la personne" in update.data["fields"]
    assert update.actor == social_worker


def _call(**extra) -> dict:
    data = {
        "call-birth_name": "Keller",
        "call-first_names": "Lina",
        "call-birth_date": "1996",
        "call-submission": "0123456789abcdef0123456789abcdef",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_sec_04_the_same_call_sent_twice_makes_one_request(client, emergency_line_user):
    client.force_login(emergency_line_user)
    first = client.post(reverse("requests:create_emergency"), _call())
    second = client.post(reverse("requests:create_emergency"), _call())
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Request.objects.count() == 1


def test_sec_04_two_copies_racing_on_the_key_give_the_loser_the_winners_request(
    monkeypatch, emergency_line_user
):
    winner = make_request(channel=Channel.EMERGENCY, referrer=emergency_line_user)
    Request.objects.filter(pk=winner.pk).update(submission_key="k" * 32)
    # The loser checked before the winner committed: it saw no request with the key.
    seen = iter([None])
    real = RequestQuerySet.submitted
    monkeypatch.setattr(RequestQuerySet, "submitted", lambda self, key: next(seen, real(self, key)))
    loser = lambda: make_request(  # noqa: E731
        channel=Channel.EMERGENCY, referrer=emergency_line_user, submission_key="k" * 32
    )
    req, made = Request.objects.make_once("k" * 32, loser)
    assert (req.pk, made) == (winner.pk, False)
    assert Request.objects.count() == 1
