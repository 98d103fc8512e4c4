"""Forms of the detention context (JUS-01): the detention, its moving end date, the sentence
adjustment in view, the judicial constraints on housing, the release."""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, User
from relais.core.csvfiles import decode
from relais.core.inputs import FIRST_FACT_DAY, LAST_DAY, date_validators
from relais.requests.forms import DsfrModelForm

from .enums import (
    AdjustmentEventKind,
    AdjustmentKind,
    AdjustmentRefusalReason,
    AreaKind,
    AreaLevel,
    EndDateReason,
)
from .models import Detention, JudicialArea, SentenceAdjustment

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE_INPUT = forms.Textarea(attrs={"rows": 2})


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        help_text=help_text,
        validators=date_validators(FIRST_FACT_DAY, LAST_DAY),
    )


def territory_prisons(territory_id):
    return Organisation.objects.filter(
        territory_id=territory_id, kind=OrganisationKind.PRISON
    ).order_by("name")


class DetentionForm(DsfrModelForm):
    """A detention recorded by the SPIP or the SIAO; the end date then moves only with a
    reason (`MoveEndDateForm`), so the edit form leaves it out."""

    class Meta:
        model = Detention
        fields = [
            "establishment",
            "prison_number",
            "spip",
            "cpip",
            "legal_status",
            "incarcerated_on",
            "sentence_years",
            "sentence_months",
            "sentence_days",
            "end_date",
        ]
        widgets = {"incarcerated_on": DATE_INPUT, "end_date": DATE_INPUT}
        help_texts = {
            "sentence_years": "Peine totale prononcée, pour un condamné : années, mois, jours.",
        }

    def __init__(self, *args, user, territory_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["establishment"].queryset = territory_prisons(territory_id)
        spips = Organisation.objects.filter(territory_id=territory_id, kind=OrganisationKind.SPIP)
        if user.role == Role.CPIP:
            # The SPIP records its own detainees.
            spips = spips.filter(pk=user.organisation_id)
            self.fields["spip"].initial = user.organisation_id
        self.fields["spip"].queryset = spips.order_by("name")
        self.fields["cpip"].queryset = (
            User.objects.people()
            .filter(role=Role.CPIP, is_active=True, organisation__in=spips)
            .order_by("last_name", "first_name")
        )
        self.fields["cpip"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.organisation})"
        )
        if self.instance.pk:
            del self.fields["end_date"]
        elif user.role == Role.CPIP and not self.is_bound:
            self.fields["cpip"].initial = user.pk

    def clean(self):
        cleaned = super().clean()
        spip, cpip = cleaned.get("spip"), cleaned.get("cpip")
        if spip and cpip and cpip.organisation_id != spip.pk:
            self.add_error("cpip", "Ce CPIP n'appartient pas au SPIP choisi.")
        establishment, number = cleaned.get("establishment"), cleaned.get("prison_number")
        if establishment and number:
            taken = Detention.objects.filter(establishment=establishment, prison_number=number)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "prison_number",
                    "Ce numéro d'écrou est déjà enregistré dans cet établissement.",
                )
        return cleaned

    def validate_unique(self):
        """Said next to the number in `clean`, in plain words."""


class MoveEndDateForm(DsfrBaseForm):
    new_date = _date_field("Nouvelle date de fin de peine prévue")
    reason = forms.ChoiceField(label="Motif du changement", choices=EndDateReason.choices)
    note = forms.CharField(
        label="Précisions (facultatif)", required=False, max_length=500, widget=NOTE_INPUT
    )

    def __init__(self, *args, detention: Detention, **kwargs):
        super().__init__(*args, **kwargs)
        self.detention = detention

    def clean_new_date(self):
        new_date = self.cleaned_data["new_date"]
        if new_date < self.detention.incarcerated_on:
            raise forms.ValidationError(
                "La date de fin de peine ne peut pas précéder la date d'incarcération "
                f"({self.detention.incarcerated_on:%d/%m/%Y})."
            )
        if new_date == self.detention.end_date:
            raise forms.ValidationError("C'est déjà la date de fin de peine prévue.")
        return new_date


class ReleaseForm(DsfrBaseForm):
    released_on = _date_field("Date de la libération")
    measure_ends_on = _date_field(
        "Fin de la mesure judiciaire après la libération (facultatif)",
        required=False,
        help_text=(
            "Sursis probatoire, libération conditionnelle… Le SPIP garde accès au dossier "
            "jusqu'à cette date ; sans mesure, son accès se ferme le jour de la libération."
        ),
    )
    note = forms.CharField(
        label="Précisions (facultatif)", required=False, max_length=500, widget=NOTE_INPUT
    )

    def __init__(self, *args, detention: Detention, **kwargs):
        super().__init__(*args, **kwargs)
        self.detention = detention
        if not self.is_bound:
            self.fields["released_on"].initial = timezone.localdate()

    def clean_released_on(self):
        released_on = self.cleaned_data["released_on"]
        if released_on < self.detention.incarcerated_on:
            raise forms.ValidationError("La libération ne peut pas précéder l'incarcération.")
        if released_on > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(
                "Une libération s'enregistre le jour même : cette date est à venir."
            )
        return released_on

    def clean(self):
        cleaned = super().clean()
        released_on, ends_on = cleaned.get("released_on"), cleaned.get("measure_ends_on")
        if released_on and ends_on and ends_on < released_on:
            self.add_error("measure_ends_on", "La mesure ne peut pas finir avant la libération.")
        return cleaned


class AdjustmentForm(DsfrModelForm):
    class Meta:
        model = SentenceAdjustment
        fields = ["kind"]
        labels = {"kind": "Aménagement de peine envisagé"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AdjustmentKind.choices


class AdjustmentStepForm(DsfrBaseForm):
    """The next step of an adjustment: one of the transitions its state allows."""

    step = forms.ChoiceField(label="Nouvelle étape")
    hearing_on = _date_field("Date d'audience", required=False)
    refusal_reason = forms.ChoiceField(
        label="Motif du refus",
        required=False,
        choices=[("", "Non renseigné"), *AdjustmentRefusalReason.choices],
    )
    note = forms.CharField(
        label="Précisions (facultatif)", required=False, max_length=500, widget=NOTE_INPUT
    )

    def __init__(self, *args, adjustment: SentenceAdjustment, user, **kwargs):
        super().__init__(*args, prefix=f"amenagement-{adjustment.pk}", **kwargs)
        self.adjustment = adjustment
        self.fields["step"].choices = [
            (t.name, t.label) for t in adjustment.allowed_transitions(user)
        ]

    def clean(self):
        cleaned = super().clean()
        step = cleaned.get("step")
        if step == AdjustmentEventKind.HEARING_SET and not cleaned.get("hearing_on"):
            self.add_error("hearing_on", "Indiquez la date d'audience.")
        if step == AdjustmentEventKind.REFUSED:
            if not cleaned.get("refusal_reason"):
                self.add_error("refusal_reason", "Indiquez le motif du refus.")
            elif cleaned["refusal_reason"] == AdjustmentRefusalReason.OTHER and not cleaned.get(
                "note"
            ):
                self.add_error("note", "Précisez le motif du refus.")
        return cleaned


_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")


class AreaForm(DsfrModelForm):
    class Meta:
        model = JudicialArea
        fields = ["kind", "level", "insee_code", "name"]
        labels = {"insee_code": "Code INSEE", "name": "Nom de la commune ou du département"}
        help_texts = {
            "insee_code": "Commune : 5 caractères (68224 pour Mulhouse). Département : 68, 2A, 974…",
        }

    def __init__(self, *args, detention: Detention, **kwargs):
        super().__init__(*args, **kwargs)
        self.detention = detention
        self.fields["kind"].choices = AreaKind.choices
        self.fields["level"].choices = AreaLevel.choices

    def clean_insee_code(self):
        return self.cleaned_data["insee_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        level, code = cleaned.get("level"), cleaned.get("insee_code")
        if level and code:
            pattern = _COMMUNE if level == AreaLevel.COMMUNE else _DEPARTEMENT
            if not pattern.match(code):
                self.add_error(
                    "insee_code",
                    "Code INSEE de commune invalide (5 caractères, par exemple 68224)."
                    if level == AreaLevel.COMMUNE
                    else "Code de département invalide (par exemple 68, 2A ou 974).",
                )
            elif self.detention.areas.filter(
                kind=cleaned.get("kind"), level=level, insee_code=code
            ).exists():
                self.add_error("insee_code", "Cette contrainte est déjà enregistrée.")
        return cleaned

    def validate_unique(self):
        """Checked in `clean`, next to the code."""


MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ImportForm(DsfrBaseForm):
    """The SPIP's list of detainees due out (`relais.releases.imports`): sent once to see what
    it would do, then confirmed."""

    spip = forms.ModelChoiceField(label="SPIP", queryset=Organisation.objects.none())
    file = forms.FileField(
        label="Fichier CSV",
        required=False,
        help_text="Export du logiciel de l'administration pénitentiaire, une ligne par personne.",
    )
    content = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, territory_id, **kwargs):
        super().__init__(*args, **kwargs)
        spips = Organisation.objects.filter(territory_id=territory_id, kind=OrganisationKind.SPIP)
        if user.role == Role.CPIP:
            spips = spips.filter(pk=user.organisation_id)
            self.fields["spip"].initial = user.organisation_id
        self.fields["spip"].queryset = spips.order_by("name")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                self.add_error("file", "Le fichier dépasse 5 Mo : découpez-le.")
                return cleaned
            cleaned["content"] = decode(upload.read())
        elif not cleaned.get("content"):
            self.add_error("file", "Choisissez le fichier à importer.")
        return cleaned
