"""JUS-05: the CPIP hears of every step of a request that prepares a release.

One place: every step of a request writes a RequestEvent (its transitions, the start of a
stay), so a receiver of that row's creation, connected in apps.py, sees them all — whatever
the page, command or job that took the step. A request linked to a detention
(`Request.detention`) tells the detention's CPIP or, without one, the SPIP's référent
hébergement-logement, while the judicial measure runs (JUS-13). The texts say what happened
and what comes next; never why a structure refused (the reason may touch on health) nor the
reason typed for a cancellation.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from relais.accounts.models import User
from relais.notifications.sending import notify
from relais.requests.enums import CloseReason, EventKind

from .models import Orientation
from .notifications import _followers

# The steps the structure's decision already tells the request's followers (notifications.
# decided): a CPIP among them is not told twice.
_DECISIONS = {EventKind.ADMITTED, EventKind.ORIENTATION_REFUSED}


def request_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of RequestEvent."""
    if not created or raw:
        return
    request = instance.request
    if request.detention_id is None:
        return
    orientation = None
    if orientation_id := (instance.data or {}).get("orientation"):
        orientation = Orientation.objects.select_related("structure").get(pk=orientation_id)
    step = _step(instance, request, orientation)
    if step is None:
        return
    subject, text = step
    recipients = cpip_recipients(request.detention)
    if instance.kind in _DECISIONS and orientation is not None:
        told = {user.pk for user in _followers(request)} | {orientation.created_by_id}
        recipients = [user for user in recipients if user.pk not in told]
    if not recipients:
        return
    notify(
        recipients,
        subject=f"Demande n° {request.pk} — {subject}",
        message=f"{request.person}, demande d'hébergement n° {request.pk} : {text}",
        mail=f"Demande d'hébergement n° {request.pk} (personne détenue suivie par votre SPIP) : "
        f"{text}",
        link=reverse("justice:letter", args=[request.detention_id]),
        link_label="Voir la lettre d'information à remettre à la personne",
        request_id=request.pk,
        orientation=orientation,
    )


def cpip_recipients(detention) -> list[User]:
    """Who the SPIP side is told through: the detention's CPIP, else the SPIP's référent
    hébergement-logement; nobody once the judicial measure has ended (JUS-13)."""
    if not detention.measure_runs():
        return []
    cpip = detention.cpip
    if cpip is not None and cpip.is_active and cpip.organisation_id == detention.spip_id:
        return [cpip]
    referent = detention.spip.referent
    if referent is not None and referent.is_active:
        return [referent]
    return []


def _day(value) -> str:
    return date_format(value, "j F Y")


def _window(orientation) -> str:
    if orientation.window_ends_on:
        return f"du {_day(orientation.window_starts_on)} au {_day(orientation.window_ends_on)}"
    return f"à partir du {_day(orientation.window_starts_on)}"


def _step(event, request, orientation) -> tuple[str, str] | None:
    """(subject, sentence) of the step `event` records, or None for a fact the CPIP need not
    hear of (an edit)."""
    kind = event.kind
    structure = f"« {orientation.structure} »" if orientation is not None else "la structure"
    match kind:
        case EventKind.CREATED:
            return "demande reçue", "le SIAO a reçu la demande ; elle va être évaluée."
        case EventKind.UPDATED if "detention" in (event.data or {}).get("fields", []):
            return "demande reçue", "le SIAO a reçu la demande ; elle va être évaluée."
        case EventKind.EVALUATED:
            return (
                "demande évaluée",
                "l'évaluation sociale est validée ; le SIAO cherche une place adaptée.",
            )
        case EventKind.PREPOSITIONED:
            return (
                "demande orientée",
                f"le SIAO oriente la demande vers {structure}, où elle attend qu'une place se "
                "libère.",
            )
        case EventKind.ORIENTED if orientation is not None and orientation.window_starts_on:
            return (
                "place réservée",
                f"le SIAO réserve une place à {structure} {_window(orientation)} pour la "
                "sortie ; la structure doit confirmer la pré-admission.",
            )
        case EventKind.ORIENTED:
            return (
                "demande orientée",
                f"le SIAO propose une place à {structure} ; la structure doit donner sa réponse.",
            )
        case EventKind.ADMITTED if orientation is not None and orientation.window_starts_on:
            return (
                "pré-admission acceptée",
                f"{structure} pré-admet la personne : la place est réservée "
                f"{_window(orientation)}.",
            )
        case EventKind.ADMITTED:
            return "admission acceptée", f"{structure} accepte d'accueillir la personne."
        case EventKind.DIRECT_ADMISSION:
            return "admission", f"la personne est accueillie à {structure}."
        case EventKind.STAY_STARTED:
            day = _day(timezone.localdate(event.occurred_at))
            return "arrivée", f"la personne est arrivée à {structure} le {day}."
        case EventKind.ORIENTATION_REFUSED:
            return (
                "admission refusée",
                f"{structure} ne peut pas accueillir la personne ; le SIAO cherche une autre "
                "solution.",
            )
        case EventKind.ORIENTATION_CANCELLED:
            return (
                "orientation annulée",
                f"l'orientation vers {structure} est annulée ; le SIAO cherche une autre solution.",
            )
        case EventKind.STAY_ENDED:
            return "fin de séjour", f"le séjour à {structure} a pris fin."
        case EventKind.CLOSED:
            reason = request.close_reason
            why = (
                f" ({CloseReason(reason).label.lower()})"
                if reason in CloseReason.values and reason != CloseReason.OTHER
                else ""
            )
            return "demande clôturée", f"la demande est clôturée{why}."
        case _:
            return None
