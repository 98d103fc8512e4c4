"""SEC-01: only the retention command purges the log, and removing its last rows is seen.

On PostgreSQL the application runs as a role that does not own the tables (README, Déployer):
the test creates such a role, connects as it, and shows that neither the purge switch nor the
purge function is open to it, while the command's path (the owner) purges as before. The
chain's head lives in its own table, which only moves forward.
"""

import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.utils import timezone

from relais.audit import log
from relais.audit.enums import Action
from relais.audit.models import AuditChainHead, AuditEvent
from tests.audit.conftest import audit_triggers_disabled

pytestmark = pytest.mark.django_db


def _rows(user, count: int = 3) -> list[AuditEvent]:
    return [log.record(request_or_user=user, action=Action.READ, person_id=n) for n in range(count)]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_sec_01_removing_the_last_rows_is_detected(siao_operator):
    first, second, third = _rows(siao_operator)
    assert "intacte : 3 lignes" in _verify()
    with audit_triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [third.pk])
    with pytest.raises(CommandError, match=f"ligne n° {third.pk} : dernières lignes supprimées"):
        _verify()


def test_sec_01_the_head_only_moves_forward(siao_operator):
    first, second = _rows(siao_operator, 2)
    head = AuditChainHead.objects.get()
    assert (head.event_id, head.hash) == (second.pk, second.hash)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.update(event_id=first.pk, hash=first.hash)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.all().delete()
    assert AuditChainHead.objects.get().event_id == second.pk


def test_sec_01_a_row_added_behind_the_head_is_detected(siao_operator):
    (only,) = _rows(siao_operator, 1)
    forged = AuditEvent(action=Action.READ, at=timezone.now(), prev_hash=only.hash, detail={})
    forged.hash = forged.compute_hash()
    forged.save()  # well chained, but the head was not moved
    with pytest.raises(CommandError, match=f"ligne n° {forged.pk} : ligne ajoutée après la tête"):
        _verify()


@pytest.fixture
def app_role():
    """A login role with every table privilege, DELETE on the log included, but not the owner."""
    if connection.vendor != "postgresql":
        pytest.skip("Roles are PostgreSQL's; SQLite has none (README, Données personnelles).")
    name = f"relais_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEROLE")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


def _connect_as(role: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, dbname=db["NAME"], user=role
    )


@pytest.mark.django_db(transaction=True)
def test_sec_01_only_the_owner_s_purge_removes_rows_on_postgresql(siao_operator, app_role):
    first, second, third = _rows(siao_operator)
    refused = [
        # The measured hole: the switch, then DELETE.
        "SET LOCAL relais.audit_purge = 'on'; DELETE FROM audit_auditevent",
        # The purge function: EXECUTE is the owner's only.
        "SELECT audit_purge(now())",
        # Moving the head back, or taking the owner's place, or switching the triggers off.
        "UPDATE audit_auditchainhead SET event_id = 0",
        f"SET ROLE {connection.settings_dict['USER']}",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
    ]
    with _connect_as(app_role) as app:
        for statement in refused:
            with pytest.raises(psycopg.Error), app.transaction():
                app.execute(statement)
        # What the application does need still works: reading and appending.
        assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (3,)
    assert AuditEvent.objects.count() == 3
    # The application's own code, run as that role, appends but cannot purge either.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {app_role}")
        fourth = log.record(request_or_user=siao_operator, action=Action.READ)
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            log.purge_before(timezone.now())
    # The retention command's path, as the owner: purges, records the purge, chain intact.
    purge = log.purge_before(fourth.at)
    assert (purge.purged_count, purge.last_purged_id) == (3, third.pk)
    assert list(AuditEvent.objects.all()) == [fourth]
    assert "intacte : 1 lignes" in _verify()
