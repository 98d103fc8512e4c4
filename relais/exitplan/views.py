"""The exit plan screens (EXIT-01): the list of plans, one page per person's exit, and the
steps each partner takes on its items. Who reads a plan is `ExitPlan.objects.visible_to`
(out of scope: 404); which items, `ExitPlan.items_for`; who changes one, the transition's
`may` (the item's owner)."""

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.core.inputs import ListParams
from relais.core.text import count_of
from relais.core.transitions import TransitionNotAllowed
from relais.iae.models import SIAE_ROLES, Parcours
from relais.justice.models import Detention
from relais.releases.housing import housing_for, housing_of

from .enums import Domain, ItemEventKind, ItemKind, PlanEventKind, PlanState
from .forms import DONE_MESSAGES, STEPS, AddItemForm, CloseForm, FirstNightForm, ItemForm
from .models import (
    ExitItem,
    ExitItemEvent,
    ExitPlan,
    ReleaseDates,
    may_open,
    plan_release,
    readiness,
)
from .readiness import readiness_by_detention

PAGE_SIZE = 25
HISTORY = 30
READERS = {Role.SIAO_OPERATOR, Role.CPIP, *SIAE_ROLES}


def _require_reader(user) -> None:
    if not (user.is_superuser or user.role in READERS):
        raise PermissionDenied(
            "Les plans de sortie sont partagés entre le SIAO, le SPIP et la SIAE."
        )


def _plan(request, pk: int) -> ExitPlan:
    plan = get_object_or_404(
        ExitPlan.objects.visible_to(request.user).select_related(
            "detention__spip", "detention__establishment", "detention__cpip", "person", "site__siae"
        ),
        pk=pk,
    )
    reads.note_read(request, plan)
    return plan


# -- the list ---------------------------------------------------------------------------------


def plan_list(request):
    """The plans the reader takes part in, the nearest release first."""
    user = request.user
    _require_reader(user)
    params = ListParams(request)
    state = params.choice("state", choices=PlanState.values, label="État") or PlanState.OPEN
    today = timezone.localdate()
    # Sorted on the date shown (`plan_release`), read from a few columns of every plan.
    dates = (
        ExitPlan.objects.visible_to(user)
        .filter(state=state)
        .values_list("pk", "detention__released_on", "detention__due_on", "detention__end_date")
    )
    order = sorted(
        (plan_release(ReleaseDates(*row[1:]), today) or dt.date.max, row[0]) for row in dates
    )
    page = Paginator([pk for _, pk in order], PAGE_SIZE).get_page(request.GET.get("page"))
    loaded = ExitPlan.objects.select_related(
        "person", "detention__establishment", "detention__spip", "site__siae"
    ).in_bulk(page.object_list)
    shown = [(loaded[pk], loaded[pk].release_on(today)) for pk in page.object_list]
    housings = housing_of([plan.detention_id for plan, _ in shown], light=True)
    ready = readiness_by_detention(
        user,
        [
            (plan.detention_id, release, housings[plan.detention_id].secured_by(release))
            for plan, release in shown
        ],
        today=today,
    )
    rows = [
        {"plan": plan, "release": release, "readiness": ready[plan.detention_id]}
        for plan, release in shown
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exitplan/plan_list.html",
        {
            "rows": rows,
            "page": page,
            "state": state,
            "states": PlanState.choices,
            "count": count_of(page.paginator.count, "plan de sortie", "plans de sortie"),
            "query": query.urlencode(),
        },
    )


# -- the plan page ----------------------------------------------------------------------------


def plan_page(request, detention_pk: int, status: int = 200, **bound):
    """The person's exit on one page; before the plan is opened, who may open it is offered
    to (the SIAO, the SPIP)."""
    user = request.user
    _require_reader(user)
    plan = (
        ExitPlan.objects.visible_to(user)
        .select_related(
            "detention__spip", "detention__establishment", "detention__cpip", "person", "site__siae"
        )
        .filter(detention_id=detention_pk)
        .first()
    )
    if plan is None:
        detention = get_object_or_404(
            Detention.objects.visible_to(user).select_related("person", "establishment"),
            pk=detention_pk,
        )
        if hasattr(detention, "exit_plan"):  # opened, but not shared with this reader
            raise Http404("Plan de sortie introuvable.")
        reads.note_read(request, detention)
        return render(
            request,
            "exitplan/plan_not_open.html",
            {
                "detention": detention,
                "person": detention.person,
                "may_open": may_open(user, detention),
            },
            status=status,
        )
    reads.note_read(request, plan)
    context = _context(request, plan, bound)
    context["error_anchor"] = _error_anchor(bound)
    return render(request, "exitplan/plan.html", context, status=status)


def _error_anchor(bound: dict) -> str:
    """Where on the page the refused form is (the alert at the top links to it)."""
    if bound.get("item_forms"):
        return f"element-{next(iter(bound['item_forms']))}"
    for key, anchor in (
        ("first_night_form", "premier-soir"),
        ("add_form", "ajout"),
        ("close_form", "cloture"),
    ):
        if key in bound:
            return anchor
    return ""


def _context(request, plan: ExitPlan, bound: dict) -> dict:
    user = request.user
    today = timezone.localdate()
    release = plan.release_on(today)
    detention = plan.detention
    housing = housing_for(detention)
    items = plan.items_for(user)
    item_forms = bound.get("item_forms", {})
    rows = [
        {
            "item": item,
            "due_on": item.due_on(release),
            "late": plan.state == PlanState.OPEN and item.is_late(release, today),
            "steps": [
                (t.name, STEPS[t.name]) for t in item.allowed_transitions(user) if t.name in STEPS
            ],
            "form": item_forms.get(item.pk) or ItemForm(item=item),
        }
        for item in items
    ]
    for row in rows:
        if not row["steps"]:
            row["form"] = None
    allowed = {t.name for t in plan.allowed_transitions(user)}
    full = plan.read_whole_by(user)
    parcours = (
        Parcours.objects.visible_to(user)
        .filter(detention=detention)
        .select_related("site__siae", "synthesis")
        .order_by("-created_at")
    )
    add_form = bound.get("add_form") or AddItemForm(plan=plan)
    return {
        "plan": plan,
        "person": plan.person,
        "detention": detention,
        "release": release,
        "today": today,
        "housing": housing,
        "housing_secured": housing.secured_by(release),
        "readiness": readiness(
            items,
            housing=housing.secured_by(release),
            release=release,
            today=today,
            closed=plan.state != PlanState.OPEN,
        ),
        "full": full,
        "work": [row for row in rows if row["item"].domain == Domain.WORK],
        "rights": [row for row in rows if row["item"].domain == Domain.RIGHTS],
        "parcours": list(parcours),
        "first_night_form": (bound.get("first_night_form") or FirstNightForm(instance=plan))
        if PlanEventKind.FIRST_NIGHT in allowed
        else None,
        "add_form": add_form
        if plan.may_add_items(user) and add_form.fields["kind"].choices
        else None,
        "close_form": (bound.get("close_form") or CloseForm(plan=plan))
        if PlanEventKind.STABILISED in allowed
        else None,
        "may_reopen": PlanEventKind.REOPENED in allowed,
        "events": _history(plan, items),
    }


def _history(plan: ExitPlan, items: list[ExitItem]) -> list[dict]:
    """The plan's and its items' steps, latest first — of the items the reader sees."""
    rows = [
        {"at": event.occurred_at, "what": event.get_kind_display(), "event": event}
        for event in plan.events.select_related("actor").order_by("-occurred_at", "-id")[:HISTORY]
    ]
    rows += [
        {
            "at": event.occurred_at,
            "what": f"{event.item.get_kind_display()} : {event.get_kind_display().lower()}",
            "event": event,
        }
        for event in ExitItemEvent.objects.filter(item__in=items)
        .exclude(kind=ItemEventKind.PLANNED)
        .select_related("actor", "item")
        .order_by("-occurred_at", "-id")[:HISTORY]
    ]
    return sorted(rows, key=lambda row: row["at"], reverse=True)[:HISTORY]


def _back_on_get(plan_of):
    """An action answers POST; its address opened again (Enter in the address bar after a
    refused form, a bookmark) leads back to the plan rather than to a bare 405."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, **kwargs):
            if request.method == "GET":
                return redirect(plan_of(request, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["GET", "POST"])
            return view(request, **kwargs)

        return wrapped

    return decorate


def _plan_address(request, pk: int) -> str:
    return plan_url(get_object_or_404(ExitPlan.objects.visible_to(request.user), pk=pk))


def _item_address(request, pk: int) -> str:
    visible = ExitItem.objects.filter(plan__in=ExitPlan.objects.visible_to(request.user))
    return plan_url(get_object_or_404(visible.select_related("plan"), pk=pk).plan)


def _detention_address(request, detention_pk: int) -> str:
    return reverse("exitplan:plan", kwargs={"detention_pk": detention_pk})


def _written(request, obj, event: str, message: str):
    """The write in the audit log, naming the person (an item names them through its plan:
    a write is also the file's activity for retention, SEC-03)."""
    person_id = obj.person_id if isinstance(obj, ExitPlan) else obj.plan.person_id
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=obj,
        person_id=person_id,
        detail={"event": event},
    )
    messages.success(request, message)


@_back_on_get(_detention_address)
def open_plan(request, detention_pk: int):
    user = request.user
    detention = get_object_or_404(Detention.objects.visible_to(user), pk=detention_pk)
    if not may_open(user, detention):
        raise PermissionDenied("Le SIAO ou le SPIP ouvre le plan de sortie.")
    plan = ExitPlan.open_for(detention, by=user)
    _written(request, plan, "exit_plan_opened", "Plan de sortie ouvert.")
    return redirect("exitplan:plan", detention_pk=detention.pk)


@_back_on_get(_item_address)
def item_step(request, pk: int):
    user = request.user
    item = get_object_or_404(
        ExitItem.objects.filter(plan__in=ExitPlan.objects.visible_to(user)).select_related(
            "plan__detention__spip", "plan__site__siae"
        ),
        pk=pk,
    )
    plan = item.plan
    if item not in plan.items_for(user):
        raise Http404("Élément introuvable.")
    form = ItemForm(request.POST, item=item)
    step = form.data.get(f"{form.prefix}-step")
    if step not in STEPS:
        step = ItemEventKind.DETAILS
    transition = item.workflow[step]
    if not transition.may(item, user):
        raise PermissionDenied(transition.denied)
    if not form.is_valid():
        return plan_page(request, plan.detention_id, status=400, item_forms={item.pk: form})
    try:
        item.take(step, by=user, on=form.cleaned_data.get("done_on"), **form.details())
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        _written(request, item, f"exit_item_{step}", f"{item} : {DONE_MESSAGES[step]}.")
    return redirect(f"{plan_url(plan)}#element-{item.pk}")


def plan_url(plan: ExitPlan) -> str:
    return reverse("exitplan:plan", kwargs={"detention_pk": plan.detention_id})


def _plan_for(request, pk: int, name: str) -> ExitPlan:
    """The plan, when the user may take its transition `name` (else 403, or 404 unseen)."""
    plan = _plan(request, pk)
    step = plan.workflow[name]
    if not step.may(plan, request.user):
        raise PermissionDenied(step.denied)
    return plan


def _attempt(request, plan: ExitPlan, action, *, event: str, message: str):
    """Take `action` (it returns what it wrote, by default the plan); a refusal is said at the
    top of the plan."""
    try:
        written = action() or plan
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        _written(request, written, event, message)
    return redirect(plan_url(plan))


@_back_on_get(_plan_address)
def first_night(request, pk: int):
    plan = _plan_for(request, pk, PlanEventKind.FIRST_NIGHT)
    form = FirstNightForm(request.POST, instance=ExitPlan.objects.get(pk=plan.pk))
    if not form.is_valid():
        return plan_page(request, plan.detention_id, status=400, first_night_form=form)
    fields = {name: form.cleaned_data[name] for name in FirstNightForm.Meta.fields}
    return _attempt(
        request,
        plan,
        lambda: plan.set_first_night(by=request.user, **fields),
        event="exit_plan_first_night",
        message="Accueil du premier soir enregistré.",
    )


@_back_on_get(_plan_address)
def add_item(request, pk: int):
    plan = _plan(request, pk)
    if not plan.may_add_items(request.user):
        raise PermissionDenied("Le SPIP ajoute un élément au plan.")
    form = AddItemForm(request.POST, plan=plan)
    if not form.is_valid():
        return plan_page(request, plan.detention_id, status=400, add_form=form)
    kind = form.cleaned_data["kind"]
    return _attempt(
        request,
        plan,
        lambda: plan.add_item(kind, by=request.user),
        event="exit_item_added",
        message=f"{ItemKind(kind).label} : ajouté au plan.",
    )


@_back_on_get(_plan_address)
def close_plan(request, pk: int):
    plan = _plan_for(request, pk, PlanEventKind.STABILISED)
    form = CloseForm(request.POST, plan=plan)
    if not form.is_valid():
        return plan_page(request, plan.detention_id, status=400, close_form=form)
    data = form.cleaned_data
    return _attempt(
        request,
        plan,
        lambda: plan.stabilise(on=data["on"], note=data["note"], by=request.user),
        event="exit_plan_stabilised",
        message="Plan clos : situation stabilisée.",
    )


@_back_on_get(_plan_address)
def reopen_plan(request, pk: int):
    plan = _plan_for(request, pk, PlanEventKind.REOPENED)
    return _attempt(
        request,
        plan,
        lambda: plan.reopen(by=request.user),
        event="exit_plan_reopened",
        message="Plan rouvert.",
    )
