from django.db import models


class Resource(models.TextChoices):
    """What a token may reach: each resource is read, or read and written (its scope)."""

    STRUCTURES = "structures", "Structures, places et disponibilités"
    REQUESTS = "requests", "Demandes, personnes et ménages"
    EVALUATIONS = "evaluations", "Évaluations sociales"
    ORIENTATIONS = "orientations", "Orientations et séjours"
    DETENTIONS = "detentions", "Détentions et dates de libération"
    INDICATORS = "indicators", "Indicateurs agrégés"


class Access(models.TextChoices):
    NONE = "", "Aucun accès"
    READ = "read", "Lecture"
    WRITE = "write", "Lecture et écriture"
