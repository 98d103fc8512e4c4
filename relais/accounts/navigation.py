from django.urls import reverse

from .enums import Role

# Menu entries per role: (label, url name). Views still check access themselves.
_REQUESTS = ("Demandes", "requests:list")
_IDENTITY_REVIEW = ("Doublons à examiner", "identity:review_queue")
_NEW_INSERTION = ("Nouvelle demande d'insertion / logement", "requests:create")
_NEW_EMERGENCY = ("Nouvel appel urgence", "requests:create_emergency")
_DIRECT_ADMISSION = ("Admission directe", "places:direct_admission")
_ACCESS_SEARCH = ("Dossier d'un autre service", "access:search")
_ACCESS_REVIEW = ("Accès sur demande", "access:list")
_ACCOUNTS = ("Comptes", "accounts:list")
_API_TOKENS = ("Logiciels partenaires (API)", "apitokens:list")
_STRUCTURES = ("Structures", "places:list")
_MY_STRUCTURES = ("Mes structures", "places:list")
_VACANCIES = ("Places libres", "places:vacancies")
_ORIENTATIONS = ("Orientations", "orientations:list")
_HOSTED = ("Personnes hébergées", "places:hosted")
_NOTIFICATIONS = ("Notifications", "notifications:list")
_INDICATORS = ("Indicateurs", "indicators:dashboard")
_AUDIT = ("Journal d'audit", "audit:search")
_DETENTIONS = ("Personnes détenues", "justice:list")
_JUSTICE_DIRECTORY = ("Annuaire justice", "justice:directory")
_RELEASES = ("Sorties de détention", "releases:pipeline")
_TERRITORY_SETTINGS = ("Paramètres du territoire", "accounts:territory")
_IMPLANTATION = ("Implantation SIAE", "implantation:list")
_PARCOURS = ("Parcours IAE", "iae:list")
_CPU = ("Séances de CPU", "iae:cpu_list")
_IAE_INDICATORS = ("Indicateurs IAE", "iae:indicators")
_IAE_SITES = ("Sites d'insertion", "iae:site_list")
_FORECAST = ("Prévision des besoins en places", "indicators:forecast")
_OFFER = ("Offre de places", "indicators:offer")
_COMMISSION = ("Commission justice", "commission:list")
# AVDL Justice (JUS-11): the SIAO's measures; a designated worker's own caseload.
_AVDL = ("Mesures AVDL Justice", "avdl:list")
_MY_AVDL = ("Mes mesures AVDL", "avdl:mine")
# EXIT-01: the plans of the exits the user takes part in.
_EXIT_PLANS = ("Plans de sortie", "exitplan:list")
# OPS-02: CSV imports, for who may create the same records on screen.
_IMPORT_REQUESTS = ("Importer des demandes", "imports:requests")
_IMPORT_STRUCTURES = ("Importer des structures", "imports:structures")
_PE_AGREEMENTS = ("Conventions de placement à l'extérieur", "places:agreements")

MENUS: dict[str, list[tuple[str, str]]] = {
    Role.SIAO_OPERATOR: [
        (
            "Demandes",
            [
                _REQUESTS,
                _NEW_INSERTION,
                _NEW_EMERGENCY,
                _IMPORT_REQUESTS,
                _IDENTITY_REVIEW,
                _ACCESS_REVIEW,
            ],
        ),
        (
            "Places et orientations",
            [_VACANCIES, _ORIENTATIONS, _HOSTED, _STRUCTURES, _IMPORT_STRUCTURES],
        ),
        (
            "Justice",
            [
                _RELEASES,
                _EXIT_PLANS,
                _DETENTIONS,
                _COMMISSION,
                _AVDL,
                _JUSTICE_DIRECTORY,
                _FORECAST,
                _OFFER,
                _PE_AGREEMENTS,
            ],
        ),
        ("Pilotage", [_INDICATORS, _AUDIT]),
        _NOTIFICATIONS,
    ],
    Role.EMERGENCY_LINE: [_NEW_EMERGENCY, _REQUESTS, _JUSTICE_DIRECTORY, _NOTIFICATIONS],
    Role.SOCIAL_WORKER: [
        _REQUESTS,
        _NEW_INSERTION,
        _NEW_EMERGENCY,
        _IMPORT_REQUESTS,
        _ACCESS_SEARCH,
        _NOTIFICATIONS,
    ],
    Role.CPIP: [
        ("Sorties", [_RELEASES, _EXIT_PLANS]),
        _DETENTIONS,
        _COMMISSION,
        ("Demandes", [_REQUESTS, _NEW_INSERTION, _IMPORT_REQUESTS]),
        _ACCESS_SEARCH,
        _JUSTICE_DIRECTORY,
        ("Prévisions et offre", [_FORECAST, _OFFER]),
        _PE_AGREEMENTS,
        ("Insertion (IAE)", [_PARCOURS, _CPU, _IAE_SITES, _IAE_INDICATORS, _IMPLANTATION]),
        _NOTIFICATIONS,
    ],
    Role.STRUCTURE_MANAGER: [
        _MY_STRUCTURES,
        _ORIENTATIONS,
        _HOSTED,
        _DIRECT_ADMISSION,
        _REQUESTS,
        _NOTIFICATIONS,
    ],
    Role.TERRITORY_ADMIN: [
        _ACCOUNTS,
        _API_TOKENS,
        _TERRITORY_SETTINGS,
        ("Structures", [_STRUCTURES, _IMPORT_STRUCTURES]),
        _JUSTICE_DIRECTORY,
        _IMPLANTATION,
        _AUDIT,
    ],
    Role.STATE_SERVICE: [
        _INDICATORS,
        _IAE_INDICATORS,
        _FORECAST,
        _OFFER,
        _JUSTICE_DIRECTORY,
        _IMPLANTATION,
    ],
    Role.SIAE_COACH: [_PARCOURS, _EXIT_PLANS, _IAE_INDICATORS, _IMPLANTATION, _NOTIFICATIONS],
    Role.SIAE_SUPERVISOR: [_PARCOURS, _EXIT_PLANS, _IAE_INDICATORS, _IMPLANTATION, _NOTIFICATIONS],
    Role.PRISON_STAFF: [
        _PARCOURS,
        _CPU,
        _IAE_SITES,
        _IAE_INDICATORS,
        _IMPLANTATION,
        _NOTIFICATIONS,
    ],
}

# Who may create which kind of request (SIAO-05).
CAN_CREATE_INSERTION = {Role.SIAO_OPERATOR, Role.SOCIAL_WORKER, Role.CPIP}
CAN_CREATE_EMERGENCY = {Role.SIAO_OPERATOR, Role.EMERGENCY_LINE, Role.SOCIAL_WORKER}


# A superuser has no role: the SIAO's tools, plus the accounts.
SUPERUSER_MENU = [*MENUS[Role.SIAO_OPERATOR], _ACCOUNTS]

Entry = tuple[str, str] | tuple[str, list[tuple[str, str]]]


def menu_for(user) -> list[dict]:
    """The header menu: links, and groups of links shown as drop-down menus."""
    entries: list[Entry] = (
        SUPERUSER_MENU if user.is_superuser and not user.role else MENUS.get(user.role, [])
    )
    if _is_avdl_worker(user):
        entries = [*entries[:-1], _MY_AVDL, *entries[-1:]] if entries else [_MY_AVDL]
    return [_menu_entry(label, target) for label, target in entries]


def _is_avdl_worker(user) -> bool:
    """A user of the SIAO designated as AVDL Justice worker (no role of its own)."""
    from relais.avdl.models import WORKER_ROLES, Worker

    if user.role not in WORKER_ROLES:
        return False
    return Worker.objects.filter(user_id=user.pk, designated=True).exists()


def _menu_entry(label: str, target) -> dict:
    if isinstance(target, list):
        return {"label": label, "url": "", "children": [_menu_entry(*item) for item in target]}
    return {"label": label, "url": reverse(target), "children": []}
