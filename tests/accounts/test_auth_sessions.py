"""Sessions end after 30 idle minutes and 12 hours after sign-in, and the login page says so."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from relais.accounts.middleware import SIGNED_IN_AT

pytestmark = pytest.mark.django_db

EXPIRED = "Votre session a expiré : reconnectez-vous pour continuer."


def test_auth_sessions_settings_idle_30_minutes_and_browser_close():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.RELAIS_SESSION_MAX_AGE == 12 * 3600


def test_auth_sessions_end_12_hours_after_sign_in(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    assert time.time() - session[SIGNED_IN_AT] < 60
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200, "11 h 59: still open"
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("requests:list"))
    assert response["Location"] == f"{reverse('login')}?next=%2Fdemandes%2F"
    page = client.get(response["Location"]).content.decode()
    assert EXPIRED in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_auth_sessions_end_after_30_idle_minutes(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("login"))
    assert EXPIRED in client.get(response["Location"]).content.decode()
    # Said once: the stale cookie is gone.
    assert EXPIRED not in client.get(reverse("login")).content.decode()


def test_auth_sessions_every_request_pushes_the_idle_limit(client, social_worker):
    client.force_login(social_worker)
    client.get(reverse("home"))
    Session.objects.update(expire_date=timezone.now() + timezone.timedelta(minutes=1))
    client.get(reverse("home"))
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timezone.timedelta(minutes=29)


def test_auth_sessions_logging_out_says_nothing_about_expiry(client, social_worker):
    client.force_login(social_worker)
    client.get(reverse("home"))
    response = client.post(reverse("logout"), follow=True)
    assert EXPIRED not in response.content.decode()


def test_an_htmx_request_after_the_session_ended_redirects_the_whole_page(client):
    response = client.get("/demandes/?q=x", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/connexion/")
