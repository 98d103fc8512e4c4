import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.accounts.enums import Role
from relais.accounts.models import Organisation, User

from .enums import Access, Resource
from .models import DEFAULT_RATE_PER_MINUTE, MAX_VALIDITY_DAYS

# A token acts for software: it never manages accounts.
TOKEN_ROLES = [(value, label) for value, label in Role.choices if value != Role.TERRITORY_ADMIN]


class TokenForm(DsfrBaseForm):
    """The territory administrator creates a token for software of an organisation."""

    name = forms.CharField(
        label="Nom du logiciel",
        max_length=100,
        help_text="Ex. : logiciel de gestion du CHRS Le Phare. Il nomme le compte du logiciel "
        "dans le journal d'audit.",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), empty_label="Choisir"
    )
    role = forms.ChoiceField(
        label="Rôle du logiciel",
        choices=[("", "Choisir"), *TOKEN_ROLES],
        help_text="Le logiciel voit et fait ce que verrait et ferait une personne de ce rôle "
        "dans cette organisation, pas plus.",
    )
    expires_on = forms.DateField(
        label="Valable jusqu'au",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"Au plus {MAX_VALIDITY_DAYS // 365} ans.",
        error_messages={"invalid": "Indiquez une date valide."},
    )
    rate_per_minute = forms.IntegerField(
        label="Appels par minute au plus",
        min_value=1,
        max_value=6000,
        initial=DEFAULT_RATE_PER_MINUTE,
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(territory=territory)
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=365)
        for resource in Resource:
            self.fields[f"scope_{resource.value}"] = forms.ChoiceField(
                label=resource.label, choices=Access.choices, required=False
            )

    def scope_fields(self):
        return [self[f"scope_{resource.value}"] for resource in Resource]

    def other_fields(self):
        return [
            self[name] for name in ("name", "organisation", "role", "expires_on", "rate_per_minute")
        ]

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise ValidationError("Choisissez une date à venir.")
        if day > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
            raise ValidationError(f"Au plus {MAX_VALIDITY_DAYS} jours à partir d'aujourd'hui.")
        return day

    def clean(self):
        data = super().clean()
        organisation, role = data.get("organisation"), data.get("role")
        if organisation is not None and role:
            try:
                User(organisation=organisation, role=role).clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error("role" if field == "role" else None, messages)
        if not any(data.get(f"scope_{resource.value}") for resource in Resource):
            self.add_error(None, "Donnez au jeton au moins un droit de lecture.")
        return data

    @property
    def scopes(self) -> dict[str, str]:
        return {
            resource.value: access
            for resource in Resource
            if (access := self.cleaned_data.get(f"scope_{resource.value}"))
        }
