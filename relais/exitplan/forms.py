"""Forms of the exit plan page (EXIT-01): each refusal said next to its field, nothing typed
lost. Several forms share the page: each item's form has its own prefix, hence its own ids."""

import datetime as dt

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators

from .enums import ITEMS, ItemEventKind, ItemKind
from .models import ExitItem, ExitPlan

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)
# How far from today an appointment may be booked.
APPOINTMENT_PAST_DAYS = 365
APPOINTMENT_FUTURE_DAYS = 2 * 365

# The buttons of an item's form: the step they take, and their label.
STEPS = {
    ItemEventKind.DETAILS: "Enregistrer",
    ItemEventKind.STARTED: "Démarche commencée",
    ItemEventKind.DONE: "Fait",
    ItemEventKind.NOT_NEEDED: "Sans objet",
    ItemEventKind.REOPENED: "Rouvrir",
}

# What the page says once a step is taken.
DONE_MESSAGES = {
    ItemEventKind.DETAILS: "précisions enregistrées",
    ItemEventKind.STARTED: "démarche commencée",
    ItemEventKind.DONE: "fait",
    ItemEventKind.NOT_NEEDED: "sans objet",
    ItemEventKind.REOPENED: "rouvert",
}


class ItemForm(DsfrBaseForm):
    """One item: its details, and the step asked for by the button pressed (`step`)."""

    step = forms.ChoiceField(choices=list(STEPS.items()), widget=forms.HiddenInput)
    done_on = forms.DateField(
        label="Fait le",
        required=False,
        widget=DATE_INPUT,
        validators=DATES,
        help_text="Par défaut, aujourd'hui.",
    )
    remarks = forms.CharField(
        label="Précisions",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoires pour « Sans objet » : dites pourquoi.",
    )
    appointment_day = forms.DateField(
        label="Date du rendez-vous", required=False, widget=DATE_INPUT, validators=DATES
    )
    appointment_time = forms.TimeField(
        label="Heure",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label="Service", required=False, max_length=150)
    address = forms.CharField(label="Adresse", required=False, max_length=250)
    phone = forms.CharField(label="Téléphone", required=False, max_length=30)

    APPOINTMENT_FIELDS = ("appointment_day", "appointment_time", "place", "address", "phone")

    def __init__(self, *args, item: ExitItem, **kwargs):
        kwargs.setdefault("prefix", f"element-{item.pk}")
        local = timezone.localtime(item.appointment_at) if item.appointment_at else None
        kwargs.setdefault(
            "initial",
            {
                "remarks": item.remarks,
                "done_on": item.done_on,
                "appointment_day": local.date() if local else None,
                "appointment_time": local.time() if local else None,
                "place": item.place,
                "address": item.address,
                "phone": item.phone,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item
        if not item.spec.appointment:
            for name in self.APPOINTMENT_FIELDS:
                del self.fields[name]

    def clean_done_on(self):
        day = self.cleaned_data.get("done_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("Une démarche faite ne peut pas être datée dans le futur.")
        return day

    def clean(self):
        data = super().clean()
        step = data.get("step")
        if step == ItemEventKind.NOT_NEEDED and not data.get("remarks", "").strip():
            self.add_error("remarks", "Dites pourquoi cet élément est sans objet.")
        if self.item.spec.appointment:
            self._clean_appointment(data, step)
        return data

    def _clean_appointment(self, data: dict, step: str) -> None:
        day, time = data.get("appointment_day"), data.get("appointment_time")
        if time and not day and "appointment_day" not in self.errors:
            self.add_error("appointment_day", "Indiquez la date du rendez-vous.")
        if step == ItemEventKind.DONE and not day and "appointment_day" not in self.errors:
            self.add_error("appointment_day", "Un rendez-vous pris a une date : indiquez-la.")
        if day:
            today = timezone.localdate()
            if not (
                today - dt.timedelta(days=APPOINTMENT_PAST_DAYS)
                <= day
                <= today + dt.timedelta(days=APPOINTMENT_FUTURE_DAYS)
            ):
                self.add_error(
                    "appointment_day",
                    "Cette date semble erronée : un rendez-vous se prend dans les deux ans.",
                )

    def details(self) -> dict:
        """The item's fields to write, from the cleaned data."""
        data = self.cleaned_data
        details = {"remarks": data.get("remarks", "")}
        if self.item.spec.appointment:
            day, time = data.get("appointment_day"), data.get("appointment_time")
            details["appointment_at"] = (
                timezone.make_aware(dt.datetime.combine(day, time or dt.time(9))) if day else None
            )
            for name in ("place", "address", "phone"):
                details[name] = data.get(name, "")
        return details


class FirstNightForm(DsfrBaseForm, forms.ModelForm):
    """The SIAO tells how the person is welcomed the first night (EXIT-03)."""

    class Meta:
        model = ExitPlan
        fields = ["arrival_hours", "arrival_contact", "arrival_phone", "arrival_note"]
        widgets = {"arrival_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "premier-soir")
        super().__init__(*args, **kwargs)


class AddItemForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Élément à ajouter")

    def __init__(self, *args, plan: ExitPlan, **kwargs):
        kwargs.setdefault("prefix", "ajout")
        super().__init__(*args, **kwargs)
        present = set(plan.items.values_list("kind", flat=True))
        self.fields["kind"].choices = [
            (kind, ItemKind(kind).label)
            for kind, spec in ITEMS.items()
            if not spec.default and kind not in present
        ]


class CloseForm(DsfrBaseForm):
    on = forms.DateField(label="Situation stabilisée le", widget=DATE_INPUT, validators=DATES)
    note = forms.CharField(
        label="Où en est la personne",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, plan: ExitPlan, **kwargs):
        kwargs.setdefault("prefix", "cloture")
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_on(self):
        day = self.cleaned_data["on"]
        released = self.plan.detention.released_on
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if released and day < released:
            raise forms.ValidationError(
                f"La situation se stabilise après la libération du {released:%d/%m/%Y}."
            )
        return day
