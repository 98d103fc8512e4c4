from django.db import models


class StructureType(models.TextChoices):
    """Table 1 of seed 004 Annex II: types of structure."""

    CHU = "chu", "Centre d'hébergement d'urgence (CHU)"
    EMERGENCY_IN_CHRS = "emergency_chrs", "Places d'urgence en CHRS"
    HOTEL = "hotel", "Hôtel"
    EMERGENCY_OTHER = "emergency_other", "Autres places d'urgence (dont ALT)"
    STABILISATION_CHRS = "stabilisation_chrs", "Stabilisation en CHRS"
    STABILISATION_OTHER = "stabilisation_other", "Stabilisation hors CHRS"
    INSERTION_CHRS = "insertion_chrs", "Insertion en CHRS"
    INSERTION_OTHER = "insertion_other", "Autres places d'insertion"
    ALT = "alt", "Structure en allocation logement temporaire (ALT)"
    MAISON_RELAIS = "maison_relais", "Logement adapté – maison relais"
    SOCIAL_RESIDENCE = "social_residence", "Logement adapté – résidence sociale"
    ORDINARY_HOUSING = "ordinary_housing", "Logement de droit commun"
    IML = "iml", "Logement en intermédiation locative (IML)"

    @classmethod
    def chrs_types(cls) -> set[str]:
        return {cls.EMERGENCY_IN_CHRS, cls.STABILISATION_CHRS, cls.INSERTION_CHRS}


class PlaceType(models.TextChoices):
    EMERGENCY = "emergency", "Places en urgence"
    STABILISATION = "stabilisation", "Places de stabilisation"
    INSERTION = "insertion", "Places d'insertion"
    HOUSING = "housing", "Places de logement"


class CapacityEventKind(models.TextChoices):
    DECLARED_UNAVAILABLE = "unavailable", "Places déclarées indisponibles"
    DECLARED_AVAILABLE = "available", "Places déclarées de nouveau disponibles"


class PlaceReservation(models.TextChoices):
    """Who a capacity's places are kept for (JUS-03, JUS-12; seed 001: reserved CHRS places,
    the SAS flat and "flying" places kept for dry exits)."""

    ORDINARY = "ordinary", "Places ordinaires"
    DETENTION = "detention", "Places réservées aux sortants de détention"
    FLYING = "flying", "Places volantes (sorties sèches)"
    PLACEMENT = "placement", "Places de placement à l'extérieur"

    @classmethod
    def justice(cls) -> set[str]:
        """The kinds kept for people leaving detention, shown apart on the board."""
        return {cls.DETENTION, cls.FLYING, cls.PLACEMENT}
