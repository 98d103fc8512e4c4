"""SEC-03: inactive files are anonymised after 730 days, audit rows purged after 365, imports
deleted 30 days after their last step, expired API idempotency keys deleted."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from relais.api.models import ApiToken, IdempotentRequest
from relais.audit import log
from relais.audit.enums import Action
from relais.audit.models import AuditEvent, AuditPurge
from relais.imports.models import ImportJob
from relais.persons.models import HouseholdMember, Person
from relais.privacy.models import Anonymisation
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import RequestEvent
from tests.factories import PersonFactory, make_evaluation, make_request

pytestmark = pytest.mark.django_db


def _retention(days_later: int, *args) -> str:
    out = StringIO()
    today = timezone.localdate() + dt.timedelta(days=days_later)
    call_command("apply_retention", *args, today=today.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def closed_file(social_worker):
    req = make_request(
        referrer=social_worker,
        channel=Channel.INSERTION,
        notes="Hébergée chez sa sœur, rue des Lilas",
        current_location="Mulhouse",
    )
    req.person.phone = "06 12 34 56 78"
    req.person.address = "3 rue des Lilas, Mulhouse"
    req.person.save()
    make_evaluation(req, interviewers="A. Martin", prescriber_phone="03 89 00 00 00")
    req.close(by=social_worker, reason="no_news", note="Sans nouvelles de Mme depuis trois mois")
    return req


def test_sec_03_a_file_inactive_for_730_days_is_kept(closed_file):
    _retention(730)
    person = Person.objects.get(pk=closed_file.person_id)
    assert person.birth_name == closed_file.person.birth_name
    assert not Anonymisation.objects.exists()


def test_sec_03_the_day_after_730_days_the_file_is_anonymised(closed_file):
    before = closed_file.person
    _retention(731)
    person = Person.objects.get(pk=before.pk)
    assert person.birth_name == "ANONYMISÉ"
    assert (person.first_names, person.phone, person.address, person.birth_place) == ("",) * 4
    assert (person.birth_day, person.birth_month) == (None, None)
    # What the indicators count stays.
    assert (person.sex, person.birth_year) == (before.sex, before.birth_year)
    req = closed_file.__class__.objects.get(pk=closed_file.pk)
    assert (req.notes, req.current_location) == ("", "")
    assert (req.channel, req.status, req.closed_at) == (
        Channel.INSERTION,
        RequestStatus.CLOSED,
        closed_file.closed_at,
    )
    evaluation = req.evaluation
    assert (evaluation.argument, evaluation.interviewers, evaluation.prescriber_phone) == ("",) * 3
    assert evaluation.housing_situation and evaluation.wants_shelter
    assert [r.detail for r in evaluation.reasons.all()] == [""]
    assert not RequestEvent.objects.filter(request=req).exclude(note="").exists()
    anonymisation = Anonymisation.objects.get(person=person)
    assert anonymisation.last_activity_on == timezone.localdate()
    event = AuditEvent.objects.get(action=Action.ANONYMISE)
    assert (event.person_id, event.territory_id) == (person.pk, req.territory_id)


def test_sec_03_an_open_request_is_activity_every_day(social_worker):
    req = make_request(referrer=social_worker)
    _retention(5000)
    assert Person.objects.get(pk=req.person_id).birth_name == req.person.birth_name


def test_sec_03_an_open_file_in_the_household_keeps_the_whole_household(social_worker, closed_file):
    spouse = PersonFactory()
    make_request(spouse, referrer=social_worker, household=closed_file.household)
    HouseholdMember.objects.create(
        household=closed_file.household, person=spouse, relationship="spouse"
    )
    _retention(731)
    assert not Anonymisation.objects.exists()


def test_sec_03_later_events_and_audit_writes_are_activity(closed_file):
    later = timezone.now() + dt.timedelta(days=10)
    RequestEvent.objects.create(request=closed_file, kind="updated", recorded_at=later)
    _retention(731)
    assert not Anonymisation.objects.exists()
    _retention(741)
    assert Anonymisation.objects.count() == 1


def test_sec_03_an_audit_write_about_the_person_is_activity(closed_file):
    _append_audit_write(person_id=closed_file.person_id, at=timezone.now() + dt.timedelta(days=3))
    _retention(733)
    assert not Anonymisation.objects.exists()
    _retention(734)
    assert Anonymisation.objects.count() == 1


def test_sec_03_the_dry_run_says_what_it_would_do_and_changes_nothing(closed_file, siao_operator):
    log.record(request_or_user=siao_operator, action=Action.READ)
    out = _retention(731, "--dry-run")
    assert f"personne n° {closed_file.person_id} : dernière activité le" in out
    assert "1 ligne du journal d'audit à purger" in out
    assert "rien n'a été modifié" in out
    assert Person.objects.get(pk=closed_file.person_id).birth_name != "ANONYMISÉ"
    assert AuditEvent.objects.count() == 1
    assert not AuditPurge.objects.exists()


def test_sec_03_running_twice_the_same_day_changes_nothing_more(closed_file, siao_operator):
    log.record(request_or_user=siao_operator, action=Action.READ)
    # The clock itself 731 days later, so that the rows this run writes are dated that day.
    later = timezone.now() + dt.timedelta(days=731)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("apply_retention", stdout=StringIO())
        state = (
            Anonymisation.objects.count(),
            AuditPurge.objects.count(),
            list(AuditEvent.objects.values_list("action", flat=True)),
        )
        out = StringIO()
        call_command("apply_retention", stdout=out)
    assert "0 personne à anonymiser" in out.getvalue()
    assert "0 ligne du journal d'audit à purger" in out.getvalue()
    assert state == (
        Anonymisation.objects.count(),
        AuditPurge.objects.count(),
        list(AuditEvent.objects.values_list("action", flat=True)),
    )
    # The first run purged the read and anonymised the person.
    assert state == (1, 1, [Action.ANONYMISE])


def test_sec_03_audit_rows_are_kept_365_days_and_purged_the_day_after(siao_operator):
    kept = log.record(request_or_user=siao_operator, action=Action.READ)
    _retention(365)
    assert list(AuditEvent.objects.all()) == [kept]
    _retention(366)
    assert not AuditEvent.objects.exists()
    purge = AuditPurge.objects.get()
    assert (purge.purged_count, purge.anchor_hash) == (1, kept.hash)
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "intacte" in out.getvalue()


def test_sec_03_anonymisation_drops_the_duplicate_finders_keys(closed_file):
    from django.apps import apps

    if not apps.is_installed("relais.identity"):
        pytest.skip("no identity app")
    identity_key = apps.get_model("identity", "IdentityKey")
    _retention(731)
    assert not identity_key.objects.filter(person_id=closed_file.person_id).exists()


def test_sec_03_a_bad_date_is_refused_in_french():
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("apply_retention", today="31/12/2026")


def _append_audit_write(*, person_id: int, at: dt.datetime) -> None:
    """A write row dated `at`, correctly chained (as if recorded on that day)."""
    log._append([AuditEvent(action=Action.WRITE, person_id=person_id, detail={})], at=at)


def test_sec_03_anonymisation_reaches_orientations_notifications_and_access_reasons(
    social_worker, outsider, siao_operator
):
    from relais.access.models import AccessGrant
    from relais.notifications.models import Notification

    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    AccessGrant.grant(user=outsider, request=req, reason="Mme Durand vient au CCAS de Colmar")
    Notification.objects.create(
        recipient=social_worker, request=req, message=f"{req.person} : orientation acceptée."
    )
    req.close(by=social_worker, reason="no_news")
    _retention(731)
    assert AccessGrant.objects.get().reason == "ANONYMISÉ"
    assert req.person.birth_name not in Notification.objects.get().message


def test_sec_03_anonymisation_wipes_the_free_text_of_the_exit_plan(closed_file):
    from relais.exitplan.models import ExitItemEvent, ExitPlan
    from relais.privacy.retention import anonymise
    from tests.factories import make_detention

    detention = make_detention(closed_file.person)
    plan = ExitPlan.open_for(detention, by=detention.cpip)
    plan.set_first_night(by=None, arrival_contact="Mme Durand, sœur de M. X")
    item = plan.items.get(kind="bank")
    item.take("done", by=detention.cpip, remarks="Compte ouvert à La Banque postale de Colmar")
    anonymise(closed_file.person_id, last_activity=timezone.localdate())
    plan.refresh_from_db()
    item.refresh_from_db()
    assert plan.arrival_contact == "" and item.remarks == ""
    assert item.state == "done"  # kept for the indicators
    assert not ExitItemEvent.objects.filter(data__has_key="remarks").exists()


def _import(user, *, created: dt.datetime, previewed=None, imported=None, problems=()):
    return ImportJob.objects.create(
        kind="requests",
        created_by=user,
        file_name="demandes.csv",
        content="Référence;Nom;Prénoms\nR1;MARTIN;Julie\n",
        total=1,
        created_at=created,
        previewed_at=previewed,
        imported_at=imported,
        problems=list(problems),
    )


def test_sec_03_imports_are_deleted_30_days_after_their_last_step(social_worker):
    now = timezone.now()
    long_ago = now - dt.timedelta(days=12)
    older = _import(social_worker, created=long_ago, previewed=long_ago, imported=long_ago)
    today = [
        # Written today, sent and checked twelve days ago: its last step is today.
        _import(social_worker, created=long_ago, previewed=long_ago, imported=now),
        _import(social_worker, created=now, previewed=now, problems=[[3, "sexe", "Inconnu"]]),
        _import(social_worker, created=now, previewed=now),  # left at the preview
        _import(social_worker, created=now),  # a dry run left halfway
    ]
    assert "1 import de fichier dont la dernière étape précède" in _retention(19, "--dry-run")
    assert ImportJob.objects.count() == 5
    _retention(18)
    assert ImportJob.objects.count() == 5
    _retention(19)
    assert set(ImportJob.objects.all()) == set(today) and older not in ImportJob.objects.all()
    out = _retention(30)
    assert "0 import de fichier" in out and ImportJob.objects.count() == 4
    assert "4 imports de fichiers dont la dernière étape précède" in _retention(31, "--dry-run")
    _retention(31)
    assert not ImportJob.objects.exists()
    assert "0 import de fichier" in _retention(31)


def test_sec_03_expired_idempotency_keys_are_deleted_even_if_the_token_never_posts_again(
    siao_operator,
):
    token, _ = ApiToken.issue(
        name="Logiciel du SIAO",
        organisation=siao_operator.organisation,
        role=siao_operator.role,
        expires_at=timezone.now() + dt.timedelta(days=30),
        scopes={},
        by=None,
    )

    def key(name: str, created_at: dt.datetime) -> IdempotentRequest:
        return IdempotentRequest.objects.create(
            token=token,
            key=name,
            method="POST",
            path="/api/v1/demandes/",
            body_digest="0" * 64,
            status=201,
            response={"personne": {"nom": "MARTIN"}},
            created_at=created_at,
        )

    key("ancienne", timezone.now() - dt.timedelta(days=3))
    fresh = key("récente", timezone.now())
    assert "1 clé d'idempotence expirée (API) à effacer" in _retention(0, "--dry-run")
    _retention(0)
    assert list(IdempotentRequest.objects.all()) == [fresh]
    _retention(1)  # 24 hours have not passed when that day starts
    assert list(IdempotentRequest.objects.all()) == [fresh]
    _retention(2)
    assert not IdempotentRequest.objects.exists()
