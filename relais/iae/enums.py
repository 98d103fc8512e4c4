"""The words of work insertion in prison (seeds 002, 003), in one place."""

from django.db import models

# IAE-01: the sentence bounds (charter 002 art. 3.2 and guide 003 §D.1 name the same figures).
SENTENCE_MIN_MONTHS = 4
SENTENCE_MAX_MONTHS = 36
# Guide 003 §D.1: "La durée d'un temps plein dans le cadre d'une SIAE est fixée à 1 350 heures
# par an."
FULL_TIME_HOURS_A_YEAR = 1350
MAX_HOURS_A_MONTH = 250
# IAE-08: continuity outside is checked this many months after release.
OUTSIDE_FOLLOW_UP_MONTHS = (3, 6)


class SentenceCriterion(models.TextChoices):
    """Which sentence figure a site's charter checks (the seeds differ)."""

    REMAINING = "remaining", "Reliquat de peine entre 4 et 36 mois (charte SPIP–SIAE)"
    QUANTUM = "quantum", "Quantum de peine entre 4 et 36 mois (guide national)"


class IdentityDocument(models.TextChoices):
    NATIONAL_ID = "national_id", "Carte nationale d'identité"
    PASSPORT = "passport", "Passeport"
    BIRTH_CERTIFICATE = "birth_certificate", "Extrait d'acte de naissance (nationalité française)"
    RESIDENCE_PERMIT = "residence_permit", "Titre de séjour"
    WORK_AUTHORISATION = "work_authorisation", "Autorisation de travail"
    NONE = "none", "Aucun document valide pour l'instant"


# A birth certificate extract proves French nationality: it has no expiry (guide 003 §D.1).
DOCUMENTS_WITHOUT_EXPIRY = {IdentityDocument.BIRTH_CERTIFICATE}


class SpipOpinion(models.TextChoices):
    FAVOURABLE = "favourable", "Favorable"
    RESERVED = "reserved", "Favorable avec réserves"
    UNFAVOURABLE = "unfavourable", "Défavorable"


class ParcoursState(models.TextChoices):
    PRESCRIBED = "prescribed", "Proposée par le SPIP, en attente de la CPU"
    NOT_ORIENTED = "not_oriented", "Non orientée par la CPU"
    ORIENTED = "oriented", "Orientée vers la SIAE (liste d'attente)"
    NOT_RETAINED = "not_retained", "Non retenue par la SIAE"
    RETAINED = "retained", "Retenue par la SIAE, en attente d'affectation"
    ACTIVE = "active", "En parcours"
    ENDED = "ended", "Parcours terminé"
    CLOSED = "closed", "Arrêtée avant l'affectation"


OPEN_STATES = [
    ParcoursState.PRESCRIBED,
    ParcoursState.ORIENTED,
    ParcoursState.RETAINED,
    ParcoursState.ACTIVE,
]
CLOSED_STATES = [
    ParcoursState.NOT_ORIENTED,
    ParcoursState.NOT_RETAINED,
    ParcoursState.ENDED,
    ParcoursState.CLOSED,
]


class ParcoursEventKind(models.TextChoices):
    PRESCRIBED = "prescribed", "Prescription par le SPIP"
    CPU_ORIENTED = "cpu_oriented", "Orientation par la CPU vers la SIAE"
    CPU_DECLINED = "cpu_declined", "Non-orientation par la CPU"
    IMMERSION = "immersion", "Immersion"
    RETAINED = "retained", "Entretien : personne retenue"
    NOT_RETAINED = "not_retained", "Entretien : personne non retenue"
    ASSIGNED = "assigned", "Décision d'affectation du chef d'établissement"
    ENDED = "ended", "Fin du parcours"
    CLOSED = "closed", "Arrêt avant l'affectation"


class NotRetainedReason(models.TextChoices):
    PROJECT = "project", "Projet professionnel sans lien avec l'activité"
    MOTIVATION = "motivation", "Motivation insuffisante pour l'accompagnement"
    NO_POST = "no_post", "Aucun poste disponible à court terme"
    HEALTH = "health", "Contre-indication de santé au poste"
    SAFETY = "safety", "Règles de sécurité de l'atelier"
    OTHER = "other", "Autre motif (précisé)"


class EndReason(models.TextChoices):
    """Why a parcours ends (issue 11, point 2)."""

    RELEASE = "release", "Libération"
    TRANSFER = "transfer", "Transfert vers un autre établissement"
    DISCIPLINARY = "disciplinary", "Déclassement disciplinaire"
    RESIGNATION = "resignation", "Démission de la personne"
    NEED_MET = "need_met", "Fin du besoin d'accompagnement"


class ClosedReason(models.TextChoices):
    """Why a candidacy stops before the affectation."""

    WITHDRAWN = "withdrawn", "La personne renonce"
    RELEASE = "release", "Libération"
    TRANSFER = "transfer", "Transfert vers un autre établissement"
    NOT_ELIGIBLE = "not_eligible", "Conditions d'éligibilité non réunies"
    OTHER = "other", "Autre motif (précisé)"


class AgreementParty(models.TextChoices):
    """IAE-01: the three parties whose joint agreement admits a person outside the bounds."""

    PRISON_HEAD = "prison_head", "Chef d'établissement"
    SPIP = "spip", "SPIP"
    SIAE = "siae", "SIAE"


class Lead(models.TextChoices):
    """IAE-03: who leads a domain (the columns of the charter's table, seed 002 art. 4)."""

    CPIP = "cpip", "CPIP"
    SIAE = "siae", "Permanents de la SIAE (CIP et ET)"
    SHARED = "shared", "Intervention partagée"
    OTHER = "other", "Autre acteur"


# IAE-03: the rows of the charter's table (seed 002 art. 4), with the lead a site starts from.
# The charter leaves the cells blank ("à adapter"); these defaults follow the guide: links with
# the judge are the SPIP's alone (002 art. 4), health is the prison's health unit's.
CHARTER_DOMAINS: list[tuple[str, str, str]] = [
    ("Accès aux droits (CNI, accès aux services publics…)", Lead.SHARED, ""),
    ("Logement / hébergement", Lead.CPIP, ""),
    ("Santé / soins", Lead.OTHER, "Unité sanitaire de l'établissement"),
    ("Définition d'un projet professionnel / orientation professionnelle", Lead.SIAE, ""),
    ("Recherche d'emploi ou de stage de formation à la sortie", Lead.SIAE, ""),
    ("Formation", Lead.SIAE, ""),
    ("Mobilité", Lead.SHARED, ""),
    ("Préparation d'un aménagement de peine", Lead.CPIP, ""),
]


class ActionKind(models.TextChoices):
    """The exit tools of guide 003 §C.3, and trainings."""

    TRAINING = "training", "Formation"
    CLEA = "clea", "Certification CléA"
    CERTIFICATION = "certification", "Autre certification ou diplôme"
    PMSMP = "pmsmp", "Période de mise en situation en milieu professionnel (PMSMP)"
    SKILLS_ASSESSMENT = "skills_assessment", "Bilan de compétences"
    VAE = "vae", "Validation des acquis de l'expérience (VAE)"


CERTIFYING_ACTIONS = {ActionKind.CLEA, ActionKind.CERTIFICATION, ActionKind.VAE}


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    DONE = "done", "Réalisée"
    OBTAINED = "obtained", "Certification obtenue"
    NOT_OBTAINED = "not_obtained", "Certification non obtenue"
    CANCELLED = "cancelled", "Annulée"


class SkillFamily(models.TextChoices):
    BEHAVIOURAL = "behavioural", "Compétences comportementales (savoir-être)"
    TECHNICAL = "technical", "Compétences techniques de l'activité"
    CLEA = "clea", "Domaines du certificat CléA"


class SkillLevel(models.IntegerChoices):
    NOT_ACQUIRED = 1, "Non acquis"
    IN_PROGRESS = 2, "En cours d'acquisition"
    ACQUIRED = 3, "Acquis"
    MASTERED = 4, "Maîtrisé"


class AssessmentKind(models.TextChoices):
    ENTRY = "entry", "Évaluation d'entrée"
    FOLLOW_UP = "follow_up", "Évaluation de suivi"
    EXIT = "exit", "Évaluation de sortie"


# IAE-05: the referential every site shares (CléA's 7 domains, as the certificate names them).
COMMON_SKILLS: list[tuple[str, str]] = [
    (SkillFamily.BEHAVIOURAL, "Ponctualité et assiduité"),
    (SkillFamily.BEHAVIOURAL, "Respect des consignes et des règles de l'atelier"),
    (SkillFamily.BEHAVIOURAL, "Travail en équipe"),
    (SkillFamily.BEHAVIOURAL, "Communication avec l'encadrement"),
    (SkillFamily.BEHAVIOURAL, "Autonomie dans les tâches confiées"),
    (SkillFamily.BEHAVIOURAL, "Soin du matériel et du poste de travail"),
    (SkillFamily.CLEA, "Communiquer en français"),
    (SkillFamily.CLEA, "Utiliser les règles de base de calcul et du raisonnement mathématique"),
    (SkillFamily.CLEA, "Utiliser les techniques usuelles de l'information et du numérique"),
    (SkillFamily.CLEA, "Travailler dans le cadre de règles définies d'un travail en équipe"),
    (SkillFamily.CLEA, "Travailler en autonomie et réaliser un objectif individuel"),
    (SkillFamily.CLEA, "Apprendre à apprendre tout au long de la vie"),
    (
        SkillFamily.CLEA,
        "Maîtriser les gestes et postures, respecter les règles d'hygiène, de sécurité et "
        "environnementales élémentaires",
    ),
]


class ExitOutcome(models.TextChoices):
    """IAE-06, IAE-08: what the person has lined up at the end of the parcours."""

    EMPLOYMENT = "employment", "Emploi (CDI, CDD, intérim)"
    SIAE_OUTSIDE = "siae_outside", "Contrat en SIAE à l'extérieur"
    TRAINING = "training", "Formation qualifiante"
    JOB_SEARCH = "job_search", "Recherche d'emploi accompagnée"
    NONE = "none", "Aucune solution à ce jour"


POSITIVE_OUTCOMES = {ExitOutcome.EMPLOYMENT, ExitOutcome.SIAE_OUTSIDE, ExitOutcome.TRAINING}


class ContactKind(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    EMPLOYER = "employer", "Employeur"
    TRAINING_BODY = "training_body", "Organisme de formation"
    OTHER = "other", "Autre"
