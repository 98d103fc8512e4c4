"""The commission justice screens (JUS-10). Who sees a commission is
`Commission.objects.visible_to` (out of scope: 404); who runs it is `runs` (the transitions'
`may`): refused, 403. Every person shown is a read, logged by the audit middleware."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.transitions import TransitionNotAllowed

from .enums import AgendaReason, CommissionEventKind
from .forms import AttendanceForm, CommissionForm, DecisionForm, DoneForm
from .models import (
    PARTICIPANT_ROLES,
    AgendaItem,
    Commission,
    Decision,
    may_plan,
    runs,
)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def visible_commission(request, pk: int) -> Commission:
    return get_object_or_404(
        Commission.objects.visible_to(request.user).select_related("territory"), pk=pk
    )


def _write(request, commission: Commission, event: str, **detail) -> None:
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=commission,
        detail={"event": event, **detail},
    )


# -- list and creation -------------------------------------------------------------------------


def commission_list(request):
    user = request.user
    _require(
        user.is_superuser or user.role in PARTICIPANT_ROLES,
        "Les commissions justice sont réservées au SIAO, au SPIP et aux services invités.",
    )
    commissions = (
        Commission.objects.visible_to(user).select_related("territory").order_by("-held_on", "-id")
    )
    return render(
        request,
        "commission/list.html",
        {"commissions": commissions[:100], "may_plan": may_plan(user)},
    )


def commission_create(request):
    user = request.user
    _require(may_plan(user), "Seuls le SIAO et le SPIP prévoient une commission justice.")
    territory = user.organisation.territory
    form = CommissionForm(request.POST or None, territory_id=territory.pk)
    if request.method == "POST" and form.is_valid():
        commission = Commission.plan(
            territory=territory,
            held_on=form.cleaned_data["held_on"],
            place=form.cleaned_data["place"],
            services=form.cleaned_data["services"],
            by=user,
        )
        _write(request, commission, "commission_planned")
        messages.success(request, f"{commission} prévue. Construisez maintenant son ordre du jour.")
        return redirect("commission:detail", pk=commission.pk)
    return render(
        request, "commission/form.html", {"form": form}, status=400 if form.is_bound else 200
    )


# -- the commission's page --------------------------------------------------------------------


def _items(commission: Commission) -> list[AgendaItem]:
    return list(
        commission.items.select_related(
            "person",
            "detention__establishment",
            "request",
            "decision__owner_user",
            "decision__owner_organisation",
            "decision__done_by",
        )
    )


def _carried(commission: Commission, may_run: bool, done_forms: dict | None = None) -> list[dict]:
    may_mark = may_run and not commission.frozen
    rows = []
    for decision in commission.carried_actions():
        done = commission.done_by_then(decision)
        form = None
        if may_mark and not decision.done:
            form = (done_forms or {}).get(decision.pk) or DoneForm(
                decision=decision, initial={"commission": commission.pk}
            )
        rows.append({"decision": decision, "done": done, "form": form})
    return rows


def _context(commission: Commission, user, *, printed: bool = False, **bound) -> dict:
    may_run = runs(commission, user) and not printed
    editable = may_run and not commission.frozen
    items = _items(commission)
    decision_forms = bound.get("decision_forms") or {}
    done_forms = bound.get("done_forms") or {}
    choices = DecisionForm.choices_for(commission) if editable else None
    rows = []
    for item in items:
        decision = getattr(item, "decision", None)
        form = None
        if editable:
            form = decision_forms.get(item.pk) or DecisionForm(
                commission=commission,
                item_pk=item.pk,
                choices=choices,
                initial={
                    "action": decision.action,
                    "owner_user": decision.owner_user_id or "",
                    "owner_organisation": decision.owner_organisation_id or "",
                    "due_on": decision.due_on,
                }
                if decision
                else None,
            )
        done_form = None
        if decision and not decision.done and may_run:
            done_form = done_forms.get(decision.pk) or DoneForm(decision=decision)
        rows.append({"item": item, "decision": decision, "form": form, "done_form": done_form})
    return {
        "commission": commission,
        "may_run": may_run,
        "editable": editable,
        "transitions": commission.allowed_transitions(user) if may_run else [],
        "detained": [r for r in rows if r["item"].reason == AgendaReason.IN_DETENTION],
        "followed": [r for r in rows if r["item"].reason == AgendaReason.FOLLOW_UP],
        "decided": [r for r in rows if r["decision"]],
        "carried": _carried(commission, may_run, done_forms),
        "services": commission.services.order_by("name"),
        "service_rows": _service_rows(commission),
        "present": commission.present_users.select_related("organisation").order_by(
            "organisation__name", "last_name", "first_name"
        ),
        "attendance_form": (bound.get("attendance_form") or AttendanceForm(commission=commission))
        if editable
        else None,
        "events": commission.events.select_related("actor"),
        "today": timezone.localdate(),
    }


def _service_rows(commission: Commission) -> list[dict]:
    statuses = {
        a.organisation_id: a.get_status_display() for a in commission.service_attendances.all()
    }
    return [
        {"service": s, "status": statuses.get(s.pk, "")}
        for s in commission.services.order_by("name")
    ]


def commission_detail(request, pk: int, status: int = 200, **bound):
    commission = visible_commission(request, pk)
    return render(
        request,
        "commission/detail.html",
        _context(commission, request.user, **bound),
        status=status,
    )


def minutes(request, pk: int):
    """The printable minutes: attendance, the decision on each case, the carried actions."""
    commission = visible_commission(request, pk)
    return render(
        request, "commission/minutes.html", _context(commission, request.user, printed=True)
    )


def _runnable(request, pk: int) -> Commission:
    commission = visible_commission(request, pk)
    _require(
        runs(commission, request.user),
        "Seuls le SIAO du territoire et les SPIP invités conduisent la commission.",
    )
    return commission


# -- actions ----------------------------------------------------------------------------------


@require_POST
def build_agenda(request, pk: int):
    commission = _runnable(request, pk)
    try:
        added = commission.build_agenda(by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("commission:detail", pk=commission.pk)
    _write(request, commission, "agenda_built", added=added)
    if added:
        cases = "cas ajouté" if added == 1 else "cas ajoutés"
        messages.success(request, f"Ordre du jour construit : {added} {cases}.")
    else:
        messages.info(request, "Ordre du jour à jour : aucun nouveau cas.")
    return redirect("commission:detail", pk=commission.pk)


@require_POST
def attendance(request, pk: int):
    commission = _runnable(request, pk)
    form = AttendanceForm(request.POST, commission=commission)
    if not form.is_valid():
        return commission_detail(request, pk, status=400, attendance_form=form)
    try:
        commission.record_attendance(
            users=form.cleaned_data["present"], services=form.service_statuses(), by=request.user
        )
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("commission:detail", pk=commission.pk)
    _write(request, commission, "attendance")
    messages.success(request, "Présences enregistrées.")
    return redirect("commission:detail", pk=commission.pk)


def _step(name: str, message: str):
    @require_POST
    def view(request, pk: int):
        commission = _runnable(request, pk)
        try:
            if name == CommissionEventKind.HELD:
                commission.hold(by=request.user)
            else:
                commission.close(by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            _write(request, commission, f"commission_{name}")
            messages.success(request, message)
        return redirect("commission:detail", pk=commission.pk)

    return view


hold = _step(CommissionEventKind.HELD, "La commission est indiquée comme tenue.")
close = _step(
    CommissionEventKind.CLOSED,
    "Compte rendu validé : les décisions ne se modifient plus. Les actions en cours passeront "
    "à la prochaine commission.",
)


@require_POST
def decide(request, pk: int):
    """The decision on one case (`pk`: the agenda item)."""
    item = get_object_or_404(
        AgendaItem.objects.filter(commission__in=Commission.objects.visible_to(request.user)),
        pk=pk,
    )
    commission = _runnable(request, item.commission_id)
    form = DecisionForm(request.POST, commission=commission, item_pk=item.pk)
    if not form.is_valid():
        return commission_detail(request, commission.pk, status=400, decision_forms={item.pk: form})
    data = form.cleaned_data
    try:
        commission.decide(
            item,
            action=data["action"],
            due_on=data["due_on"],
            owner_user=data["owner_user"],
            owner_organisation=data["owner_organisation"],
            by=request.user,
        )
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("commission:detail", pk=commission.pk)
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=commission,
        person_id=item.person_id,
        detail={"event": "commission_decision", "item": item.pk},
    )
    messages.success(request, "Décision enregistrée : elle figure au parcours de la personne.")
    return redirect(f"{commission.get_absolute_url()}#cas-{item.pk}")


@require_POST
def mark_done(request, pk: int):
    """An action marked done, from the commission that decided it or one it carried to."""
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).select_related("item__commission"), pk=pk
    )
    form = DoneForm(request.POST, decision=decision)
    decided_in = decision.item.commission
    back = decided_in
    if back_to := DoneForm.back_to(request.POST.get("commission", "")):
        back = (
            Commission.objects.visible_to(request.user)
            .filter(pk=back_to, territory_id=decided_in.territory_id)
            .first()
        ) or decided_in
    _require(
        runs(decided_in, request.user) or runs(back, request.user),
        "Seuls le SIAO du territoire et les SPIP invités suivent les actions.",
    )
    if not form.is_valid():
        return commission_detail(request, back.pk, status=400, done_forms={decision.pk: form})
    try:
        decision.mark_done(on=form.cleaned_data["done_on"], by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("commission:detail", pk=back.pk)
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=decided_in,
        person_id=decision.item.person_id,
        detail={"event": "commission_action_done", "decision": decision.pk},
    )
    messages.success(request, "Action marquée comme faite.")
    return redirect("commission:detail", pk=back.pk)
