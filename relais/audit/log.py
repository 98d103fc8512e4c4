"""Writing to the audit log: `record()` and `record_reads()` the ways in, `purge_before()` out.

Views call `record()` for writes, searches and exports; reads are written by
relais.audit.reads (the middleware calls `record_reads()`), never by a view.
"""

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Max, Min
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import timezone

from relais.accounts.security import client_ip_address

from . import reads, wording
from .enums import Action
from .models import GENESIS_HASH, AuditChainHead, AuditEvent, AuditPurge

# Form fields whose values never go into the log: that they changed is enough (CNIL, NIR).
REDACTED_FIELDS = {"social_security_number"}
REDACTED = "•••"


def record(
    *,
    request_or_user,
    action: str,
    obj: models.Model | None = None,
    person_id: int | None = None,
    reason: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one row to the log and return it.

    `request_or_user` is the HttpRequest when there is one (user and IP address), else a
    user, or None for Relais itself (retention). The row's territory is `obj`'s when it has
    one, else the user's; the person is `person_id`, else `obj` when it is a person or has one.
    """
    user, ip = _actor(request_or_user)
    organisation = user.organisation if user is not None and user.organisation_id else None
    if person_id is None and obj is not None:
        person_id = _person_id_of(obj)
    territory_id = getattr(obj, "territory_id", None) or (
        organisation.territory_id if organisation else None
    )
    event = AuditEvent(
        user=user,
        username=user.get_username() if user is not None else "",
        organisation_id=organisation.pk if organisation else None,
        organisation_name=organisation.name if organisation else "",
        territory_id=territory_id,
        action=Action(action),
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        person_id=person_id,
        reason=reason,
        # Stored as the database will give it back (dates and decimals as text), so that the
        # hash computed now is the hash verify_audit_chain recomputes later.
        detail=_stored(detail or {}),
        ip=ip,
    )
    _append([event])
    reads.note_logged(action=action, person_id=person_id)
    return event


def record_reads(request: HttpRequest, collected: "reads.Reads") -> list[AuditEvent]:
    """One READ row per person the request showed (relais.audit.reads), in one transaction."""
    user, ip = _actor(request)
    organisation = user.organisation if user is not None and user.organisation_id else None
    page = request.resolver_match.view_name if request.resolver_match else request.path
    events = []
    for person_id, note in collected.to_write().items():
        obj = note.obj if note else None
        events.append(
            AuditEvent(
                user=user,
                username=user.get_username() if user is not None else "",
                organisation_id=organisation.pk if organisation else None,
                organisation_name=organisation.name if organisation else "",
                territory_id=getattr(obj, "territory_id", None)
                or (organisation.territory_id if organisation else None),
                action=Action.READ,
                object_type=obj._meta.model_name if obj is not None else "person",
                object_id=str(obj.pk if obj is not None else person_id),
                person_id=person_id,
                reason=note.reason if note and note.reason else collected.reason,
                detail=_stored({"page": page, **(note.detail if note else {})}),
                ip=ip,
            )
        )
    _append(events)
    return events


def form_changes(forms: Mapping[str, BaseForm]) -> dict:
    """{"changes": {"prefix.field": [old, new]}, "labels": {"prefix.field": label}} for the
    fields of valid, bound forms whose value really changed, each value as the form shows it
    (a choice by its label, Oui/Non, an instance by its name): the log is read by people.

    The key "" means no prefix. Old values are the forms' initial ones (taken from the
    instance when the form was built), so call this after is_valid(), before or after save().
    A field the form takes for changed but that shows the same before and after (a "True"
    posted for True) is no change: an edit that changed nothing records nothing.
    """
    changes, labels = {}, {}
    for prefix, form in forms.items():
        for name in form.changed_data:
            key = f"{prefix}.{name}" if prefix else name
            bound = form[name]
            if name in REDACTED_FIELDS:
                if str(bound.initial or "") == str(form.cleaned_data.get(name) or ""):
                    continue
                old = new = REDACTED
            else:
                old = wording.shown(bound, bound.initial)
                new = wording.shown(bound, form.cleaned_data.get(name))
                if old == new:
                    continue
            changes[key] = [old, new]
            labels[key] = str(bound.label or name)
    return {"changes": changes, "labels": labels}


# -- retention --------------------------------------------------------------------------------


def purgeable(cutoff: dt.datetime) -> models.QuerySet:
    """The rows a purge at `cutoff` removes: the start of the chain up to the first row kept.

    Purging a prefix of the chain (by id) rather than every row older than the cutoff leaves
    no hole in it, should two rows' timestamps be out of order.
    """
    first_kept = (
        AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True)
    ).first()
    rows = AuditEvent.objects.all()
    return rows if first_kept is None else rows.filter(id__lt=first_kept)


def purge_before(cutoff: dt.datetime) -> AuditPurge | None:
    """Delete the rows older than `cutoff` and record the purge; None when there were none.

    On PostgreSQL the work is done by the database function audit_purge() (migration 0003):
    it runs with its owner's rights, and the triggers accept a DELETE from nobody else, so a
    role that is not the owner (the application in production) cannot purge, switch or no
    switch. On SQLite the purge marker opens the triggers for this transaction only.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_purge(%s)", [cutoff])
            purge_id = cursor.fetchone()[0]
        return AuditPurge.objects.get(pk=purge_id) if purge_id else None
    with transaction.atomic():
        _locked_head()
        doomed = purgeable(cutoff)
        bounds = doomed.aggregate(first=Min("id"), last=Max("id"), count=Count("id"))
        if not bounds["count"]:
            return None
        anchor = AuditEvent.objects.values_list("hash", flat=True).get(pk=bounds["last"])
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_purge_marker (id) VALUES (1)")
            doomed.delete()
            cursor.execute("DELETE FROM audit_purge_marker")
        return AuditPurge.objects.create(
            cutoff=cutoff,
            purged_count=bounds["count"],
            first_purged_id=bounds["first"],
            last_purged_id=bounds["last"],
            anchor_hash=anchor,
        )


# -- verification -----------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain() -> ChainReport:
    """Recompute every link from the last purge's anchor (or the start) to the chain's head.

    A row removed or inserted behind the triggers' back breaks the next row's link; a row
    changed no longer matches its hash; rows removed at the very end leave the head (kept in
    its own table, moved forward by every append) pointing past the last row. The head is
    read before and after the rows, so rows appended meanwhile are not taken for forgeries.
    """
    head_before = AuditChainHead.objects.filter(pk=1).first()
    purge = AuditPurge.objects.order_by("-id").first()
    expected = purge.anchor_hash if purge else GENESIS_HASH
    last_id = purge.last_purged_id if purge else 0
    hash_at_head = expected if head_before and head_before.event_id == last_id else None
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if purge and event.pk <= purge.last_purged_id:
            return ChainReport(checked, event.pk, "ligne qui aurait dû partir avec la purge")
        if event.prev_hash != expected:
            return ChainReport(
                checked, event.pk, "ne suit pas la ligne précédente (ligne supprimée ou insérée)"
            )
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.pk, "contenu modifié depuis son écriture")
        expected, last_id = event.hash, event.pk
        if head_before and event.pk == head_before.event_id:
            hash_at_head = event.hash
        checked += 1
    head_after = AuditChainHead.objects.filter(pk=1).first()
    if head_before is None or head_after is None:
        if last_id:
            return ChainReport(checked, last_id, "tête de la chaîne absente (table vidée)")
        return ChainReport(checked)
    if last_id < head_before.event_id:
        return ChainReport(
            checked,
            head_before.event_id,
            "dernières lignes supprimées : la chaîne s'arrête avant la tête enregistrée",
        )
    if hash_at_head != head_before.hash:
        return ChainReport(checked, head_before.event_id, "ne correspond pas à la tête enregistrée")
    if last_id > head_after.event_id:
        return ChainReport(checked, last_id, "ligne ajoutée après la tête enregistrée")
    return ChainReport(checked)


# -- helpers ----------------------------------------------------------------------------------


def _append(events: list[AuditEvent], *, at: dt.datetime | None = None) -> None:
    """Chain `events` onto the head and insert them, in one short transaction.

    The head's row lock makes appends queue one at a time, for the few milliseconds of the
    insert only: a page's reads are written once, at the end of the request. SQLite takes one
    writer at a time by itself. Either way the unique prev_hash refuses a fork.
    """
    if not events:
        return
    with transaction.atomic():
        head = _locked_head()
        at, prev = at or timezone.now(), head.hash
        for event in events:
            event.at, event.prev_hash = at, prev
            event.hash = prev = event.compute_hash()
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=head.pk).update(event_id=events[-1].pk, hash=prev, at=at)


def _locked_head() -> AuditChainHead:
    """The chain's head, locked until commit; made from the log itself if it is missing.

    It is missing only in an emptied database (flush, TRUNCATE), where the log is empty too.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        purge = AuditPurge.objects.order_by("-id").first()
        last = (purge.last_purged_id, purge.anchor_hash) if purge else (0, GENESIS_HASH)
    try:
        with transaction.atomic():  # two first appends race to make it: one wins
            return AuditChainHead.objects.create(pk=1, event_id=last[0], hash=last[1])
    except IntegrityError:
        return AuditChainHead.objects.select_for_update().get(pk=1)


def _stored(detail: dict) -> dict:
    return json.loads(json.dumps(detail, cls=DjangoJSONEncoder))


def _actor(request_or_user):
    if isinstance(request_or_user, HttpRequest):
        user = getattr(request_or_user, "user", None)
        ip = client_ip_address(request_or_user)
    else:
        user, ip = request_or_user, ""
    if user is not None and not user.is_authenticated:
        user = None
    return user, ip or ""


def _person_id_of(obj: models.Model) -> int | None:
    if obj._meta.model_name == "person":
        return obj.pk
    return getattr(obj, "person_id", None)
