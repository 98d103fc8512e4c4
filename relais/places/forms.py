from django import forms
from dsfr.forms import DsfrBaseForm

from .enums import PlaceType, StructureType


class AvailabilityForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("unavailable", "Indisponibles"), ("available", "Disponibles")]
    )
    count = forms.IntegerField(label="Nombre de places", min_value=1, initial=1)
    note = forms.CharField(label="Motif", required=False, max_length=300)


class VacancyFilterForm(DsfrBaseForm):
    place_type = forms.ChoiceField(
        label="Dispositif (type de place)",
        choices=[("", "Tous")] + PlaceType.choices,
        required=False,
    )
    structure_type = forms.ChoiceField(
        label="Type de structure", choices=[("", "Tous")] + StructureType.choices, required=False
    )
    commune = forms.CharField(label="Commune", required=False)
    only_vacant = forms.BooleanField(label="Seulement les places libres", required=False)
    include_winter = forms.BooleanField(label="Avec les places hivernales", required=False)
