from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.core.inputs import MAX_ID
from relais.justice.models import Detention
from relais.places.enums import PlaceReservation
from relais.places.models import PlaceCapacity
from relais.requests.enums import EventKind
from relais.requests.models import Request, TransitionNotAllowed

from . import offer
from .enums import OrientationEventKind as Kind
from .enums import OrientationState
from .forms import (
    ArrivalForm,
    AttributionForm,
    CancelForm,
    EndStayForm,
    RefusalForm,
    ReservationForm,
    SuggestionFilterForm,
    WindowForm,
)
from .models import SENIORITY, Orientation
from .suggestions import household_of, suggest, wanted_types

State = OrientationState
# The suggestions an operator scans first; the others are one click away.
SHOWN_FIRST = 10
OVERDUE = "overdue"  # the list's filter of orientations waiting beyond the territory's delay


# -- who may do what --------------------------------------------------------------------------


def _visible_orientation(request, pk: int) -> Orientation:
    """Out of scope is a 404, never a 403."""
    return get_object_or_404(
        Orientation.objects.visible_to(request.user).select_related(
            "request__person",
            "request__territory",
            "request__referrer_organisation",
            "structure__territory",
            "capacity",
            "created_by",
        ),
        pk=pk,
    )


def _orientable_request(request, pk: int) -> Request:
    req = get_object_or_404(
        Request.objects.visible_to(request.user).select_related(
            "person", "household", "territory", "referrer_organisation"
        ),
        pk=pk,
    )
    if not request.user.is_siao_of(req.territory_id):
        raise PermissionDenied("Seul le SIAO du territoire oriente une demande.")
    return req


# -- suggestions and attribution (SIAO-11, 12) ------------------------------------------------


def suggestions(request, request_pk: int):
    return _suggestions_page(request, _orientable_request(request, request_pk))


def _suggestions_page(request, req: Request, *, typed: dict | None = None, status: int = 200):
    """`typed`: a refused attribution's capacity and note, shown again in its card."""
    filter_form = SuggestionFilterForm(request.GET or None)
    suggested = suggest(req, filter_form.filters())
    ranked = [s for s in suggested if not s.excluded]
    structure_types, place_types, why = wanted_types(req)
    openings = Orientation.openings_for(req, request.user)
    return render(
        request,
        "orientations/suggestions.html",
        {
            "req": req,
            "filter_form": filter_form,
            "suggestions": ranked,
            "best": ranked[:SHOWN_FIRST],
            "others": ranked[SHOWN_FIRST:],
            "can_attribute": Kind.ATTRIBUTED in openings,
            "can_preposition": Kind.PREPOSITIONED in openings,
            "can_reserve": Kind.RESERVED in openings,
            # JUS-04: left out of the choice, each with the measure that forbids it.
            "excluded": [s for s in suggested if s.excluded],
            # Why no place can be attributed, in the request's own words.
            "attribute_refusal": ""
            if Kind.ATTRIBUTED in openings
            else req.workflow[EventKind.ORIENTED].refusal(req),
            "household": household_of(req),
            "kept_apart": _kept_apart(req),
            "wanted_why": why,
            "current": req.orientations.active().select_related("structure").first(),
            "typed": typed or {},
        },
        status=status,
    )


# Why the places kept for someone are not offered (JUS-03, JUS-12), in one sentence.
KEPT_FOR = {
    PlaceReservation.DETENTION: "réservées aux personnes sortant de détention (en détention "
    f"ou libérées depuis moins de {offer.RECENT_RELEASE_MONTHS} mois).",
    PlaceReservation.FLYING: "gardées pour les sorties sèches : une personne qui sort de "
    "détention sans solution.",
    PlaceReservation.PLACEMENT: "dédiées au placement à l'extérieur : le SPIP y place "
    "directement, sous convention.",
}


def _kept_apart(req: Request) -> list[dict]:
    """The free places of the territory kept for someone else than this request."""
    open_to = offer.reservations_open_to(req)
    rows: dict = {}
    for capacity in (
        PlaceCapacity.objects.with_vacancies()
        .filter(structure__territory_id=req.territory_id, vacant__gt=0)
        .exclude(reservation__in=open_to)
    ):
        row = rows.setdefault(
            capacity.reservation,
            {"capacity": capacity, "vacant": 0, "why": KEPT_FOR[capacity.reservation]},
        )
        row["vacant"] += capacity.vacant
    return [rows[k] for k in PlaceReservation.values if k in rows]


@require_POST
def attribute(request, request_pk: int):
    req = _orientable_request(request, request_pk)
    form = AttributionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une place dans la liste.")
        return redirect("orientations:suggestions", request_pk=req.pk)
    capacity = get_object_or_404(
        PlaceCapacity.objects.select_related("structure"),
        pk=form.cleaned_data["capacity"],
        structure__territory_id=req.territory_id,
    )
    transition = (
        Orientation.attribute
        if form.cleaned_data["mode"] == "attribute"
        else Orientation.preposition
    )
    try:
        orientation = transition(
            request=req, capacity=capacity, by=request.user, note=form.cleaned_data["note"]
        )
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        typed = {"capacity": capacity.pk, "note": form.cleaned_data["note"]}
        return _suggestions_page(request, req, typed=typed, status=400)
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=req,
        detail={"orientation": orientation.pk, "transition": form.cleaned_data["mode"]},
    )
    if orientation.state == State.WAITING:
        messages.success(
            request, f"Demande prépositionnée sur « {capacity.structure} » : elle attend une place."
        )
    else:
        messages.success(
            request,
            f"Place attribuée dans « {capacity.structure} ». La structure est prévenue.",
        )
    return redirect("requests:detail", pk=req.pk)


@require_http_methods(["GET", "POST"])
def reserve(request, request_pk: int):
    """JUS-06: reserve a place over a window around the release of a person in detention;
    the window defaults to the detention's (Orientation.default_window) and can be edited."""
    req = _orientable_request(request, request_pk)
    raw = request.POST.get("capacity") if request.method == "POST" else request.GET.get("capacity")
    capacity = _territory_capacity(req, raw)
    if capacity is None:
        messages.error(request, "Choisissez une place dans la liste.")
        return redirect("orientations:suggestions", request_pk=req.pk)
    if request.method == "POST":
        form = ReservationForm(request.POST)
        if form.is_valid():
            try:
                orientation = Orientation.reserve(
                    request=req,
                    capacity=capacity,
                    by=request.user,
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    note=form.cleaned_data["note"],
                )
            except TransitionNotAllowed as refusal:
                form.add_error(None, str(refusal))
            else:
                audit.record(
                    request_or_user=request,
                    action=Action.WRITE,
                    obj=req,
                    detail={"orientation": orientation.pk, "transition": Kind.RESERVED},
                )
                messages.success(
                    request,
                    f"Place réservée dans « {capacity.structure} » du "
                    f"{orientation.window_starts_on:%d/%m/%Y} au "
                    f"{orientation.window_ends_on:%d/%m/%Y}. La structure est prévenue.",
                )
                return redirect("orientations:detail", pk=orientation.pk)
        status = 400
    else:
        form = ReservationForm(initial=_window_initial(req))
        status = 200
    draft = Orientation(request=req, structure=capacity.structure, capacity=capacity)
    return render(
        request,
        "orientations/reservation_form.html",
        {
            "req": req,
            "capacity": capacity,
            "form": form,
            "detention": req.detention if req.detention_id else None,
            # Why this place cannot be reserved (no detention, a judicial area), before typing.
            "refusal": draft.workflow[Kind.RESERVED].refusal(draft),
        },
        status=status,
    )


def _territory_capacity(req: Request, raw) -> PlaceCapacity | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    if not 0 < pk <= MAX_ID:
        return None
    return (
        PlaceCapacity.objects.select_related("structure")
        .filter(pk=pk, structure__territory_id=req.territory_id)
        .first()
    )


def _window_initial(req: Request) -> dict:
    window = Orientation.default_window(req.detention) if req.detention_id else None
    return {"starts_on": window[0], "ends_on": window[1]} if window else {}


# -- one orientation --------------------------------------------------------------------------


def orientation_detail(request, pk: int):
    orientation = _visible_orientation(request, pk)
    reads.note_read(request, orientation.request, orientation=orientation.pk)
    return render(
        request, "orientations/orientation_detail.html", _detail_context(request, orientation)
    )


def _events(user, orientation: Orientation) -> list:
    """The orientation's events, their notes as `user` may read them (SIAO-20); not saved."""
    events = list(orientation.events.select_related("actor"))
    for event in events:
        event.note = orientation.note_for(user, event)
    return events


def _detail_context(request, orientation: Orientation, **forms) -> dict:
    user = request.user
    rank = None
    if orientation.state == State.WAITING:  # numbers only: the others are not this reader's
        queue = list(
            Orientation.objects.filter(capacity_id=orientation.capacity_id)
            .waiting_list()
            .values_list("pk", flat=True)
        )
        rank = {"position": queue.index(orientation.pk) + 1, "length": len(queue)}
    return {
        "orientation": orientation,
        "events": _events(user, orientation),
        "rank": rank,
        "overdue_days": _overdue_days(orientation),
        # What the model allows this user now: the page offers exactly that.
        "allowed": {t.name for t in orientation.allowed_transitions(user)},
        "refusal_form": forms.get("refusal_form") or RefusalForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "end_form": forms.get("end_form") or EndStayForm(),
        "arrival_form": forms.get("arrival_form") or ArrivalForm(),
        "window_form": forms.get("window_form") or _window_form(orientation),
        "window_flag": orientation.window_flag_for(user),
        "geographic_constraint": _geographic_constraint(user, orientation),
        "request_visible": Request.objects.visible_to(user)
        .filter(pk=orientation.request_id)
        .exists(),
    }


def _window_form(orientation: Orientation) -> "WindowForm":
    """The change of window, offered with the detention's default window around its current
    release date when the reservation is flagged, else with the window as it is."""
    initial = {"starts_on": orientation.window_starts_on, "ends_on": orientation.window_ends_on}
    if orientation.release_outside_window():
        window = Orientation.default_window(orientation.request.detention)
        initial = {"starts_on": window[0], "ends_on": window[1]}
    return WindowForm(initial=initial)


def _geographic_constraint(user, orientation: Orientation) -> str:
    """JUS-01/04: who reads the detention reads its areas; the others (the structure) only
    that a geographic constraint exists."""
    areas = orientation.judicial_areas()
    if not areas:
        return ""
    if Detention.objects.visible_to(user).filter(pk=orientation.request.detention_id).exists():
        return " ; ".join(str(area) for area in areas)
    return "oui"


def _overdue_days(orientation: Orientation) -> int | None:
    """Days the orientation has waited for the structure, when beyond the territory's delay."""
    if not Orientation.objects.overdue().filter(pk=orientation.pk).exists():
        return None
    return (timezone.localdate() - timezone.localdate(orientation.waiting_since)).days


def _act(request, pk: int, *, name: str, action):
    """Run `action(orientation)` for a user the transition allows; a refusal is shown."""
    orientation = _visible_orientation(request, pk)
    step = orientation.workflow[name]
    if not step.may(orientation, request.user):
        raise PermissionDenied(step.denied)
    try:
        outcome = action(orientation)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        if isinstance(outcome, dict):  # an invalid form: show it again with its errors
            return render(
                request,
                "orientations/orientation_detail.html",
                _detail_context(request, orientation, **outcome),
                status=400,
            )
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=orientation.request,
            detail={"orientation": orientation.pk, "transition": name},
        )
        messages.success(request, outcome)
    return redirect("orientations:detail", pk=orientation.pk)


@require_POST
def admit(request, pk: int):
    def action(orientation):
        orientation.admit(by=request.user)
        return "Admission acceptée. Le SIAO et le référent de la personne sont prévenus."

    return _act(request, pk, name=Kind.ADMITTED, action=action)


@require_POST
def refuse(request, pk: int):
    def action(orientation):
        form = RefusalForm(request.POST)
        if not form.is_valid():
            return {"refusal_form": form}
        orientation.refuse(
            by=request.user,
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
        return "Refus enregistré. Le SIAO et le référent de la personne sont prévenus."

    return _act(request, pk, name=Kind.REFUSED, action=action)


@require_POST
def start_stay(request, pk: int):
    def action(orientation):
        form = ArrivalForm(request.POST, orientation=orientation)
        if not form.is_valid():
            return {"arrival_form": form}
        try:
            orientation.start_stay(by=request.user, at=form.cleaned_data["arrived_at"])
        except TransitionNotAllowed as refusal:  # checked again under the lock
            form.add_error("arrived_at", str(refusal))
            return {"arrival_form": form}
        return "Arrivée enregistrée."

    return _act(request, pk, name=Kind.STAY_STARTED, action=action)


@require_POST
def end_stay(request, pk: int):
    def action(orientation):
        form = EndStayForm(request.POST, orientation=orientation)
        if not form.is_valid():
            return {"end_form": form}
        try:
            orientation.end_stay(
                by=request.user,
                at=form.cleaned_data["ended_on"],
                destination=form.cleaned_data["destination"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as refusal:  # checked again under the lock
            form.add_error("ended_on", str(refusal))
            return {"end_form": form}
        return "Fin de séjour enregistrée : la place est de nouveau libre."

    return _act(request, pk, name=Kind.STAY_ENDED, action=action)


@require_POST
def confirm_place(request, pk: int):
    def action(orientation):
        orientation.confirm_place(by=request.user)
        return "Place attribuée : la demande n'est plus en attente."

    return _act(request, pk, name=Kind.CONFIRMED, action=action)


@require_POST
def cancel(request, pk: int):
    def action(orientation):
        form = CancelForm(request.POST)
        if not form.is_valid():
            return {"cancel_form": form}
        orientation.cancel(by=request.user, reason=form.cleaned_data["reason"])
        return "Orientation annulée : la demande est de nouveau à orienter."

    return _act(request, pk, name=Kind.CANCELLED, action=action)


@require_POST
def change_window(request, pk: int):
    def action(orientation):
        form = WindowForm(request.POST)
        if not form.is_valid():
            return {"window_form": form}
        try:
            orientation.change_window(
                by=request.user,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as refusal:  # checked again under the lock
            form.add_error(None, str(refusal))
            return {"window_form": form}
        return "Nouvelle période enregistrée. La structure est prévenue."

    return _act(request, pk, name=Kind.WINDOW_CHANGED, action=action)


# -- lists ------------------------------------------------------------------------------------


def orientation_list(request):
    """What is under way: for the SIAO, the territory; for a structure, its own."""
    if not (
        request.user.is_superuser
        or request.user.role in (Role.SIAO_OPERATOR, Role.STRUCTURE_MANAGER)
    ):
        raise PermissionDenied("Votre rôle ne donne pas accès aux orientations.")
    state = request.GET.get("state", "")
    orientations = Orientation.objects.visible_to(request.user).select_related(
        "request__person", "structure__territory", "capacity", "request"
    )
    counts = dict(
        orientations.order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    overdue = orientations.overdue()
    overdue_ids = set(overdue.values_list("pk", flat=True))
    if state == OVERDUE:
        orientations = overdue
    elif state in State.values:
        orientations = orientations.filter(state=state)
    else:
        orientations = orientations.filter(state__in=State.active())
    if state == State.WAITING:  # the waiting list, in the order it is served
        orientations = orientations.order_by("capacity__structure__name", "capacity_id", *SENIORITY)
    rows = list(orientations[:200])
    ranks = Orientation.waiting_ranks(o.capacity_id for o in rows if o.state == State.WAITING)
    for row in rows:
        row.queue_rank = ranks.get(row.pk)
        row.is_overdue = row.pk in overdue_ids
    return render(
        request,
        "orientations/orientation_list.html",
        {
            "orientations": rows,
            "state": state,
            "states": [(value, label, counts.get(value, 0)) for value, label in State.choices],
            "overdue_count": len(overdue_ids),
        },
    )
