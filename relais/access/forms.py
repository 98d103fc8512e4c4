from django import forms
from dsfr.forms import DsfrBaseForm

from .models import DEFAULT_DURATION_DAYS, MAX_DURATION_DAYS


class FileSearchForm(DsfrBaseForm):
    """Find another service's file: name and first name are both needed, to limit fishing."""

    last_name = forms.CharField(label="Nom (de naissance ou d'usage)", min_length=2, max_length=100)
    first_name = forms.CharField(label="Prénom", min_length=2, max_length=100)
    birth_year = forms.IntegerField(
        label="Année de naissance", required=False, min_value=1900, max_value=2100
    )


class AccessRequestForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de l'accès",
        help_text="Pourquoi avez-vous besoin de ce dossier ? Le motif est communiqué au service "
        "qui suit la personne et conservé dans le journal.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
    days = forms.IntegerField(
        label="Durée de l'accès (jours)",
        initial=DEFAULT_DURATION_DAYS,
        min_value=1,
        max_value=MAX_DURATION_DAYS,
        help_text=f"{DEFAULT_DURATION_DAYS} jours par défaut, {MAX_DURATION_DAYS} au plus.",
        error_messages={
            "max_value": f"L'accès ne peut pas dépasser {MAX_DURATION_DAYS} jours.",
            "min_value": "L'accès dure au moins un jour.",
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError("Précisez le motif (10 caractères au moins).")
        return reason
