"""The detention context screens (JUS-01): who reads one is `Detention.objects.visible_to`;
who changes one is `follows` (the SIAO of the territory, the CPIP of its SPIP while the
measure runs). Out of scope is a 404: an id in the URL reveals nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.core.inputs import ListParams
from relais.core.text import count_of
from relais.core.transitions import TransitionNotAllowed
from relais.identity.entry import EntryCheck
from relais.releases import imports
from relais.releases.housing import housing_for
from relais.requests.forms import PersonForm

from .enums import DetentionState
from .forms import (
    AdjustmentForm,
    AdjustmentStepForm,
    AreaForm,
    DetentionForm,
    ImportForm,
    MoveEndDateForm,
    ReleaseForm,
)
from .models import Detention, JudicialArea, SentenceAdjustment, follows, may_record

PAGE_SIZE = 25
# Who works with detentions: the SPIP records its detainees, the SIAO its territory's.
JUSTICE_ROLES = {Role.CPIP, Role.SIAO_OPERATOR}


def _visible_detention(request, pk: int) -> Detention:
    return get_object_or_404(
        Detention.objects.visible_to(request.user).select_related(
            "person", "establishment", "spip", "cpip", "territory"
        ),
        pk=pk,
    )


def _followed_detention(request, pk: int) -> Detention:
    detention = _visible_detention(request, pk)
    if not follows(request.user, detention):
        raise PermissionDenied(
            "Seuls le SPIP qui suit la personne et le SIAO modifient ce dossier."
        )
    return detention


def _require_justice_role(user) -> None:
    if not (user.is_superuser or user.role in JUSTICE_ROLES):
        raise PermissionDenied("Votre rôle ne donne pas accès aux dossiers de détention.")


def _territory_id(user) -> int | None:
    return user.organisation.territory_id if user.organisation_id else None


# -- list -------------------------------------------------------------------------------------


def detention_list(request):
    _require_justice_role(request.user)
    detentions = Detention.objects.visible_to(request.user).select_related(
        "person", "establishment", "cpip"
    )
    params = ListParams(request)
    filters = {"q": params.raw("q"), "state": params.raw("state") or DetentionState.IN_DETENTION}
    if filters["state"] in DetentionState.values:
        detentions = detentions.filter(state=filters["state"])
    else:
        filters["state"] = "all"
    if filters["q"]:
        q = filters["q"]
        detentions = detentions.filter(
            Q(prison_number__icontains=q)
            | Q(person__birth_name__icontains=q)
            | Q(person__usage_name__icontains=q)
            | Q(person__first_names__icontains=q)
        )
        audit.record(request_or_user=request, action=Action.SEARCH, detail={"filters": filters})
    page = Paginator(detentions.order_by("due_on", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "justice/detention_list.html",
        {
            "page": page,
            "filters": filters,
            "states": DetentionState.choices,
            "query": query.urlencode(),
        },
    )


# -- creation and edition ---------------------------------------------------------------------


def detention_create(request):
    """A person in detention recorded by their SPIP (or the SIAO), with the identity check
    that finds a person already known (IDV-02)."""
    user = request.user
    _require_justice_role(user)
    territory_id = _territory_id(user)
    if territory_id is None and not user.is_superuser:
        raise PermissionDenied("Votre compte n'est rattaché à aucune organisation.")
    data = request.POST or None
    form = DetentionForm(data, prefix="detention", user=user, territory_id=territory_id)
    person_form = PersonForm(data, prefix="person")
    identity = EntryCheck(data, user=user, warn_ongoing=False)
    if (
        request.method == "POST"
        and all([form.is_valid(), person_form.is_valid()])
        and _may_record(user, form)
        and identity.is_valid_for(person_form.instance)
    ):
        with transaction.atomic():
            person = identity.person_for(person_form.instance)
            values = {f: form.cleaned_data[f] for f in form.fields}
            detention = Detention.record(by=user, person=person, **values)
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=detention,
                detail={"event": "detention_recorded"},
            )
        messages.success(request, f"Détention enregistrée pour {person}.")
        return redirect("justice:detail", pk=detention.pk)
    return render(
        request,
        "justice/detention_form.html",
        {"form": form, "person_form": person_form, "identity": identity, "creating": True},
    )


def _may_record(user, form: DetentionForm) -> bool:
    spip = form.cleaned_data["spip"]
    if may_record(user, spip):
        return True
    form.add_error("spip", "Vous ne pouvez pas enregistrer une détention suivie par ce SPIP.")
    return False


def detention_edit(request, pk: int):
    detention = _followed_detention(request, pk)
    form = DetentionForm(
        request.POST or None,
        instance=detention,
        prefix="detention",
        user=request.user,
        territory_id=detention.territory_id,
    )
    if request.method == "POST" and form.is_valid() and _may_record(request.user, form):
        form.save()
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=detention,
            detail={"event": "detention_edited", "fields": form.changed_data},
        )
        messages.success(request, "Détention mise à jour.")
        return redirect("justice:detail", pk=detention.pk)
    return render(
        request,
        "justice/detention_form.html",
        {"form": form, "detention": detention, "creating": False},
    )


# -- the detention page -----------------------------------------------------------------------


def detention_detail(request, pk: int, **forms):
    detention = _visible_detention(request, pk)
    reads.note_read(request, detention)
    user = request.user
    can_change = follows(user, detention)
    in_detention = detention.state == DetentionState.IN_DETENTION
    housing = housing_for(detention)
    adjustments = [
        {
            "adjustment": a,
            "form": forms.get(f"step_{a.pk}")
            or (AdjustmentStepForm(adjustment=a, user=user) if can_change else None),
        }
        for a in detention.adjustments.all()
    ]
    context = {
        "detention": detention,
        "person": detention.person,
        "can_change": can_change,
        "in_detention": in_detention,
        "housing": housing,
        "lsc_examination_secured": housing.secured_by(detention.lsc_examination_on),
        "lsc_automatic_secured": housing.secured_by(detention.lsc_automatic_on),
        "end_date_history": detention.end_date_history(),
        "events": detention.events.select_related("actor").order_by("-occurred_at", "-id"),
        "adjustments": adjustments,
        "areas": detention.areas.all(),
        "days_left": detention.days_left(),
    }
    if can_change and in_detention:
        context |= {
            "move_form": forms.get("move_form") or MoveEndDateForm(detention=detention),
            "release_form": forms.get("release_form") or ReleaseForm(detention=detention),
            "adjustment_form": forms.get("adjustment_form") or AdjustmentForm(),
            "area_form": forms.get("area_form") or AreaForm(detention=detention),
        }
    status = 400 if forms else 200
    return render(request, "justice/detention_detail.html", context, status=status)


def _done(request, detention: Detention, message: str, **detail):
    audit.record(request_or_user=request, action=Action.WRITE, obj=detention, detail=detail)
    messages.success(request, message)
    return redirect("justice:detail", pk=detention.pk)


def _refused(request, detention: Detention, refusal: TransitionNotAllowed):
    messages.error(request, str(refusal))
    return redirect("justice:detail", pk=detention.pk)


@require_POST
def move_end_date(request, pk: int):
    detention = _followed_detention(request, pk)
    form = MoveEndDateForm(request.POST, detention=detention)
    if not form.is_valid():
        return detention_detail(request, pk, move_form=form)
    data = form.cleaned_data
    try:
        detention.move_end_date(
            data["new_date"], reason=data["reason"], by=request.user, note=data["note"]
        )
    except TransitionNotAllowed as refusal:
        return _refused(request, detention, refusal)
    return _done(
        request,
        detention,
        f"Date de fin de peine prévue : {data['new_date']:%d/%m/%Y}. "
        "Les dates de libération sous contrainte sont recalculées.",
        event="end_date_moved",
    )


@require_POST
def release(request, pk: int):
    detention = _followed_detention(request, pk)
    form = ReleaseForm(request.POST, detention=detention)
    if not form.is_valid():
        return detention_detail(request, pk, release_form=form)
    data = form.cleaned_data
    try:
        detention.release(
            on=data["released_on"],
            measure_ends_on=data["measure_ends_on"],
            by=request.user,
            note=data["note"],
        )
    except TransitionNotAllowed as refusal:
        return _refused(request, detention, refusal)
    return _done(request, detention, "Libération enregistrée.", event="released")


@require_POST
def adjustment_create(request, pk: int):
    detention = _followed_detention(request, pk)
    form = AdjustmentForm(request.POST)
    if not form.is_valid() or detention.state != DetentionState.IN_DETENTION:
        return detention_detail(request, pk, adjustment_form=form)
    SentenceAdjustment.plan(detention, kind=form.cleaned_data["kind"], by=request.user)
    return _done(request, detention, "Aménagement de peine envisagé.", event="adjustment_planned")


@require_POST
def adjustment_step(request, pk: int):
    adjustment = get_object_or_404(
        SentenceAdjustment.objects.filter(
            detention__in=Detention.objects.visible_to(request.user)
        ).select_related("detention"),
        pk=pk,
    )
    detention = _followed_detention(request, adjustment.detention_id)
    form = AdjustmentStepForm(request.POST, adjustment=adjustment, user=request.user)
    if not form.is_valid():
        return detention_detail(request, detention.pk, **{f"step_{adjustment.pk}": form})
    data = form.cleaned_data
    try:
        adjustment.take(
            data["step"],
            by=request.user,
            hearing_on=data["hearing_on"],
            refusal_reason=data["refusal_reason"],
            note=data["note"],
        )
    except TransitionNotAllowed as refusal:
        return _refused(request, detention, refusal)
    return _done(
        request,
        detention,
        f"{adjustment.get_kind_display()} : {adjustment.get_state_display().lower()}.",
        event="adjustment_step",
    )


@require_POST
def area_add(request, pk: int):
    detention = _followed_detention(request, pk)
    area = JudicialArea(detention=detention)
    form = AreaForm(request.POST, instance=area, detention=detention)
    if not form.is_valid():
        return detention_detail(request, pk, area_form=form)
    form.save()
    return _done(request, detention, f"Contrainte enregistrée : {area}.", event="area_added")


@require_POST
def area_delete(request, pk: int):
    area = get_object_or_404(
        JudicialArea.objects.filter(detention__in=Detention.objects.visible_to(request.user)),
        pk=pk,
    )
    detention = _followed_detention(request, area.detention_id)
    label = str(area)
    area.delete()
    return _done(request, detention, f"Contrainte retirée : {label}.", event="area_removed")


# -- import of the SPIP's list ----------------------------------------------------------------


def detention_import(request):
    """Send the file: see what it would do (nothing written); confirm: all of it, or nothing."""
    user = request.user
    _require_justice_role(user)
    form = ImportForm(
        request.POST or None, request.FILES or None, user=user, territory_id=_territory_id(user)
    )
    result = None
    if request.method == "POST" and form.is_valid():
        spip = form.cleaned_data["spip"]
        result = imports.plan(form.cleaned_data["content"], spip=spip)
        if "confirm" in request.POST and result.ok:
            imports.apply(result, spip=spip, by=user)
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=spip,
                detail={
                    "event": "detainees_imported",
                    "created": result.count(imports.CREATE),
                    "updated": result.count(imports.UPDATE),
                },
            )
            created = count_of(result.count(imports.CREATE), "détention créée", "détentions créées")
            updated = count_of(result.count(imports.UPDATE), "mise à jour", "mises à jour")
            messages.success(request, f"Import terminé : {created}, {updated}.")
            return redirect("justice:list")
        form = ImportForm(
            {"spip": spip.pk, "content": form.cleaned_data["content"]},
            user=user,
            territory_id=_territory_id(user),
        )
    return render(
        request,
        "justice/import.html",
        {
            "form": form,
            "result": result,
            "columns": imports.COLUMNS,
            "created": result.count(imports.CREATE) if result else 0,
            "updated": result.count(imports.UPDATE) if result else 0,
            "unchanged": result.count(imports.UNCHANGED) if result else 0,
        },
        status=400 if result is not None and result.errors else 200,
    )
