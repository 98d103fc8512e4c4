from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.text import count_of
from relais.identity.entry import EntryCheck
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.requests.enums import Channel
from relais.requests.forms import DirectAdmissionForm, HouseholdMemberFormSet
from relais.requests.models import Request, TransitionNotAllowed, create_request

from .enums import PlaceReservation
from .forms import (
    AvailabilityForm,
    DwellingFormSet,
    PlaceCapacityFormSet,
    StructureForm,
    VacancyFilterForm,
)
from .models import CapacityEvent, Dwelling, PlaceCapacity, Structure


def direct_admission(request):
    """SIAO-04: the structure records an emergency admission after the fact, with the
    household; the stay takes its urgence places like any attribution."""
    if request.user.role != Role.STRUCTURE_MANAGER:
        raise PermissionDenied(
            "Seul un gestionnaire de structure enregistre une admission directe."
        )
    form = DirectAdmissionForm(
        request.POST or None, prefix="admission", organisation=request.user.organisation
    )
    members = HouseholdMemberFormSet(request.POST or None, prefix="members")
    identity = EntryCheck(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = form.cleaned_data
        done = Request.objects.submitted(data["submission"])
        if done is not None:  # the same form sent twice: one admission only
            return redirect("requests:detail", pk=done.pk)
        typed = form.new_person()
        if identity.is_valid_for(typed):
            try:
                req, made = Request.objects.make_once(
                    data["submission"],
                    lambda: _record_direct_admission(request, data, typed, members, identity),
                )
            except TransitionNotAllowed as refusal:
                form.add_error(None, str(refusal))
            else:
                if made:
                    messages.success(request, f"Admission directe de {req.person} enregistrée.")
                return redirect("requests:detail", pk=req.pk)
    return render(
        request,
        "places/direct_admission.html",
        {"form": form, "members": members, "identity": identity},
    )


def _record_direct_admission(request, data, typed, members, identity) -> Request:
    structure = data["structure"]
    with transaction.atomic():
        typed.full_clean()
        person = identity.person_for(typed)
        req = create_request(
            person=person,
            channel=Channel.EMERGENCY,
            referrer_organisation=structure.manager,
            by=request.user,
            occurred_at=data["admitted_at"],
            requested_on=timezone.localdate(data["admitted_at"]),
            notes=data["notes"],
            submission_key=data["submission"],
        )
        identity.record(request=req, person=person, by=request.user)
        members.attach_to(req, by=request.user)
        Orientation.admit_directly(
            request=req, structure=structure, by=request.user, at=data["admitted_at"]
        )
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=req,
            detail={"event": "direct_admission"},
        )
    return req


# -- register, vacancies and hosted people (SIAO-07, 09, 16, 21) -----------------------------


def _may_see_register(user) -> None:
    if not (
        user.is_superuser
        or user.role in (Role.SIAO_OPERATOR, Role.STRUCTURE_MANAGER, Role.TERRITORY_ADMIN)
    ):
        raise PermissionDenied("Votre rôle ne donne pas accès au registre des structures.")


def structure_list(request):
    """The register: every structure of the territory for the SIAO, its own for a manager."""
    _may_see_register(request.user)
    structures = (
        Structure.objects.visible_to(request.user)
        .select_related("manager", "territory")
        .prefetch_related(Prefetch("capacities", queryset=PlaceCapacity.objects.with_vacancies()))
    )
    rows = []
    for structure in structures:
        capacities = list(structure.capacities.all())
        reserved: dict = {}
        for capacity in capacities:
            if capacity.is_reserved:
                reserved.setdefault(capacity.reservation, [capacity, 0])[1] += capacity.places
        rows.append(
            {
                "structure": structure,
                "places": sum(c.places for c in capacities),
                "permanent": sum(c.places for c in capacities if not c.is_winter_only),
                "vacant": sum(max(c.vacant, 0) for c in capacities),
                # JUS-03, JUS-12: "dont 4 réservées aux sortants de détention".
                "reserved": [
                    {"capacity": reserved[k][0], "places": reserved[k][1]}
                    for k in PlaceReservation.values
                    if k in reserved
                ],
            }
        )
    can_edit = request.user.is_superuser or request.user.role in (
        Role.SIAO_OPERATOR,
        Role.TERRITORY_ADMIN,
    )
    reservation = request.GET.get("reservation", "")
    if reservation in PlaceReservation.values and reservation != PlaceReservation.ORDINARY:
        rows = [
            r for r in rows if any(x["capacity"].reservation == reservation for x in r["reserved"])
        ]
    else:
        reservation = ""
    return render(
        request,
        "places/structure_list.html",
        {
            "rows": rows,
            "can_edit": can_edit,
            "reservation": reservation,
            "reservations": [
                (value, label)
                for value, label in PlaceReservation.choices
                if value != PlaceReservation.ORDINARY
            ],
        },
    )


def structure_detail(request, pk: int):
    _may_see_register(request.user)
    structure = get_object_or_404(
        Structure.objects.visible_to(request.user).select_related("manager", "territory"), pk=pk
    )
    return _structure_page(request, structure)


def _structure_page(request, structure: Structure, *, typed: dict | None = None, status=200):
    """`typed`: a refused availability declaration (capacity, count, note), shown again."""
    capacities = list(
        PlaceCapacity.objects.with_vacancies()
        .filter(structure=structure)
        .select_related("pe_agreement")
        .prefetch_related("dwellings")
    )
    orientations = Orientation.objects.filter(structure=structure).select_related(
        "request__person", "capacity"
    )
    is_manager = request.user.is_superuser or (
        request.user.role == Role.STRUCTURE_MANAGER
        and request.user.organisation_id == structure.manager_id
    )
    # The territory administrator keeps the register but sees no person.
    sees_people = request.user.role != Role.TERRITORY_ADMIN
    if not sees_people:
        orientations = orientations.none()
    waiting = list(orientations.waiting_list())
    ranks = Orientation.waiting_ranks(o.capacity_id for o in waiting)
    overdue_ids = set(orientations.overdue().values_list("pk", flat=True))
    rows = {
        "to_decide": list(orientations.filter(state=OrientationState.PROPOSED)),
        "expected": list(orientations.filter(state=OrientationState.ADMITTED)),
        "hosted": list(
            orientations.filter(state=OrientationState.IN_STAY).order_by("stay_started_at")
        ),
        "waiting": waiting,
    }
    for row in (row for group in rows.values() for row in group):
        row.queue_rank = ranks.get(row.pk)
        row.is_overdue = row.pk in overdue_ids
    return render(
        request,
        "places/structure_detail.html",
        {
            "structure": structure,
            "capacities": capacities,
            **rows,
            "declarations": CapacityEvent.objects.filter(
                capacity__structure=structure
            ).select_related("capacity", "actor")[:10],
            "is_manager": is_manager,
            "sees_people": sees_people,
            "can_edit": request.user.is_superuser
            or request.user.role in (Role.SIAO_OPERATOR, Role.TERRITORY_ADMIN),
            "typed": typed or {},
            "reads_agreements": request.user.is_superuser
            or request.user.role == Role.SIAO_OPERATOR,
        },
        status=status,
    )


@require_POST
def declare_availability(request, pk: int, capacity_pk: int):
    """SIAO-09: in two clicks, a manager takes places out of the vacancies or gives them back."""
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=pk)
    if not request.user.manages(structure):  # the same rule as the API's
        raise PermissionDenied("Seul le gestionnaire de la structure déclare ses places.")
    capacity = get_object_or_404(structure.capacities, pk=capacity_pk)
    form = AvailabilityForm(request.POST)
    typed = {
        "capacity": capacity.pk,
        "count": request.POST.get("count", ""),
        "note": request.POST.get("note", ""),
    }
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _structure_page(request, structure, typed=typed, status=400)
    data = form.cleaned_data
    try:
        if data["action"] == "unavailable":
            capacity.declare_unavailable(by=request.user, count=data["count"], note=data["note"])
            messages.success(request, f"{count_of(data['count'], 'place déclarée indisponible')}.")
        else:
            capacity.declare_available(by=request.user, count=data["count"], note=data["note"])
            messages.success(
                request,
                f"{count_of(data['count'], 'place de nouveau disponible', 'places de nouveau disponibles')}.",
            )
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return _structure_page(request, structure, typed=typed, status=400)
    return redirect("places:structure", pk=structure.pk)


def vacancy_board(request):
    """The SIAO's live board of vacancies: by territory, place type and structure type."""
    if not (request.user.is_superuser or request.user.role == Role.SIAO_OPERATOR):
        raise PermissionDenied("Le tableau des places libres est réservé au SIAO.")
    defaults = {"only_vacant": True, "include_winter": True}
    form = VacancyFilterForm(request.GET or None, initial=defaults)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else defaults
    capacities = (
        PlaceCapacity.objects.with_vacancies()
        .filter(structure__in=Structure.objects.visible_to(request.user))
        .select_related("structure", "structure__territory")
        .order_by("structure__territory__insee_code", "place_type", "structure__name", "pk")
    )
    if filters.get("place_type"):
        capacities = capacities.filter(place_type=filters["place_type"])
    if filters.get("structure_type"):
        capacities = capacities.filter(structure__structure_type=filters["structure_type"])
    if filters.get("commune"):
        capacities = capacities.filter(structure__commune__iexact=filters["commune"])
    if filters.get("reservation"):
        capacities = capacities.filter(reservation=filters["reservation"])
    if not filters.get("include_winter"):
        capacities = capacities.filter(is_winter_only=False)
    if filters.get("only_vacant"):
        capacities = capacities.filter(vacant__gt=0)
    capacities = list(capacities)
    totals: dict = {}
    for capacity in capacities:
        key = (capacity.structure.territory_id, capacity.place_type)
        row = totals.setdefault(
            key,
            {
                "territory": capacity.structure.territory,
                "place_type": capacity.get_place_type_display(),
                "places": 0,
                "occupied": 0,
                "unavailable": 0,
                "vacant": 0,
            },
        )
        row["places"] += capacity.places
        row["occupied"] += capacity.occupied
        row["unavailable"] += capacity.unavailable_places
        row["vacant"] += max(capacity.vacant, 0)
    # JUS-03, JUS-12: the places kept for people leaving detention, counted apart.
    reserved: dict = {}
    for capacity in capacities:
        if not capacity.is_reserved:
            continue
        row = reserved.setdefault(
            capacity.reservation,
            {"capacity": capacity, "places": 0, "occupied": 0, "unavailable": 0, "vacant": 0},
        )
        row["places"] += capacity.places
        row["occupied"] += capacity.occupied
        row["unavailable"] += capacity.unavailable_places
        row["vacant"] += max(capacity.vacant, 0)
    communes = (
        Structure.objects.visible_to(request.user)
        .exclude(commune="")
        .order_by("commune")
        .values_list("commune", flat=True)
        .distinct()
    )
    return render(
        request,
        "places/vacancy_board.html",
        {
            "form": form,
            "capacities": capacities,
            "totals": list(totals.values()),
            "reserved": [reserved[k] for k in PlaceReservation.values if k in reserved],
            "communes": list(communes),
            "updated_at": timezone.now(),
        },
    )


def hosted_list(request):
    """SIAO-16: the people hosted now, structure by structure."""
    if not (
        request.user.is_superuser
        or request.user.role in (Role.SIAO_OPERATOR, Role.STRUCTURE_MANAGER)
    ):
        raise PermissionDenied(
            "La liste des personnes hébergées est réservée au SIAO et aux structures."
        )
    stays = (
        Orientation.objects.hosted()
        .filter(structure__in=Structure.objects.visible_to(request.user))
        .select_related("request__person", "structure", "capacity")
        .order_by("structure__name", "state", "stay_started_at", "decided_at")
    )
    groups: dict = {}
    for stay in stays:
        groups.setdefault(stay.structure, []).append(stay)
    return render(
        request,
        "places/hosted_list.html",
        {"groups": [{"structure": s, "stays": rows} for s, rows in groups.items()]},
    )


def may_edit_register(user) -> None:
    """Who keeps the register (adds, corrects, imports structures and places): the SIAO and
    the territory administrator. PermissionDenied otherwise."""
    if not (user.is_superuser or user.role in (Role.SIAO_OPERATOR, Role.TERRITORY_ADMIN)):
        raise PermissionDenied("Seul le SIAO tient le registre des structures.")
    if not user.is_superuser and user.organisation_id is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucun territoire.")


def structure_edit(request, pk: int | None = None):
    """SIAO-07/08: the SIAO adds or corrects a structure and its places."""
    may_edit_register(request.user)
    structure = None
    if pk is not None:
        structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=pk)
    if structure is None and request.user.organisation_id is None:  # a superuser: no territory
        raise PermissionDenied(
            "Votre compte n'est rattaché à aucun territoire : ajoutez la structure depuis "
            "l'administration."
        )
    territory = structure.territory if structure else request.user.organisation.territory
    form = StructureForm(request.POST or None, instance=structure, territory=territory)
    capacities = PlaceCapacityFormSet(
        request.POST or None, instance=structure or Structure(territory=territory)
    )
    # Dwellings (Table 2) belong to places already in the register: a new structure first.
    dwellings = None
    if structure is not None:
        # A form posted without the dwellings section (an older page) leaves them as they are.
        posted = "dwellings-TOTAL_FORMS" in request.POST
        dwellings = DwellingFormSet(
            request.POST if posted else None,
            prefix="dwellings",
            queryset=Dwelling.objects.filter(capacity__structure=structure).select_related(
                "capacity"
            ),
            form_kwargs={"capacities": structure.capacities.all()},
        )
    if request.method == "POST":
        try:
            with transaction.atomic():
                # Lock the places while checking them: an attribution running now must not
                # slip under a capacity being lowered (SEC-05).
                if structure is not None:
                    list(PlaceCapacity.objects.select_for_update().filter(structure=structure))
                dwellings_valid = (
                    dwellings is None or not dwellings.is_bound or dwellings.is_valid()
                )
                if form.is_valid() and capacities.is_valid() and dwellings_valid:
                    saved = form.save()
                    capacities.instance = saved
                    # Each capacity saved writes its change, by whom and from when, to the
                    # history (SIAO-18).
                    change_at = form.capacity_change_at()
                    for capacity in capacities.save(commit=False):
                        capacity.save(change_by=request.user, change_at=change_at)
                    capacities.save_m2m()
                    if dwellings is not None and dwellings.is_bound:
                        # Each dwelling saved or removed recounts its capacity's places.
                        dwellings.save()
                    messages.success(request, f"« {saved} » est enregistrée au registre.")
                    return redirect("places:structure", pk=saved.pk)
        except ValidationError as refusal:  # e.g. a date before the last change: nothing saved
            form.add_error("capacity_changes_on", refusal.messages[0])
    return render(
        request,
        "places/structure_form.html",
        {"form": form, "capacities": capacities, "dwellings": dwellings, "structure": structure},
    )
