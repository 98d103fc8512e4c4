from django.db import models


class Channel(models.TextChoices):
    """The dispositifs of seed 004 Annex II. Stabilisation requests go through INSERTION."""

    EMERGENCY = "emergency", "Urgence"
    INSERTION = "insertion", "Insertion / stabilisation"
    HOUSING = "housing", "Logement"


class RequestStatus(models.TextChoices):
    NEW = "new", "À évaluer"
    EVALUATED = "evaluated", "Évaluée"
    WAITING = "waiting", "En attente de place"
    ORIENTED = "oriented", "Orientée"
    ADMITTED = "admitted", "Admise"
    ENDED = "ended", "Sortie"
    CLOSED = "closed", "Clôturée"


class EventKind(models.TextChoices):
    CREATED = "created", "Demande créée"
    UPDATED = "updated", "Demande modifiée"
    EVALUATED = "evaluated", "Évaluation sociale validée"
    PREPOSITIONED = "prepositioned", "Prépositionnée (en attente de place)"
    ORIENTED = "oriented", "Orientée vers une structure"
    ADMITTED = "admitted", "Admise"
    ORIENTATION_REFUSED = "refused", "Admission refusée par la structure"
    ORIENTATION_CANCELLED = "cancelled", "Orientation annulée"
    STAY_STARTED = "stay_started", "Arrivée dans la structure"
    DIRECT_ADMISSION = "direct_admission", "Admission directe enregistrée"
    STAY_ENDED = "stay_ended", "Fin de séjour"
    CLOSED = "closed", "Clôturée"
    REOPENED = "reopened", "Rouverte"


class CloseReason(models.TextChoices):
    """Why a request is closed without a stay (or after one, by the referrer)."""

    SOLUTION_FOUND = "solution_found", "Solution trouvée hors SIAO (famille, logement, autre)"
    NO_NEWS = "no_news", "Sans nouvelles de la personne"
    PERSON_DECLINED = "person_declined", "La personne renonce à sa demande"
    LEFT_TERRITORY = "left_territory", "Départ du territoire"
    NEEDS_CHANGED = "needs_changed", "Situation changée : une autre demande est faite"
    DUPLICATE = "duplicate", "Demande en double"
    DEATH = "death", "Décès"
    OTHER = "other", "Autre motif (préciser)"


class ReferralOrigin(models.TextChoices):
    SELF = "self", "Demande individuelle de l'intéressé(e)"
    FAMILY = "family", "Famille"
    SERVICE = "service", "Service ou association"


class Holder(models.TextChoices):
    APPLICANT = "applicant", "Demandeur"
    SPOUSE = "spouse", "Conjoint(e)"


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", "En emploi"
    JOB_SEEKER = "job_seeker", "Demandeur d'emploi"
    RETIRED = "retired", "Retraité(e)"
    NO_ACTIVITY = "no_activity", "Sans activité"


class ContractType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD / saisonnier"
    INTERIM = "interim", "Intérim"
    APPRENTICE = "apprentice", "Apprenti(e)"
    TRAINEE = "trainee", "Stagiaire"


class ResourceKind(models.TextChoices):
    SALARY = "salary", "Salaires"
    FAMILY_BENEFITS = "family_benefits", "Prestations familiales"
    ARE_ASS = "are_ass", "ARE ou ASS"
    RSA = "rsa", "RSA"
    AAH = "aah", "AAH"
    OTHER = "other", "Autre"


class DebtKind(models.TextChoices):
    RENT = "rent", "Dettes locatives"
    CONSUMER = "consumer", "Dettes à la consommation"
    OTHER = "other", "Autres dettes"


class HousingSituation(models.TextChoices):
    NONE = "none", "Sans logement"
    SHELTER = "shelter", "Hébergement d'urgence ou d'insertion"
    PRIVATE_RENTAL = "private", "Logement autonome – parc privé"
    PUBLIC_RENTAL = "public", "Logement autonome – parc public"
    MEDICO_SOCIAL = "medico_social", "Structure médico-sociale"
    JUDICIAL = "judicial", "Structure judiciaire (détention)"
    HOSTED_FREE = "hosted", "Hébergement gratuit (famille, ami)"
    PRECARIOUS = "precarious", "Hébergement précaire (camping, caravane)"
    TEMPORARY = "temporary", "Logement temporaire (ALT, résidence sociale)"
    MAISON_RELAIS = "maison_relais", "Maison relais"
    STUDENT = "student", "Résidence pour étudiant"


class RequestReason(models.TextChoices):
    EVICTION = "eviction", "Expulsion locative"
    UNFIT_HOUSING = "unfit_housing", "Logement insalubre / indigne / indécent"
    FAMILY_BREAKDOWN = "family_breakdown", "Séparation ou rupture des liens familiaux"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Fin d'hospitalisation"
    PRISON_RELEASE = "prison_release", "Sortie de prison"
    NO_HOUSING = "no_housing", "Absence de logement ou d'hébergement"
    ARRIVAL_IN_FRANCE = "arrival_in_france", "Arrivée en France"
    NO_RESOURCES = "no_resources", "Absence de ressources"
    END_OF_ASE = "end_of_ase", "Fin de prise en charge ASE"
    TAKEN_BACK = "taken_back", "Logement repris par le propriétaire"
    FAMILY_VIOLENCE = "family_violence", "Violences familiales"
    DISABILITY = "disability", "Handicap"
    FAMILY_REUNIFICATION = "family_reunification", "Regroupement familial"
    CLOSER_TO_WORK = "closer_to_work", "Rapprochement du lieu de travail"
    OTHER = "other", "Autre motif"


class HousingAidScheme(models.TextChoices):
    FSL_ACCESS = "fsl_access", "FSL – accès"
    FSL_STAY = "fsl_stay", "FSL – maintien"
    FSL_ENERGY = "fsl_energy", "FSL – énergie"
    ASLL_ACCESS = "asll_access", "ASLL – accès"
    ASLL_STAY = "asll_stay", "ASLL – maintien"
    PREFECTORAL = "prefectoral", "Réservation préfectorale"
    DALO_SHELTER = "dalo_shelter", "Commission DALO – hébergement"
    DALO_HOUSING = "dalo_housing", "Commission DALO – logement"


class HousingAidStatus(models.TextChoices):
    TO_REQUEST = "to_request", "À solliciter"
    IN_PROGRESS = "in_progress", "Dossier en cours"
    AGREED = "agreed", "Accord"
    REFUSED = "refused", "Refus"
    PRIORITY = "priority", "Classé prioritaire et urgent"


class ProtectionMeasure(models.TextChoices):
    SAFEGUARD = "safeguard", "Sauvegarde de justice"
    CURATORSHIP = "curatorship", "Curatelle"
    GUARDIANSHIP = "guardianship", "Tutelle"
    MASP = "masp", "MASP / MAJ"
    OTHER = "other", "Autre"


class OrientationProposal(models.TextChoices):
    EMERGENCY = "emergency", "Hébergement d'urgence"
    STABILISATION = "stabilisation", "Hébergement de stabilisation"
    INSERTION_CHRS = "insertion_chrs", "Hébergement d'insertion (CHRS)"
    INSERTION_OTHER = "insertion_other", "Hébergement d'insertion hors CHRS"
    ALT = "alt", "Logement temporaire (ALT)"
    MAISON_RELAIS = "maison_relais", "Maison relais / pension de famille"
    SOCIAL_RESIDENCE = "social_residence", "Résidence sociale / FJT"
    IML = "iml", "Intermédiation locative"
    ORDINARY_HOUSING = "ordinary_housing", "Logement de droit commun"
    OTHER = "other", "Autre"


class HealthCoverage(models.TextChoices):
    NONE = "none", "Aucune"
    BASIC = "basic", "Assurance maladie (PUMa, ex-CMU)"
    BASIC_AND_COMPLEMENTARY = (
        "complementary",
        "Assurance maladie + complémentaire santé solidaire (ex-CMU-C)",
    )
    BASIC_AND_MUTUAL = "mutual", "Assurance maladie + mutuelle"
    UNKNOWN = "unknown", "Inconnue"
