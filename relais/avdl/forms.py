"""Forms of the AVDL Justice measures (JUS-11): each refusal the model would raise is said
first, next to its field, and nothing typed is lost."""

from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators
from relais.justice.models import Detention
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation

from .enums import MAX_ACTIVE_MEASURES, CloseReason
from .models import HousingSupportMeasure, MeasureState, Worker

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE_INPUT = forms.Textarea(attrs={"rows": 2})
DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)


class OwnIds:
    """Several forms share the measure page: each gets its own element ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, worker) -> str:
        return f"{worker} — {worker.active} / {MAX_ACTIVE_MEASURES} mesures en cours"


class DetentionChoice(forms.ModelChoiceField):
    def label_from_instance(self, detention) -> str:
        if detention.released_on:
            return f"{detention.person} — sortie le {detention.released_on:%d/%m/%Y}"
        return f"{detention.person} — {detention.establishment}"


class StayChoice(forms.ModelChoiceField):
    def label_from_instance(self, orientation) -> str:
        arrival = timezone.localdate(orientation.stay_started_at)
        return (
            f"{orientation.request.person} — {orientation.structure}, arrivée le {arrival:%d/%m/%Y}"
        )


def _territory_filter(user, field: str) -> dict:
    if user.is_superuser or not user.organisation_id:
        return {}
    return {field: user.organisation.territory_id}


class AssignForm(DsfrBaseForm):
    """The SIAO gives a person with a justice background to a worker, from their entry into
    housing: a stay recorded in Relais, or housing outside with its entry date."""

    worker = WorkerChoice(label="Travailleur AVDL Justice", queryset=Worker.objects.none())
    detention = DetentionChoice(
        label="Personne (détention)",
        queryset=Detention.objects.none(),
        help_text="Les personnes détenues ou sorties de détention suivies par votre SIAO.",
    )
    orientation = StayChoice(
        label="Séjour dans une structure (entrée dans le logement)",
        queryset=Orientation.objects.none(),
        required=False,
        help_text="La mesure commence à l'arrivée. Laissez vide pour un logement hors Relais.",
    )
    housing = forms.CharField(
        label="Logement hors Relais",
        max_length=200,
        required=False,
        help_text="Par exemple : logement social à Mulhouse, résidence sociale…",
    )
    starts_on = forms.DateField(
        label="Date d'entrée dans ce logement",
        required=False,
        widget=DATE_INPUT,
        validators=DATES,
    )
    note = forms.CharField(label="Commentaire", required=False, widget=NOTE_INPUT, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        active = HousingSupportMeasure.objects.filter(state=MeasureState.ACTIVE)
        self.fields["worker"].queryset = (
            Worker.objects.designated()
            .filter(**_territory_filter(user, "territory_id"))
            .select_related("user")
            .annotate(active=Coalesce(_count(active.filter(worker=OuterRef("pk"))), 0))
        )
        self.fields["detention"].queryset = (
            Detention.objects.visible_to(user)
            .filter(**_territory_filter(user, "territory_id"))
            .exclude(Exists(active.filter(person=OuterRef("person_id"))))
            .select_related("person", "establishment")
            .order_by("person__birth_name", "person__first_names", "-incarcerated_on")
        )
        self.fields["orientation"].queryset = (
            Orientation.objects.visible_to(user)
            .filter(state=OrientationState.IN_STAY, request__person__detentions__isnull=False)
            .filter(**_territory_filter(user, "request__territory_id"))
            .select_related("request__person", "structure")
            .distinct()
            .order_by("-stay_started_at")
        )

    def clean(self):
        data = super().clean()
        detention, orientation = data.get("detention"), data.get("orientation")
        if orientation is not None:
            if detention is not None and orientation.request.person_id != detention.person_id:
                self.add_error("orientation", "Ce séjour est celui d'une autre personne.")
                return data
            refusal = HousingSupportMeasure.start_refusal(
                timezone.localdate(orientation.stay_started_at)
            )
            if refusal:
                self.add_error("orientation", refusal)
            return data
        if not data.get("housing") and "housing" not in self.errors:
            self.add_error(
                "housing", "Choisissez un séjour ci-dessus, ou indiquez le logement hors Relais."
            )
        starts_on = data.get("starts_on")
        if starts_on is None:
            if "starts_on" not in self.errors:
                self.add_error("starts_on", "Indiquez la date d'entrée dans le logement.")
        else:
            refusal = HousingSupportMeasure.start_refusal(starts_on)
            if refusal:
                self.add_error("starts_on", refusal)
        return data


def _count(queryset):
    return Subquery(
        queryset.order_by().values("worker").annotate(n=Count("id")).values("n"),
        output_field=IntegerField(),
    )


class RenewForm(OwnIds, DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du renouvellement",
        max_length=2000,
        widget=NOTE_INPUT,
        help_text="Deux mois de plus à partir de l'échéance actuelle.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Indiquez le motif du renouvellement.")
        return reason


class CloseForm(OwnIds, DsfrBaseForm):
    on = forms.DateField(label="Date de l'arrêt", widget=DATE_INPUT, validators=DATES)
    reason = forms.ChoiceField(label="Motif", choices=CloseReason.choices)
    note = forms.CharField(label="Précisions", required=False, widget=NOTE_INPUT, max_length=2000)

    def __init__(self, *args, measure: HousingSupportMeasure, **kwargs):
        self.measure = measure
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day < self.measure.starts_on:
            raise forms.ValidationError(
                "L'arrêt ne peut pas précéder l'entrée dans le logement "
                f"({self.measure.starts_on:%d/%m/%Y})."
            )
        if day > timezone.localdate():
            raise forms.ValidationError("La date d'arrêt ne peut pas être dans le futur.")
        if day >= self.measure.ends_on:
            raise forms.ValidationError(
                f"La mesure prend fin le {self.measure.ends_on:%d/%m/%Y} : elle n'est pas "
                "arrêtée avant."
            )
        return day

    def clean(self):
        data = super().clean()
        if data.get("reason") == CloseReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Précisez le motif de l'arrêt.")
        return data
