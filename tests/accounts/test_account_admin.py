"""SIAO-22: accounts are granted by habilitation, by the administrator of each territory."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from relais.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _new_account(ccas, **extra) -> dict:
    data = {
        "username": "nadia.k",
        "first_name": "Nadia",
        "last_name": "Kaci",
        "email": "nadia.kaci@ccas.example",
        "organisation": ccas.pk,
        "role": "social_worker",
    }
    data.update(extra)
    return data


def test_siao_22_the_territory_admin_opens_an_account_and_the_user_sets_a_password(
    client, territory_admin, ccas
):
    client.force_login(territory_admin)
    response = client.post(reverse("accounts:create"), _new_account(ccas))
    assert response.status_code == 302
    user = User.objects.get(username="nadia.k")
    assert not user.has_usable_password()
    assert user.organisation == ccas
    assert len(mail.outbox) == 1
    assert "nadia.k" in mail.outbox[0].body
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/" in line)
    client.logout()
    set_password_page = client.get(link.split("testserver")[1], follow=True)
    assert "Choisir votre mot de passe" in set_password_page.content.decode()


def test_siao_22_a_role_must_fit_its_organisation(client, territory_admin, ccas):
    client.force_login(territory_admin)
    response = client.post(reverse("accounts:create"), _new_account(ccas, role="cpip"))
    assert response.status_code == 200
    assert "n&#x27;est pas possible" in response.content.decode()
    assert not User.objects.filter(username="nadia.k").exists()


def test_siao_22_organisations_of_other_territories_are_not_offered(
    client, territory_admin, remote_worker
):
    client.force_login(territory_admin)
    response = client.post(reverse("accounts:create"), _new_account(remote_worker.organisation))
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_siao_22_the_admin_removes_an_account_which_can_no_longer_log_in(
    client, territory_admin, social_worker
):
    client.force_login(territory_admin)
    client.post(reverse("accounts:toggle", args=[social_worker.pk]))
    social_worker.refresh_from_db()
    assert not social_worker.is_active


def test_siao_22_accounts_of_other_territories_and_superusers_are_out_of_reach(
    client, territory_admin, remote_worker
):
    boss = UserFactory(is_superuser=True, organisation=territory_admin.organisation)
    client.force_login(territory_admin)
    for account in (remote_worker, boss):
        assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 404
        assert client.post(reverse("accounts:toggle", args=[account.pk])).status_code == 404


@pytest.mark.parametrize("role_fixture", ["siao_operator", "social_worker", "state_service_user"])
def test_siao_22_only_the_territory_admin_manages_accounts(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("accounts:list")).status_code == 403


def test_siao_22_the_territory_admin_sees_no_person(client, territory_admin, social_worker):
    from relais.requests.enums import Channel
    from tests.factories import make_request

    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(territory_admin)
    assert client.get(reverse("requests:detail", args=[req.pk])).status_code == 404


def test_siao_22_an_administrator_cannot_change_their_own_account(client, territory_admin):
    client.force_login(territory_admin)
    response = client.post(
        reverse("accounts:edit", args=[territory_admin.pk]),
        {
            "username": territory_admin.username,
            "first_name": "T",
            "last_name": "W",
            "email": "t@w.example",
            "organisation": territory_admin.organisation_id,
            "role": "siao_operator",
        },
    )
    assert response.status_code == 404
    territory_admin.refresh_from_db()
    assert territory_admin.role == "territory_admin"


def test_sec_01_account_changes_are_audited(client, territory_admin, social_worker):
    from relais.audit.models import AuditEvent

    client.force_login(territory_admin)
    client.post(reverse("accounts:toggle", args=[social_worker.pk]))
    row = AuditEvent.objects.get(user=territory_admin, action="write")
    assert row.reason == "Désactivation de compte"
    assert row.object_id == str(social_worker.pk)


@override_settings(RELAIS_SITE_URL="https://relais.siao68.example")
def test_siao_22_the_set_password_link_is_on_the_sites_own_address(client, territory_admin, ccas):
    client.force_login(territory_admin)
    client.post(reverse("accounts:create"), _new_account(ccas), HTTP_HOST="testserver")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/" in line)
    assert link.startswith("https://relais.siao68.example/mot-de-passe/")
