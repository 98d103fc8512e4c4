"""Who is told what when an orientation moves (SIAO-13, SIAO-15).

Each notice goes through relais.notifications (in-app and e-mail, once the transaction
commits). E-mails name no person: they point to the request in Relais, where access rules
apply.
"""

from django.urls import reverse

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import User
from relais.core.text import count_of
from relais.notifications.sending import notify
from relais.requests import sensitivity
from relais.requests.enums import Channel


def attributed(orientation) -> None:
    """SIAO-13/14: the structure learns that a place is attributed and what it must do."""
    request = orientation.request
    if orientation.can_be_refused:
        todo = "Merci d'indiquer votre décision d'admission (acceptation ou refus motivé)."
    else:
        todo = "Orientation d'urgence : la structure ne peut pas la refuser. Merci d'accueillir la personne."
    _send(
        orientation,
        recipients=_structure_managers(orientation),
        extra_emails=[orientation.structure.email],
        subject=f"Place attribuée — demande n° {request.pk}",
        message=(
            f"Le SIAO attribue une place ({orientation.capacity.get_place_type_display().lower()}, "
            f"{count_of(orientation.places, 'personne')}) de « {orientation.structure} » à "
            f"{request.person}. {todo}"
        ),
        mail=(
            f"Le SIAO attribue une place de « {orientation.structure} » "
            f"({count_of(orientation.places, 'personne')}) à la demande n° {request.pk}. {todo}"
        ),
    )


def prepositioned(orientation) -> None:
    request = orientation.request
    _send(
        orientation,
        recipients=_structure_managers(orientation),
        extra_emails=[orientation.structure.email],
        subject=f"Demande en attente d'une place — demande n° {request.pk}",
        message=(
            f"Le SIAO prépositionne {request.person} ({count_of(orientation.places, 'personne')}) sur "
            f"« {orientation.structure} » : la demande attend qu'une place s'y libère."
        ),
        mail=(
            f"Le SIAO prépositionne la demande n° {request.pk} "
            f"({count_of(orientation.places, 'personne')}) sur « {orientation.structure} » : elle attend qu'une place s'y libère."
        ),
    )


def reserved(orientation) -> None:
    """JUS-06: the structure learns that a place is reserved for a window and that it
    pre-admits (accepts, or refuses with a reason)."""
    request = orientation.request
    window = f"du {orientation.window_starts_on:%d/%m/%Y} au {orientation.window_ends_on:%d/%m/%Y}"
    todo = "Merci d'indiquer votre décision de préadmission (acceptation ou refus motivé)."
    _send(
        orientation,
        recipients=_structure_managers(orientation),
        extra_emails=[orientation.structure.email],
        subject=f"Place réservée sur une période — demande n° {request.pk}",
        message=(
            f"Le SIAO réserve une place ({orientation.capacity.get_place_type_display().lower()}, "
            f"{count_of(orientation.places, 'personne')}) de « {orientation.structure} » pour "
            f"{request.person}, {window}, autour de sa date de sortie de détention. {todo}"
        ),
        mail=(
            f"Le SIAO réserve une place de « {orientation.structure} » "
            f"({count_of(orientation.places, 'personne')}) pour la demande n° {request.pk}, "
            f"{window}. {todo}"
        ),
    )


def window_changed(orientation) -> None:
    """JUS-06: the structure learns the new window of a reservation."""
    request = orientation.request
    window = f"du {orientation.window_starts_on:%d/%m/%Y} au {orientation.window_ends_on:%d/%m/%Y}"
    _send(
        orientation,
        recipients=_structure_managers(orientation),
        extra_emails=[orientation.structure.email],
        subject=f"Nouvelle période de réservation — demande n° {request.pk}",
        message=(
            f"La date de sortie de {request.person} a changé : la place réservée dans "
            f"« {orientation.structure} » l'est désormais {window}."
        ),
        mail=(
            f"La place réservée dans « {orientation.structure} » pour la demande "
            f"n° {request.pk} l'est désormais {window}."
        ),
    )


def decided(orientation) -> None:
    """SIAO-15: the referring social worker, the 115 (urgence) and the SIAO operator learn of
    an affectation or a refusal. Why a structure refused is for who reads the decision
    (SIAO-20): the others learn that it refused, and no e-mail says why."""
    request = orientation.request
    if orientation.state == "admitted":
        outcome = f"admission acceptée par « {orientation.structure} » (affectation)"
    else:
        outcome = f"admission refusée par « {orientation.structure} »"
    recipients = _followers(request)
    if orientation.created_by_id:
        recipients.append(orientation.created_by)
    readers = [user for user in recipients if sensitivity.reads_decisions(user, request)]
    others = [user for user in recipients if user not in readers]
    why = orientation.refusal_for(readers[0]) if readers else ""
    for group, told in ((readers, f"{outcome} — {why}" if why else outcome), (others, outcome)):
        if group:
            _send(
                orientation,
                recipients=group,
                subject=f"Décision d'admission — demande n° {request.pk}",
                message=f"{request.person} : {told}.",
                mail=f"Demande n° {request.pk} : {outcome}.",
            )


def cancelled(orientation) -> None:
    request = orientation.request
    _send(
        orientation,
        recipients=_structure_managers(orientation),
        subject=f"Orientation annulée — demande n° {request.pk}",
        message=(
            f"L'orientation de {request.person} vers « {orientation.structure} » est annulée : "
            f"{orientation.cancel_reason}"
        ),
        mail=(
            f"L'orientation de la demande n° {request.pk} vers « {orientation.structure} » "
            "est annulée."
        ),
    )


def place_freed(*, capacity, cause: str, **kwargs) -> None:
    """SIAO-12: places freed where requests are pre-positioned: the SIAO is told, and which
    request the waiting list serves first. Nothing when no waiting household fits them."""
    from .models import Orientation  # the receiver of a signal sent by models

    vacant = capacity.vacant_places()
    queue = list(
        Orientation.objects.filter(capacity_id=capacity.pk)
        .waiting_list()
        .select_related("request__person", "structure")
    )
    first = next((o for o in queue if o.places <= vacant), None)
    if first is None:
        return
    structure = first.structure
    waiting = count_of(
        len(queue), "demande prépositionnée y attend", "demandes prépositionnées y attendent"
    )
    places = count_of(vacant, "place libre")
    request = first.request
    notify(
        _siao_operators(structure.territory_id),
        subject=f"Place libérée — « {structure} »",
        message=(
            f"« {structure} » ({capacity.get_place_type_display().lower()}) : {cause}, "
            f"{places}. {waiting} ; la plus ancienne, à servir en premier : {request.person}, "
            f"demande n° {request.pk} du {request.requested_on:%d/%m/%Y}."
        ),
        mail=(
            f"« {structure} » ({capacity.get_place_type_display().lower()}) : {cause}, "
            f"{places}. {waiting} ; la plus ancienne, à servir en premier : demande "
            f"n° {request.pk} du {request.requested_on:%d/%m/%Y}."
        ),
        link=reverse("orientations:detail", args=[first.pk]),
        link_label="Voir la liste d'attente et attribuer la place",
        request_id=request.pk,
        orientation=first,
    )


def overdue(orientation, *, days: int) -> None:
    """An orientation waits beyond its territory's delay: the SIAO and the structure are told
    once (management command notify_overdue_orientations)."""
    request = orientation.request
    if orientation.state == "proposed":
        step = "attribuée, sans décision d'admission de la structure"
    else:
        step = "admission acceptée, sans arrivée enregistrée"
    since = f"depuis {count_of(days, 'jour')}"
    notify(
        _siao_operators(orientation.structure.territory_id) + _structure_managers(orientation),
        subject=f"Orientation sans suite — demande n° {request.pk}",
        message=(
            f"L'orientation de {request.person} vers « {orientation.structure} » est {step} "
            f"{since}. Merci de relancer ou de mettre à jour l'orientation."
        ),
        mail=(
            f"L'orientation de la demande n° {request.pk} vers « {orientation.structure} » "
            f"est {step} {since}. Merci de relancer ou de mettre à jour l'orientation."
        ),
        link=reverse("orientations:detail", args=[orientation.pk]),
        link_label="Voir l'orientation",
        request_id=request.pk,
        orientation=orientation,
    )


# -- recipients -------------------------------------------------------------------------------


def _siao_operators(territory_id: int) -> list[User]:
    return list(
        User.objects.filter(
            organisation__territory_id=territory_id,
            organisation__kind=OrganisationKind.SIAO,
            role=Role.SIAO_OPERATOR,
            is_active=True,
        )
    )


def _structure_managers(orientation) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=orientation.structure.manager_id,
            role=Role.STRUCTURE_MANAGER,
            is_active=True,
        )
    )


def _followers(request) -> list[User]:
    """The referrer (or, without one, the referring service's workers) and, for urgence, the
    territory's 115."""
    if request.referrer_id and request.referrer.is_active:
        people = [request.referrer]
    else:
        people = list(
            User.objects.filter(
                organisation_id=request.referrer_organisation_id,
                role__in=[Role.SOCIAL_WORKER, Role.CPIP, Role.EMERGENCY_LINE],
                is_active=True,
            )
        )
    if request.channel == Channel.EMERGENCY:
        people += User.objects.filter(
            organisation__territory_id=request.territory_id,
            organisation__kind=OrganisationKind.EMERGENCY_LINE,
            role=Role.EMERGENCY_LINE,
            is_active=True,
        )
    return people


# -- sending ----------------------------------------------------------------------------------


def _send(
    orientation,
    *,
    recipients: list[User],
    subject: str,
    message: str,
    mail: str,
    extra_emails: list[str] = (),
) -> None:
    notify(
        recipients,
        subject=subject,
        message=message,
        mail=mail,
        link=reverse("requests:detail", args=[orientation.request_id]),
        link_label=f"Voir la demande n° {orientation.request_id}",
        extra_emails=extra_emails,
        request_id=orientation.request_id,
        orientation=orientation,
    )
