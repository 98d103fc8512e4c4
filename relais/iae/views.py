"""The parcours screens. Who reads a parcours is `Parcours.objects.visible_to` (out of scope:
404); who takes a step is the transition's `may` (refused: 403 or the French refusal)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.accounts.enums import OrganisationKind, Role
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.core.inputs import ListParams
from relais.core.transitions import TransitionNotAllowed
from relais.exitplan.models import ExitPlan
from relais.justice.enums import DetentionState
from relais.justice.models import Detention

from .enums import OPEN_STATES, ParcoursEventKind, ParcoursState
from .forms import (
    ActionForm,
    AgreementForm,
    AssignForm,
    CloseForm,
    ConsentForm,
    CpuDecisionForm,
    CpuSessionForm,
    EndForm,
    HoursForm,
    ImmersionForm,
    InterviewForm,
    LogEntryForm,
    PrescribeForm,
    WithdrawConsentForm,
)
from .models import (
    IAE_ROLES,
    Agreement,
    Consent,
    CpuSession,
    LogEntry,
    MonthlyHours,
    Parcours,
    ParcoursAction,
    Site,
    may_record_consent,
    may_withdraw_consent,
)


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


# -- lists ------------------------------------------------------------------------------------

PAGE_SIZE = 25


def parcours_list(request):
    """The parcours the user works on, by step; the CPIP also sees who could be proposed."""
    user = request.user
    require_iae_role(user)
    visible = Parcours.objects.visible_to(user).select_related(
        "person", "site__siae", "site__establishment", "detention"
    )
    params = ListParams(request)
    state = params.raw("state") or "open"
    if state in ParcoursState.values:
        visible = visible.filter(state=state)
    elif state == "open":
        visible = visible.open()
    else:
        state = "all"
    page = Paginator(visible.order_by("-prescribed_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "state": state,
        "states": ParcoursState.choices,
        "query": query.urlencode(),
        "sites": Site.objects.visible_to(user).select_related("siae", "establishment"),
        "candidates": _candidates(user),
        "is_prison": user.role == Role.PRISON_STAFF,
    }
    return render(request, "iae/parcours_list.html", context)


def _candidates(user):
    """For a CPIP: their SPIP's detainees at an establishment with an SIAE, without a parcours
    in progress (whom the CPIP may prescribe for)."""
    if user.role != Role.CPIP:
        return []
    return (
        Detention.objects.visible_to(user)
        .filter(state=DetentionState.IN_DETENTION, establishment__iae_sites__isnull=False)
        .exclude(person__iae_parcours__state__in=OPEN_STATES)
        .select_related("person", "establishment")
        .distinct()
        .order_by("due_on", "id")[:50]
    )


def waiting_list(request, pk: int):
    """IAE-02: the people oriented to the site's SIAE, first oriented first. The SIAE sees
    the names of those whose consent runs; the others are counted."""
    site = visible_site(request, pk)
    require_iae_role(request.user)
    oriented = Parcours.objects.waiting_list(site)
    shown = oriented.filter(pk__in=Parcours.objects.visible_to(request.user)).select_related(
        "person", "detention"
    )
    return render(
        request,
        "iae/waiting_list.html",
        {"site": site, "waiting": shown, "hidden": oriented.count() - shown.count()},
    )


# -- prescription -----------------------------------------------------------------------------


def prescribe(request, detention_pk: int):
    """IAE-02: only the SPIP that follows the person prescribes."""
    user = request.user
    detention = get_object_or_404(
        Detention.objects.visible_to(user).select_related("person", "establishment"),
        pk=detention_pk,
    )
    if not (
        user.is_superuser or (user.role == Role.CPIP and user.organisation_id == detention.spip_id)
    ):
        raise PermissionDenied("Seul le SPIP qui suit la personne prescrit un parcours IAE.")
    form = PrescribeForm(request.POST or None, detention=detention)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.fields if f != "site"}
        try:
            parcours = Parcours.prescribe(
                detention=detention, site=form.cleaned_data["site"], by=user, **values
            )
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=parcours,
                detail={"event": "iae_prescribed"},
            )
            # EXIT-01: an exit plan opened before the parcours now shares it with the SIAE.
            plan = ExitPlan.objects.filter(detention=detention).first()
            if plan is not None:
                plan.follow_site(by=user)
            messages.success(
                request,
                "Parcours prescrit. Recueillez le consentement écrit de la personne : la SIAE "
                "ne verra son dossier qu'ensuite.",
            )
            return redirect("iae:detail", pk=parcours.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "iae/prescribe.html",
        {"form": form, "detention": detention, "person": detention.person},
        status=status,
    )


# -- the parcours page ------------------------------------------------------------------------

# The forms of the page, by the transition they take (or the record they add).
STEP_FORMS = {
    ParcoursEventKind.CPU_ORIENTED: "cpu_form",
    ParcoursEventKind.RETAINED: "interview_form",
    ParcoursEventKind.IMMERSION: "immersion_form",
    ParcoursEventKind.ASSIGNED: "assign_form",
    ParcoursEventKind.ENDED: "end_form",
    ParcoursEventKind.CLOSED: "close_form",
}


def _step_after(parcours: Parcours, form_name: str):
    """The day a step's date may not precede."""
    return {
        "interview_form": parcours.oriented_on,
        "immersion_form": parcours.oriented_on,
        "assign_form": parcours.interviewed_on,
        "end_form": parcours.assigned_on,
        "close_form": parcours.prescribed_on,
    }.get(form_name)


def _blank_form(name: str, parcours: Parcours, user):
    match name:
        case "cpu_form":
            return CpuDecisionForm(parcours=parcours)
        case "interview_form":
            return InterviewForm(parcours=parcours, after=_step_after(parcours, name))
        case "immersion_form":
            return ImmersionForm(parcours=parcours, after=_step_after(parcours, name))
        case "assign_form":
            return AssignForm(parcours=parcours, after=_step_after(parcours, name))
        case "end_form":
            return EndForm(parcours=parcours, after=_step_after(parcours, name))
        case "close_form":
            return CloseForm(parcours=parcours, after=_step_after(parcours, name))
    raise ValueError(name)


def parcours_detail(request, pk: int, status: int = 200, **bound):
    parcours = visible_parcours(request, pk)
    user = request.user
    allowed = {t.name for t in parcours.allowed_transitions(user)}
    # "not retained" and "not oriented" share the forms of their positive steps.
    if ParcoursEventKind.NOT_RETAINED in allowed:
        allowed.add(ParcoursEventKind.RETAINED)
    forms = {
        name: bound.get(name) or _blank_form(name, parcours, user)
        for step, name in STEP_FORMS.items()
        if step in allowed
        or (step == ParcoursEventKind.CPU_ORIENTED and ParcoursEventKind.CPU_DECLINED in allowed)
    }
    agreement_form = bound.get("agreement_form") or AgreementForm(parcours=parcours, user=user)
    consent = parcours.running_consent()
    reads_log = parcours.reads_log(user)
    eligibility = parcours.eligibility()
    context = {
        "parcours": parcours,
        "person": parcours.person,
        "detention": parcours.detention,
        "site": parcours.site,
        "eligibility": eligibility,
        "agreements": parcours.agreements.all(),
        "agreement_form": agreement_form if agreement_form.fields["party"].choices else None,
        "events": parcours.events.select_related("actor").order_by("occurred_at", "id"),
        "consent": consent,
        "consents": parcours.consents.select_related("recorded_by", "withdrawn_by"),
        "consent_form": (
            bound.get("consent_form") or ConsentForm(initial={"given_on": timezone.localdate()})
        )
        if consent is None and may_record_consent(user, parcours)
        else None,
        "withdraw_form": bound.get("withdraw_form") or WithdrawConsentForm()
        if consent is not None and may_withdraw_consent(user, parcours)
        else None,
        "reads_log": reads_log,
        "log_entries": parcours.log_entries.select_related("author") if reads_log else [],
        "log_form": (bound.get("log_form") or LogEntryForm()) if reads_log else None,
        "hours": parcours.hours.all(),
        "total_hours": parcours.total_hours(),
        "actions": parcours.actions.all(),
        "writes_siae_part": parcours.writes_siae_part(user) and parcours.assigned_on is not None,
        "sees_detention": Detention.objects.visible_to(user)
        .filter(pk=parcours.detention_id)
        .exists(),
        "responsibilities": parcours.site.responsibilities.all(),
        **forms,
    }
    if context["writes_siae_part"]:
        context["hours_form"] = bound.get("hours_form") or HoursForm(parcours=parcours)
        context["action_form"] = bound.get("action_form") or ActionForm()
    return render(request, "iae/parcours_detail.html", context, status=status)


def _done(request, parcours: Parcours, message: str, **detail):
    audit.record(request_or_user=request, action=Action.WRITE, obj=parcours, detail=detail)
    messages.success(request, message)
    return redirect("iae:detail", pk=parcours.pk)


def _refused(request, parcours: Parcours, refusal: TransitionNotAllowed):
    messages.error(request, str(refusal))
    return redirect("iae:detail", pk=parcours.pk)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@require_POST
def cpu_decision(request, pk: int):
    parcours = visible_parcours(request, pk)
    transition = parcours.workflow[ParcoursEventKind.CPU_ORIENTED]
    _require(transition.may(parcours, request.user), transition.denied)
    form = CpuDecisionForm(request.POST, parcours=parcours)
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, cpu_form=form)
    data = form.cleaned_data
    try:
        if data["decision"] == "orient":
            parcours.orient(session=data["session"], by=request.user, note=data["note"])
        else:
            parcours.decline_orientation(
                session=data["session"], by=request.user, note=data["note"]
            )
    except TransitionNotAllowed as refusal:
        return _refused(request, parcours, refusal)
    message = (
        "Orientation vers la SIAE enregistrée : la personne est sur la liste d'attente."
        if data["decision"] == "orient"
        else "Non-orientation enregistrée."
    )
    return _done(request, parcours, message, event=f"cpu_{data['decision']}")


def _step_view(form_class, form_name: str, act, message: str, event: str, *, step: str):
    """A POST view taking one step: the form, the actor check, the transition, the audit."""

    @require_POST
    def view(request, pk: int):
        parcours = visible_parcours(request, pk)
        transition = parcours.workflow[step]
        _require(transition.may(parcours, request.user), transition.denied)
        form = form_class(request.POST, parcours=parcours, after=_step_after(parcours, form_name))
        if not form.is_valid():
            return parcours_detail(request, pk, status=400, **{form_name: form})
        try:
            act(parcours, form.cleaned_data, request.user)
        except TransitionNotAllowed as refusal:
            return _refused(request, parcours, refusal)
        return _done(request, parcours, message, event=event)

    return view


interview = _step_view(
    InterviewForm,
    "interview_form",
    lambda p, d, u: p.interview(
        on=d["on"], retained=d["outcome"] == "retained", reason=d["reason"], by=u, note=d["note"]
    ),
    "Résultat de l'entretien enregistré.",
    "iae_interview",
    step=ParcoursEventKind.RETAINED,
)
immersion = _step_view(
    ImmersionForm,
    "immersion_form",
    lambda p, d, u: p.record_immersion(
        starts_on=d["on"], ends_on=d["ends_on"], by=u, note=d["note"]
    ),
    "Immersion enregistrée.",
    "iae_immersion",
    step=ParcoursEventKind.IMMERSION,
)
assign = _step_view(
    AssignForm,
    "assign_form",
    lambda p, d, u: p.assign(on=d["on"], signed_by=d["signed_by"], by=u, note=d["note"]),
    "Affectation enregistrée : le parcours commence.",
    "iae_assigned",
    step=ParcoursEventKind.ASSIGNED,
)
end = _step_view(
    EndForm,
    "end_form",
    lambda p, d, u: p.end(on=d["on"], reason=d["reason"], by=u, note=d["note"]),
    "Fin du parcours enregistrée.",
    "iae_ended",
    step=ParcoursEventKind.ENDED,
)
close = _step_view(
    CloseForm,
    "close_form",
    lambda p, d, u: p.close(on=d["on"], reason=d["reason"], by=u, note=d["note"]),
    "Arrêt de la candidature enregistré.",
    "iae_closed",
    step=ParcoursEventKind.CLOSED,
)


@require_POST
def agreement(request, pk: int):
    """IAE-01: one party's agreement to a parcours outside the bounds."""
    parcours = visible_parcours(request, pk)
    form = AgreementForm(request.POST, parcours=parcours, user=request.user)
    _require(bool(form.fields["party"].choices), "Votre service n'a pas d'accord à enregistrer.")
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, agreement_form=form)
    record = Agreement.objects.create(
        parcours=parcours, recorded_by=request.user, **form.cleaned_data
    )
    return _done(request, parcours, f"{record} enregistré.", event="iae_agreement")


@require_POST
def consent_record(request, pk: int):
    """IAE-04: the written consent, collected by the SPIP (the SIAE sees nothing before)."""
    parcours = visible_parcours(request, pk)
    _require(
        may_record_consent(request.user, parcours), "Le consentement est recueilli par le SPIP."
    )
    form = ConsentForm(request.POST, instance=Consent(parcours=parcours, recorded_by=request.user))
    if parcours.running_consent() is not None:
        return _refused(
            request, parcours, TransitionNotAllowed("Un consentement est déjà en cours.")
        )
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, consent_form=form)
    form.save()
    return _done(
        request,
        parcours,
        "Consentement enregistré : la SIAE accède désormais au parcours.",
        event="iae_consent_given",
    )


@require_POST
def consent_withdraw(request, pk: int):
    """IAE-04: withdrawn, the SIAE's access ends with this request."""
    parcours = visible_parcours(request, pk)
    _require(may_withdraw_consent(request.user, parcours), "Votre rôle ne permet pas ce retrait.")
    consent = parcours.running_consent()
    if consent is None:
        return _refused(request, parcours, TransitionNotAllowed("Aucun consentement en cours."))
    form = WithdrawConsentForm(request.POST)
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, withdraw_form=form)
    consent.withdraw(by=request.user, note=form.cleaned_data["note"])
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=parcours,
        detail={"event": "iae_consent_withdrawn"},
    )
    messages.success(
        request, "Retrait du consentement enregistré : la SIAE n'accède plus au parcours."
    )
    if Parcours.objects.visible_to(request.user).filter(pk=parcours.pk).exists():
        return redirect("iae:detail", pk=parcours.pk)
    return redirect("iae:list")


@require_POST
def log_add(request, pk: int):
    """IAE-04: an entry of the handover log, between the CPIP and the SIAE."""
    parcours = visible_parcours(request, pk)
    _require(
        parcours.reads_log(request.user), "Le cahier de transmission est entre le SPIP et la SIAE."
    )
    form = LogEntryForm(request.POST, instance=LogEntry(parcours=parcours, author=request.user))
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, log_form=form)
    form.save()
    return _done(request, parcours, "Transmission ajoutée au cahier.", event="iae_log_entry")


@require_POST
def hours_record(request, pk: int):
    parcours = visible_parcours(request, pk)
    _require(parcours.writes_siae_part(request.user), "Les heures sont saisies par la SIAE.")
    form = HoursForm(request.POST, parcours=parcours)
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, hours_form=form)
    MonthlyHours.objects.update_or_create(
        parcours=parcours,
        month=form.cleaned_data["month"],
        defaults={"hours": form.cleaned_data["hours"], "recorded_by": request.user},
    )
    return _done(request, parcours, "Heures du mois enregistrées.", event="iae_hours")


@require_POST
def action_add(request, pk: int):
    parcours = visible_parcours(request, pk)
    _require(parcours.writes_siae_part(request.user), "Les formations sont saisies par la SIAE.")
    form = ActionForm(
        request.POST, instance=ParcoursAction(parcours=parcours, recorded_by=request.user)
    )
    if not form.is_valid():
        return parcours_detail(request, pk, status=400, action_form=form)
    form.save()
    return _done(request, parcours, "Enregistré.", event="iae_action")


# -- CPU sessions ------------------------------------------------------------------------------


def _cpu_establishments(user):
    from relais.accounts.models import Organisation

    prisons = Organisation.objects.filter(kind=OrganisationKind.PRISON)
    if user.is_superuser:
        return prisons
    if user.role == Role.PRISON_STAFF:
        return prisons.filter(pk=user.organisation_id)
    if user.role == Role.CPIP:
        return prisons.filter(spip_id=user.organisation_id)
    return prisons.none()


def cpu_list(request):
    """The CPU sessions of the user's establishments (the prison's staff records them; the
    SPIP, a member, reads them)."""
    user = request.user
    _require(
        user.is_superuser or user.role in (Role.PRISON_STAFF, Role.CPIP),
        "Réservé à l'établissement et au SPIP.",
    )
    sessions = CpuSession.objects.filter(
        establishment__in=_cpu_establishments(user)
    ).select_related("establishment")
    return render(
        request,
        "iae/cpu_list.html",
        {
            "sessions": sessions[:100],
            "may_create": user.is_superuser or user.role == Role.PRISON_STAFF,
        },
    )


def cpu_create(request):
    user = request.user
    _require(
        user.is_superuser or user.role == Role.PRISON_STAFF,
        "Seul l'établissement enregistre les CPU.",
    )
    form = CpuSessionForm(
        request.POST or None,
        instance=CpuSession(recorded_by=user),
        establishments=_cpu_establishments(user),
    )
    if request.method == "POST" and form.is_valid():
        session = form.save()
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=session,
            detail={"event": "cpu_session"},
        )
        messages.success(request, f"{session} enregistrée.")
        return redirect("iae:cpu_detail", pk=session.pk)
    return render(
        request, "iae/cpu_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


def cpu_detail(request, pk: int):
    """A CPU sitting: its members, the candidates proposed by the SPIP awaiting a decision,
    the decisions it took."""
    user = request.user
    _require(
        user.is_superuser or user.role in (Role.PRISON_STAFF, Role.CPIP),
        "Réservé à l'établissement et au SPIP.",
    )
    session = get_object_or_404(
        CpuSession.objects.filter(establishment__in=_cpu_establishments(user)).select_related(
            "establishment"
        ),
        pk=pk,
    )
    visible = Parcours.objects.visible_to(user).select_related("person", "site__siae")
    return render(
        request,
        "iae/cpu_detail.html",
        {
            "session": session,
            "pending": visible.filter(
                site__establishment=session.establishment,
                state=ParcoursState.PRESCRIBED,
                prescribed_on__lte=session.held_on,
            ),
            "decided": visible.filter(cpu_session=session),
            "may_decide": user.is_superuser or user.role == Role.PRISON_STAFF,
        },
    )
