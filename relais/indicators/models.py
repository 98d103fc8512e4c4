"""What the SPIP sent the SIAO (JUS-09): a frozen copy of its yearly forecast of place needs,
dated, never recomputed — the figures the SIAO received, whatever the data says later."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from relais.accounts.enums import Role
from relais.accounts.models import Organisation, Territory


class ForecastSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ForecastSnapshotQuerySet":
        """The SPIP reads what it sent; the SIAO and the State service what their territory's
        SPIPs sent; nobody else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        match user.role:
            case Role.CPIP:
                return self.filter(spip_id=user.organisation_id)
            case Role.SIAO_OPERATOR | Role.STATE_SERVICE:
                return self.filter(territory_id=user.organisation.territory_id)
            case _:
                return self.none()


class ForecastSnapshot(models.Model):
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    spip = models.ForeignKey(
        Organisation, verbose_name="SPIP", on_delete=models.PROTECT, related_name="+"
    )
    first_day = models.DateField("début de la prévision")
    last_day = models.DateField("fin de la prévision")
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The forecast as shown when sent: one dict per establishment, then the total.
    lines = models.JSONField("lignes", default=list)
    method = models.JSONField("méthode", default=list)

    objects = ForecastSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "prévision envoyée au SIAO"
        verbose_name_plural = "prévisions envoyées au SIAO"
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Prévision du {self.first_day:%d/%m/%Y} envoyée le {self.sent_at:%d/%m/%Y}"
