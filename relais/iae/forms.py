"""Forms of the parcours (IAE-01, 02, 04): each step's date is checked against the step
before it and today, so the database's date constraints are never the first to say no."""

import datetime as dt

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators
from relais.requests.forms import DsfrModelForm

from .enums import (
    DOCUMENTS_WITHOUT_EXPIRY,
    MAX_HOURS_A_MONTH,
    AgreementParty,
    ClosedReason,
    EndReason,
    NotRetainedReason,
)
from .models import (
    Consent,
    CpuSession,
    LogEntry,
    MonthlyHours,
    Parcours,
    ParcoursAction,
    Site,
    may_agree_for,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE_INPUT = forms.Textarea(attrs={"rows": 2})
DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DATE_INPUT, help_text=help_text, validators=DATES
    )


def note_field(label: str = "Commentaire") -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=NOTE_INPUT, max_length=2000)


class OwnIds:
    """Several forms share the parcours page: each gets its own element ids (a label points
    at its own field), the field names staying the same."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


def _dated_widgets(*names: str) -> dict:
    return {name: DATE_INPUT for name in names}


class PrescribeForm(DsfrModelForm):
    """IAE-02: the SPIP's prescription with its opinion; IAE-01: what eligibility needs."""

    class Meta:
        model = Parcours
        fields = [
            "site",
            "prescribed_on",
            "spip_opinion",
            "spip_opinion_note",
            "identity_document",
            "identity_document_valid_until",
            "volunteer",
        ]
        widgets = {
            **_dated_widgets("prescribed_on", "identity_document_valid_until"),
            "spip_opinion_note": NOTE_INPUT,
        }
        labels = {"site": "SIAE de l'établissement"}

    def __init__(self, *args, detention, **kwargs):
        super().__init__(*args, **kwargs)
        self.detention = detention
        self.fields["site"].queryset = Site.objects.filter(
            establishment_id=detention.establishment_id
        ).select_related("siae")
        self.fields["site"].label_from_instance = lambda site: (
            str(site.siae) + (f" — {site.activity}" if site.activity else "")
        )

    def clean_prescribed_on(self):
        day = self.cleaned_data["prescribed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if day < self.detention.incarcerated_on:
            raise forms.ValidationError("La prescription ne peut pas précéder l'incarcération.")
        return day

    def clean(self):
        data = super().clean()
        document = data.get("identity_document")
        if (
            document
            and document not in DOCUMENTS_WITHOUT_EXPIRY
            and document != "none"
            and not data.get("identity_document_valid_until")
        ):
            self.add_error(
                "identity_document_valid_until", "Indiquez jusqu'à quand le document est valable."
            )
        return data


class StepForm(OwnIds, DsfrBaseForm):
    """A step of the parcours on a day: not in the future, not before the step before."""

    on = date_field("Date")

    def __init__(self, *args, parcours: Parcours, after: dt.date | None, **kwargs):
        self.parcours = parcours
        self.after = after
        super().__init__(*args, **kwargs)

    def clean_on(self):
        day = self.cleaned_data["on"]
        refusal = self.parcours.step_date_refusal(day, after=self.after)
        if refusal:
            raise forms.ValidationError(refusal)
        return day


class CpuDecisionForm(OwnIds, DsfrBaseForm):
    DECISIONS = [("orient", "Orientée vers la SIAE"), ("decline", "Non orientée")]

    session = forms.ModelChoiceField(label="Séance de CPU", queryset=CpuSession.objects.none())
    decision = forms.ChoiceField(label="Décision de la CPU", choices=DECISIONS)
    note = note_field("Motivation")

    def __init__(self, *args, parcours: Parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.parcours = parcours
        self.fields["session"].queryset = CpuSession.objects.filter(
            establishment_id=parcours.site.establishment_id, held_on__gte=parcours.prescribed_on
        )
        self.fields["session"].help_text = (
            "Les séances de l'établissement depuis la prescription. Une nouvelle séance "
            "s'enregistre depuis la page des CPU."
        )


class InterviewForm(StepForm):
    OUTCOMES = [("retained", "Retenue"), ("not_retained", "Non retenue")]

    outcome = forms.ChoiceField(label="Résultat de l'entretien", choices=OUTCOMES)
    reason = forms.ChoiceField(
        label="Motif si non retenue",
        choices=[("", "—"), *NotRetainedReason.choices],
        required=False,
    )
    note = note_field()

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "not_retained" and not data.get("reason"):
            self.add_error("reason", "Indiquez pourquoi la personne n'est pas retenue.")
        return data


class ImmersionForm(StepForm):
    ends_on = date_field("Fin de l'immersion")
    note = note_field()

    def clean(self):
        data = super().clean()
        if data.get("on") and data.get("ends_on") and data["ends_on"] < data["on"]:
            self.add_error("ends_on", "La fin de l'immersion ne peut pas précéder son début.")
        return data


class AssignForm(StepForm):
    signed_by = forms.CharField(
        label="Décision signée par",
        max_length=150,
        help_text="Le chef d'établissement ou son délégataire.",
    )
    note = note_field()


class EndForm(StepForm):
    reason = forms.ChoiceField(label="Motif de fin", choices=EndReason.choices)
    note = note_field()


class CloseForm(StepForm):
    reason = forms.ChoiceField(label="Motif", choices=ClosedReason.choices)
    note = note_field()


class AgreementForm(OwnIds, DsfrBaseForm):
    """IAE-01: one party records its agreement (the others record theirs)."""

    party = forms.ChoiceField(label="Au nom de")
    given_by_name = forms.CharField(label="Accord donné par (nom, fonction)", max_length=150)
    given_on = date_field("Le")

    def __init__(self, *args, parcours: Parcours, user, **kwargs):
        super().__init__(*args, **kwargs)
        recorded = parcours.agreement_parties()
        self.fields["party"].choices = [
            (party.value, party.label)
            for party in AgreementParty
            if party.value not in recorded and may_agree_for(user, parcours, party.value)
        ]

    def clean_given_on(self):
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return day


class ConsentForm(OwnIds, DsfrModelForm):
    """IAE-04: the written consent collected by the SPIP."""

    class Meta:
        model = Consent
        fields = [
            "given_on",
            "informed",
            "continues_outside",
            "shares_with_partners",
            "paper_kept_at",
        ]
        widgets = _dated_widgets("given_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informed"].required = True
        self.fields["informed"].error_messages["required"] = (
            "La personne doit avoir été informée avant de consentir."
        )

    def clean_given_on(self):
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return day


class WithdrawConsentForm(OwnIds, DsfrBaseForm):
    note = note_field("Précisions (comment la personne a retiré son consentement)")


class LogEntryForm(OwnIds, DsfrModelForm):
    class Meta:
        model = LogEntry
        fields = ["about_on", "text"]
        widgets = {"about_on": DATE_INPUT, "text": forms.Textarea(attrs={"rows": 3})}

    def clean_about_on(self):
        day = self.cleaned_data["about_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return day


class HoursForm(OwnIds, DsfrModelForm):
    class Meta:
        model = MonthlyHours
        fields = ["month", "hours"]
        widgets = {"month": forms.Select}

    def __init__(self, *args, parcours: Parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.parcours = parcours
        months = _months(parcours)
        self.fields["month"] = forms.TypedChoiceField(
            label="Mois",
            choices=[(m.isoformat(), f"{MONTHS[m.month - 1]} {m.year}") for m in months],
            coerce=dt.date.fromisoformat,
        )
        self.fields["hours"].help_text = (
            f"Entre 0 et {MAX_HOURS_A_MONTH} heures. Un temps plein représente 1 350 heures "
            "par an, soit 112,5 heures par mois."
        )


MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def _months(parcours: Parcours) -> list[dt.date]:
    """The months of the running parcours, most recent first."""
    if not parcours.assigned_on:
        return []
    last = parcours.ended_on or timezone.localdate()
    month = parcours.assigned_on.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months[::-1]


class ActionForm(OwnIds, DsfrModelForm):
    class Meta:
        model = ParcoursAction
        fields = ["kind", "title", "provider", "starts_on", "ends_on", "status", "hours"]
        widgets = _dated_widgets("starts_on", "ends_on")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "La fin ne peut pas précéder le début.")
        return data


class CpuSessionForm(DsfrModelForm):
    class Meta:
        model = CpuSession
        fields = ["establishment", "held_on", "chaired_by", "members"]
        widgets = {"held_on": DATE_INPUT, "members": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, establishments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = establishments
        if establishments.count() == 1 and not self.instance.establishment_id:
            self.initial["establishment"] = establishments.first().pk
