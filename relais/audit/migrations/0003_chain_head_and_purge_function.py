"""The chain's head in its own table, and a purge only the log's owner can run (SEC-01).

- audit_auditchainhead holds the last row's id and hash, moved forward by every append in
  the same transaction. The database refuses to move it back or to delete it: rows removed
  at the end of the log are then seen by verify_audit_chain.
- PostgreSQL: the triggers accept a DELETE on the log only from the owner of its table, and
  only inside audit_purge(), a SECURITY DEFINER function that purges a prefix of the chain
  and records the purge in one go. EXECUTE is revoked from PUBLIC: a role that is not the
  owner (the application, see README « Déployer ») can neither call it nor open the triggers
  with SET LOCAL relais.audit_purge.
- SQLite: the same head rule in triggers; the purge marker of migration 0002 is unchanged.
"""

import django.utils.timezone
from django.db import migrations, models

# Every column but id and user_id, as in 0002: an UPDATE may touch nothing else.
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
HEAD_REFUSED = "la tête du journal d''audit ne peut qu''avancer"

POSTGRESQL = [
    # Same as 0002, but DELETE needs the table's owner as well as the switch: the switch is
    # set only inside audit_purge(), which runs as the owner.
    f"""
    CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $body$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF current_setting('relais.audit_purge', true) = 'on'
                AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
                                    WHERE oid = TG_RELID) THEN
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
    f"""
    CREATE FUNCTION audit_head_forward_only() RETURNS trigger AS $body$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.event_id > OLD.event_id THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{HEAD_REFUSED} (% refusé)', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $body$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_auditchainhead_forward_only
    BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()
    """,
    # The one way rows leave: a prefix of the chain, up to the first row at or after the
    # cutoff, with its purge record, under the head's lock (as every append takes it).
    """
    CREATE FUNCTION audit_purge(p_cutoff timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $body$
    DECLARE
        v_first_kept bigint;
        v_first bigint;
        v_last bigint;
        v_count bigint;
        v_anchor text;
        v_purge bigint;
    BEGIN
        PERFORM 1 FROM audit_auditchainhead WHERE id = 1 FOR UPDATE;
        SELECT min(id) INTO v_first_kept FROM audit_auditevent WHERE at >= p_cutoff;
        SELECT min(id), max(id), count(*) INTO v_first, v_last, v_count
            FROM audit_auditevent WHERE v_first_kept IS NULL OR id < v_first_kept;
        IF v_count = 0 THEN
            RETURN NULL;
        END IF;
        SELECT hash INTO v_anchor FROM audit_auditevent WHERE id = v_last;
        PERFORM set_config('relais.audit_purge', 'on', true);
        DELETE FROM audit_auditevent WHERE id <= v_last;
        PERFORM set_config('relais.audit_purge', 'off', true);
        INSERT INTO audit_auditpurge
            (at, cutoff, purged_count, first_purged_id, last_purged_id, anchor_hash)
            VALUES (now(), p_cutoff, v_count, v_first, v_last, v_anchor)
            RETURNING id INTO v_purge;
        RETURN v_purge;
    END;
    $body$
    """,
    "REVOKE ALL ON FUNCTION audit_purge(timestamptz) FROM PUBLIC",
]
POSTGRESQL_REVERSE = [
    "DROP FUNCTION audit_purge(timestamptz)",
    "DROP TRIGGER audit_auditchainhead_forward_only ON audit_auditchainhead",
    "DROP FUNCTION audit_head_forward_only()",
]

SQLITE = [
    f"""
    CREATE TRIGGER audit_auditchainhead_forward_only BEFORE UPDATE ON audit_auditchainhead
    WHEN NOT (NEW.id IS OLD.id AND NEW.event_id > OLD.event_id)
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED} (UPDATE refusé)'); END
    """,
    f"""
    CREATE TRIGGER audit_auditchainhead_no_delete BEFORE DELETE ON audit_auditchainhead
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_marker)
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED} (DELETE refusé)'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER audit_auditchainhead_no_delete",
    "DROP TRIGGER audit_auditchainhead_forward_only",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"Journal d'audit : base {vendor} non prise en charge.")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return run


def fill_head(apps, schema_editor):
    """The head of the chain as it stands: its last row, else the last purge's anchor."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditPurge = apps.get_model("audit", "AuditPurge")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        purge = AuditPurge.objects.order_by("-id").first()
        last = (purge.last_purged_id, purge.anchor_hash) if purge else (0, "0" * 64)
    AuditChainHead.objects.create(pk=1, event_id=last[0], hash=last[1])


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.BigIntegerField(default=0, verbose_name='dernière ligne')),
                ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='empreinte de la dernière ligne')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='mise à jour le')),
            ],
            options={
                'verbose_name': "tête de la chaîne du journal d'audit",
                'verbose_name_plural': "tête de la chaîne du journal d'audit",
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='audit_head_single')],
            },
        ),
        migrations.RunPython(fill_head, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
