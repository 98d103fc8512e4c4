"""Writing to the audit log: `record()` is the one way in, `purge_before()` the one way out."""

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import timezone

from relais.accounts.security import client_ip_address

from .enums import Action
from .models import GENESIS_HASH, AuditEvent, AuditPurge

# pg_advisory_xact_lock key taken by every append and by the purge ("RELA" in ASCII).
CHAIN_LOCK = 0x52454C41

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
        detail=json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder)),
        ip=ip,
    )
    with transaction.atomic():
        _lock_chain()
        event.at = timezone.now()
        event.prev_hash = _chain_tail()
        event.hash = event.compute_hash()
        event.save()
    return event


def form_changes(forms: Mapping[str, BaseForm]) -> dict[str, list]:
    """{"prefix.field": [old, new]} for every changed field of valid, bound forms.

    The key "" means no prefix. Old values are the forms' initial ones (taken from the
    instance when the form was built), so call this after is_valid(), before or after save().
    """
    changes = {}
    for prefix, form in forms.items():
        for name in form.changed_data:
            key = f"{prefix}.{name}" if prefix else name
            if name in REDACTED_FIELDS:
                changes[key] = [REDACTED, REDACTED]
            else:
                changes[key] = [_plain(form[name].initial), _plain(form.cleaned_data.get(name))]
    return changes


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
    """Delete the rows older than `cutoff` and record the purge; None when there were none."""
    with transaction.atomic():
        _lock_chain()
        doomed = purgeable(cutoff)
        bounds = doomed.aggregate(first=Min("id"), last=Max("id"), count=Count("id"))
        if not bounds["count"]:
            return None
        anchor = AuditEvent.objects.values_list("hash", flat=True).get(pk=bounds["last"])
        with _purge_allowed():
            doomed.delete()
        return AuditPurge.objects.create(
            cutoff=cutoff,
            purged_count=bounds["count"],
            first_purged_id=bounds["first"],
            last_purged_id=bounds["last"],
            anchor_hash=anchor,
        )


@contextlib.contextmanager
def _purge_allowed() -> Iterator[None]:
    """Let the triggers accept DELETE on the log, for this transaction and this block only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL relais.audit_purge = 'on'")
            yield
            cursor.execute("SET LOCAL relais.audit_purge = 'off'")
        else:
            cursor.execute("INSERT INTO audit_purge_marker (id) VALUES (1)")
            yield
            cursor.execute("DELETE FROM audit_purge_marker")


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
    """Recompute every link from the last purge's anchor (or the start) to the last row.

    A row removed or inserted behind the triggers' back breaks the next row's link; a row
    changed no longer matches its hash. Rows removed at the very end leave no trace here.
    """
    purge = AuditPurge.objects.order_by("-id").first()
    expected = purge.anchor_hash if purge else GENESIS_HASH
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
        expected = event.hash
        checked += 1
    return ChainReport(checked)


# -- helpers ----------------------------------------------------------------------------------


def _lock_chain() -> None:
    """Serialise appends so two writers never chain onto the same row.

    PostgreSQL: a transaction-level advisory lock, released at commit. SQLite takes one
    writer at a time, and a transaction that read a tail another one has since extended
    cannot commit. Either way, the unique prev_hash refuses a fork.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _chain_tail() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    if last:
        return last
    anchor = AuditPurge.objects.order_by("-id").values_list("anchor_hash", flat=True).first()
    return anchor or GENESIS_HASH


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


def _plain(value):
    """A form value as JSON can hold it: instances by their id."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [_plain(item) for item in value]
    return value
