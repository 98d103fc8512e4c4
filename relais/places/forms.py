import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.core.inputs import FIRST_RECORD_DAY, MAX_PLACES
from relais.core.text import count_of

from .enums import PlaceType, StructureType
from .models import AGE_RANGE, Dwelling, PlaceCapacity, Structure, places_for_surface


class AvailabilityForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("unavailable", "Indisponibles"), ("available", "Disponibles")]
    )
    count = forms.IntegerField(
        label="Nombre de places", min_value=1, max_value=MAX_PLACES, initial=1
    )
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


class StructureForm(forms.ModelForm):
    """SIAO-07: a structure of the register, with its identifiers checked."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    class Meta:
        model = Structure
        fields = [
            "name",
            "structure_type",
            "has_chrs_status",
            "manager",
            "finess",
            "siret",
            "street",
            "postcode",
            "commune",
            "commune_insee_code",
            "email",
        ]

    capacity_changes_on = forms.DateField(
        label="Les changements de places prennent effet le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Laissez vide pour un changement d'aujourd'hui. Une date passée enregistre "
        "une correction après coup : les indicateurs déjà transmis ne changent pas.",
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.territory = territory
        self.fields["manager"].queryset = Organisation.objects.filter(
            territory=territory, kind=OrganisationKind.STRUCTURE_MANAGER
        )
        self.fields["commune_insee_code"].help_text = "5 caractères, ex. 68224 pour Mulhouse."
        self.fields["finess"].help_text = "9 caractères ; facultatif hors établissement social."
        self.fields["siret"].help_text = "14 chiffres, sans espace."
        if self.instance.pk is None:  # a new structure's places start today
            del self.fields["capacity_changes_on"]
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def clean_capacity_changes_on(self):
        day = self.cleaned_data["capacity_changes_on"]
        if day and day > timezone.localdate():
            raise ValidationError("Un changement de places ne peut pas prendre effet demain.")
        if day and day < FIRST_RECORD_DAY:
            raise ValidationError(
                f"Un changement de places prend effet le {FIRST_RECORD_DAY:%d/%m/%Y} au plus tôt."
            )
        return day

    def capacity_change_at(self) -> dt.datetime | None:
        """When the capacity changes take effect: None for now, else that day's start."""
        day = self.cleaned_data.get("capacity_changes_on")
        if not day or day == timezone.localdate():
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PlaceCapacityForm(forms.ModelForm):
    class Meta:
        model = PlaceCapacity
        fields = [
            "place_type",
            "label",
            "places",
            "is_winter_only",
            "is_scattered",
            "is_dormitory",
            "accepts_men",
            "accepts_women",
            "accepts_couples",
            "accepts_children",
            "min_age",
            "max_age",
            "accepts_pets",
            "wheelchair_accessible",
        ]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", AGE_RANGE)
        if self.instance.pk and data.get("places") is not None:
            # Places reserved for a later window count too (JUS-06): every day ahead.
            needed = self.instance.unavailable_places + self.instance.held_places(on=dt.date.max)
            if data["places"] < needed:
                self.add_error(
                    "places",
                    count_of(
                        needed,
                        "place est occupée, attribuée, réservée ou déclarée indisponible",
                        "places sont occupées, attribuées, réservées ou déclarées indisponibles",
                    )
                    + " : la capacité ne peut pas descendre en dessous.",
                )
        return data


PlaceCapacityFormSet = forms.inlineformset_factory(
    Structure, PlaceCapacity, form=PlaceCapacityForm, extra=1, can_delete=False
)


class DwellingForm(forms.ModelForm):
    """SIAO-10: a dwelling of the register; its places come from its surface (Table 2)."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    class Meta:
        model = Dwelling
        fields = ["capacity", "label", "surface"]
        error_messages = {
            "capacity": {"required": "Choisissez les places auxquelles ce logement appartient."},
            "label": {"required": "Nommez le logement (ex. : T2, 3e étage gauche)."},
            "surface": {
                "required": "Indiquez la surface habitable en m².",
                "invalid": "Indiquez une surface en m², par exemple 18,5.",
                "max_digits": "Indiquez une surface de moins de 10 000 m².",
                "max_decimal_places": "Indiquez la surface au centième de m² près au plus.",
            },
        }

    def __init__(self, *args, capacities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].queryset = capacities
        self.fields["capacity"].label = "Places"
        self.fields["capacity"].empty_label = "Choisir les places du logement"
        self.fields["capacity"].label_from_instance = lambda capacity: capacity.description
        self.fields["surface"].localize = True
        self.fields["surface"].widget.is_localized = True
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class BaseDwellingFormSet(forms.BaseModelFormSet):
    def clean(self):
        """A capacity with dwellings has their places: never fewer than those taken."""
        super().clean()
        totals: dict[PlaceCapacity, int] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("capacity"):
                continue
            if data.get("surface") is None:
                continue
            capacity = data["capacity"]
            totals[capacity] = totals.get(capacity, 0) + places_for_surface(data["surface"])
        for capacity, places in totals.items():
            needed = capacity.unavailable_places + capacity.held_places(on=dt.date.max)
            if places < needed:
                raise ValidationError(
                    f"Les logements de « {capacity.description} » feraient {places} place(s) "
                    f"(table 2), mais {needed} place(s) sont occupées, attribuées, réservées ou déclarées "
                    "indisponibles : la capacité ne peut pas descendre en dessous."
                )


DwellingFormSet = forms.modelformset_factory(
    Dwelling,
    form=DwellingForm,
    formset=BaseDwellingFormSet,
    extra=1,
    can_delete=True,
)
