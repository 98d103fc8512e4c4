from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from relais.accounts.models import Organisation
from relais.accounts.navigation import CAN_CREATE_EMERGENCY, CAN_CREATE_INSERTION
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.core.inputs import MAX_ID, ListParams
from relais.identity.entry import EntryCheck
from relais.identity.intake import open_request
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.persons import enums as person_enums
from relais.releases.housing import housing_for

from . import enums, sensitivity
from .enums import EventKind
from .forms import (
    CloseRequestForm,
    EmergencyIntakeForm,
    EvaluationForms,
    HouseholdMemberFormSet,
    InsertionRequestForm,
    PersonForm,
    RequestEditForm,
)
from .models import (
    Request,
    ResourceLine,
    SocialEvaluation,
    TransitionNotAllowed,
)

PAGE_SIZE = 25


def _visible_request(request, pk: int) -> Request:
    """Every view reaches a request through this: out of scope is a 404, not a 403."""
    return get_object_or_404(
        Request.objects.visible_to(request.user).select_related(
            "person",
            "household",
            "territory",
            "referrer_organisation",
            "referrer",
            "host_structure",
        ),
        pk=pk,
    )


def _editable_request(request, pk: int) -> Request:
    obj = _visible_request(request, pk)
    if not obj.editable_by(request.user):
        raise PermissionDenied(
            "Seul le service prescripteur ou le SIAO peut modifier cette demande."
        )
    return obj


def _require_role(user, roles: set[str]) -> None:
    if not (user.is_superuser or user.role in roles):
        raise PermissionDenied("Votre rôle ne permet pas cette action.")


def _referrer_organisation(user) -> Organisation:
    if user.organisation_id is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucune organisation.")
    return user.organisation


def may_open_requests(user) -> Organisation:
    """Who opens insertion and housing requests (SIAO-05), on screen or by import: the
    organisation that refers them. PermissionDenied otherwise."""
    _require_role(user, CAN_CREATE_INSERTION)
    return _referrer_organisation(user)


# -- list and detail --------------------------------------------------------------------------


def request_list(request):
    visible = Request.objects.visible_to(request.user)
    requests = visible.select_related(
        "person", "referrer_organisation", "territory", "host_structure"
    )
    params = ListParams(request)
    territory_id = params.id("territory", label="Territoire")
    referrer_id = params.id("referrer", label="Service prescripteur")
    filters = {
        "channel": params.raw("channel"),
        "status": params.raw("status"),
        "territory": str(territory_id or ""),
        "referrer": str(referrer_id or ""),
        "q": params.raw("q"),
    }
    if filters["channel"] in enums.Channel.values:
        requests = requests.filter(channel=filters["channel"])
    if filters["status"] in enums.RequestStatus.values:
        requests = requests.filter(status=filters["status"])
    if territory_id:
        requests = requests.filter(territory_id=territory_id)
    if referrer_id:
        requests = requests.filter(referrer_organisation_id=referrer_id)
    members = requests
    if filters["q"]:
        requests = requests.search(filters["q"])
        audit.record(request_or_user=request, action=Action.SEARCH, detail={"filters": filters})
    # One row per household (SIAO-02); a name search finds the household, the row names all.
    page = Paginator(requests.by_household(members=members), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    territories = visible.order_by().values_list("territory_id", "territory__name").distinct()
    referrers = (
        visible.order_by("referrer_organisation__name")
        .values_list("referrer_organisation_id", "referrer_organisation__name")
        .distinct()
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "requests/request_list.html",
        {
            "page": page,
            "people": members.filter(household_id__in=requests.values("household_id")).count(),
            "filters": filters,
            "channels": enums.Channel.choices,
            "statuses": enums.RequestStatus.choices,
            "territories": list(territories),
            "referrers": list(referrers),
            "query": query.urlencode(),
            "can_create_insertion": request.user.is_superuser
            or request.user.role in CAN_CREATE_INSERTION,
        },
    )


def _audit_read(request, req: Request) -> None:
    """Name the file this page reads; under an access on request, with its reason (SEC-02)."""
    grant = req.access_grant_for(request.user)
    if grant:
        reads.note_read(request, req, reason=grant.reason, access_grant=grant.pk)
    else:
        reads.note_read(request, req)


def _timeline(user, req: Request) -> list:
    """The request's events, newest first, with the notes of decisions (a refusal, an end of
    stay, a closure) as `user` may read them (SIAO-20). The events are not saved."""
    events = list(req.events.select_related("actor").order_by("-occurred_at", "-id"))
    if sensitivity.reads_decisions(user, req):
        return events
    Orientation = Request._meta.get_field("orientations").related_model
    orientations = Orientation.objects.select_related("structure", "request").in_bulk(
        {e.data.get("orientation") for e in events if e.kind in sensitivity.DECISION_EVENTS}
        - {None}
    )
    for event in events:
        if event.kind in sensitivity.DECISION_EVENTS:
            orientation = orientations.get(event.data.get("orientation"))
            event.note = orientation.note_for(user, event) if orientation else ""
    return events


def request_detail(request, pk: int):
    obj = _visible_request(request, pk)
    _audit_read(request, obj)
    members = obj.household.members.select_related("person").order_by("id")
    member_requests = {
        r.person_id: r
        for r in Request.objects.visible_to(request.user).filter(household=obj.household)
    }
    evaluation_request = obj.evaluation_request
    evaluation = getattr(evaluation_request, "evaluation", None) if obj.needs_evaluation else None
    return render(
        request,
        "requests/request_detail.html",
        {
            "req": obj,
            "members": [
                {"member": m, "request": member_requests.get(m.person_id)} for m in members
            ],
            "events": _timeline(request.user, obj),
            "evaluation": evaluation,
            "evaluation_request": evaluation_request,
            "missing_blocks": evaluation.missing_blocks() if evaluation else [],
            "can_edit": obj.editable_by(request.user),
            "can_close": obj.can(EventKind.CLOSED, request.user),
            "can_validate": evaluation_request.can(EventKind.EVALUATED, request.user),
            # JUS-01: the detention the request prepares, for whoever reads it.
            "detention": Detention.objects.visible_to(request.user)
            .filter(pk=obj.detention_id)
            .select_related("establishment")
            .first(),
        },
    )


# -- creation ---------------------------------------------------------------------------------


def _prefilled_detention(request):
    """JUS-02: `?detention=<pk>` prepares the request of a person leaving detention, one click
    from the CPIP's home. Only a detention the user may see (visible_to); else a 404."""
    text = request.GET.get("detention", "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
        raise Http404("Détention introuvable.")
    return get_object_or_404(
        Detention.objects.visible_to(request.user)
        .filter(state=DetentionState.IN_DETENTION)
        .select_related("person", "establishment"),
        pk=int(text),
    )


def request_create(request):
    """An insertion/stabilisation or housing request, with its household (SIAO-02, 05); with
    `?detention=`, the request of that person in detention, linked to the detention (JUS-02)."""
    organisation = may_open_requests(request.user)
    detention = _prefilled_detention(request)
    if detention is not None and (live := housing_for(detention).request) is not None:
        messages.info(request, "Une demande est déjà en cours pour cette détention.")
        if Request.objects.visible_to(request.user).filter(pk=live.pk).exists():
            return redirect("requests:detail", pk=live.pk)
        return redirect("persons:file", pk=detention.person_id)
    form = InsertionRequestForm(request.POST or None, prefix="request")
    members = HouseholdMemberFormSet(request.POST or None, prefix="members")
    if detention is None:
        person_form = PersonForm(request.POST or None, prefix="person")
        identity = EntryCheck(request.POST or None, user=request.user)
    else:
        # The person is known: their traits are shown to complete, no look-alike to pick.
        person_form = PersonForm(request.POST or None, instance=detention.person, prefix="person")
        identity = None
    if (
        request.method == "POST"
        and all([form.is_valid(), person_form.is_valid(), members.is_valid()])
        and (identity is None or identity.is_valid_for(person_form.instance))
    ):
        detail = {"detention": detention.pk} if detention is not None else {}
        if identity is None:
            changed = audit.form_changes({"person": person_form})
            if changed.get("changes"):
                detail.update(changed)
        req = open_request(
            typed=person_form.instance,
            identity=identity,
            channel=form.cleaned_data["channel"],
            referrer_organisation=organisation,
            by=request.user,
            audit_as=request,
            requested_on=form.cleaned_data["requested_on"],
            notes=form.cleaned_data["notes"],
            members=members,
            detention=detention,
            audit_detail=detail,
        )
        messages.success(request, "Demande créée. Complétez maintenant l'évaluation sociale.")
        return redirect("requests:evaluation", pk=req.pk)
    return render(
        request,
        "requests/request_form.html",
        {
            "form": form,
            "person_form": person_form,
            "members": members,
            "creating": True,
            "identity": identity,
            "detention": detention,
        },
    )


def may_open_emergencies(user) -> Organisation:
    """Who records a 115 call (SIAO-05, urgence), on screen or from software: the
    organisation that refers it. PermissionDenied otherwise."""
    _require_role(user, CAN_CREATE_EMERGENCY)
    return _referrer_organisation(user)


def open_emergency(form: EmergencyIntakeForm, *, identity, members, by, audit_as, **detail):
    """The urgence request of a valid short form whose identity check is answered."""
    data = form.cleaned_data
    typed = form.new_person(phone=data["phone"])
    typed.full_clean()
    return open_request(
        typed=typed,
        identity=identity,
        channel=enums.Channel.EMERGENCY,
        referrer_organisation=may_open_emergencies(by),
        by=by,
        audit_as=audit_as,
        notes=data["notes"],
        members=members,
        submission_key=data["submission"],
        audit_detail=detail,
        current_location=data["current_location"],
        needs_tonight=data["needs_tonight"],
    )


def emergency_create(request):
    """The 115 call handler's short form (SIAO-05, urgence)."""
    may_open_emergencies(request.user)
    form = EmergencyIntakeForm(request.POST or None, prefix="call")
    members = HouseholdMemberFormSet(request.POST or None, prefix="members")
    identity = EntryCheck(request.POST or None, user=request.user)
    done = None
    if request.method == "POST" and form.is_valid():
        done = Request.objects.submitted(form.cleaned_data["submission"])
    if done is not None:  # the same call recorded twice (double click, reload): one request
        return redirect("requests:detail", pk=done.pk)
    if (
        request.method == "POST"
        and form.is_valid()
        and members.is_valid()
        and identity.is_valid_for(form.new_person(phone=form.cleaned_data["phone"]))
    ):
        data = form.cleaned_data

        def make() -> Request:
            return open_emergency(
                form, identity=identity, members=members, by=request.user, audit_as=request
            )

        req, made = Request.objects.make_once(data["submission"], make)
        if made:
            messages.success(request, f"Demande d'urgence enregistrée pour {req.person}.")
        return redirect("requests:detail", pk=req.pk)
    return render(
        request,
        "requests/emergency_form.html",
        {"form": form, "members": members, "identity": identity},
    )


# -- edition ----------------------------------------------------------------------------------


def request_edit(request, pk: int):
    req = _editable_request(request, pk)
    form = RequestEditForm(request.POST or None, instance=req, prefix="request")
    person_form = PersonForm(request.POST or None, instance=req.person, prefix="person")
    if request.method == "POST" and form.is_valid() and person_form.is_valid():
        with transaction.atomic():
            form.save()
            person_form.save()
            changed = audit.form_changes({"": form, "person": person_form})
            if changed["changes"]:
                req.record_update(by=request.user, fields=list(changed["labels"].values()))
                audit.record(request_or_user=request, action=Action.WRITE, obj=req, detail=changed)
        messages.success(request, "Modifications enregistrées.")
        return redirect("requests:detail", pk=req.pk)
    reads.note_read(request, req)
    return render(
        request,
        "requests/request_edit.html",
        {"req": req, "form": form, "person_form": person_form},
    )


def household_add_member(request, pk: int):
    req = _editable_request(request, pk)
    members = HouseholdMemberFormSet(
        request.POST or None, prefix="members", initial=None if request.POST else [{}]
    )
    if request.method == "POST" and members.is_valid():
        with transaction.atomic():
            members.attach_to(req, by=request.user)
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=req,
                detail={"added_person_ids": [f.instance.pk for f in members if f.has_changed()]},
            )
        messages.success(request, "Ménage mis à jour.")
        return redirect("requests:detail", pk=req.pk)
    return render(request, "requests/household_add.html", {"req": req, "members": members})


def evaluation_edit(request, pk: int):
    """The whole Annex IV form on one page; every block is saved together or not at all."""
    req = _editable_request(request, pk)
    if not req.needs_evaluation:
        raise PermissionDenied("Les demandes d'urgence n'ont pas d'évaluation sociale.")
    if req.evaluation_request != req:
        return redirect("requests:evaluation", pk=req.evaluation_request.pk)
    # Reading the form creates nothing; the first save does.
    evaluation = SocialEvaluation.objects.filter(request=req).first() or SocialEvaluation(
        request=req
    )
    forms = EvaluationForms(req, evaluation, request.POST or None)
    if request.method == "POST":
        if forms.is_valid():
            with transaction.atomic():
                forms.save(by=request.user, audit_as=request)
                if "validate" in request.POST:
                    try:
                        req.evaluate(by=request.user)
                    except TransitionNotAllowed as refusal:
                        messages.warning(
                            request, f"Évaluation enregistrée mais pas validée. {refusal}"
                        )
                        return redirect("requests:evaluation", pk=req.pk)
                    audit.record(
                        request_or_user=request,
                        action=Action.WRITE,
                        obj=req,
                        detail={"event": "evaluated"},
                    )
                    messages.success(
                        request, "Évaluation validée : le SIAO peut orienter la demande."
                    )
                    return redirect("requests:detail", pk=req.pk)
            messages.success(request, "Évaluation enregistrée.")
            return redirect("requests:detail", pk=req.pk)
        messages.error(
            request, "L'évaluation n'est pas enregistrée : corrigez les champs signalés."
        )
    reads.note_read(request, req)
    return render(
        request,
        "requests/evaluation_form.html",
        {
            "req": req,
            "forms": forms,
            "has_spouse": req.household.members.filter(
                relationship=person_enums.Relationship.SPOUSE
            ).exists(),
        },
    )


def evaluation_print(request, pk: int):
    req = _visible_request(request, pk)
    if not req.needs_evaluation:
        raise PermissionDenied("Les demandes d'urgence n'ont pas d'évaluation sociale.")
    if req.evaluation_request != req:
        return redirect("requests:evaluation_print", pk=req.evaluation_request.pk)
    evaluation = get_object_or_404(SocialEvaluation, request=req)
    _audit_read(request, req)
    members = list(req.household.members.select_related("person").order_by("id"))
    spouse = next(
        (m.person for m in members if m.relationship == person_enums.Relationship.SPOUSE), None
    )
    employments = {e.holder: e for e in evaluation.employments.all()}
    readable = sensitivity.readable_categories(request.user, req)
    hidden_reasons = sensitivity.hidden_reasons(request.user, req)
    hidden_kinds = sensitivity.hidden_resource_kinds(request.user, req)
    resources = _resource_cells(evaluation, hidden_kinds=hidden_kinds)
    return render(
        request,
        "requests/evaluation_print.html",
        {
            "req": req,
            "evaluation": evaluation,
            "applicant": req.household.principal,
            "spouse": spouse,
            "children": [m for m in members if m.relationship == person_enums.Relationship.CHILD],
            "others": [
                m
                for m in members
                if m.relationship
                in (person_enums.Relationship.RELATIVE, person_enums.Relationship.OTHER)
            ],
            "employment_rows": [
                (holder.label, employments.get(holder.value)) for holder in enums.Holder
            ],
            "resource_rows": [
                {
                    "label": kind.label,
                    "kind": kind.value,
                    "cells": [resources.get((holder.value, kind.value)) for holder in enums.Holder],
                }
                for kind in enums.ResourceKind
                if kind.value not in hidden_kinds
            ],
            "totals": [evaluation.resources_total(holder.value) for holder in enums.Holder],
            "debt_rows": _rows(enums.DebtKind, {d.kind: d for d in evaluation.debts.all()}),
            "reason_rows": _rows(
                [r for r in enums.RequestReason if r.value not in hidden_reasons],
                {r.reason: r for r in evaluation.reasons.all()},
            ),
            "aid_rows": _rows(
                enums.HousingAidScheme, {a.scheme: a for a in evaluation.housing_aids.all()}
            ),
            "housing_choices": enums.HousingSituation.choices,
            # The NIR, where kept, is for those who answer for the file, like health data.
            "shows_nir": req.territory.stores_social_security_number
            and sensitivity.HEALTH in readable,
            "show_health": sensitivity.HEALTH in readable,
            "show_justice": sensitivity.JUSTICE in readable,
            # Masked whatever the situation: a mask shown only on some values would tell them.
            "hides_housing_situation": not sensitivity.shows_housing_situation(request.user, req),
        },
    )


def _resource_cells(evaluation: SocialEvaluation, *, hidden_kinds: set[str]) -> dict:
    """{(holder, kind): line} of the resources block; a line of a hidden kind (the AAH) is
    added into « Autre » with no detail, so that the total still adds up and reveals nothing."""
    cells = {(r.holder, r.kind): r for r in evaluation.resources.all()}
    for (holder, kind), line in list(cells.items()):
        if kind not in hidden_kinds:
            continue
        del cells[(holder, kind)]
        other = cells.get((holder, enums.ResourceKind.OTHER))
        amounts = [
            a for a in (line.monthly_amount, other and other.monthly_amount) if a is not None
        ]
        cells[(holder, enums.ResourceKind.OTHER)] = ResourceLine(
            holder=holder,
            kind=enums.ResourceKind.OTHER,
            monthly_amount=sum(amounts) if amounts else None,
            rights_start=other.rights_start if other else None,
            rights_end=other.rights_end if other else None,
            detail=other.detail if other else "",
        )
    return cells


def _rows(choices, by_value: dict) -> list[tuple[str, object]]:
    """Every line of a paper-form block, filled or not, in the form's order."""
    return [(choice.label, by_value.get(choice.value)) for choice in choices]


@require_POST
def request_evaluate(request, pk: int):
    req = _editable_request(request, pk)
    try:
        req.evaluate(by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        audit.record(
            request_or_user=request, action=Action.WRITE, obj=req, detail={"event": "evaluated"}
        )
        messages.success(request, "Évaluation validée : le SIAO peut orienter la demande.")
    return redirect("requests:detail", pk=req.pk)


def request_close(request, pk: int):
    """The referrer or the SIAO closes a request, with a reason from the list."""
    req = _editable_request(request, pk)
    form = CloseRequestForm(request.POST or None)
    closable = req.can(EventKind.CLOSED, request.user)
    if request.method == "POST" and closable and form.is_valid():
        try:
            req.close(
                by=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
            )
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            audit.record(
                request_or_user=request, action=Action.WRITE, obj=req, detail={"event": "closed"}
            )
            messages.success(request, "Demande clôturée.")
            return redirect("requests:detail", pk=req.pk)
    return render(
        request,
        "requests/request_close.html",
        {
            "req": req,
            "form": form,
            "closable": closable,
            "pending": req.orientations.active().select_related("structure").first(),
        },
        status=400 if request.method == "POST" else 200,
    )
