"""The demo never touches a real database, and its persons are found by the identity engine."""

import os
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from relais.accounts.models import Organisation, Territory, User
from relais.demo.duplicates import VARIATIONS
from relais.demo.models import DemoRecord
from relais.identity.entry import EntryCheck
from relais.identity.matching import Identity
from relais.identity.models import IdentityKey, PairStatus, PersonPair
from relais.persons.models import Person
from relais.requests.enums import Channel
from relais.requests.models import Request, create_request
from tests.factories import OrganisationFactory, PersonFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db

# The persons typed twice on purpose, and at least the two namesakes the demo has anyway.
REVIEW_PAIRS = len(VARIATIONS) + 2


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Territory, Organisation, User, Person, Request, DemoRecord)
    }


def test_production_settings_do_not_install_the_demo():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print('relais.demo' in settings.INSTALLED_APPS, settings.RELAIS_DEMO_ALLOWED)"
    )
    run = {"cwd": settings.BASE_DIR, "env": env, "capture_output": True, "text": True}
    installed = subprocess.run([sys.executable, "-c", probe], timeout=60, **run)
    assert installed.stdout.split() == ["False", "False"], installed.stderr

    command = subprocess.run([sys.executable, "manage.py", "load_demo"], timeout=60, **run)
    assert command.returncode != 0
    assert "Unknown command: 'load_demo'" in command.stderr


def test_load_demo_refuses_without_the_dev_or_test_settings_flag():
    refused = pytest.raises(CommandError, match="réglages de développement ou de test")
    with override_settings(RELAIS_DEMO_ALLOWED=False), refused:
        load_demo()
    assert counts() == dict.fromkeys(counts(), 0)


@pytest.mark.parametrize(
    "make, named",
    [
        (lambda: TerritoryFactory(name="Haut-Rhin", insee_code="68"), "territoire « Haut-Rhin"),
        (lambda: OrganisationFactory(name="SIAO du Haut-Rhin"), "« SIAO du Haut-Rhin »"),
        (
            lambda: UserFactory(username="admin", organisation=None, role="", is_superuser=True),
            "compte « admin »",
        ),
        (lambda: PersonFactory(), "1 personne"),
    ],
    ids=["territory", "organisation", "user", "person"],
)
def test_load_demo_refuses_a_database_holding_rows_it_did_not_create(make, named):
    make()
    before = counts()

    with pytest.raises(CommandError, match="n'a pas créées") as refusal:
        load_demo()

    assert named in str(refusal.value)
    assert "Rien n'a été modifié" in str(refusal.value)
    assert counts() == before


def test_load_demo_reloads_a_used_demo_but_not_once_foreign_rows_were_added():
    load_demo()
    # During a demonstration, the 115 line operator takes a call: a new person and request.
    operator = User.objects.get(username="ecoutant.115")
    caller = Person.objects.create(birth_name="Nouvel", first_names="Appelant")
    create_request(
        person=caller,
        channel=Channel.EMERGENCY,
        referrer_organisation=operator.organisation,
        by=operator,
    )
    loaded = counts()

    load_demo()  # a demo that has been used is reset
    assert not Person.objects.filter(birth_name="Nouvel").exists()
    assert counts()["Person"] == loaded["Person"] - 1

    UserFactory(username="jdupont", organisation=Organisation.objects.first())
    PersonFactory(birth_name="Importée")
    before = counts()
    with pytest.raises(CommandError) as refusal:
        load_demo()
    assert "compte « jdupont »" in str(refusal.value) and "1 personne" in str(refusal.value)
    assert "Importée" not in str(refusal.value)  # never a person's name
    assert counts() == before


def test_idv_01_demo_persons_have_identity_keys_and_the_review_queue_shows_pairs(client):
    output = load_demo()
    assert f"Doublons à examiner : {PersonPair.objects.to_review().count()} paires" in output

    assert not Person.objects.filter(identity_keys__isnull=True).exists()
    assert IdentityKey.objects.values("person").distinct().count() == Person.objects.count()

    # The entry check finds a demo person typed again by a social worker.
    worker = User.objects.get(username="travailleur.social")
    someone = Person.objects.filter(birth_day__isnull=False).order_by("pk").first()
    candidates = EntryCheck(user=worker).find(Identity.of_person(someone))
    assert someone in [c.person for c in candidates]

    # Each person typed twice is a pair in the SIAO operator's review queue.
    pairs = PersonPair.objects.filter(status=PairStatus.OPEN)
    twice = {(p.person_a_id, p.person_b_id) for p in pairs}
    typed_later = Person.objects.order_by("-pk")[: len(VARIATIONS)]
    for twin in typed_later:
        assert any(twin.pk in pair for pair in twice), twin
    client.force_login(User.objects.get(username="operateur.siao"))
    response = client.get(reverse("identity:review_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= REVIEW_PAIRS
    assert len(response.context["rows"]) >= REVIEW_PAIRS
