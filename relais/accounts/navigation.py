from django.urls import reverse

from .enums import Role

# Menu entries per role: (label, url name). Views still check access themselves.
_REQUESTS = ("Demandes", "requests:list")
_NEW_INSERTION = ("Nouvelle demande d'insertion / logement", "requests:create")
_NEW_EMERGENCY = ("Nouvel appel urgence", "requests:create_emergency")
_DIRECT_ADMISSION = ("Admission directe", "places:direct_admission")

MENUS: dict[str, list[tuple[str, str]]] = {
    Role.SIAO_OPERATOR: [_REQUESTS, _NEW_INSERTION, _NEW_EMERGENCY],
    Role.EMERGENCY_LINE: [_NEW_EMERGENCY, _REQUESTS],
    Role.SOCIAL_WORKER: [_REQUESTS, _NEW_INSERTION, _NEW_EMERGENCY],
    Role.CPIP: [_REQUESTS, _NEW_INSERTION],
    Role.STRUCTURE_MANAGER: [_DIRECT_ADMISSION, _REQUESTS],
    Role.TERRITORY_ADMIN: [_REQUESTS],
    Role.STATE_SERVICE: [],
    Role.SIAE_COACH: [],
}

# Who may create which kind of request (SIAO-05).
CAN_CREATE_INSERTION = {Role.SIAO_OPERATOR, Role.SOCIAL_WORKER, Role.CPIP}
CAN_CREATE_EMERGENCY = {Role.SIAO_OPERATOR, Role.EMERGENCY_LINE, Role.SOCIAL_WORKER}


def menu_for(user) -> list[dict]:
    entries = MENUS.get(user.role, [])
    return [{"label": label, "url": reverse(name)} for label, name in entries]
