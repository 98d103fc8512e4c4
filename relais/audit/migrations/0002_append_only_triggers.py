"""The audit log is append-only in the database itself (SEC-01).

UPDATE is refused, except the one Django issues when a user is deleted (user_id set to NULL,
every other column unchanged: the hash does not cover user_id). DELETE is refused unless the
retention purge has said so for its own transaction:
- PostgreSQL: `SET LOCAL relais.audit_purge = 'on'`, read with current_setting(…, true);
- SQLite: a row in audit_purge_marker, inserted and removed inside the purge's transaction.
Purge records (audit_auditpurge) follow the same rule.
"""

from django.db import migrations

# Every column but id and user_id: an UPDATE may touch nothing else.
COLUMNS = [
    "at",
    "username",
    "organisation_id",
    "organisation_name",
    "territory_id",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "reason",
    "detail",
    "ip",
    "prev_hash",
    "hash",
]

REFUSED = "le journal d''audit n''accepte que des ajouts"  # '' : quote inside SQL

POSTGRESQL = [
    f"""
    CREATE FUNCTION audit_append_only() RETURNS trigger AS $body$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF current_setting('relais.audit_purge', true) = 'on' THEN
                RETURN OLD;
            END IF;
        ELSIF TG_TABLE_NAME = 'audit_auditevent'
            AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
            AND OLD.id = NEW.id
            AND ({", ".join(f"OLD.{c}" for c in COLUMNS)})
                IS NOT DISTINCT FROM ({", ".join(f"NEW.{c}" for c in COLUMNS)}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED} (% refusé sur %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $body$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()
    """,
    """
    CREATE TRIGGER audit_auditpurge_append_only BEFORE UPDATE OR DELETE ON audit_auditpurge
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER audit_auditpurge_append_only ON audit_auditpurge",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION audit_append_only()",
]

SQLITE = [
    "CREATE TABLE audit_purge_marker (id integer PRIMARY KEY CHECK (id = 1))",
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    WHEN NOT (
        OLD.user_id IS NOT NULL AND NEW.user_id IS NULL AND NEW.id IS OLD.id
        AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS)}
    )
    BEGIN SELECT RAISE(ABORT, '{REFUSED} (UPDATE refusé)'); END
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_marker)
    BEGIN SELECT RAISE(ABORT, '{REFUSED} (DELETE refusé)'); END
    """,
    f"""
    CREATE TRIGGER audit_auditpurge_no_update BEFORE UPDATE ON audit_auditpurge
    BEGIN SELECT RAISE(ABORT, '{REFUSED} (UPDATE refusé)'); END
    """,
    f"""
    CREATE TRIGGER audit_auditpurge_no_delete BEFORE DELETE ON audit_auditpurge
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_marker)
    BEGIN SELECT RAISE(ABORT, '{REFUSED} (DELETE refusé)'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER audit_auditpurge_no_delete",
    "DROP TRIGGER audit_auditpurge_no_update",
    "DROP TRIGGER audit_auditevent_no_delete",
    "DROP TRIGGER audit_auditevent_no_update",
    "DROP TABLE audit_purge_marker",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"Journal d'audit : base {vendor} non prise en charge.")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
