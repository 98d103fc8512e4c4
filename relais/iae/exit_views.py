"""IAE-06: the exit of a parcours (guide 003 §F.4, "Documents à formaliser à la sortie";
seed 002, "Passage du milieu fermé vers le milieu ouvert").

- The exit synthesis: written by the SIAE within the person's consent
  (`Parcours.writes_siae_part`), read by the SPIP and the SIAE (`Parcours.reads_log`: the
  handover log's readers; the establishment does not read it), sent to the SPIP, printed for
  the person and the SPIP.
- The handover outside: the prison CPIP (`Parcours.is_spip`) names the probation CPIP who
  takes over; that CPIP is notified and reads the parcours from then on.
- The outside follow-ups at 3 and 6 months (planned when the parcours ends by a release):
  recorded by the SIAE within consent or by the CPIP.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from relais.accounts.enums import Role
from relais.accounts.models import User
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators
from relais.notifications.sending import notify
from relais.requests.forms import DsfrModelForm, YesNoField

from .booklet_views import latest_levels
from .enums import ActionKind, ContactKind
from .models import ExitContact, ExitSynthesis, Handover, OutsideFollowUp, Parcours
from .views import visible_parcours

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)


# -- who ----------------------------------------------------------------------------------------


def _readable(request, pk: int) -> Parcours:
    parcours = visible_parcours(request, pk)
    if not parcours.reads_log(request.user):
        raise PermissionDenied("La synthèse de parcours est partagée entre le SPIP et la SIAE.")
    return parcours


def _writable(request, pk: int) -> Parcours:
    parcours = visible_parcours(request, pk)
    if not parcours.writes_siae_part(request.user):
        raise PermissionDenied(
            "La synthèse de parcours est rédigée par la SIAE, dans le cadre du consentement "
            "de la personne."
        )
    return parcours


def _continues_outside(parcours: Parcours) -> bool:
    consent = parcours.running_consent()
    return bool(consent and consent.continues_outside)


def may_record_follow_up(user, parcours: Parcours) -> bool:
    return parcours.writes_siae_part(user) or parcours.is_spip(user)


# -- forms ------------------------------------------------------------------------------------


class SynthesisForm(DsfrModelForm):
    class Meta:
        model = ExitSynthesis
        fields = ["skills_acquired", "steps_engaged", "outcome", "outside_conditions"]
        widgets = {
            "skills_acquired": forms.Textarea(attrs={"rows": 4}),
            "steps_engaged": forms.Textarea(attrs={"rows": 3}),
            "outside_conditions": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "skills_acquired": {"required": "Décrivez les compétences acquises."},
            "outcome": {"required": "Indiquez la situation prévue à la sortie."},
        }

    def __init__(self, *args, continues_outside: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "Choisir"), *self.fields["outcome"].choices[1:]]
        if not continues_outside:
            del self.fields["outside_conditions"]


class ContactForm(DsfrModelForm):
    class Meta:
        model = ExitContact
        fields = ["kind", "name", "details", "note"]
        error_messages = {
            "kind": {"required": "Indiquez le type de contact."},
            "name": {"required": "Indiquez le nom et la structure du contact."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choisir"), *ContactKind.choices]


ContactFormSet = forms.inlineformset_factory(
    ExitSynthesis, ExitContact, form=ContactForm, extra=2, can_delete=True, max_num=30
)


class HandoverForm(DsfrBaseForm):
    receiving_cpip = forms.ModelChoiceField(
        label="CPIP du milieu ouvert qui prend le relais",
        queryset=User.objects.none(),
        empty_label="Choisir un ou une CPIP",
        help_text="Les CPIP de votre territoire sont proposés en premier.",
    )
    handed_over_on = forms.DateField(label="Transmis le", widget=DATE_INPUT, validators=DATES)
    note = forms.CharField(
        label="Informations transmises",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, parcours: Parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.parcours = parcours
        field = self.fields["receiving_cpip"]
        field.queryset = (
            User.objects.people()
            .filter(role=Role.CPIP, is_active=True, organisation__isnull=False)
            .select_related("organisation")
            .annotate(
                elsewhere=Case(
                    When(organisation__territory_id=parcours.territory_id, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("elsewhere", "last_name", "first_name", "pk")
        )
        field.label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} — {u.organisation}"
        )

    def clean_handed_over_on(self):
        day = self.cleaned_data["handed_over_on"]
        refusal = self.parcours.step_date_refusal(day, after=self.parcours.prescribed_on)
        if refusal:
            raise forms.ValidationError(refusal)
        return day


class FollowUpForm(DsfrModelForm):
    in_employment_or_training = YesNoField(label="En emploi ou en formation", required=True)
    still_with_siae = YesNoField(label="Toujours accompagnée par la SIAE")

    class Meta:
        model = OutsideFollowUp
        fields = ["checked_on", "in_employment_or_training", "still_with_siae", "note"]
        widgets = {"checked_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].required = True
        self.fields["in_employment_or_training"].error_messages["required"] = (
            "Indiquez si la personne est en emploi ou en formation."
        )

    def clean_checked_on(self):
        day = self.cleaned_data["checked_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return day


# -- the exit page: synthesis, handover, follow-ups -----------------------------------------------


def _exit_context(request, parcours: Parcours, *, form=None, contacts=None) -> dict:
    user = request.user
    synthesis = ExitSynthesis.objects.filter(parcours=parcours).first()
    can_write = parcours.writes_siae_part(user)
    continues_outside = _continues_outside(parcours)
    if can_write and form is None:
        form = SynthesisForm(instance=synthesis, continues_outside=continues_outside)
        contacts = ContactFormSet(instance=synthesis or ExitSynthesis(), prefix="contacts")
    return {
        "parcours": parcours,
        "synthesis": synthesis,
        "contact_rows": synthesis.contacts.all() if synthesis else [],
        "can_write": can_write,
        "form": form if can_write else None,
        "contacts": contacts if can_write else None,
        "continues_outside": continues_outside,
        "is_spip": parcours.is_spip(user),
        "handovers": parcours.handovers.select_related("receiving_cpip", "receiving_spip"),
        "follow_ups": parcours.follow_ups.all(),
        "may_follow_up": may_record_follow_up(user, parcours),
    }


def synthesis_page(request, pk: int):
    parcours = _writable(request, pk) if request.method == "POST" else _readable(request, pk)
    if request.method != "POST":
        return render(request, "iae/synthesis.html", _exit_context(request, parcours))
    synthesis = ExitSynthesis.objects.filter(parcours=parcours).first()
    continues_outside = _continues_outside(parcours)
    form = SynthesisForm(
        request.POST,
        instance=synthesis or ExitSynthesis(parcours=parcours),
        continues_outside=continues_outside,
    )
    contacts = ContactFormSet(
        request.POST, instance=synthesis or ExitSynthesis(), prefix="contacts"
    )
    if form.is_valid() and contacts.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.parcours = parcours
            saved.written_by = request.user
            saved.updated_at = timezone.now()
            if not continues_outside:
                saved.outside_conditions = ""
            saved.save()
            contacts.instance = saved
            contacts.save()
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=saved,
            person_id=parcours.person_id,
            detail={"event": "iae_synthesis_saved", "fields": form.changed_data},
        )
        messages.success(
            request,
            "Synthèse enregistrée."
            + ("" if saved.sent_at else " Transmettez-la au SPIP quand elle est prête."),
        )
        return redirect("iae:synthesis", pk=parcours.pk)
    context = _exit_context(request, parcours, form=form, contacts=contacts)
    return render(request, "iae/synthesis.html", context, status=400)


@require_POST
def synthesis_send(request, pk: int):
    parcours = _writable(request, pk)
    synthesis = ExitSynthesis.objects.filter(parcours=parcours).first()
    if synthesis is None:
        messages.error(request, "Rédigez d'abord la synthèse de parcours.")
        return redirect("iae:synthesis", pk=parcours.pk)
    now = timezone.now()
    ExitSynthesis.objects.filter(pk=synthesis.pk).update(sent_at=now)
    cpip = parcours.detention.cpip
    recipients = [cpip] if cpip else []
    notify(
        recipients,
        subject="Synthèse de parcours IAE transmise",
        message=(
            f"{parcours.site.siae} vous transmet la synthèse de parcours IAE de {parcours.person}."
        ),
        mail="Une SIAE vous a transmis une synthèse de parcours IAE.",
        link=reverse("iae:synthesis", kwargs={"pk": parcours.pk}),
        link_label="Lire la synthèse",
        parcours=parcours,
    )
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=synthesis,
        person_id=parcours.person_id,
        detail={"event": "iae_synthesis_sent", "to": cpip.pk if cpip else None},
    )
    if cpip:
        messages.success(request, f"Synthèse transmise au SPIP ({cpip.get_full_name()}).")
    else:
        messages.warning(
            request,
            "Synthèse marquée transmise, mais aucun CPIP référent n'est indiqué sur la "
            "détention : prévenez le SPIP directement.",
        )
    return redirect("iae:synthesis", pk=parcours.pk)


def synthesis_print(request, pk: int):
    parcours = _readable(request, pk)
    synthesis = ExitSynthesis.objects.filter(parcours=parcours).first()
    actions = parcours.actions.all()
    return render(
        request,
        "iae/synthesis_print.html",
        {
            "parcours": parcours,
            "synthesis": synthesis,
            "contact_rows": synthesis.contacts.all() if synthesis else [],
            "total_hours": parcours.total_hours(),
            "months": parcours.hours.count(),
            "trainings": [a for a in actions if a.kind == ActionKind.TRAINING],
            "certifications": [a for a in actions if a.kind != ActionKind.TRAINING],
            "levels": latest_levels(parcours),
            "continues_outside": _continues_outside(parcours),
            "today": timezone.localdate(),
            "contact_kinds": ContactKind,
        },
    )


def handover(request, pk: int):
    parcours = visible_parcours(request, pk)
    if not parcours.is_spip(request.user):
        raise PermissionDenied(
            "Le passage au milieu ouvert est enregistré par le SPIP qui suit la personne."
        )
    form = HandoverForm(
        request.POST or None,
        parcours=parcours,
        initial={"handed_over_on": timezone.localdate().isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receiving = data["receiving_cpip"]
        row = Handover.objects.create(
            parcours=parcours,
            receiving_cpip=receiving,
            handed_over_on=data["handed_over_on"],
            handed_over_by=request.user,
            note=data["note"],
        )
        notify(
            [receiving],
            subject="Parcours IAE transmis au milieu ouvert",
            message=(
                f"{request.user.get_full_name() or request.user} vous transmet le parcours IAE "
                f"de {parcours.person} ({parcours.site.siae}) pour la suite en milieu ouvert."
            ),
            mail="Un parcours IAE vous a été transmis pour le suivi en milieu ouvert.",
            link=reverse("iae:synthesis", kwargs={"pk": parcours.pk}),
            link_label="Voir la synthèse de parcours",
            parcours=parcours,
        )
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=row,
            person_id=parcours.person_id,
            detail={"event": "iae_handover", "to": receiving.pk},
        )
        messages.success(
            request,
            f"Parcours transmis à {receiving.get_full_name() or receiving} ({receiving.organisation}).",
        )
        return redirect("iae:synthesis", pk=parcours.pk)
    return render(
        request,
        "iae/handover.html",
        {
            "parcours": parcours,
            "form": form,
            "handovers": parcours.handovers.select_related("receiving_cpip", "receiving_spip"),
        },
        status=400 if form.is_bound else 200,
    )


def follow_up(request, pk: int, months: int):
    parcours = visible_parcours(request, pk)
    row = get_object_or_404(OutsideFollowUp, parcours=parcours, months=months)
    if not may_record_follow_up(request.user, parcours):
        raise PermissionDenied(
            "Le suivi après la sortie est renseigné par la SIAE, dans le cadre du "
            "consentement, ou par le SPIP."
        )
    form = FollowUpForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=row,
            person_id=parcours.person_id,
            detail={"event": "iae_follow_up", "months": months},
        )
        messages.success(request, f"Suivi à {months} mois enregistré.")
        return redirect("iae:synthesis", pk=parcours.pk)
    return render(
        request,
        "iae/follow_up.html",
        {"parcours": parcours, "row": row, "form": form},
        status=400 if form.is_bound else 200,
    )
