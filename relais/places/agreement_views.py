"""JUS-03: the placement à l'extérieur agreements, recorded by the SIAO, read by the SPIP that
signed them, and the placements the SPIP records on their places."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import FIRST_RECORD_DAY, LocalDateTimeField
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.requests.enums import RequestStatus
from relais.requests.models import Request, TransitionNotAllowed

from .enums import PlaceReservation
from .forms import PlacementAgreementForm
from .models import PlaceCapacity, PlacementAgreement


def _may_read_agreements(user) -> None:
    if not (user.is_superuser or user.role in (Role.SIAO_OPERATOR, Role.CPIP)):
        raise PermissionDenied(
            "Les conventions de placement à l'extérieur sont réservées au SIAO et au SPIP."
        )


def _visible_agreement(request, pk: int) -> PlacementAgreement:
    """Out of scope is a 404, never a 403."""
    return get_object_or_404(
        PlacementAgreement.objects.visible_to(request.user).select_related(
            "structure__territory", "spip", "disp", "recorded_by"
        ),
        pk=pk,
    )


def agreement_list(request):
    _may_read_agreements(request.user)
    agreements = (
        PlacementAgreement.objects.visible_to(request.user)
        .select_related("structure", "spip", "disp")
        .prefetch_related("capacities")
    )
    today = timezone.localdate()
    rows = [
        {
            "agreement": agreement,
            "status": agreement.status_label(today),
            "dedicated": sum(c.places for c in agreement.capacities.all()),
        }
        for agreement in agreements
    ]
    return render(
        request,
        "places/agreement_list.html",
        {"rows": rows, "can_edit": request.user.role == Role.SIAO_OPERATOR},
    )


def agreement_detail(request, pk: int):
    agreement = _visible_agreement(request, pk)
    capacities = list(
        PlaceCapacity.objects.with_vacancies()
        .filter(pe_agreement=agreement)
        .select_related("structure")
    )
    placements = (
        Orientation.objects.filter(capacity__pe_agreement=agreement)
        .filter(state__in=[OrientationState.IN_STAY, OrientationState.ENDED])
        .select_related("request__person", "capacity")
        .order_by("-stay_started_at")
    )
    user = request.user
    return render(
        request,
        "places/agreement_detail.html",
        {
            "agreement": agreement,
            "status": agreement.status_label(),
            "capacities": capacities,
            "placements": list(placements[:50]),
            "alerts": agreement.alerts.order_by("-sent_on"),
            "can_edit": user.is_superuser or user.is_siao_of(agreement.structure.territory_id),
            "can_place": bool(capacities)
            and agreement.in_force()
            and Orientation.may_place_under(agreement, user),
        },
    )


@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int | None = None):
    """The SIAO records (or corrects) an agreement of its territory."""
    user = request.user
    agreement = None
    if pk is not None:
        agreement = _visible_agreement(request, pk)
        if not (user.is_superuser or user.is_siao_of(agreement.structure.territory_id)):
            raise PermissionDenied("Seul le SIAO enregistre les conventions que le SPIP envoie.")
        territory = agreement.structure.territory
    else:
        if user.role != Role.SIAO_OPERATOR or not user.organisation_id:
            raise PermissionDenied("Seul le SIAO enregistre les conventions que le SPIP envoie.")
        territory = user.organisation.territory
    form = PlacementAgreementForm(
        request.POST or None, request.FILES or None, instance=agreement, territory=territory
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(by=user)
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=saved,
            detail={"event": "pe_agreement_saved"},
        )
        messages.success(request, "La convention de placement à l'extérieur est enregistrée.")
        return redirect("places:agreement", pk=saved.pk)
    return render(
        request,
        "places/agreement_form.html",
        {"form": form, "agreement": agreement},
        status=400 if form.is_bound else 200,
    )


def agreement_document(request, pk: int):
    """The signed document, to who reads the agreement only: never a public media URL."""
    agreement = _visible_agreement(request, pk)
    if not agreement.document:
        raise Http404("Aucun document.")
    try:
        with agreement.document.open("rb") as handle:  # 10 Mo at most (the form's check)
            content = handle.read()
    except FileNotFoundError as missing:
        raise Http404("Le document n'est plus disponible.") from missing
    audit.record(
        request_or_user=request,
        action=Action.EXPORT,
        obj=agreement,
        detail={"event": "pe_agreement_document"},
    )
    name = agreement.document_name or agreement.document.name.rsplit("/", 1)[-1]
    response = HttpResponse(content, content_type=_content_type(name))
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _content_type(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".png"):
        return "image/png"
    if lowered.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    return "application/pdf"


# -- the SPIP records a placement (JUS-03) ----------------------------------------------------

LIVE = [RequestStatus.NEW, RequestStatus.EVALUATED, RequestStatus.WAITING]


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class PlacementForm(DsfrBaseForm):
    capacity = forms.ModelChoiceField(
        label="Places",
        queryset=PlaceCapacity.objects.none(),
        error_messages={
            "required": "Choisissez les places de la convention.",
            "invalid_choice": "Choisissez des places de cette convention dans la liste.",
        },
    )
    request = forms.ModelChoiceField(
        label="Demande de la personne",
        queryset=Request.objects.none(),
        help_text="Une demande liée à la détention de la personne, suivie par votre SPIP.",
        error_messages={
            "required": "Choisissez la demande de la personne placée.",
            "invalid_choice": "Choisissez une demande dans la liste.",
        },
    )
    arrived_at = LocalDateTimeField(
        label="Date et heure d'arrivée",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=_now_to_the_minute,
        error_messages={
            "required": "Indiquez la date et l'heure d'arrivée.",
            "invalid": "Indiquez une date et une heure valides.",
        },
    )
    note = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args, agreement, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].queryset = agreement.capacities.filter(
            reservation=PlaceReservation.PLACEMENT
        )
        self.fields["capacity"].label_from_instance = lambda c: c.description
        self.fields["request"].queryset = (
            Request.objects.visible_to(user)
            .filter(detention__spip_id=agreement.spip_id, status__in=LIVE)
            .select_related("person")
            .order_by("person__birth_name", "pk")
        )
        self.fields["request"].label_from_instance = lambda r: (
            f"{r.person} — demande n° {r.pk} ({r.get_status_display().lower()})"
        )
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def clean_arrived_at(self):
        at = self.cleaned_data["arrived_at"]
        if at and timezone.localdate(at) < FIRST_RECORD_DAY:
            raise forms.ValidationError(
                f"Indiquez une date à partir du {FIRST_RECORD_DAY:%d/%m/%Y}."
            )
        return at


@require_http_methods(["GET", "POST"])
def agreement_placement(request, pk: int):
    """JUS-03: a CPIP of the signing SPIP records a placement on the agreement's places."""
    agreement = _visible_agreement(request, pk)
    user = request.user
    if not Orientation.may_place_under(agreement, user):
        raise PermissionDenied(
            "Seul le SPIP signataire de la convention enregistre un placement à l'extérieur."
        )
    form = PlacementForm(request.POST or None, agreement=agreement, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            orientation = Orientation.place_outside(
                request=data["request"],
                capacity=data["capacity"],
                by=user,
                at=data["arrived_at"],
                note=data["note"],
            )
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=data["request"],
                detail={"orientation": orientation.pk, "transition": "pe_placement"},
            )
            messages.success(
                request,
                f"Placement à l'extérieur de {data['request'].person} enregistré dans "
                f"« {orientation.structure} ».",
            )
            return redirect("orientations:detail", pk=orientation.pk)
    return render(
        request,
        "places/agreement_placement.html",
        {"agreement": agreement, "form": form},
        status=400 if form.is_bound else 200,
    )
