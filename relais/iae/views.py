"""The parcours screens. Who reads a parcours is `Parcours.objects.visible_to` (out of scope:
404); who takes a step is the transition's `may` (refused: 403 or the French refusal)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from relais.audit import reads

from .models import IAE_ROLES, Parcours, Site


def require_iae_role(user) -> None:
    if not (user.is_superuser or user.role in IAE_ROLES):
        raise PermissionDenied("Votre rôle ne donne pas accès aux parcours d'insertion.")


def visible_parcours(request, pk: int) -> Parcours:
    """The parcours `pk` if the user reads it (else 404), its person's read noted."""
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related(
            "person", "detention", "site__establishment", "site__siae", "prescribed_by"
        ),
        pk=pk,
    )
    reads.note_read(request, parcours)
    return parcours


def visible_site(request, pk: int) -> Site:
    return get_object_or_404(
        Site.objects.visible_to(request.user).select_related("establishment", "siae"), pk=pk
    )
