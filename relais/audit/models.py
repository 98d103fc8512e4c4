"""The audit log (SEC-01): who read or changed which personal data, when, from where and why.

Rows are only ever added. Database triggers (migration 0002) refuse UPDATE and DELETE, so no
application code path can alter the log; the retention purge (SEC-03) is the one way rows go,
and it leaves an AuditPurge row behind. Each row carries the sha256 of the previous row's hash
and of its own fields: `manage.py verify_audit_chain` finds any row changed or removed
behind the triggers' back.
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from relais.accounts.enums import Role

from .enums import Action

GENESIS_HASH = "0" * 64

# Roles that read the log of their territory (superusers read all of it).
AUDIT_READERS = {Role.SIAO_OPERATOR, Role.TERRITORY_ADMIN}


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AuditEventQuerySet":
        """Superusers see every row; the SIAO and the territory administrator their territory's."""
        if user.is_superuser:
            return self
        if user.role in AUDIT_READERS and user.organisation_id:
            return self.filter(territory_id=user.organisation.territory_id)
        return self.none()

    def about_person(self, person_id: int) -> "AuditEventQuerySet":
        return self.filter(person_id=person_id)


class AuditEvent(models.Model):
    """One read, write, export or search of personal data.

    `person_id` is a plain integer, not a foreign key: a row keeps naming the person it was
    about when that person is later merged into another one or anonymised, and nothing
    cascades into the log. `user` may become empty when the account is deleted (the only
    UPDATE the triggers let through); `username` keeps who it was, and is what the hash covers.
    """

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # No database constraint: emptying the accounts (load_demo, TRUNCATE … CASCADE) must
        # never cascade into the log. Django still applies SET_NULL when a user is deleted.
        db_constraint=False,
    )
    username = models.CharField("identifiant", max_length=150, blank=True)
    organisation_id = models.BigIntegerField("n° d'organisation", null=True, blank=True)
    organisation_name = models.CharField("organisation", max_length=200, blank=True)
    territory_id = models.BigIntegerField("n° de territoire", null=True, blank=True)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    object_type = models.CharField("type d'objet", max_length=50, blank=True)
    object_id = models.CharField("n° d'objet", max_length=64, blank=True)
    person_id = models.BigIntegerField("n° de personne", null=True, blank=True, db_index=True)
    reason = models.TextField("motif", blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)
    ip = models.CharField("adresse IP", max_length=45, blank=True)
    prev_hash = models.CharField("empreinte précédente", max_length=64, unique=True)
    hash = models.CharField("empreinte", max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne du journal d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-id"]
        indexes = [models.Index(fields=["territory_id", "at"], name="audit_territory_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()}"

    def hashed_fields(self) -> dict:
        """What the hash covers: every field but the id, the user link and the hash itself."""
        return {
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "username": self.username,
            "organisation_id": self.organisation_id,
            "organisation_name": self.organisation_name,
            "territory_id": self.territory_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "person_id": self.person_id,
            "reason": self.reason,
            "detail": self.detail,
            "ip": self.ip,
        }

    @property
    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) for a write that recorded its changes, in French."""
        from .wording import value_label

        if not isinstance(self.detail, dict):
            return []
        labels = self.detail.get("labels") or {}
        return [
            (labels.get(field) or field, value_label(old), value_label(new))
            for field, (old, new) in (self.detail.get("changes") or {}).items()
        ]

    @property
    def detail_summary(self) -> str:
        """The detail other than the changes, as short French text."""
        from .wording import detail_summary

        return detail_summary(self.detail)

    @property
    def object_label(self) -> str:
        """What the row is about ("Demande", "Personne"), in French."""
        from .wording import object_label

        return object_label(self.object_type) if self.object_type else ""

    def compute_hash(self) -> str:
        payload = json.dumps(
            {"prev_hash": self.prev_hash, "fields": self.hashed_fields()},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class AuditPurge(models.Model):
    """A retention purge of the log (SEC-03): the chain now starts from `anchor_hash`."""

    at = models.DateTimeField("date", default=timezone.now)
    cutoff = models.DateTimeField("lignes antérieures au")
    purged_count = models.PositiveIntegerField("lignes supprimées")
    first_purged_id = models.BigIntegerField("première ligne supprimée")
    last_purged_id = models.BigIntegerField("dernière ligne supprimée")
    anchor_hash = models.CharField("empreinte de la dernière ligne supprimée", max_length=64)

    class Meta:
        verbose_name = "purge du journal d'audit"
        verbose_name_plural = "purges du journal d'audit"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Purge du {self.at:%d/%m/%Y} ({self.purged_count} lignes)"


class AuditChainHead(models.Model):
    """The last row of the chain, kept outside the log's own table (one row, id 1).

    Every append moves it forward in the same transaction; the database refuses to move it
    back or to delete it (migration 0003). Rows removed at the end of the log therefore leave
    the head pointing past the last row, and `verify_audit_chain` says so. Its row lock is
    also what makes appends queue one at a time.
    """

    event_id = models.BigIntegerField("dernière ligne", default=0)
    hash = models.CharField("empreinte de la dernière ligne", max_length=64, default=GENESIS_HASH)
    at = models.DateTimeField("mise à jour le", default=timezone.now)

    class Meta:
        verbose_name = "tête de la chaîne du journal d'audit"
        verbose_name_plural = "tête de la chaîne du journal d'audit"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return f"Ligne n° {self.event_id}"
