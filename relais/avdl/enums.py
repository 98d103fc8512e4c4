"""The words of the AVDL Justice measures (seed 001: the Haut-Rhin practice), in one place."""

from django.db import models

# Seed 001: « limité à 20 mesures d'accompagnement en file active, chaque accompagnement
# pouvant durer 2 mois (renouvelables) à partir de l'entrée en logement ».
MAX_ACTIVE_MEASURES = 20
MEASURE_MONTHS = 2
# The worker and the SIAO are told this many days before a measure ends.
ALERT_DAYS_BEFORE_END = 14


class MeasureState(models.TextChoices):
    ACTIVE = "active", "En cours"
    ENDED = "ended", "Terminée à échéance"
    CLOSED = "closed", "Arrêtée avant l'échéance"


class MeasureEventKind(models.TextChoices):
    ASSIGNED = "assigned", "Mesure attribuée"
    RENEWED = "renewed", "Mesure renouvelée"
    ENDED = "ended", "Mesure terminée à échéance"
    CLOSED = "closed", "Mesure arrêtée avant l'échéance"


class CloseReason(models.TextChoices):
    """Why a measure stops before its end date."""

    OBJECTIVES_MET = "objectives_met", "Objectifs atteints, accompagnement plus nécessaire"
    LEFT_HOUSING = "left_housing", "Départ du logement"
    DECLINED = "declined", "La personne ne souhaite plus être accompagnée"
    RELAY = "relay", "Relais pris par un autre service"
    NO_CONTACT = "no_contact", "Personne injoignable"
    OTHER = "other", "Autre motif (préciser)"
