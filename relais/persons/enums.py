from django.db import models


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


class NationalityGroup(models.TextChoices):
    FRENCH = "fr", "Française"
    EU = "eu", "Union européenne"
    NON_EU = "non_eu", "Hors Union européenne"


class ResidencePermitType(models.TextChoices):
    TEMPORARY = "cst", "Carte de séjour temporaire"
    MULTI_YEAR = "csp", "Carte de séjour pluriannuelle"
    RESIDENT = "cr", "Carte de résident"
    RECEIPT = "receipt", "Récépissé de demande de titre"
    APS = "aps", "Autorisation provisoire de séjour"
    ASYLUM_SEEKER = "asylum", "Attestation de demande d'asile"
    VISA = "visa", "Visa long séjour"
    NONE = "none", "Sans titre de séjour"
    OTHER = "other", "Autre"


class MaritalStatus(models.TextChoices):
    MARRIED = "married", "Marié(e)"
    SINGLE = "single", "Célibataire"
    DIVORCED = "divorced", "Divorcé(e)"
    SEPARATED = "separated", "Séparé(e)"
    WIDOWED = "widowed", "Veuf(ve)"
    PACS = "pacs", "Pacsé(e)"
    MARITAL_LIFE = "marital_life", "Vie maritale"
    COHABITING = "cohabiting", "Concubinage"


class Relationship(models.TextChoices):
    PRINCIPAL = "principal", "Demandeur principal"
    SPOUSE = "spouse", "Conjoint(e)"
    CHILD = "child", "Enfant"
    RELATIVE = "relative", "Autre membre de la famille"
    OTHER = "other", "Autre"


class ChildSituation(models.TextChoices):
    DEPENDENT = "dependent", "À charge"
    VISITING_RIGHTS = "visiting", "Droit de visite et/ou d'hébergement"
    PLACED = "placed", "Placé(e)"
