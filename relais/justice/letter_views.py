"""JUS-05: a one-page letter for a person in detention, who has no e-mail, saying in plain
French where their housing request stands. Printed by the SIAO or the CPIP and handed over.

It names the person, the establishment and the écrou number, and nothing else of the
judicial file: no offence, no sentence, no dates of the sentence."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.audit import reads
from relais.orientations.enums import OrientationState
from relais.releases.housing import Housing, Solution, housing_for

from .models import Detention


def _day(value) -> str:
    return date_format(value, "j F Y")


def letter_paragraphs(housing: Housing) -> list[str]:
    """Where the request stands, in a few sentences a person can read alone."""
    request, orientation = housing.request, housing.orientation
    structure = ""
    if orientation is not None:
        structure = f"« {orientation.structure} »"
        if orientation.structure.commune:
            structure += f" ({orientation.structure.commune})"
    match housing.solution:
        case Solution.NO_REQUEST:
            return [
                "Le SIAO n'a pas encore reçu de demande d'hébergement pour vous.",
                "Si vous avez besoin d'un hébergement à votre sortie, parlez-en à votre "
                "conseiller pénitentiaire d'insertion et de probation (CPIP) : il peut "
                "envoyer une demande au SIAO.",
            ]
        case Solution.TO_EVALUATE:
            return [
                f"Le SIAO a bien reçu votre demande d'hébergement le {_day(request.requested_on)}.",
                "Votre demande est en cours d'évaluation : le SIAO étudie votre situation et "
                "vos besoins pour chercher la solution la plus adaptée.",
            ]
        case Solution.EVALUATED:
            return [
                f"Le SIAO a bien reçu votre demande d'hébergement le "
                f"{_day(request.requested_on)}, et son évaluation est terminée.",
                "Le SIAO cherche maintenant une place adaptée à votre situation. Nous vous "
                "écrirons dès qu'une place vous sera proposée.",
            ]
        case Solution.REFUSED:
            return [
                "La structure à laquelle votre demande avait été proposée n'a pas pu vous "
                "accueillir.",
                "Votre demande reste active : le SIAO continue de chercher une solution pour "
                "vous. Nous vous écrirons dès qu'une autre place vous sera proposée.",
            ]
        case Solution.ORIENTED if orientation.state == OrientationState.WAITING:
            return [
                f"Le SIAO a inscrit votre demande sur la liste d'attente de {structure}.",
                "Une place vous sera proposée dès qu'elle se libérera. Nous vous écrirons à "
                "ce moment-là.",
            ]
        case Solution.ORIENTED:
            return [
                f"Le SIAO a proposé une place pour vous à {structure}.",
                "La structure doit maintenant donner sa réponse. Nous vous écrirons dès que "
                "nous la connaîtrons.",
            ]
        case Solution.RESERVED:
            window = f"à partir du {_day(orientation.window_starts_on)}"
            if orientation.window_ends_on:
                window = (
                    f"du {_day(orientation.window_starts_on)} au {_day(orientation.window_ends_on)}"
                )
            agreed = (
                "La structure a accepté de vous accueillir."
                if orientation.state == OrientationState.ADMITTED
                else "La structure doit encore confirmer qu'elle vous accueille."
            )
            return [
                f"Une place vous est réservée à {structure}, {window}, pour votre sortie.",
                agreed,
                "Si la date de votre sortie change, prévenez votre CPIP : le SIAO adaptera "
                "la réservation.",
            ]
        case Solution.ADMITTED if orientation.state == OrientationState.IN_STAY:
            return [
                f"Vous êtes accueilli(e) à {structure} depuis le "
                f"{_day(timezone.localdate(orientation.stay_started_at))}.",
            ]
        case _:  # Solution.ADMITTED
            return [
                f"Bonne nouvelle : {structure} a accepté de vous accueillir.",
                "Votre CPIP et le SIAO préparent avec la structure le jour de votre arrivée.",
            ]


def letter(request, pk: int):
    detention = get_object_or_404(
        Detention.objects.visible_to(request.user).select_related(
            "person", "establishment", "territory", "cpip"
        ),
        pk=pk,
    )
    reads.note_read(request, detention)
    housing = housing_for(detention)
    siao = (
        Organisation.objects.filter(territory_id=detention.territory_id, kind=OrganisationKind.SIAO)
        .select_related("referent")
        .order_by("pk")
        .first()
    )
    return render(
        request,
        "justice/letter.html",
        {
            "detention": detention,
            "person": detention.person,
            "paragraphs": letter_paragraphs(housing),
            "siao": siao,
            "today": timezone.localdate(),
        },
    )
