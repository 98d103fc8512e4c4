"""Tokens of partner software (OPS-02) and the POSTs they already made (Idempotency-Key).

A token is the key of one named service account of an organisation: the account has the
role the administrator chose, within its organisation, and every rule of the pages applies
to it as it would to a person of that role (`visible_to`, sensitivity, transitions). The
token adds only what software needs on top: scopes (which resources, read or write), an
expiry, a revocation and a rate limit. Only a hash of the token is kept: it is shown once.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from .enums import Access, Resource

TOKEN_PREFIX = "relais_"
# A partner's software sends the token as `Authorization: Bearer relais_…`.
TOKEN_BYTES = 32
DEFAULT_RATE_PER_MINUTE = 120
MAX_VALIDITY_DAYS = 730
# How long a POST's Idempotency-Key and its answer are kept (relais/api/idempotency.py).
IDEMPOTENCY_KEPT = dt.timedelta(hours=24)


def digest(token: str) -> str:
    """How a token is stored and looked up: its SHA-256 (the token itself has 256 random
    bits, so a plain hash is enough; no salt is needed to resist guessing)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def of_territory(self, territory_id: int) -> "ApiTokenQuerySet":
        return self.filter(organisation__territory_id=territory_id)


class ApiToken(models.Model):
    name = models.CharField(
        "nom du logiciel", max_length=100, help_text="Ex. : logiciel de gestion du CHRS Le Phare."
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    # The service account the token acts as: its role and organisation are the rules.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte de service",
        on_delete=models.PROTECT,
        related_name="api_token",
    )
    key_digest = models.CharField("empreinte du jeton", max_length=64, unique=True, editable=False)
    key_start = models.CharField("début du jeton", max_length=16, editable=False)
    scopes = models.JSONField("droits", default=dict, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        "appels par minute",
        default=DEFAULT_RATE_PER_MINUTE,
        validators=[MinValueValidator(1), MaxValueValidator(6000)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="révoqué par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField("dernier appel", null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @classmethod
    def issue(
        cls,
        *,
        name: str,
        organisation,
        role: str,
        expires_at: dt.datetime,
        scopes: dict[str, str],
        by,
        rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
    ) -> tuple["ApiToken", str]:
        """A new token and its service account; returns (token, key). The key is not kept:
        whoever creates the token must show it now, once."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        user_model = cls._meta.get_field("account").related_model
        with transaction.atomic():
            account = user_model(
                username=f"logiciel-{organisation.pk}-{secrets.token_hex(4)}",
                first_name=name[:150],
                last_name="(logiciel)",
                organisation=organisation,
                role=role,
            )
            account.set_unusable_password()
            account.full_clean(exclude=["password"])
            account.save()
            token = cls.objects.create(
                name=name,
                organisation=organisation,
                account=account,
                key_digest=digest(key),
                key_start=key[: len(TOKEN_PREFIX) + 4],
                scopes=scopes,
                rate_per_minute=rate_per_minute,
                expires_at=expires_at,
                created_by=by,
            )
        return token, key

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def status_label(self) -> str:
        if self.is_revoked:
            return "Révoqué"
        if self.is_expired:
            return "Expiré"
        return "Actif"

    def access_to(self, resource: str) -> str:
        """Access.NONE, READ or WRITE on `resource`."""
        value = self.scopes.get(resource, "") if isinstance(self.scopes, dict) else ""
        return value if value in Access.values else Access.NONE

    def allows(self, resource: str, *, write: bool) -> bool:
        access = self.access_to(resource)
        return access == Access.WRITE if write else access in (Access.READ, Access.WRITE)

    def scope_labels(self) -> list[str]:
        """« Demandes, personnes et ménages : lecture et écriture », for each resource granted."""
        return [
            f"{Resource(resource).label} : {Access(access).label.lower()}"
            for resource in Resource.values
            if (access := self.access_to(resource)) != Access.NONE
        ]

    def revoke(self, *, by) -> None:
        """The token stops working at once; its service account can no longer act."""
        now = timezone.now()
        ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        type(self.account).objects.filter(pk=self.account_id).update(is_active=False)
        self.refresh_from_db()


class IdempotentRequestQuerySet(models.QuerySet):
    def expired(self, now: dt.datetime) -> "IdempotentRequestQuerySet":
        """Keys older than IDEMPOTENCY_KEPT: a retry with them runs again. Deleted when their
        token posts again, and by the daily retention job (their answers may name persons)."""
        return self.filter(created_at__lt=now - IDEMPOTENCY_KEPT)


class IdempotentRequest(models.Model):
    """A POST sent with an `Idempotency-Key`: its answer, replayed when the partner's
    software retries with the same key, so that a retry never creates twice."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("clé", max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IdempotentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "envoi avec clé d'idempotence"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
