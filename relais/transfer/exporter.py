"""`export_territory`: one territory's rows and files, in a zip (OPS-03; format in LISEZMOI.md)."""

import base64
import contextlib
import datetime as dt
import decimal
import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_string

from relais.accounts.models import Territory
from relais.audit.enums import Action
from relais.audit.log import record
from relais.audit.models import GENESIS_HASH, AuditEvent, AuditPurge

from .selection import Selection, chunks, select_rows
from .tables import Table, exported_tables, unknown_models

FORMAT = "relais-territoire"
FORMAT_VERSION = 1
README = Path(__file__).with_name("LISEZMOI.md")


def export_territory(territory: Territory, output: str | Path | IO[bytes]) -> dict:
    """Write `territory`'s zip to `output` and return its manifest; the export is logged."""
    unknown = unknown_models()
    if unknown:
        raise RuntimeError(f"Tables not classified in relais/transfer/tables.py: {unknown}")
    tables = exported_tables()
    with _snapshot():
        rows = select_rows(territory, tables)
        manifest = _manifest(territory, rows)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                manifest["tables"][table.label] = _write_table(archive, table, rows)
            manifest["media"], manifest["missing_media"] = _write_media(archive, tables, rows)
            archive.write(README, "LISEZMOI.md")
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    record(
        request_or_user=None,
        action=Action.EXPORT,
        obj=territory,
        detail={
            "export": "territoire",
            "lignes": sum(t["rows"] for t in manifest["tables"].values()),
        },
    )
    return manifest


def encode(value: object) -> object:
    """A column's value as JSON (json.dumps `default`); `decode` in the importer reverses it."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # microseconds kept: the audit log's hashes cover them
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"Cannot export {type(value).__name__}")


def row_lines(model: type[models.Model], ids: set, *, exported: Selection) -> Iterator[dict]:
    """The rows `ids` of `model`, in id order, as {column: value}. A key the database does not
    enforce (the audit log's account) is emptied when its row is not exported."""
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    loose = [
        f
        for f in fields
        if f.is_relation and not getattr(f, "db_constraint", True) and f.related_model in exported
    ]
    for chunk in chunks(ids):
        for values in model._base_manager.filter(pk__in=chunk).order_by("pk").values_list(*names):
            row = dict(zip(names, values, strict=True))
            for field in loose:
                if row[field.attname] not in exported[field.related_model]:
                    row[field.attname] = None
            yield row


def _write_table(archive: zipfile.ZipFile, table: Table, rows: Selection) -> dict:
    digest, count = hashlib.sha256(), 0
    with archive.open(table.filename, "w") as out:
        for row in row_lines(table.model, rows[table.model], exported=rows):
            line = (json.dumps(row, ensure_ascii=False, default=encode) + "\n").encode()
            out.write(line)
            digest.update(line)
            count += 1
    return {"file": table.filename, "rows": count, "sha256": digest.hexdigest()}


def _write_media(
    archive: zipfile.ZipFile, tables: list[Table], rows: Selection
) -> tuple[dict[str, str], list[str]]:
    """The uploaded files the rows name, under media/; the names of those not found."""
    written, missing = {}, []
    for table in tables:
        for field in table.model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            for row in row_lines(table.model, rows[table.model], exported=rows):
                name = row[field.attname]
                if not name or name in written:
                    continue
                if not default_storage.exists(name):
                    missing.append(name)
                    continue
                with default_storage.open(name, "rb") as source:
                    content = source.read()
                archive.writestr(f"media/{name}", content)
                written[name] = hashlib.sha256(content).hexdigest()
    return written, missing


def _manifest(territory: Territory, rows: Selection) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "territory": {
            "id": territory.pk,
            "insee_code": territory.insee_code,
            "name": territory.name,
        },
        "exported_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": migration_state(),
        "audit": _chain_state(rows),
        "tables": {},
    }


def migration_state() -> dict[str, str]:
    """The last migration applied, per app of the project's exported tables."""
    apps = {t.model._meta.app_label for t in exported_tables()}
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if app in apps and name > last.get(app, ""):
            last[app] = name
    return dict(sorted(last.items()))


def _chain_state(rows: Selection) -> dict:
    """Whether the exported log rows are the whole chain (verify_audit_chain will pass after
    an import) or a part of a log shared with other territories."""
    purge = AuditPurge.objects.filter(pk__in=rows[AuditPurge]).order_by("-id").first()
    expected = purge.anchor_hash if purge else GENESIS_HASH
    complete = True
    for chunk in chunks(rows[AuditEvent]):
        for prev_hash, hash_ in (
            AuditEvent.objects.filter(pk__in=chunk).order_by("id").values_list("prev_hash", "hash")
        ):
            complete = complete and prev_hash == expected
            expected = hash_
    return {"rows": len(rows[AuditEvent]), "chain_complete": complete}


@contextlib.contextmanager
def _snapshot():
    """One consistent view of the database for the whole export: PostgreSQL's repeatable read
    (writers go on), or SQLite's write lock (writers wait for the export)."""
    if connection.in_atomic_block:  # inside a caller's transaction (tests): it is the view
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield
