"""The exit plan's vocabulary (EXIT-01): its states, its items and who owns them."""

from dataclasses import dataclass

from django.db import models

from relais.requests.sensitivity import HEALTH, JUSTICE


class PlanState(models.TextChoices):
    OPEN = "open", "En cours"
    STABILISED = "stabilised", "Situation stabilisée"


class PlanEventKind(models.TextChoices):
    OPENED = "opened", "Plan de sortie ouvert"
    FIRST_NIGHT = "first_night", "Accueil du premier soir renseigné"
    STABILISED = "stabilised", "Situation stabilisée, plan clos"
    REOPENED = "reopened", "Plan rouvert"


class ItemState(models.TextChoices):
    TODO = "todo", "À faire"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Fait"
    NOT_NEEDED = "not_needed", "Sans objet"


# An item in one of these states no longer needs anything.
SETTLED = {ItemState.DONE, ItemState.NOT_NEEDED}
OPEN_ITEM_STATES = {ItemState.TODO, ItemState.IN_PROGRESS}


class ItemEventKind(models.TextChoices):
    PLANNED = "planned", "Élément prévu"
    STARTED = "started", "Démarche commencée"
    DONE = "done", "Fait"
    NOT_NEEDED = "not_needed", "Sans objet"
    REOPENED = "reopened", "Rouvert"
    DETAILS = "details", "Précisions modifiées"


class Domain(models.TextChoices):
    """The parts of the plan; the housing is read from the request, not an item."""

    HOUSING = "housing", "Hébergement"
    WORK = "work", "Travail"
    RIGHTS = "rights", "Droits et rendez-vous"


class Owner(models.TextChoices):
    """Who leads an item (from the site's who-leads-what matrix, IAE-03; the SPIP by
    default)."""

    SPIP = "spip", "SPIP"
    SIAE = "siae", "SIAE"
    SHARED = "shared", "SPIP et SIAE"
    OTHER = "other", "Autre acteur (suivi par le SPIP)"


class ItemKind(models.TextChoices):
    IDENTITY_DOCUMENT = "identity", "Pièce d'identité valide"
    HEALTH_INSURANCE = "puma", "Assurance maladie (PUMa) à jour"
    COMPLEMENTARY_HEALTH = "css", "Complémentaire santé solidaire renouvelée"
    RSA = "rsa", "Réouverture du RSA demandée à la CAF"
    AAH = "aah", "Reprise de l'AAH à taux plein demandée"
    BANK_ACCOUNT = "bank", "Compte bancaire"
    POSTAL_ADDRESS = "domiciliation", "Adresse postale (domiciliation)"
    APPOINTMENT_SPIP = "rdv_spip", "Premier rendez-vous au SPIP (milieu ouvert)"
    APPOINTMENT_CCAS = "rdv_ccas", "Premier rendez-vous au CCAS"
    APPOINTMENT_CAF = "rdv_caf", "Premier rendez-vous à la CAF"
    APPOINTMENT_FRANCE_TRAVAIL = "rdv_ft", "Premier rendez-vous à France Travail"
    JOB_OR_TRAINING = "job", "Emploi ou formation prévu à la sortie"
    FRANCE_TRAVAIL = "ft", "Inscription à France Travail"


# Rows of the charter's who-leads-what table (relais.iae.enums.CHARTER_DOMAINS) an item
# follows: its domain text.
RIGHTS_ROW = "Accès aux droits (CNI, accès aux services publics…)"
JOB_ROW = "Recherche d'emploi ou de stage de formation à la sortie"


@dataclass(frozen=True)
class ItemSpec:
    domain: str
    # Due this many days before the release date.
    lead_days: int
    # The row of the site's matrix that names the owner; None: always the SPIP.
    matrix_row: str | None
    # A sensitive category the item reveals (relais.requests.sensitivity), or None.
    category: str | None = None
    appointment: bool = False
    # What the person holds once the item is done (EXIT-03), or "" for none.
    document: str = ""
    # Created with every plan; the others are added when they apply.
    default: bool = True


ITEMS: dict[str, ItemSpec] = {
    ItemKind.IDENTITY_DOCUMENT: ItemSpec(
        Domain.RIGHTS, 90, RIGHTS_ROW, document="Carte d'identité ou titre de séjour"
    ),
    ItemKind.HEALTH_INSURANCE: ItemSpec(
        Domain.RIGHTS, 45, RIGHTS_ROW, category=HEALTH, document="Attestation d'assurance maladie"
    ),
    ItemKind.COMPLEMENTARY_HEALTH: ItemSpec(
        Domain.RIGHTS,
        45,
        RIGHTS_ROW,
        category=HEALTH,
        document="Attestation de complémentaire santé solidaire",
    ),
    ItemKind.RSA: ItemSpec(Domain.RIGHTS, 30, RIGHTS_ROW, document="Récépissé de demande de RSA"),
    ItemKind.AAH: ItemSpec(
        Domain.RIGHTS,
        30,
        RIGHTS_ROW,
        category=HEALTH,
        document="Courrier de la CAF pour l'AAH",
        default=False,
    ),
    ItemKind.BANK_ACCOUNT: ItemSpec(
        Domain.RIGHTS, 30, RIGHTS_ROW, document="Relevé d'identité bancaire (RIB)"
    ),
    ItemKind.POSTAL_ADDRESS: ItemSpec(
        Domain.RIGHTS, 30, RIGHTS_ROW, document="Attestation de domiciliation"
    ),
    ItemKind.APPOINTMENT_SPIP: ItemSpec(
        Domain.RIGHTS, 14, None, category=JUSTICE, appointment=True
    ),
    ItemKind.APPOINTMENT_CCAS: ItemSpec(Domain.RIGHTS, 14, RIGHTS_ROW, appointment=True),
    ItemKind.APPOINTMENT_CAF: ItemSpec(Domain.RIGHTS, 14, RIGHTS_ROW, appointment=True),
    ItemKind.APPOINTMENT_FRANCE_TRAVAIL: ItemSpec(Domain.WORK, 14, JOB_ROW, appointment=True),
    ItemKind.JOB_OR_TRAINING: ItemSpec(Domain.WORK, 14, JOB_ROW, document=""),
    ItemKind.FRANCE_TRAVAIL: ItemSpec(
        Domain.WORK, 30, JOB_ROW, document="Attestation d'inscription à France Travail"
    ),
}
DEFAULT_KINDS = [kind for kind, spec in ITEMS.items() if spec.default]
OPTIONAL_KINDS = [kind for kind, spec in ITEMS.items() if not spec.default]

# The plan opens by itself this many days before the release date (the longest lead time
# and a margin), through the daily job; a partner may open it earlier.
OPENS_DAYS_BEFORE = 120
