"""One notifications mechanism: in-app notice and e-mail with an absolute link, after commit."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from relais.api.models import ApiToken
from relais.notifications.models import Notification
from relais.notifications.sending import DIGEST_LINES, Notice, notify, notify_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(users, **extra):
    return notify(
        users,
        subject="Place attribuée",
        message="Le SIAO attribue une place à DUPONT Jean.",
        mail="Le SIAO attribue une place à la demande n° 12.",
        link="/demandes/12/",
        link_label="Voir la demande n° 12",
        **extra,
    )


@override_settings(RELAIS_SITE_URL="https://relais.siao68.example/")
def test_siao_15_each_user_is_notified_once_in_app_and_by_mail_with_an_absolute_link(
    django_capture_on_commit_callbacks,
):
    alice = UserFactory(social_worker=True, email="alice@ccas.example")
    gone = UserFactory(social_worker=True, email="gone@ccas.example", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice, alice, gone], extra_emails=["accueil@chrs.example", ""])
    assert list(Notification.objects.values_list("recipient", flat=True)) == [alice.pk]
    assert sorted(m.to[0] for m in mail.outbox) == ["accueil@chrs.example", "alice@ccas.example"]
    body = mail.outbox[0].body
    assert "https://relais.siao68.example/demandes/12/" in body
    assert "DUPONT" not in body  # the person is named in Relais only
    assert mail.outbox[0].subject == "[Relais] Place attribuée"


def test_siao_15_nothing_is_mailed_for_a_change_rolled_back(django_capture_on_commit_callbacks):
    alice = UserFactory(social_worker=True, email="alice@ccas.example")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify([alice])
        raise RuntimeError
    assert mail.outbox == [] and not Notification.objects.exists()


def test_sec_02_each_user_reads_only_their_own_notifications(client):
    alice, bob = UserFactory(social_worker=True), UserFactory(social_worker=True)
    _notify([alice])
    client.force_login(bob)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "DUPONT" not in page and "Aucune notification" in page
    client.force_login(alice)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "DUPONT" in page and 'href="/demandes/12/"' in page
    client.post(reverse("notifications:list"))
    assert Notification.objects.get().read_at is not None


@override_settings(RELAIS_SITE_URL="https://relais.siao68.example/")
def test_siao_15_every_link_in_an_email_is_absolute(django_capture_on_commit_callbacks):
    alice = UserFactory(social_worker=True, email="alice@ccas.example")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [alice],
            subject="Accès à la demande n° 227",
            message="Accès ouvert.",
            mail=(
                "La demande /demandes/227/ est ouverte jusqu'au 03/04/2026 (voir /acces/), "
                "et/ou https://autre.example/page/."
            ),
            link="/demandes/227/",
        )
    body = mail.outbox[0].body
    assert "La demande https://relais.siao68.example/demandes/227/ est ouverte" in body
    assert "(voir https://relais.siao68.example/acces/)," in body
    assert "Voir dans Relais : https://relais.siao68.example/demandes/227/" in body
    assert "03/04/2026" in body and "et/ou https://autre.example/page/." in body
    assert " /" not in body and "(/" not in body  # no path left relative


def test_jus_06_a_batch_of_notices_is_one_digest_mail_per_address(
    django_capture_on_commit_callbacks,
):
    cpip, referent = UserFactory(cpip=True), UserFactory(siao_operator=True)
    notices = [
        Notice([cpip, referent] if n == 0 else [cpip], message=f"Personne {n}", mail=f"Alerte {n}")
        for n in range(DIGEST_LINES + 10)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        notify_all(notices, subject="Alertes du jour", intro="Les alertes du jour.")
    assert Notification.objects.filter(recipient=cpip).count() == DIGEST_LINES + 10
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cpip.email, referent.email])
    (to_cpip,) = [m for m in mail.outbox if m.to == [cpip.email]]
    assert "- Alerte 0\n" in to_cpip.body and f"- Alerte {DIGEST_LINES - 1}\n" in to_cpip.body
    assert f"Alerte {DIGEST_LINES}\n" not in to_cpip.body
    assert "- et 10 autre(s) : voir vos notifications, http://testserver/notifications/" in (
        to_cpip.body
    )


def _service_account_of(user, *, email: str = "logiciel@siao.example"):
    """The service account of a token issued with `user`'s organisation and role, given an
    e-mail address so that a mail, too, would reach it."""
    token, _ = ApiToken.issue(
        name="Logiciel du SIAO",
        organisation=user.organisation,
        role=user.role,
        expires_at=timezone.now() + dt.timedelta(days=30),
        scopes={},
        by=None,
    )
    token.account.email = email
    token.account.save(update_fields=["email"])
    return token.account


def test_ops_02_a_service_account_is_never_notified_in_app_or_by_mail(
    django_capture_on_commit_callbacks,
):
    operator = UserFactory(siao_operator=True, email="sarah@siao.example")
    software = _service_account_of(operator)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([operator, software])
        notify_all(
            [Notice([software, operator], message="Personne 1", mail="Alerte 1")],
            subject="Alertes du jour",
            intro="Les alertes du jour.",
        )
    assert not Notification.objects.filter(recipient=software).exists()
    assert Notification.objects.filter(recipient=operator).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["sarah@siao.example"] * 2
    # A notice meant for the service account alone is no notice at all.
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([software]) == []
    assert len(mail.outbox) == 2
