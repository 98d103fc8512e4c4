"""Data subjects' rights (SIAO-22): who may answer them, and what Relais holds about a person."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from relais.accounts.enums import Role
from relais.audit import wording
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.persons.models import Person
from relais.requests import sensitivity
from relais.requests.enums import EventKind
from relais.requests.models import Request, RequestEvent

# The SIAO and the referring service answer a person's requests; superusers too.
RIGHTS_ROLES = {Role.SIAO_OPERATOR, Role.TERRITORY_ADMIN, Role.SOCIAL_WORKER, Role.CPIP}
REFERRER_ROLES = {Role.SOCIAL_WORKER, Role.CPIP}


def rights_requests(user, person: Person) -> models.QuerySet:
    """The person's requests through which `user` may answer their rights; none means 404.

    A social worker or a CPIP answers for the requests their service referred; the SIAO for
    every request of its territory it sees.
    """
    if not user.is_authenticated or not (user.is_superuser or user.role in RIGHTS_ROLES):
        return Request.objects.none()
    requests = Request.objects.visible_to(user).filter(person=person)
    if not user.is_superuser and user.role in REFERRER_ROLES:
        requests = requests.filter(referrer_organisation_id=user.organisation_id)
    return requests


def audit_rows(person: Person, requests, *, user) -> models.QuerySet:
    """Audit rows about the person on files the reader may see; rows not about a request
    (merges, searches, exports) only when written in the reader's territory — and, for a
    referring service, by its own organisation: another service's work stays its own."""
    request_ids = [str(pk) for pk in requests.values_list("pk", flat=True)]
    about_person = ~Q(object_type="request")
    if not user.is_superuser:
        about_person &= Q(territory_id=user.organisation.territory_id)
        if user.role in REFERRER_ROLES:
            about_person &= Q(organisation_id=user.organisation_id)
    return AuditEvent.objects.about_person(person.pk).filter(
        Q(object_type="request", object_id__in=request_ids) | about_person
    )


# -- export -----------------------------------------------------------------------------------


def record(obj: models.Model, *, exclude: set[str] = frozenset()) -> dict:
    """One row: its fields with labels, JSON values and French display values."""
    fields = []
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        fields.append(
            {
                "name": field.attname,
                "label": capfirst(field.verbose_name),
                "value": _json_value(value),
                "display": _display(obj, field, value),
            }
        )
    return {"title": f"{capfirst(obj._meta.verbose_name)} n° {obj.pk}", "fields": fields}


def export_for(user, person: Person) -> dict:
    """Everything Relais holds about `person` that `user` may read, section by section."""
    requests = list(
        rights_requests(user, person).select_related("territory", "referrer_organisation")
    )
    sections = {
        "person": record(person),
        # Only the households of the files the reader answers for: another service's file
        # must not leak through the people attached to it.
        "households": [
            {
                "household": record(membership.household),
                "members": [
                    record(member) for member in membership.household.members.select_related()
                ],
            }
            for membership in person.memberships.select_related("household")
            .filter(household__requests__in=requests)
            .distinct()
        ],
        "requests": [_request_export(user, req) for req in requests],
        "audit": [
            record(row, exclude={"user", "prev_hash", "hash"})
            for row in audit_rows(person, rights_requests(user, person), user=user).order_by("id")
        ],
    }
    return sections


def as_json(export: dict) -> dict:
    """The export with plain values only: {"field": value} per row."""
    if isinstance(export, dict) and "fields" in export and "title" in export:
        return {field["name"]: field["value"] for field in export["fields"]}
    if isinstance(export, dict):
        return {key: as_json(value) for key, value in export.items() if key != "label"} | (
            {"label": export["label"]} if "label" in export else {}
        )
    if isinstance(export, list):
        return [as_json(item) for item in export]
    return export


def _request_export(user, req: Request) -> dict:
    hidden_fields = sensitivity.hidden_fields(user, req)
    hidden_reasons = sensitivity.hidden_reasons(user, req)
    hidden_kinds = sensitivity.hidden_resource_kinds(user, req)
    if not sensitivity.shows_housing_situation(user, req):
        hidden_fields |= {"housing_situation", "housing_comment"}
    evaluation = getattr(req, "evaluation", None)
    return {
        "request": record(req),
        "events": [record(event) for event in req.events.order_by("occurred_at", "id")],
        "evaluation": (
            {
                "evaluation": record(evaluation, exclude=hidden_fields),
                "blocks": _children(
                    evaluation, hidden_reasons=hidden_reasons, hidden_kinds=hidden_kinds
                ),
            }
            if evaluation is not None
            else None
        ),
        # Whatever else the project keeps about the request (orientations, justice…).
        "other": _children(req, skip={"events", "evaluation"}),
    }


def _children(
    obj: models.Model, *, skip=frozenset(), hidden_reasons=frozenset(), hidden_kinds=frozenset()
) -> list[dict]:
    blocks = []
    for relation in obj._meta.related_objects:
        accessor = relation.get_accessor_name()
        if not accessor or relation.name in skip or relation.many_to_many:
            continue
        if relation.one_to_one:
            child = getattr(obj, accessor, None)
            rows = [child] if child is not None else []
        else:
            rows = list(getattr(obj, accessor).all())
        rows = [
            row
            for row in rows
            if getattr(row, "reason", None) not in hidden_reasons
            and not (relation.name == "resources" and row.kind in hidden_kinds)
        ]
        if rows:
            blocks.append(
                {
                    "label": capfirst(relation.related_model._meta.verbose_name_plural),
                    "name": accessor,
                    "rows": [record(row) for row in rows],
                }
            )
    return blocks


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str | dict | list) or value is None:
        return value
    return str(value)


def _display(obj: models.Model, field: models.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(obj, AuditEvent) and field.name == "object_type":
        return obj.object_label
    if isinstance(obj, AuditEvent) and field.name == "detail":
        changes = [f"{label} : {old} → {new}" for label, old, new in obj.change_rows]
        return " ; ".join([*changes, obj.detail_summary] if obj.detail_summary else changes)
    if isinstance(field, models.JSONField):
        return wording.value_label(value)
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if field.is_relation:
        return str(getattr(obj, field.name))
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    return str(value)


# -- rectifications ---------------------------------------------------------------------------


def rectifications(user, person: Person) -> dict:
    """Changes made to the person's files: audit writes with old → new, and timeline edits."""
    requests = rights_requests(user, person)
    return {
        "writes": audit_rows(person, requests, user=user)
        .filter(action=Action.WRITE)
        .order_by("-id"),
        "updates": RequestEvent.objects.filter(request__in=requests, kind=EventKind.UPDATED)
        .select_related("actor", "request")
        .order_by("-recorded_at", "-id"),
    }
