"""What the daily job records around a release (JUS-06, JUS-05): the escalation steps raised,
the dry exits, and the follow-up checks after release. Written by
`relais.releases.escalations` (the `escalate_releases` command); the follow-up outcome by the
SIAO on its page."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from relais.accounts.enums import Role
from relais.justice.models import Detention
from relais.persons.models import Person

from .enums import FollowUpMonths, FollowUpOutcome
from .housing import Solution


class Escalation(models.Model):
    """One escalation step raised for one expected release date: raised once. A release date
    that moves gives new (step, due_on) pairs, so a step can be raised again for the new date."""

    detention = models.ForeignKey(
        Detention, verbose_name="détention", on_delete=models.CASCADE, related_name="escalations"
    )
    step = models.PositiveSmallIntegerField("alerte (jours avant la sortie)")
    due_on = models.DateField("sortie prévue le")
    raised_at = models.DateTimeField("alerte envoyée le", default=timezone.now)
    solution = models.CharField(
        "solution d'hébergement à cette date", max_length=20, choices=Solution.choices
    )

    class Meta:
        verbose_name = "alerte avant la sortie"
        verbose_name_plural = "alertes avant la sortie"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["detention", "step", "due_on"], name="escalation_once_per_step_and_date"
            )
        ]

    def __str__(self) -> str:
        return f"Alerte à {self.step} jours de la sortie du {self.due_on:%d/%m/%Y}"


class DryExit(models.Model):
    """A release day with no secured housing solution (*sortie sèche*): recorded once per
    detention and day, the 115 alerted."""

    detention = models.ForeignKey(
        Detention, verbose_name="détention", on_delete=models.CASCADE, related_name="dry_exits"
    )
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="dry_exits"
    )
    on = models.DateField("sortie le")
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)
    solution = models.CharField(
        "solution d'hébergement ce jour-là", max_length=20, choices=Solution.choices
    )

    class Meta:
        verbose_name = "sortie sèche"
        verbose_name_plural = "sorties sèches"
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["detention", "on"], name="dry_exit_once_per_day")
        ]
        indexes = [models.Index(fields=["on"])]

    def __str__(self) -> str:
        return f"Sortie sèche le {self.on:%d/%m/%Y}"


class FollowUpCheckQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FollowUpCheckQuerySet":
        """The SIAO follows the persons released in its territory; nobody else records it."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.SIAO_OPERATOR and user.organisation_id:
            return self.filter(detention__territory_id=user.organisation.territory_id)
        return self.none()


class FollowUpCheck(models.Model):
    """A check of where the person stands 1, 3 or 6 months after release (JUS-05)."""

    detention = models.ForeignKey(
        Detention,
        verbose_name="détention",
        on_delete=models.CASCADE,
        related_name="follow_up_checks",
    )
    months = models.PositiveSmallIntegerField("point de suivi", choices=FollowUpMonths.choices)
    due_on = models.DateField("à faire le")
    reminded_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    answered_at = models.DateTimeField("renseigné le", null=True, blank=True)
    outcome = models.CharField(
        "situation de la personne", max_length=20, choices=FollowUpOutcome.choices, blank=True
    )
    note = models.TextField("précisions", blank=True, max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="renseigné par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = FollowUpCheckQuerySet.as_manager()

    class Meta:
        verbose_name = "point de suivi après la sortie"
        verbose_name_plural = "points de suivi après la sortie"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["detention", "months"], name="follow_up_once"),
            models.CheckConstraint(
                condition=(Q(answered_at__isnull=True) & Q(outcome=""))
                | (Q(answered_at__isnull=False) & ~Q(outcome="")),
                name="follow_up_answered_with_outcome",
                violation_error_message="Un point de suivi renseigné indique la situation.",
            ),
        ]
        indexes = [models.Index(fields=["answered_at", "due_on"])]

    def __str__(self) -> str:
        return f"Suivi à {self.months} mois ({self.due_on:%d/%m/%Y})"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def answer(self, *, outcome: str, note: str = "", by) -> None:
        """Record where the person stands (a later answer corrects the earlier one)."""
        if outcome not in FollowUpOutcome.values:
            raise ValueError(outcome)
        self.outcome, self.note, self.by, self.answered_at = outcome, note, by, timezone.now()
        self.save(update_fields=["outcome", "note", "by", "answered_at"])
