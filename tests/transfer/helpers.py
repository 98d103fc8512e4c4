"""What the transfer tests share: a database emptied as a new one, counts per table."""

import importlib

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models

from relais.audit.models import AuditChainHead
from relais.transfer.tables import all_models, exported_tables, is_owned_app

add_common_skills = importlib.import_module("relais.iae.migrations.0002_common_skills")


def counts() -> dict[str, int]:
    """Rows per table of every relais app (and OTP devices), exported or not: a table left
    out of the export shows here."""
    return {m._meta.label_lower: m._base_manager.count() for m in all_models() if is_owned_app(m)}


def empty_database() -> None:
    """Every table the export knows emptied, then what `migrate` puts in a new database."""
    connection.check_constraints()  # PostgreSQL truncates nothing with checks pending
    tables = [t.model._meta.db_table for t in exported_tables()]
    tables += [AuditChainHead._meta.db_table, _model_table("demo.DemoRecord")]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # the audit triggers let a purge marker through
            cursor.execute("INSERT INTO audit_purge_marker (id) VALUES (1)")
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
        )
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_purge_marker")
    add_common_skills.add_common_skills(apps, None)
    AuditChainHead.objects.create(pk=1)


def _model_table(label: str) -> str:
    model: type[models.Model] = apps.get_model(label)
    return model._meta.db_table


def canonical(table) -> list:
    """An indicator table as sorted plain values, the same whatever order rows were read in."""
    rows = sorted(
        repr(
            (
                row.level,
                row.key,
                row.channel,
                row.label,
                sorted((k, vars(v)) for k, v in row.counts.items()),
                sorted((k, vars(v)) for k, v in row.late.items()),
                row.hosted,
                row.capacity,
            )
        )
        for row in table.rows
    )
    return [rows, sorted(repr(fact) for fact in table.facts)]
