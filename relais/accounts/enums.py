from django.db import models


class OrganisationKind(models.TextChoices):
    SIAO = "siao", "SIAO"
    EMERGENCY_LINE = "emergency_line", "115 (veille sociale)"
    SOCIAL_SERVICE = "social_service", "Service social (CCAS, CIAS, secteur…)"
    SPIP = "spip", "SPIP"
    PRISON = "prison", "Établissement pénitentiaire"
    STRUCTURE_MANAGER = "structure_manager", "Gestionnaire de structures d'hébergement / logement"
    SIAE = "siae", "SIAE"
    STATE_SERVICE = "state_service", "Service de l'État (DDETS, DREETS, DISP)"


class OrganisationSubtype(models.TextChoices):
    """Finer kind where the field distinguishes them (social services, prisons, State)."""

    CCAS = "ccas", "CCAS"
    CIAS = "cias", "CIAS"
    SECTOR = "sector", "Service social de secteur"
    HOSPITAL = "hospital", "Service social hospitalier"
    DAY_CENTRE = "day_centre", "Accueil de jour"
    MOBILE_TEAM = "mobile_team", "Équipe mobile"
    ASSOCIATION = "association", "Association"
    MA = "ma", "Maison d'arrêt (MA)"
    CD = "cd", "Centre de détention (CD)"
    MC = "mc", "Maison centrale (MC)"
    CP = "cp", "Centre pénitentiaire (CP)"
    CSL = "csl", "Centre de semi-liberté (CSL)"
    DDETS = "ddets", "DDETS"
    DREETS = "dreets", "DREETS"
    DISP = "disp", "DISP"
    ACI = "aci", "Atelier et chantier d'insertion (ACI)"
    EI = "ei", "Entreprise d'insertion (EI)"


class Role(models.TextChoices):
    SIAO_OPERATOR = "siao_operator", "Opérateur SIAO"
    EMERGENCY_LINE = "emergency_line", "Écoutant 115"
    SOCIAL_WORKER = "social_worker", "Travailleur social"
    STRUCTURE_MANAGER = "structure_manager", "Gestionnaire de structure"
    CPIP = "cpip", "Conseiller pénitentiaire d'insertion et de probation (CPIP)"
    SIAE_COACH = "siae_coach", "Chargé d'insertion professionnelle SIAE (CIP)"
    SIAE_SUPERVISOR = "siae_supervisor", "Encadrant technique SIAE (ET)"
    PRISON_STAFF = "prison_staff", "Personnel de l'établissement pénitentiaire"
    STATE_SERVICE = "state_service", "Service de l'État"
    TERRITORY_ADMIN = "territory_admin", "Administrateur du territoire"


# Which organisation kinds a role may belong to.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.SIAO_OPERATOR: {OrganisationKind.SIAO},
    Role.EMERGENCY_LINE: {OrganisationKind.EMERGENCY_LINE, OrganisationKind.SIAO},
    Role.SOCIAL_WORKER: {
        OrganisationKind.SOCIAL_SERVICE,
        OrganisationKind.SIAO,
        OrganisationKind.STRUCTURE_MANAGER,
    },
    Role.STRUCTURE_MANAGER: {OrganisationKind.STRUCTURE_MANAGER},
    Role.CPIP: {OrganisationKind.SPIP},
    Role.SIAE_COACH: {OrganisationKind.SIAE},
    Role.SIAE_SUPERVISOR: {OrganisationKind.SIAE},
    Role.PRISON_STAFF: {OrganisationKind.PRISON},
    Role.STATE_SERVICE: {OrganisationKind.STATE_SERVICE},
    Role.TERRITORY_ADMIN: {OrganisationKind.SIAO, OrganisationKind.STATE_SERVICE},
}
