from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.core.inputs import MAX_ID
from relais.places.enums import PlaceType, StructureType

from .enums import EndDestination, EndReason, RefusalReason
from .suggestions import Filters


class SuggestionFilterForm(DsfrBaseForm):
    place_type = forms.ChoiceField(
        label="Type de place", choices=[("", "Tous")] + PlaceType.choices, required=False
    )
    structure_type = forms.ChoiceField(
        label="Type de structure", choices=[("", "Tous")] + StructureType.choices, required=False
    )
    commune = forms.CharField(label="Commune", required=False)
    with_pet = forms.BooleanField(label="Avec un animal", required=False)
    wheelchair = forms.BooleanField(label="En fauteuil roulant", required=False)
    include_full = forms.BooleanField(
        label="Montrer aussi les places complètes (prépositionnement)", required=False
    )

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        return Filters(**self.cleaned_data)


class AttributionForm(forms.Form):
    capacity = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    mode = forms.ChoiceField(
        choices=[("attribute", "Attribuer"), ("preposition", "Prépositionner")],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(label="Commentaire pour la structure", required=False)


class RefusalForm(DsfrBaseForm):
    reason = forms.ChoiceField(
        label="Motif du refus", choices=[("", "Choisir un motif")] + RefusalReason.choices
    )
    comment = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour « Autre motif ».",
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == RefusalReason.OTHER and not data.get("comment", "").strip():
            self.add_error("comment", "Précisez le motif du refus.")
        return data


class CancelForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif de l'annulation", max_length=500)


class EndStayForm(DsfrBaseForm):
    ended_on = forms.DateTimeField(
        label="Date et heure de sortie",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    destination = forms.ChoiceField(
        label="Destination", choices=[("", "Choisir")] + EndDestination.choices
    )
    reason = forms.ChoiceField(label="Motif", choices=[("", "Choisir")] + EndReason.choices)
    note = forms.CharField(label="Commentaire", required=False)
