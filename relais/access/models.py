import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from relais.accounts.enums import Role

DEFAULT_DURATION_DAYS = 7
MAX_DURATION_DAYS = 30
# The services that own request files (they refer people to the SIAO).
FILE_OWNERS = {Role.SOCIAL_WORKER, Role.CPIP, Role.EMERGENCY_LINE}


class AccessGrantQuerySet(models.QuerySet):
    def active(self, at: dt.datetime | None = None) -> "AccessGrantQuerySet":
        at = at or timezone.now()
        return self.filter(granted_at__lte=at, expires_at__gt=at, revoked_at__isnull=True)

    def in_territory(self, territory_id: int) -> "AccessGrantQuerySet":
        return self.filter(request__territory_id=territory_id)

    def on_files_seen_by(self, user, requests) -> "AccessGrantQuerySet":
        """The access granted to others on `requests` (files `user` already sees) that `user`
        may know of: the SIAO all of them, the owning service those on its own files and its
        own, anyone else none."""
        grants = self.filter(request__in=requests)
        if user.is_superuser or user.role == Role.SIAO_OPERATOR:
            return grants
        if user.role in FILE_OWNERS:
            return grants.filter(
                Q(request__referrer_organisation_id=user.organisation_id) | Q(user=user)
            )
        return grants.none()


class AccessGrant(models.Model):
    """Access on request (SIAO-20, SEC-02): a worker opens another service's file.

    Seed 004 Annex II: a social worker must not see other social workers' files, but access
    must be possible on request. The grant carries its reason, is time-limited, notifies the
    file's owner, and every read made under it is logged with that reason.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="bénéficiaire",
        on_delete=models.PROTECT,
        related_name="access_grants",
    )
    request = models.ForeignKey(
        "requests.Request",
        verbose_name="demande",
        on_delete=models.CASCADE,
        related_name="access_grants",
    )
    reason = models.TextField("motif")
    granted_at = models.DateTimeField("accordé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("retiré le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="retiré par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "accès sur demande"
        verbose_name_plural = "accès sur demande"
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")),
                name="accessgrant_expires_after_grant",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__lte=F("granted_at") + dt.timedelta(days=MAX_DURATION_DAYS)),
                name="accessgrant_at_most_30_days",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="accessgrant_reason_required"),
        ]

    def __str__(self) -> str:
        return f"Accès de {self.user} à la demande n° {self.request_id}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and self.granted_at <= now < self.expires_at

    @classmethod
    def grant(
        cls, *, user, request, reason: str, days: int = DEFAULT_DURATION_DAYS
    ) -> "AccessGrant":
        if not reason.strip():
            raise ValidationError("Indiquez le motif de votre demande d'accès.")
        if not 1 <= days <= MAX_DURATION_DAYS:
            raise ValidationError(
                f"La durée d'accès doit être comprise entre 1 et {MAX_DURATION_DAYS} jours."
            )
        now = timezone.now()
        return cls.objects.create(
            user=user,
            request=request,
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + dt.timedelta(days=days),
        )

    def revoke(self, *, by) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])
