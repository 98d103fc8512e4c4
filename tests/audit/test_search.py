"""SEC-01: the SIAO and the territory administrator search their territory's audit log."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.audit import log
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("audit:search")


def _rows(response) -> str:
    return response.content.decode().split('id="journal"')[1]


@pytest.mark.parametrize("role_fixture", ["siao_operator", "territory_admin"])
def test_sec_01_the_siao_and_the_administrator_read_the_log(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "role_fixture",
    ["social_worker", "emergency_line_user", "structure_manager", "cpip", "state_service_user"],
)
def test_sec_01_other_roles_do_not_read_the_log(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403


def test_sec_01_the_log_shows_only_the_viewers_territory(
    client, siao_operator, social_worker, remote_worker
):
    log.record(request_or_user=social_worker, action=Action.READ, person_id=11)
    log.record(request_or_user=remote_worker, action=Action.READ, person_id=22)
    client.force_login(siao_operator)
    rows = _rows(client.get(URL))
    assert "alice" in rows
    assert "rachel" not in rows


def test_sec_01_a_superuser_reads_every_territory(client, social_worker, remote_worker):
    log.record(request_or_user=social_worker, action=Action.READ)
    log.record(request_or_user=remote_worker, action=Action.READ)
    client.force_login(UserFactory(is_superuser=True, role="", organisation=None))
    rows = _rows(client.get(URL))
    assert "alice" in rows and "rachel" in rows


def test_sec_01_the_log_filters_by_user_person_action_and_dates(
    client, siao_operator, social_worker, colleague
):
    log.record(request_or_user=social_worker, action=Action.READ, person_id=11)
    log.record(request_or_user=colleague, action=Action.WRITE, person_id=12)
    client.force_login(siao_operator)
    assert "bob" not in _rows(client.get(URL, {"username": "alice"}))
    assert "alice" not in _rows(client.get(URL, {"person_id": 12}))
    assert "alice" not in _rows(client.get(URL, {"action": "write"}))
    today = timezone.localdate()
    assert "alice" in _rows(client.get(URL, {"start": today, "end": today}))
    tomorrow = today + dt.timedelta(days=1)
    assert "Aucune ligne" in _rows(client.get(URL, {"start": tomorrow}))
    response = client.get(URL, {"start": tomorrow, "end": today})
    assert "La date de fin précède la date de début." in response.content.decode()


def test_sec_01_reading_the_log_is_itself_logged(client, siao_operator):
    client.force_login(siao_operator)
    client.get(URL, {"person_id": 42})
    event = AuditEvent.objects.get()
    assert (event.action, event.username) == (Action.SEARCH, "sarah")
    assert event.detail["filters"] == {"person_id": 42}


def test_sec_01_the_log_is_paginated(client, siao_operator):
    for n in range(55):
        log.record(request_or_user=siao_operator, action=Action.READ, person_id=n + 1)
    client.force_login(siao_operator)
    first = client.get(URL).content.decode()
    assert "Page 1 sur 2" in first
    assert "Page 2 sur 2" in client.get(URL, {"page": 2}).content.decode()


def test_sec_01_a_write_shows_its_changes(client, siao_operator):
    log.record(
        request_or_user=siao_operator,
        action=Action.WRITE,
        detail={"changes": {"notes": ["Avant", "Après"]}},
    )
    client.force_login(siao_operator)
    assert "notes : « Avant » → « Après »" in _rows(client.get(URL))


def test_sec_01_the_administrator_sees_which_fields_changed_not_their_values(
    client, territory_admin, siao_operator
):
    log.record(
        request_or_user=siao_operator,
        action=Action.WRITE,
        detail={"changes": {"notes": ["Avant", "Après"]}},
    )
    client.force_login(territory_admin)
    rows = _rows(client.get(URL))
    assert "Champs modifiés : notes" in rows
    assert "Avant" not in rows
