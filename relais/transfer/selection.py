"""Which rows of each exported table belong to one territory (OPS-03).

Starting from the rows of the root tables (relais.transfer.tables), two moves repeat until
nothing new turns up:

- every row a selected row points at is selected too, so the export loads into an empty
  database with every foreign key satisfied. A person is thus in the export when a record of
  the territory names them (request, detention, parcours, commission item…); an account of
  another territory that acted on the territory's records comes with its organisation and
  territory, as bare references;
- the rows of a dependent table (no path to a territory: identity keys, households, pairs,
  merges, anonymisations) that point at a row the territory owns are the territory's as well.
  References of another territory (the account above) own nothing: their own rows stay out.

The audit log's rows carry plain ids, no foreign keys: see `audit_rows`.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import models

from relais.accounts.models import Territory, User
from relais.audit.models import AuditEvent, AuditPurge
from relais.persons.models import Person

from .tables import AUDIT_MODELS, SHARED_ROWS, Table, exported_tables, links

CHUNK = 500

Selection = dict[type[models.Model], set]


def select_rows(territory: Territory, tables: list[Table] | None = None) -> Selection:
    """The primary keys of every exported table's rows that belong to `territory`."""
    tables = tables if tables is not None else exported_tables()
    rows: Selection = {t.model: set() for t in tables}
    dependents = [t.model for t in tables if t.path is None and t.label not in AUDIT_MODELS]
    frontier: Selection = defaultdict(set)
    for table in tables:
        if table.path is None:
            continue
        query = models.Q(**{table.path: territory.pk})
        if table.label in SHARED_ROWS:
            query |= SHARED_ROWS[table.label]
        found = set(table.model._base_manager.filter(query).values_list("pk", flat=True))
        rows[table.model] |= found
        frontier[table.model] |= found
    owned = dict(frontier)
    while any(frontier.values()):
        pulled = _pointed_at(frontier, rows)
        for model, ids in _owned_dependents(dependents, owned_by=owned, rows=rows):
            pulled[model] |= ids
        owned = {m: ids for m, ids in pulled.items() if m in dependents}
        frontier = pulled
    audit_rows(territory, rows)
    return rows


def audit_rows(territory: Territory, rows: Selection) -> None:
    """The log rows of the territory, and those without a territory about the territory
    itself (its exports), one of its persons or by one of its accounts; every purge record
    (the chain's anchors, no personal data)."""
    itself = models.Q(territory_id=None, object_type="territory", object_id=str(territory.pk))
    found = set(
        AuditEvent.objects.filter(models.Q(territory_id=territory.pk) | itself).values_list(
            "pk", flat=True
        )
    )
    without = AuditEvent.objects.filter(territory_id=None)
    for ids in chunks(rows.get(Person, ())):
        found |= set(without.filter(person_id__in=ids).values_list("pk", flat=True))
    for ids in chunks(rows.get(User, ())):
        found |= set(without.filter(user_id__in=ids).values_list("pk", flat=True))
    rows[AuditEvent] = found
    rows[AuditPurge] = set(AuditPurge.objects.values_list("pk", flat=True))


def _pointed_at(frontier: Selection, rows: Selection) -> Selection:
    """The rows the frontier's rows point at that are not selected yet (now selected)."""
    pulled: Selection = defaultdict(set)
    for model, ids in frontier.items():
        keys = [f for f in links(model) if f.db_constraint and f.related_model in rows]
        if not keys or not ids:
            continue
        for chunk in chunks(ids):
            values = model._base_manager.filter(pk__in=chunk).values_list(
                *(f.attname for f in keys)
            )
            for row in values:
                for field, value in zip(keys, row, strict=True):
                    if value is not None and value not in rows[field.related_model]:
                        pulled[field.related_model].add(value)
    for model, ids in pulled.items():
        rows[model] |= ids
    return pulled


def _owned_dependents(
    dependents: list[type[models.Model]], *, owned_by: Selection, rows: Selection
) -> Iterator[tuple[type[models.Model], set]]:
    """Rows of dependent tables pointing at a row in `owned_by`, not selected yet (now are)."""
    for model in dependents:
        for field in links(model):
            targets = owned_by.get(field.related_model)
            if not targets:
                continue
            found: set = set()
            for chunk in chunks(targets):
                found |= set(
                    model._base_manager.filter(**{f"{field.attname}__in": chunk}).values_list(
                        "pk", flat=True
                    )
                )
            found -= rows[model]
            if found:
                rows[model] |= found
                yield model, found


def chunks(ids: Iterable) -> Iterator[list]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]
