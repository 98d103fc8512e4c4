from django.db import models


class DetentionState(models.TextChoices):
    IN_DETENTION = "in_detention", "En détention"
    RELEASED = "released", "Libérée"


class DetentionEventKind(models.TextChoices):
    RECORDED = "recorded", "Détention enregistrée"
    END_DATE_MOVED = "end_date_moved", "Date de fin de peine modifiée"
    RELEASED = "released", "Libération"


class LegalStatus(models.TextChoices):
    REMAND = "remand", "Prévenu (détention provisoire)"
    CONVICTED = "convicted", "Condamné"


class EndDateReason(models.TextChoices):
    """Why the expected end-of-sentence date moved (seed 003 §C.3)."""

    REDUCTION = "reduction", "Réduction de peine"
    NEW_SENTENCE = "new_sentence", "Nouvelle condamnation"
    TRANSFER = "transfer", "Transfert"
    ADJUSTMENT = "adjustment", "Aménagement de peine accordé"
    CORRECTION = "correction", "Correction d'une erreur de saisie"
    PRISON_RECORD = "prison_record", "Mise à jour du greffe (import)"


class AdjustmentKind(models.TextChoices):
    LC = "lc", "Libération conditionnelle (LC)"
    SL = "sl", "Semi-liberté (SL)"
    PSE = "pse", "Détention à domicile sous surveillance électronique (PSE/DDSE)"
    PE = "pe", "Placement à l'extérieur (PE)"
    LSC = "lsc", "Libération sous contrainte (LSC)"


class AdjustmentState(models.TextChoices):
    TO_PREPARE = "to_prepare", "À préparer"
    REQUESTED = "requested", "Demandé"
    HEARING_SET = "hearing_set", "Audience fixée"
    GRANTED = "granted", "Accordé"
    REFUSED = "refused", "Refusé"
    WITHDRAWN = "withdrawn", "Abandonné"


class AdjustmentEventKind(models.TextChoices):
    PLANNED = "planned", "Aménagement envisagé"
    REQUESTED = "requested", "Aménagement demandé"
    HEARING_SET = "hearing_set", "Audience fixée"
    GRANTED = "granted", "Aménagement accordé"
    REFUSED = "refused", "Aménagement refusé"
    WITHDRAWN = "withdrawn", "Aménagement abandonné"


class AdjustmentRefusalReason(models.TextChoices):
    NO_HOUSING = "no_housing", "Absence d'hébergement"
    NO_PROJECT = "no_project", "Projet de sortie insuffisant"
    BEHAVIOUR = "behaviour", "Comportement en détention"
    OTHER = "other", "Autre motif (préciser)"


class AreaKind(models.TextChoices):
    """Judicial constraints on where the person may live (JUS-01, JUS-04)."""

    EXCLUSION = "exclusion", "Interdiction de paraître"
    RESIDENCE = "residence", "Obligation de résider"
    AVOID = "avoid", "Zone à éviter (victime)"


class AreaLevel(models.TextChoices):
    COMMUNE = "commune", "Commune"
    DEPARTEMENT = "departement", "Département"
