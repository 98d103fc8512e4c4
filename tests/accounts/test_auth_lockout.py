"""Lockout after repeated failed logins (django-axes): per username and address."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from relais.accounts.security import client_ip_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Trop de tentatives de connexion échouées : ce compte est bloqué depuis ce poste pendant 15 minutes."


def _login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_auth_lockout_after_five_failures_for_15_minutes(client, social_worker):
    for _ in range(4):
        response = _login(client, "alice", "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    response = _login(client, "alice", "mauvais-mot-de-passe")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Even the right password is refused while the lock lasts.
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_auth_lockout_is_per_username_and_address(client, social_worker, colleague):
    for _ in range(5):
        _login(client, "alice", "mauvais-mot-de-passe")
    # Another address, or another account from the same address, may still sign in.
    assert _login(client, "alice", PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, "bob", PASSWORD).status_code == 302


def test_auth_lockout_ends_after_the_cool_off(client, social_worker):
    for _ in range(5):
        _login(client, "alice", "mauvais-mot-de-passe")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2020)
    )
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_auth_lockout_counter_restarts_after_a_success(client, social_worker):
    for _ in range(4):
        _login(client, "alice", "mauvais-mot-de-passe")
    assert _login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "alice", "mauvais-mot-de-passe").status_code == 200


def test_auth_lockout_counts_the_client_behind_the_proxy(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert client_ip_address(request) == "127.0.0.1"
    with override_settings(RELAIS_TRUSTED_PROXIES=1):
        # The client may write any X-Forwarded-For: only the proxy's own entry counts.
        assert client_ip_address(request) == "203.0.113.9"
        assert client_ip_address(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
