"""The implantation screens (IAE-09): the projects, one project's checklist, its print. Who reads
a project is `ImplantationProject.objects.visible_to`; who moves it on is `may_change`; who
records a party's date is `ActParty.may_record`. Out of scope is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.transitions import TransitionNotAllowed

from . import constants
from .enums import ActKind, Party, StepEventKind
from .forms import ProjectForm, RecordForm, StepForm
from .models import (
    READER_ROLES,
    ActParty,
    ImplantationAct,
    ImplantationProject,
    ImplantationStep,
    StepEvent,
    may_create,
)


def _require_reader(user) -> None:
    if not (user.is_superuser or user.role in READER_ROLES):
        raise PermissionDenied(
            "Les projets d'implantation de SIAE sont suivis par l'établissement pénitentiaire, "
            "le SPIP, la SIAE et les services de l'État."
        )


def _projects(user):
    return (
        ImplantationProject.objects.visible_to(user)
        .select_related("establishment", "siae", "territory")
        .prefetch_related(
            "steps",
            Prefetch("acts", queryset=ImplantationAct.objects.prefetch_related("parties")),
        )
    )


def _visible_project(request, pk: int) -> ImplantationProject:
    return get_object_or_404(_projects(request.user), pk=pk)


def _changeable_project(request, pk: int) -> ImplantationProject:
    project = _visible_project(request, pk)
    if not project.may_change(request.user):
        raise PermissionDenied(
            "Seuls l'établissement, les services de l'État et l'administrateur du territoire "
            "modifient ce projet."
        )
    return project


# -- list and creation ------------------------------------------------------------------------


def project_list(request):
    user = request.user
    _require_reader(user)
    today = timezone.localdate()
    rows = [
        {"project": project, **project.progress(on=today)}
        for project in _projects(user).order_by("establishment__name", "-started_on")
    ]
    return render(
        request,
        "implantation/project_list.html",
        {"rows": rows, "can_create": may_create(user)},
    )


def project_create(request):
    user = request.user
    if not may_create(user):
        raise PermissionDenied(
            "Un projet d'implantation s'ouvre par l'établissement pénitentiaire, les services "
            "de l'État ou l'administrateur du territoire."
        )
    form = ProjectForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.fields}
        project = ImplantationProject.open(by=user, **values)
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=project,
            detail={"event": "implantation_opened"},
        )
        messages.success(request, "Projet ouvert : ses six étapes et ses actes sont à suivre.")
        return redirect("implantation:detail", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "implantation/project_form.html", {"form": form, "creating": True}, status=status
    )


def project_edit(request, pk: int):
    project = _changeable_project(request, pk)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=project,
            detail={"event": "implantation_edited", "fields": form.changed_data},
        )
        messages.success(request, "Projet mis à jour.")
        return redirect("implantation:detail", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "implantation/project_form.html",
        {"form": form, "project": project, "creating": False},
        status=status,
    )


# -- the checklist ----------------------------------------------------------------------------


def _acts_table(project: ImplantationProject) -> dict:
    """The table of seed 003 as rows (parties) × columns (acts), each cell with its role, the
    table's words and the date recorded."""
    acts = project.acts_in_order()
    dates = {(act.kind, row.party): row for act in acts for row in act.parties.all()}
    rows = []
    for party in Party:
        cells = []
        for act in acts:
            c = constants.cell(act.kind, party)
            row = dates.get((act.kind, party))
            cells.append({"cell": c, "row": row, "act": act})
        if any(item["cell"] for item in cells):
            rows.append({"party": party.label, "cells": cells})
    return {"acts": acts, "rows": rows}


def _checklist_context(project: ImplantationProject, user, *, forms: dict | None = None) -> dict:
    forms = forms or {}
    can_change = project.may_change(user)
    plans = project.schedule()
    steps = [
        {
            "plan": plan,
            "form": forms.get(f"step_{plan.step.pk}")
            or (StepForm(step=plan.step, user=user) if can_change else None),
        }
        for plan in plans
    ]
    record_form = forms.get("record_form") or RecordForm(project=project, user=user)
    return {
        "project": project,
        "steps": steps,
        "table": _acts_table(project),
        "progress": project.progress(),
        "warnings": project.warnings(),
        "can_change": can_change,
        "record_form": record_form if record_form.has_choices else None,
        "overall_duration": constants.OVERALL_DURATION,
        "employment_note": constants.EMPLOYMENT_NOTE,
        "step_events": _history(project),
    }


def _history(project: ImplantationProject):
    return (
        StepEvent.objects.filter(step__project=project)
        .exclude(kind=StepEventKind.PLANNED)
        .select_related("actor", "step")
        .order_by("-occurred_at", "-id")
    )


def project_detail(request, pk: int, **forms):
    project = _visible_project(request, pk)
    context = _checklist_context(project, request.user, forms=forms)
    return render(
        request, "implantation/project_detail.html", context, status=400 if forms else 200
    )


def project_print(request, pk: int):
    project = _visible_project(request, pk)
    context = _checklist_context(project, request.user)
    context |= {"printing": True, "today": timezone.localdate()}
    return render(request, "implantation/project_print.html", context)


@require_POST
def step_take(request, pk: int):
    step = get_object_or_404(
        ImplantationStep.objects.filter(
            project__in=ImplantationProject.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    project = _changeable_project(request, step.project_id)
    step = next(s for s in project.steps.all() if s.pk == step.pk)
    form = StepForm(request.POST, step=step, user=request.user)
    if not form.is_valid():
        return project_detail(request, project.pk, **{f"step_{step.pk}": form})
    data = form.cleaned_data
    try:
        step.take(data["transition"], by=request.user, on=data.get("on"), note=data["note"])
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("implantation:detail", pk=project.pk)
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=project,
        detail={"event": f"step_{data['transition']}", "étape": step.number},
    )
    messages.success(request, f"Étape {step.number} : {step.get_status_display().lower()}.")
    return redirect("implantation:detail", pk=project.pk)


@require_POST
def record_date(request, pk: int):
    project = _visible_project(request, pk)
    form = RecordForm(request.POST, project=project, user=request.user)
    if not form.has_choices:
        raise PermissionDenied(
            "Votre rôle ne permet pas d'enregistrer les signatures de ce projet."
        )
    if not form.is_valid():
        return project_detail(request, project.pk, record_form=form)
    row: ActParty = form.cleaned_data["party"]
    on = form.cleaned_data["on"]
    try:
        row.record(on, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect("implantation:detail", pk=project.pk)
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=project,
        detail={
            "event": "act_date_recorded",
            "acte": ActKind(row.act.kind).label,
            "partie": row.get_party_display(),
            "date": on,
        },
    )
    verb = "signé le" if row.signs else "transmis le"
    messages.success(
        request,
        f"{row.act} : {row.get_party_display()}, {verb} {on:%d/%m/%Y}.",
    )
    return redirect("implantation:detail", pk=project.pk)
