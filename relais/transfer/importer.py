"""`import_territory`: a territory's zip loaded into an empty database (OPS-03).

Rows keep their ids, so events, the audit log's chain and every past indicator read the same
after the import. Everything is written in one transaction: a refusal or an error leaves the
database as it was.
"""

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_duration

from relais.accounts.models import Territory, User
from relais.audit.models import AuditChainHead, AuditEvent, AuditPurge
from relais.core.transitions import synthetic_load

from .exporter import FORMAT, FORMAT_VERSION, encode, migration_state
from .selection import chunks
from .tables import SHARED_ROWS, Table, exported_tables

BATCH = 1000
NOTHING_WRITTEN = "Rien n'a été écrit."


class ImportRefused(Exception):
    """The zip cannot be imported here. The message is for the administrator, in French."""


def import_territory(source: str | Path | IO[bytes]) -> dict[str, int]:
    """Load the zip `source` and return the rows written per table."""
    with zipfile.ZipFile(source) as archive:
        manifest = read_manifest(archive)
        tables = [t for t in exported_tables() if t.label in manifest["tables"]]
        try:
            with transaction.atomic(), synthetic_load():
                skipped = _check_empty(archive, manifest, tables)
                written = {t.label: _load(archive, t, skipped.get(t.label, set())) for t in tables}
                _restore_chain_head()
                _reset_sequences([t.model for t in tables])
                connection.check_constraints()
                _write_media(archive, manifest)
        except IntegrityError as error:
            raise ImportRefused(
                f"La base a refusé une ligne de l'export ({error}). {NOTHING_WRITTEN}"
            ) from error
    return written


def read_manifest(archive: zipfile.ZipFile) -> dict:
    """The manifest, once the format, the version of Relais and every file's sha256 agree."""
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise ImportRefused(
            f"Ce fichier n'est pas un export de territoire de Relais (manifest.json illisible). "
            f"{NOTHING_WRITTEN}"
        ) from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ImportRefused(
            f"Format d'export inconnu ({manifest.get('format')} version "
            f"{manifest.get('format_version')}) : cette version de Relais lit la version "
            f"{FORMAT_VERSION}. {NOTHING_WRITTEN}"
        )
    here = migration_state()
    differ = sorted(
        app
        for app in set(here) | set(manifest["migrations"])
        if here.get(app) != manifest["migrations"].get(app)
    )
    if differ:
        raise ImportRefused(
            "Cette base n'est pas à la version de Relais de l'export (migrations différentes "
            f"pour : {', '.join(differ)}). Installez la même version et appliquez ses migrations "
            f"(manage.py migrate) avant l'import. {NOTHING_WRITTEN}"
        )
    known = {t.label for t in exported_tables()}
    foreign = sorted(set(manifest["tables"]) - known)
    if foreign:
        raise ImportRefused(
            f"L'export contient des tables que cette version ne connaît pas : {', '.join(foreign)}. "
            f"{NOTHING_WRITTEN}"
        )
    for name, expected in _checksums(manifest).items():
        try:
            digest = hashlib.sha256(archive.read(name)).hexdigest()
        except KeyError:
            digest = None
        if digest != expected:
            raise ImportRefused(
                f"Le fichier {name} de l'export est absent ou abîmé (empreinte sha256 "
                f"différente du manifeste). {NOTHING_WRITTEN}"
            )
    return manifest


def decode(field: models.Field, value: object) -> object:
    """A column's value read back from JSON (the reverse of the exporter's `encode`)."""
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    if isinstance(field, models.DurationField):
        return parse_duration(value)
    return field.to_python(value)


def lines(archive: zipfile.ZipFile, table: Table) -> Iterator[dict]:
    with archive.open(table.filename) as source:
        for line in source:
            yield json.loads(line)


def _checksums(manifest: dict) -> dict[str, str]:
    files = {t["file"]: t["sha256"] for t in manifest["tables"].values()}
    files.update({f"media/{name}": digest for name, digest in manifest["media"].items()})
    return files


def _check_empty(archive: zipfile.ZipFile, manifest: dict, tables: list[Table]) -> dict[str, set]:
    """Refuse unless every row of the zip is new here; return the shared rows already here,
    identical, to skip (the skills a migration adds to every database)."""
    territory = manifest["territory"]
    if Territory.objects.filter(
        models.Q(insee_code=territory["insee_code"]) | models.Q(pk=territory["id"])
    ).exists():
        raise ImportRefused(
            f"Le territoire {territory['insee_code']} ({territory['name']}) ou son numéro existe "
            f"déjà dans cette base : l'import ne se fait que dans une base vide. {NOTHING_WRITTEN}"
        )
    if manifest["audit"]["rows"] and (
        AuditEvent.objects.exists()
        or AuditPurge.objects.exists()
        or AuditChainHead.objects.filter(event_id__gt=0).exists()
    ):
        raise ImportRefused(
            "Le journal d'audit de cette base n'est pas vide : les lignes de l'export ne peuvent "
            f"pas s'y enchaîner. L'import ne se fait que dans une base vide. {NOTHING_WRITTEN}"
        )
    skipped, conflicts = {}, []
    for table in tables:
        same, clashing = _existing(archive, table)
        skipped[table.label] = same
        if clashing:
            conflicts.append(f"{table.model._meta.verbose_name_plural} : {clashing}")
    usernames = [row["username"] for row in lines(archive, _table_of(tables, User))]
    taken = sum(User.objects.filter(username__in=names).count() for names in chunks(usernames))
    if taken:
        conflicts.append(f"identifiants de comptes déjà pris : {taken}")
    if conflicts:
        raise ImportRefused(
            "Cette base n'est pas vide : des lignes de l'export y existent déjà ("
            + " ; ".join(conflicts)
            + "). L'import d'un territoire ne se fait que dans une base vide, migrée à la même "
            f"version de Relais. {NOTHING_WRITTEN}"
        )
    return skipped


def _existing(archive: zipfile.ZipFile, table: Table) -> tuple[set, int]:
    """The zip's rows already here: ids of shared rows identical here, count of the others."""
    manager, pk = table.model._base_manager, table.model._meta.pk.attname
    shared = SHARED_ROWS.get(table.label)
    theirs = {row[pk]: (row if shared else None) for row in lines(archive, table)}
    names = [f.attname for f in table.model._meta.concrete_fields]
    same, clashing = set(), 0
    for chunk in chunks(theirs):
        sharable = (
            set(manager.filter(shared, pk__in=chunk).values_list("pk", flat=True))
            if shared
            else set()
        )
        for values in manager.filter(pk__in=chunk).values_list(*names):
            here = json.loads(json.dumps(dict(zip(names, values, strict=True)), default=encode))
            if here[pk] in sharable and theirs[here[pk]] == here:
                same.add(here[pk])
            else:
                clashing += 1
    return same, clashing


def _load(archive: zipfile.ZipFile, table: Table, skipped: set) -> int:
    """Insert the table's rows as they were: no signal, no default, no auto_now."""
    model = table.model
    fields = {f.attname: f for f in model._meta.concrete_fields}
    stamped = [
        n
        for n, f in fields.items()
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    batch, count = [], 0
    for row in lines(archive, table):
        if row[model._meta.pk.attname] in skipped:
            continue
        batch.append(model(**{name: decode(fields[name], value) for name, value in row.items()}))
        if len(batch) == BATCH:
            count += _insert(model, batch, stamped)
            batch = []
    return count + _insert(model, batch, stamped)


def _insert(model: type[models.Model], objs: list[models.Model], stamped: list[str]) -> int:
    if not objs:
        return 0
    # bulk_create sends no signal (post_save would key persons and notify again), but it
    # stamps auto_now fields with the current time: the exported stamps are put back.
    stamps = [{name: getattr(obj, name) for name in stamped} for obj in objs]
    model._base_manager.bulk_create(objs)
    if stamped:
        for obj, values in zip(objs, stamps, strict=True):
            for name, value in values.items():
                setattr(obj, name, value)
        model._base_manager.bulk_update(objs, stamped)
    return len(objs)


def _restore_chain_head() -> None:
    """The chain's head on the last imported row (or the last purge), as appends left it."""
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        purge = AuditPurge.objects.order_by("-id").first()
        if purge is None:
            return
        last = (purge.last_purged_id, purge.anchor_hash)
    head = AuditChainHead.objects.filter(pk=1)
    if head.exists():
        head.update(event_id=last[0], hash=last[1], at=timezone.now())
    else:
        AuditChainHead.objects.create(pk=1, event_id=last[0], hash=last[1])


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    """PostgreSQL's id sequences past the imported ids (SQLite follows the largest id)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _write_media(archive: zipfile.ZipFile, manifest: dict) -> None:
    """The uploaded files, last, inside the transaction: removed again if one fails."""
    written: list[str] = []
    try:
        for name, digest in manifest["media"].items():
            content = archive.read(f"media/{name}")
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as here:
                    if hashlib.sha256(here.read()).hexdigest() == digest:
                        continue
                raise ImportRefused(
                    f"Le fichier {name} existe déjà dans MEDIA_ROOT avec un autre contenu. "
                    f"{NOTHING_WRITTEN}"
                )
            saved = default_storage.save(name, ContentFile(content))
            written.append(saved)
            if saved != name:
                raise ImportRefused(
                    f"Le fichier {name} n'a pas pu garder son nom. {NOTHING_WRITTEN}"
                )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _table_of(tables: list[Table], model: type[models.Model]) -> Table:
    return next(t for t in tables if t.model is model)
