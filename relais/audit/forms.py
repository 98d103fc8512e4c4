from django import forms
from dsfr.forms import DsfrBaseForm

from relais.core.inputs import MAX_ID

from .enums import Action
from .models import AuditEventQuerySet


class AuditSearchForm(DsfrBaseForm):
    username = forms.CharField(label="Identifiant de l'utilisateur", max_length=150, required=False)
    person_id = forms.IntegerField(
        label="N° de personne", min_value=1, max_value=MAX_ID, required=False
    )
    action = forms.ChoiceField(
        label="Action", choices=[("", "Toutes"), *Action.choices], required=False
    )
    start = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Au (inclus)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La date de fin précède la date de début.")
        return data

    def filter(self, events: AuditEventQuerySet) -> AuditEventQuerySet:
        data = self.cleaned_data
        if data["username"]:
            events = events.filter(username__iexact=data["username"].strip())
        if data["person_id"]:
            events = events.filter(person_id=data["person_id"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["start"]:
            events = events.filter(at__date__gte=data["start"])
        if data["end"]:
            events = events.filter(at__date__lte=data["end"])
        return events
