"""SIAO-01: the person's file — their whole story, each part within the reader's scope.

Every section is read through the `visible_to(user)` QuerySets of its app: the page shows
nothing the reader could not already open elsewhere, only gathered in one place.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from relais.access.models import AccessGrant
from relais.audit import reads
from relais.commission.models import Decision
from relais.justice.models import Detention
from relais.notifications.models import Notification
from relais.notifications.views import still_readable
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.requests import sensitivity
from relais.requests.models import Request
from relais.requests.ongoing import ongoing_for

from .models import Person

# Current stay first, then what is under way, then the past.
_ORIENTATION_ORDER = {
    OrientationState.IN_STAY: 0,
    OrientationState.ADMITTED: 1,
    OrientationState.PROPOSED: 2,
    OrientationState.WAITING: 3,
}


def person_file(request, pk: int):
    user = request.user
    person = get_object_or_404(Person, pk=pk)
    requests = list(
        Request.objects.visible_to(user)
        .filter(person=person)
        .select_related("referrer_organisation", "host_structure", "household")
        .order_by("-requested_on", "-id")
    )
    orientations = sorted(
        Orientation.objects.visible_to(user)
        .filter(request__person=person)
        .select_related("structure", "request"),
        key=lambda o: (_ORIENTATION_ORDER.get(o.state, 9), -o.created_at.timestamp()),
    )
    detentions = list(
        Detention.objects.visible_to(user)
        .filter(person=person)
        .select_related("establishment", "spip", "cpip")
    )
    if not requests and not orientations and not detentions:
        # Out of scope is a 404, as for a request: an id in the URL reveals nothing.
        raise Http404("Personne introuvable.")
    _note_read(request, person, requests)
    return render(
        request,
        "persons/person_file.html",
        {
            "person": person,
            "ongoing": ongoing_for(person, user=user),
            "stay": next((o for o in orientations if o.state == OrientationState.IN_STAY), None),
            "requests": [{"request": req, "reasons": _reasons(user, req)} for req in requests],
            "orientations": orientations,
            "households": _households(person, requests),
            "notifications": Notification.objects.filter(recipient=user)
            .filter(still_readable(user))
            .filter(Q(request__person=person) | Q(orientation__request__person=person))
            .order_by("-created_at")[:50],
            "grants": _grants(user, requests),
            "detentions": detentions,
            # JUS-10: the decisions of the commissions justice the reader takes part in.
            "commission_decisions": Decision.objects.visible_to(user)
            .filter(item__person=person)
            .select_related("item__commission", "owner_user", "owner_organisation")
            .order_by("-item__commission__held_on", "-id"),
        },
    )


def _note_read(request, person: Person, requests: list[Request]) -> None:
    """The read names the person; when every file shown is read under an access on request,
    with that access's reason (SEC-02)."""
    grants = [req.access_grant_for(request.user) for req in requests]
    if grants and all(grants):
        reads.note_read(request, person, reason=grants[0].reason, access_grant=grants[0].pk)
    else:
        reads.note_read(request, person)


def _reasons(user, req: Request) -> list[str]:
    """The reasons for the request, without those revealing what the reader may not know."""
    evaluation = getattr(req, "evaluation", None) if req.needs_evaluation else None
    if evaluation is None:
        return []
    hidden = sensitivity.hidden_reasons(user, req)
    return [r.get_reason_display() for r in evaluation.reasons.all() if r.reason not in hidden]


def _households(person: Person, requests: list[Request]) -> list[dict]:
    """The households the person belonged to, oldest first — those of the files shown only,
    so another service's file does not leak through the people attached to it."""
    memberships = (
        person.memberships.filter(household__requests__in=requests)
        .select_related("household", "household__principal")
        .distinct()
        .order_by("household__created_at", "household_id")
    )
    return [
        {
            "membership": membership,
            "household": membership.household,
            "members": membership.household.members.select_related("person").order_by("id"),
            "requests": [r for r in requests if r.household_id == membership.household_id],
        }
        for membership in memberships
    ]


def _grants(user, requests: list[Request]):
    return AccessGrant.objects.on_files_seen_by(user, requests).select_related(
        "user", "user__organisation", "request"
    )
