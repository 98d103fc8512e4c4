"""SEC-01: the audit log records who, when, what and why, and cannot be altered."""

import datetime as dt
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from relais.audit import log
from relais.audit.enums import Action
from relais.audit.models import GENESIS_HASH, AuditEvent, AuditPurge
from tests.audit.conftest import audit_triggers_disabled
from tests.factories import UserFactory, make_request

pytestmark = pytest.mark.django_db


def _three_rows(user):
    return [
        log.record(request_or_user=user, action=Action.READ, person_id=n, detail={"n": n})
        for n in (1, 2, 3)
    ]


def _verify() -> str:
    return _call("verify_audit_chain")


def _call(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sec_01_a_read_records_who_when_what_and_from_where(siao_operator, social_worker):
    req = make_request(referrer=social_worker)
    http = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    http.user = siao_operator
    event = log.record(request_or_user=http, action=Action.READ, obj=req, reason="Suivi")
    event.refresh_from_db()
    assert event.user == siao_operator
    assert event.username == "sarah"
    assert event.organisation_name == "SIAO du Haut-Rhin"
    assert event.territory_id == req.territory_id
    assert (event.object_type, event.object_id) == ("request", str(req.pk))
    assert event.person_id == req.person_id
    assert event.reason == "Suivi"
    assert event.ip == "192.0.2.7"
    assert event.get_action_display() == "Consultation"


def test_sec_01_rows_are_hash_chained(siao_operator):
    first, second, third = _three_rows(siao_operator)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    for event in AuditEvent.objects.all():
        assert event.compute_hash() == event.hash
    assert "intacte : 3 lignes" in _verify()


def test_sec_01_dates_and_decimals_in_the_detail_hash_as_stored(siao_operator):
    log.record(
        request_or_user=siao_operator,
        action=Action.WRITE,
        detail={"changes": {"amount": [Decimal("12.50"), None], "on": [dt.date(2026, 1, 2), 1]}},
    )
    assert AuditEvent.objects.get().detail == {
        "changes": {"amount": ["12.50", None], "on": ["2026-01-02", 1]}
    }
    assert "intacte" in _verify()


def test_sec_01_the_database_refuses_an_update(siao_operator):
    event = log.record(request_or_user=siao_operator, action=Action.READ)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="effacé")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET username = 'x' WHERE id = %s", [event.pk])
    # Not even the user link alone when another column changes with it.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(user=None, username="x")
    event.refresh_from_db()
    assert event.username == "sarah"


def test_sec_01_the_database_refuses_a_delete(siao_operator):
    event = log.record(request_or_user=siao_operator, action=Action.READ)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_sec_01_purge_records_cannot_be_altered_either(siao_operator):
    log.record(request_or_user=siao_operator, action=Action.READ)
    purge = log.purge_before(timezone.now() + timezone.timedelta(seconds=1))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditPurge.objects.filter(pk=purge.pk).update(purged_count=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditPurge.objects.filter(pk=purge.pk).delete()


def test_sec_01_deleting_an_account_keeps_its_rows_and_the_chain(siao):
    user = UserFactory(siao_operator=True, organisation=siao, username="partie")
    _three_rows(user)
    user.delete()
    assert list(AuditEvent.objects.order_by().values_list("user", "username").distinct()) == [
        (None, "partie")
    ]
    assert "intacte : 3 lignes" in _verify()


def test_sec_01_verify_names_a_row_inserted_with_a_wrong_hash(siao_operator):
    _three_rows(siao_operator)
    last = AuditEvent.objects.order_by("id").last()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, username, organisation_name, action, object_type,"
            " object_id, reason, detail, ip, prev_hash, hash)"
            " VALUES (%s, 'intrus', '', 'read', '', '', '', '{}', '', %s, %s)",
            [last.at, last.hash, "f" * 64],
        )
    forged = AuditEvent.objects.order_by("id").last()
    with pytest.raises(CommandError) as failure:
        _verify()
    assert failure.value.returncode == 1
    assert f"ligne n° {forged.pk}" in str(failure.value)
    assert "contenu modifié" in str(failure.value)


def test_sec_01_verify_names_the_first_row_changed_behind_the_triggers(siao_operator):
    first, second, third = _three_rows(siao_operator)
    with audit_triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'réécrit' WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"ligne n° {second.pk} : contenu modifié"):
        _verify()


def test_sec_01_verify_names_the_row_after_one_deleted_behind_the_triggers(siao_operator):
    first, second, third = _three_rows(siao_operator)
    with audit_triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"ligne n° {third.pk} : ne suit pas"):
        _verify()


def test_sec_01_a_purge_leaves_a_chain_that_still_verifies(siao_operator):
    first, second, third = _three_rows(siao_operator)
    purge = log.purge_before(third.at)
    assert (purge.purged_count, purge.first_purged_id, purge.last_purged_id) == (
        2,
        first.pk,
        second.pk,
    )
    assert purge.anchor_hash == second.hash
    assert list(AuditEvent.objects.all()) == [third]
    assert "intacte : 1 lignes" in _verify()
    # The next row chains onto the remaining ones, and after a purge of everything, onto
    # the anchor.
    log.purge_before(timezone.now() + timezone.timedelta(seconds=1))
    fourth = log.record(request_or_user=siao_operator, action=Action.READ)
    assert fourth.prev_hash == third.hash
    assert "intacte : 1 lignes" in _verify()


def test_sec_01_outside_the_purge_delete_is_refused_again(siao_operator):
    first, second, third = _three_rows(siao_operator)
    log.purge_before(second.at)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=third.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_sec_01_concurrent_writers_do_not_fork_the_chain(siao_operator):
    """Each thread has its own database connection; appends commit one at a time."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; this checks PostgreSQL's advisory lock.")
    errors = []

    def write(n: int) -> None:
        try:
            for i in range(15):
                log.record(request_or_user=siao_operator, action=Action.READ, person_id=n * 100 + i)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 60
    assert "intacte : 60 lignes" in _verify()


@pytest.mark.django_db(transaction=True)
def test_sec_01_tests_that_commit_can_still_empty_the_database(siao_operator):
    """flush (run after this test) empties the log through the purge marker on SQLite."""
    log.record(request_or_user=siao_operator, action=Action.READ)
    assert AuditEvent.objects.count() == 1
