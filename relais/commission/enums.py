from django.db import models


class CommissionState(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    CLOSED = "closed", "Compte rendu validé"


class CommissionEventKind(models.TextChoices):
    PLANNED = "planned", "Commission prévue"
    HELD = "held", "Commission tenue"
    CLOSED = "closed", "Compte rendu validé"


class AgendaReason(models.TextChoices):
    """Why a person is on the agenda (JUS-10)."""

    IN_DETENTION = "in_detention", "Demande en cours, personne détenue"
    FOLLOW_UP = "follow_up", "Suivi après la sortie de détention"


class ServiceStatus(models.TextChoices):
    REPRESENTED = "represented", "Représenté"
    EXCUSED = "excused", "Excusé"
    ABSENT = "absent", "Absent"
