from django.db import models


class OrientationState(models.TextChoices):
    WAITING = "waiting", "Prépositionnée (en attente de place)"
    PROPOSED = "proposed", "Attribuée (décision de la structure attendue)"
    ADMITTED = "admitted", "Admission acceptée (affectation)"
    IN_STAY = "in_stay", "Séjour en cours"
    ENDED = "ended", "Séjour terminé"
    REFUSED = "refused", "Admission refusée"
    CANCELLED = "cancelled", "Annulée"

    @classmethod
    def active(cls) -> list[str]:
        """States in which the request is placed or waits for a place: one at a time."""
        return [cls.WAITING, cls.PROPOSED, cls.ADMITTED, cls.IN_STAY]

    @classmethod
    def holding_a_place(cls) -> list[str]:
        return [cls.PROPOSED, cls.ADMITTED, cls.IN_STAY]


class OrientationEventKind(models.TextChoices):
    """The named steps of an orientation (its transitions)."""

    ATTRIBUTED = "attributed", "Place attribuée"
    PREPOSITIONED = "prepositioned", "Prépositionnée"
    DIRECT_ADMISSION = "direct_admission", "Admission directe"
    CONFIRMED = "confirmed", "Place attendue attribuée"
    RESERVED = "reserved", "Place réservée sur une période"
    WINDOW_CHANGED = "window_changed", "Période de réservation changée"
    ADMITTED = "admitted", "Admission acceptée"
    REFUSED = "refused", "Admission refusée"
    CANCELLED = "cancelled", "Annulée"
    STAY_STARTED = "stay_started", "Arrivée dans la structure"
    STAY_ENDED = "stay_ended", "Fin de séjour"
    # JUS-03: the SPIP records a placement à l'extérieur straight on the places of its
    # agreement: the stay starts at once, outside the SIAO's orientation flow.
    PE_PLACEMENT = "pe_placement", "Placement à l'extérieur enregistré par le SPIP"


class RefusalReason(models.TextChoices):
    """SIAO-14: why a structure refused an admission."""

    HOUSEHOLD_COMPOSITION = "composition", "Composition du ménage inadaptée à la place"
    PUBLIC_NOT_SERVED = "public", "Public non accueilli par la structure"
    HEALTH_NEEDS = "health", "Besoins de santé ou de soins incompatibles"
    COLLECTIVE_LIFE = "collective_life", "Vie en collectif impossible"
    NO_LONGER_FREE = "no_place", "Place plus disponible"
    DID_NOT_COME = "no_show", "Personne absente à l'entretien d'admission"
    PERSON_DECLINED = "person_declined", "Refus de la personne"
    OTHER = "other", "Autre motif (préciser)"


class EndDestination(models.TextChoices):
    """Where the person goes at the end of a stay (SIAO-16)."""

    SOCIAL_HOUSING = "social_housing", "Logement autonome – parc social"
    PRIVATE_HOUSING = "private_housing", "Logement autonome – parc privé"
    ADAPTED_HOUSING = "adapted_housing", "Logement adapté (maison relais, résidence sociale)"
    OTHER_SHELTER = "other_shelter", "Autre structure d'hébergement"
    FAMILY = "family", "Famille ou tiers"
    CARE = "care", "Hôpital, soins, établissement médico-social"
    PRISON = "prison", "Détention"
    STREET = "street", "Rue, sans solution"
    UNKNOWN = "unknown", "Inconnue"


class EndReason(models.TextChoices):
    PLANNED_END = "planned", "Fin de prise en charge prévue"
    HOUSING_ACCESS = "housing", "Accès à une solution de logement"
    VOLUNTARY = "voluntary", "Départ volontaire"
    EXCLUSION = "exclusion", "Fin de prise en charge à l'initiative de la structure"
    REORIENTATION = "reorientation", "Réorientation vers une structure plus adaptée"
    DEATH = "death", "Décès"
    OTHER = "other", "Autre"
