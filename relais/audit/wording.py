"""The audit log in words a reader understands: what an object is, what a detail says, a
value as the form showed it. Rows keep machine keys (their hash covers them); pages, exports
and e-mails read them through here."""

import datetime as dt
import re
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.forms import BoundField, ModelChoiceField
from django.utils import formats, timezone

# What a detail key means (relais views write these keys).
DETAIL_LABELS = {
    "page": "page",
    "filters": "filtres",
    "page_number": "page n°",
    "event": "action",
    "transition": "étape",
    "orientation": "orientation n°",
    "merge": "fusion n°",
    "merged_person": "personne fusionnée n°",
    "moved": "éléments rattachés",
    "access_grant": "accès sur demande n°",
    "expires_at": "jusqu'au",
    "revoked": "retiré",
    "format": "format",
    "added_person_ids": "personnes ajoutées n°",
    "indicateurs": "indicateurs",
    "territoire": "territoire",
    "transmission": "transmission",
    "bilan": "bilan",
    "debut": "début",
    "fields": "champs",
    # list filters (requests, audit)
    "channel": "filière",
    "status": "statut",
    "territory": "territoire n°",
    "referrer": "service n°",
    "q": "recherche",
    "username": "utilisateur",
    "person_id": "personne n°",
    "action": "action",
    "start": "du",
    "end": "au",
}
# What a recorded event is, when it is not a transition's name (which has its own label).
EVENT_LABELS = {
    "created": "création",
    "evaluated": "évaluation validée",
    "closed": "clôture",
    "direct_admission": "admission directe",
    "attribute": "place attribuée",
    "preposition": "prépositionnement",
    # JUS-03
    "pe_agreement_saved": "convention de placement à l'extérieur enregistrée",
    "pe_agreement_document": "convention signée téléchargée",
    "pe_placement": "placement à l'extérieur",
    # EXIT-01
    "exit_plan_opened": "plan de sortie ouvert",
    "exit_plan_first_night": "accueil du premier soir renseigné",
    "exit_plan_stabilised": "plan de sortie clos (situation stabilisée)",
    "exit_plan_reopened": "plan de sortie rouvert",
    "exit_item_added": "élément ajouté au plan de sortie",
    "exit_item_details": "précisions d'un élément du plan de sortie",
    "exit_item_started": "démarche commencée",
    "exit_item_done": "démarche faite",
    "exit_item_not_needed": "démarche sans objet",
    "exit_item_reopened": "démarche rouverte",
}
# The pages whose reads are logged, as their reader knows them.
PAGE_LABELS = {
    "home": "accueil",
    # JUS-03
    "places:agreement": "convention de placement à l'extérieur",
    "places:agreements": "conventions de placement à l'extérieur",
    "places:agreement_placement": "placement à l'extérieur",
    "requests:list": "liste des demandes",
    "requests:detail": "fiche de la demande",
    "requests:edit": "modification de la demande",
    "requests:evaluation": "évaluation sociale",
    "requests:evaluation_print": "impression de l'évaluation",
    "requests:household_add": "ajout au ménage",
    "requests:close": "clôture de la demande",
    "identity:review_queue": "doublons à examiner",
    "identity:entry_candidates": "personnes déjà connues",
    "identity:pair": "examen d'un doublon",
    "identity:merge": "fusion de personnes",
    "places:structure": "fiche de la structure",
    "places:hosted": "personnes hébergées",
    "places:direct_admission": "admission directe",
    "orientations:list": "liste des orientations",
    "orientations:detail": "fiche de l'orientation",
    "orientations:suggestions": "places proposées",
    "places:agreement_document": "convention signée",
    "commission:detail": "commission justice",
    "commission:minutes": "compte rendu de la commission justice",
    # EXIT-03
    "exitplan:paper": "document de sortie remis à la personne",
    "avdl:list": "mesures AVDL Justice",
    "avdl:detail": "mesure AVDL Justice",
    "avdl:caseload": "mesures d'un travailleur AVDL",
    "avdl:mine": "mes mesures AVDL",
    "exitplan:list": "plans de sortie",
    "exitplan:plan": "plan de sortie",
    "notifications:list": "notifications",
    "access:list": "accès sur demande",
    "access:create": "demande d'accès",
    "privacy:export": "droit d'accès",
    "privacy:rectifications": "rectifications",
    "privacy:notice": "information de la personne",
    "audit": "journal d'audit",
    "admin:persons_person_changelist": "administration des personnes",
    "admin:persons_person_change": "administration d'une personne",
}


def object_label(object_type: str) -> str:
    """ "request" → "Demande", "householdmember" → "Membre du ménage"."""
    for model in apps.get_models():
        if model._meta.model_name == object_type and model.__module__.startswith("relais."):
            return str(model._meta.verbose_name).capitalize()
    return "Personne" if object_type == "person" else object_type


def page_label(view_name: str) -> str:
    """A URL name ("requests:detail") as the title a reader knows."""
    return PAGE_LABELS.get(view_name) or view_name.rpartition(":")[2].replace("_", " ")


def value_label(value) -> str:
    """A stored value in French: Oui/Non, dates as on the page, lists joined, nothing as "—"."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, dict):
        return " ; ".join(f"{DETAIL_LABELS.get(k, k)} : {value_label(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_label(v) for v in value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float):
        return formats.number_format(value)
    if isinstance(value, str):
        return _text_value(value)
    return str(value)


def _text_value(value: str) -> str:
    """Values stored as JSON text (DjangoJSONEncoder): ISO dates and times, decimals."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?", value):
            return value_label(dt.datetime.fromisoformat(value))
        if re.fullmatch(r"-?\d+\.\d+", value):
            return formats.number_format(Decimal(value))
    except ValueError:
        pass
    return value


def shown(bound: BoundField, value) -> str:
    """A form value as the form shows it: a choice by its label, an instance by its name."""
    field = bound.field
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(shown(bound, item) for item in value)
    if (
        isinstance(field, ModelChoiceField)
        and value not in (None, "")
        and not isinstance(value, models.Model)
    ):
        value = field.queryset.filter(pk=value).first() or value
    if isinstance(value, models.Model):
        return str(value)
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field, ModelChoiceField) and value not in (None, ""):
        labels = dict(_flat(choices))
        if str(value) in labels:
            return str(labels[str(value)])
    return value_label(value)


def _flat(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat(label)
        else:
            yield str(key), label


def detail_summary(detail: dict) -> str:
    """The detail of a row other than its changes, as a short French sentence."""
    if not isinstance(detail, dict):
        return value_label(detail)
    parts = []
    for key, value in detail.items():
        if key in ("changes", "labels"):
            continue
        if key == "page" and isinstance(value, str):
            value = page_label(value)
        elif key in ("event", "transition") and isinstance(value, str):
            value = EVENT_LABELS.get(value) or _event_label(value)
        elif key == "filters" and isinstance(value, dict):
            value = _filters_label(value)
        label = DETAIL_LABELS.get(key, key.replace("_", " "))
        joint = " " if label.endswith("n°") else " : "
        parts.append(f"{label}{joint}{value_label(value)}")
    return ", ".join(parts)


def _filters_label(filters: dict) -> str:
    from relais.requests.enums import Channel, RequestStatus

    from .enums import Action

    kinds = {"channel": Channel, "status": RequestStatus, "action": Action}
    parts = []
    for key, value in filters.items():
        if value in ("", None, [], {}):
            continue
        if key in kinds and value in kinds[key].values:
            value = kinds[key](value).label
        parts.append(f"{DETAIL_LABELS.get(key, key.replace('_', ' '))} « {value_label(value)} »")
    return "(" + ", ".join(parts) + ")" if parts else "aucun"


def _event_label(name: str) -> str:
    from relais.orientations.enums import OrientationEventKind
    from relais.requests.enums import EventKind

    for kind in (OrientationEventKind, EventKind):
        try:
            return str(kind(name).label).lower()
        except ValueError:
            continue
    return name.replace("_", " ")
