"""SIAO-20 and SEC-02: another service's file, only on request — with a reason, for a limited
time, the owner informed, and a review list for the SIAO."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from relais.access.models import AccessGrant
from relais.notifications.models import Notification
from relais.requests.enums import Channel
from tests.factories import PersonFactory, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def charlies_file(outsider):
    """A file referred by another service of the same territory than alice's."""
    person = PersonFactory(birth_name="Benali", first_names="Yacine", birth_year=1991)
    return make_request(referrer=outsider, channel=Channel.INSERTION, person=person)


def _ask(client, req, reason="Suivi commun : la personne se présente au CCAS.", days="7"):
    return client.post(reverse("access:create", args=[req.pk]), {"reason": reason, "days": days})


def test_siao_20_another_services_file_is_found_but_not_readable(
    client, social_worker, charlies_file
):
    client.force_login(social_worker)
    assert client.get(reverse("requests:detail", args=[charlies_file.pk])).status_code == 404
    response = client.get(reverse("access:search"), {"last_name": "benali", "first_name": "yacine"})
    page = response.content.decode()
    assert "BENALI Yacine" in page
    assert reverse("access:create", args=[charlies_file.pk]) in page
    # Nothing of the file's content shows in the search.
    assert charlies_file.notes not in page or not charlies_file.notes


def test_sec_02_access_needs_a_reason(client, social_worker, charlies_file):
    client.force_login(social_worker)
    response = _ask(client, charlies_file, reason="  ")
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not AccessGrant.objects.exists()


def test_sec_02_access_lasts_7_days_by_default_and_30_at_most(client, social_worker, charlies_file):
    client.force_login(social_worker)
    response = _ask(client, charlies_file, days="31")
    assert "ne peut pas dépasser 30 jours" in response.content.decode()
    assert not AccessGrant.objects.exists()
    _ask(client, charlies_file)
    grant = AccessGrant.objects.get()
    assert grant.expires_at - grant.granted_at == dt.timedelta(days=7)


def test_sec_02_the_database_refuses_a_grant_beyond_30_days(social_worker, charlies_file):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessGrant.objects.create(
            user=social_worker,
            request=charlies_file,
            reason="x",
            granted_at=now,
            expires_at=now + dt.timedelta(days=31),
        )


def test_sec_02_granted_access_opens_the_file_read_only_and_informs_its_owner(
    client, social_worker, outsider, charlies_file, django_capture_on_commit_callbacks
):
    outsider.email = "charlie@secteur.example"
    outsider.save()
    client.force_login(social_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, charlies_file)
    assert response.status_code == 302
    assert client.get(reverse("requests:detail", args=[charlies_file.pk])).status_code == 200
    assert client.get(reverse("requests:edit", args=[charlies_file.pk])).status_code == 403
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["charlie@secteur.example"]
    assert "Suivi commun" not in mail.outbox[0].body  # the reason stays in Relais
    assert f"n° {charlies_file.pk}" in mail.outbox[0].body
    assert "http://testserver/acces/" in mail.outbox[0].body  # an absolute link
    notice = Notification.objects.get(recipient=outsider)
    assert "Suivi commun" in notice.message  # in Relais, the owner reads the reason


def test_sec_02_access_ends_by_itself(client, social_worker, charlies_file):
    grant = AccessGrant.grant(
        user=social_worker, request=charlies_file, reason="Suivi commun", days=1
    )
    AccessGrant.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - dt.timedelta(days=2),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(social_worker)
    assert client.get(reverse("requests:detail", args=[charlies_file.pk])).status_code == 404


def test_sec_02_the_siao_reviews_and_revokes_access(
    client, siao_operator, social_worker, charlies_file, remote_worker
):
    grant = AccessGrant.grant(user=social_worker, request=charlies_file, reason="Suivi commun")
    elsewhere = make_request(referrer=remote_worker, channel=Channel.INSERTION)
    AccessGrant.grant(user=remote_worker, request=elsewhere, reason="Autre territoire")
    client.force_login(siao_operator)
    page = client.get(reverse("access:list")).content.decode()
    assert "Suivi commun" in page
    assert "Autre territoire" not in page
    client.post(reverse("access:revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_by == siao_operator
    client.force_login(social_worker)
    assert client.get(reverse("requests:detail", args=[charlies_file.pk])).status_code == 404


def test_sec_02_a_worker_sees_only_their_own_grants(
    client, social_worker, colleague, charlies_file
):
    AccessGrant.grant(user=colleague, request=charlies_file, reason="Accès de Bob")
    client.force_login(social_worker)
    assert "Accès de Bob" not in client.get(reverse("access:list")).content.decode()


@pytest.mark.parametrize(
    "role_fixture", ["structure_manager", "state_service_user", "emergency_line_user", "siae_coach"]
)
def test_sec_02_only_referring_workers_ask_for_access(client, request, role_fixture, charlies_file):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("access:search")).status_code == 403
    assert _ask(client, charlies_file).status_code == 403


def test_sec_02_no_access_across_territories(client, remote_worker, charlies_file):
    client.force_login(remote_worker)
    assert _ask(client, charlies_file).status_code == 404
    assert not AccessGrant.objects.exists()


def test_sec_02_every_read_under_access_is_logged_with_its_reason(
    client, social_worker, charlies_file
):
    from relais.audit.models import AuditEvent

    client.force_login(social_worker)
    _ask(client, charlies_file, reason="Orientation commune vers le CHRS")
    client.get(reverse("requests:detail", args=[charlies_file.pk]))
    client.get(reverse("requests:detail", args=[charlies_file.pk]))
    reads = AuditEvent.objects.filter(
        user=social_worker, action="read", object_id=str(charlies_file.pk)
    )
    assert reads.count() == 2
    assert {row.reason for row in reads} == {"Orientation commune vers le CHRS"}
    assert AuditEvent.objects.filter(action="access_grant", user=social_worker).count() == 1
