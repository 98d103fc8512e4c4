from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Command(flush.Command):
    """Django's flush, which empties every table: on SQLite, the audit log's too.

    The audit triggers refuse DELETE unless a purge marker is present (migration 0002 of
    relais.audit); flush (used by tests that commit, e.g. browser tests) sets it for its own
    transaction. On PostgreSQL flush uses TRUNCATE, which row triggers do not see.
    """

    def handle(self, **options) -> None:
        alias = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[alias]
        if connection.vendor != "sqlite" or (
            "audit_purge_marker" not in connection.introspection.table_names()
        ):
            return super().handle(**options)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_purge_marker (id) VALUES (1)")
            super().handle(**options)
            cursor.execute("DELETE FROM audit_purge_marker")
