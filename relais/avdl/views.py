"""The AVDL Justice screens (JUS-11). Who reads a measure is
`HousingSupportMeasure.objects.visible_to` (out of scope: 404); who renews or ends it is the
transition's `may`; only the SIAO assigns."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.core.inputs import ListParams
from relais.core.transitions import TransitionNotAllowed

from .caseload import Caseload, caseload_on
from .enums import MAX_ACTIVE_MEASURES, MeasureEventKind, MeasureState
from .forms import AssignForm, CloseForm, RenewForm
from .models import (
    CaseloadFull,
    HousingSupportMeasure,
    PersonHasMeasure,
    Worker,
    designation_candidates,
    worker_of,
)

PAGE_SIZE = 25


def _is_siao(user) -> bool:
    return user.is_superuser or user.role == Role.SIAO_OPERATOR


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _readers(user) -> bool:
    """Who has a list of measures: the SIAO, the CPIP (their SPIP's people), the workers."""
    return _is_siao(user) or user.role == Role.CPIP or worker_of(user) is not None


def visible_measure(request, pk: int) -> HousingSupportMeasure:
    measure = get_object_or_404(
        HousingSupportMeasure.objects.visible_to(request.user).select_related(
            "person", "worker__user", "detention", "orientation__structure", "assigned_by"
        ),
        pk=pk,
    )
    reads.note_read(request, measure)
    return measure


# -- lists ------------------------------------------------------------------------------------


def measure_list(request):
    user = request.user
    _require(_readers(user), "Votre rôle ne donne pas accès aux mesures AVDL Justice.")
    visible = HousingSupportMeasure.objects.visible_to(user).select_related(
        "person", "worker__user"
    )
    params = ListParams(request)
    state = params.raw("state") or MeasureState.ACTIVE
    if state in MeasureState.values:
        visible = visible.filter(state=state)
    else:
        state = "all"
    order = ("ends_on", "id") if state == MeasureState.ACTIVE else ("-starts_on", "-id")
    page = Paginator(visible.order_by(*order), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "avdl/measure_list.html",
        {
            "page": page,
            "state": state,
            "states": MeasureState.choices,
            "query": query.urlencode(),
            "may_assign": _is_siao(user),
            "today": timezone.localdate(),
        },
    )


def workers(request):
    """The SIAO's AVDL Justice workers, each with their caseload today, and the people of the
    SIAO who could be designated."""
    user = request.user
    _require(_is_siao(user), "Seul le SIAO gère les travailleurs AVDL Justice.")
    today = timezone.localdate()
    territories = (
        {w.territory for w in Worker.objects.select_related("territory")}
        if user.is_superuser
        else [user.organisation.territory]
    )
    rows = [row for territory in territories for row in caseload_on(today, territory)]
    return render(
        request,
        "avdl/workers.html",
        {
            "rows": rows,
            "candidates": designation_candidates(user),
            "maximum": MAX_ACTIVE_MEASURES,
            "today": today,
        },
    )


@require_POST
def designate(request, user_pk: int):
    """The SIAO designates one of its own as AVDL Justice worker (or designates again)."""
    user = request.user
    _require(_is_siao(user), "Seul le SIAO désigne les travailleurs AVDL Justice.")
    chosen = get_object_or_404(designation_candidates(user), pk=user_pk)
    worker, created = Worker.objects.get_or_create(user=chosen)
    if not created:
        worker.designated = True
        worker.designated_on = timezone.localdate()
        worker.save(update_fields=["designated", "designated_on"])
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=worker,
        detail={"event": "avdl_worker_designated"},
    )
    messages.success(request, f"{chosen} est désigné(e) travailleur AVDL Justice.")
    return redirect("avdl:caseload", pk=worker.pk)


def caseload(request, pk: int):
    worker = get_object_or_404(
        Worker.objects.visible_to(request.user).select_related("user", "territory"), pk=pk
    )
    return _caseload_page(request, worker)


def mine(request):
    """Mes mesures AVDL: the worker's own caseload."""
    worker = worker_of(request.user)
    _require(worker is not None, "Vous n'êtes pas désigné(e) travailleur AVDL Justice.")
    return _caseload_page(request, worker, own=True)


def _caseload_page(request, worker: Worker, *, own: bool = False):
    today = timezone.localdate()
    active = (
        worker.measures.filter(state=MeasureState.ACTIVE)
        .select_related("person", "orientation__structure")
        .order_by("ends_on", "id")
    )
    recent = (
        worker.measures.exclude(state=MeasureState.ACTIVE)
        .select_related("person")
        .order_by("-ended_on", "-id")[:10]
    )
    load = Caseload(worker=worker, active=len(active))
    return render(
        request,
        "avdl/caseload.html",
        {
            "worker": worker,
            "active": active,
            "recent": recent,
            "load": load,
            "own": own,
            "today": today,
            "may_assign": request.user.is_siao_of(worker.territory_id),
        },
    )


# -- assigning --------------------------------------------------------------------------------


def assign(request):
    """JUS-11: the SIAO gives a measure to a worker (at most 20 active each)."""
    user = request.user
    _require(_is_siao(user), "Seul le SIAO attribue les mesures AVDL Justice.")
    form = AssignForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measure = HousingSupportMeasure.assign(
                worker=data["worker"],
                detention=data["detention"],
                orientation=data["orientation"],
                starts_on=data["starts_on"],
                housing=data["housing"],
                note=data["note"],
                by=user,
            )
        except PersonHasMeasure as refusal:
            form.add_error("detention", str(refusal))
        except CaseloadFull as refusal:
            form.add_error("worker", str(refusal))
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=measure,
                detail={"event": "avdl_assigned"},
            )
            messages.success(
                request,
                f"Mesure attribuée à {measure.worker} jusqu'au {measure.ends_on:%d/%m/%Y}.",
            )
            return redirect("avdl:detail", pk=measure.pk)
    status = 400 if form.is_bound else 200
    return render(request, "avdl/assign.html", {"form": form}, status=status)


# -- the measure page -------------------------------------------------------------------------


def measure_detail(request, pk: int, status: int = 200, **bound):
    measure = visible_measure(request, pk)
    user = request.user
    allowed = {t.name for t in measure.allowed_transitions(user)}
    details = measure.reads_details(user)
    context = {
        "measure": measure,
        "person": measure.person,
        "details": details,
        "events": measure.events.select_related("actor").order_by("occurred_at", "id"),
        "renew_form": (bound.get("renew_form") or RenewForm())
        if MeasureEventKind.RENEWED in allowed
        else None,
        "close_form": (bound.get("close_form") or CloseForm(measure=measure))
        if MeasureEventKind.CLOSED in allowed
        else None,
        "today": timezone.localdate(),
    }
    return render(request, "avdl/measure_detail.html", context, status=status)


def _done(request, measure, message: str, event: str):
    audit.record(request_or_user=request, action=Action.WRITE, obj=measure, detail={"event": event})
    messages.success(request, message)
    return redirect("avdl:detail", pk=measure.pk)


def _refused(request, measure, refusal: TransitionNotAllowed):
    messages.error(request, str(refusal))
    return redirect("avdl:detail", pk=measure.pk)


@require_POST
def renew(request, pk: int):
    measure = visible_measure(request, pk)
    step = measure.workflow[MeasureEventKind.RENEWED]
    _require(step.may(measure, request.user), step.denied)
    form = RenewForm(request.POST)
    if not form.is_valid():
        return measure_detail(request, pk, status=400, renew_form=form)
    try:
        measure.renew(reason=form.cleaned_data["reason"], by=request.user)
    except TransitionNotAllowed as refusal:
        return _refused(request, measure, refusal)
    return _done(
        request,
        measure,
        f"Mesure renouvelée jusqu'au {measure.ends_on:%d/%m/%Y}.",
        "avdl_renewed",
    )


@require_POST
def close(request, pk: int):
    measure = visible_measure(request, pk)
    step = measure.workflow[MeasureEventKind.CLOSED]
    _require(step.may(measure, request.user), step.denied)
    form = CloseForm(request.POST, measure=measure)
    if not form.is_valid():
        return measure_detail(request, pk, status=400, close_form=form)
    data = form.cleaned_data
    try:
        measure.close(on=data["on"], reason=data["reason"], note=data["note"], by=request.user)
    except TransitionNotAllowed as refusal:
        return _refused(request, measure, refusal)
    return _done(request, measure, "Mesure arrêtée : sa place est libérée.", "avdl_closed")
