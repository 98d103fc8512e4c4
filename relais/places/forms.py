import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, MAX_PLACES, date_validators
from relais.core.text import count_of

from .enums import PlaceReservation, PlaceType, StructureType
from .models import (
    AGE_RANGE,
    Dwelling,
    PlaceCapacity,
    PlacementAgreement,
    Structure,
    agreement_document_refusal,
    places_for_surface,
)


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
    # JUS-03, JUS-12: the places kept for people leaving detention, apart.
    reservation = forms.ChoiceField(
        label="Places réservées",
        choices=[("", "Toutes")] + PlaceReservation.choices,
        required=False,
    )
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
            "reservation",
            "pe_agreement",
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

    def __init__(self, *args, structure=None, **kwargs):
        super().__init__(*args, **kwargs)
        agreements = PlacementAgreement.objects.none()
        if structure is not None and structure.pk:
            agreements = PlacementAgreement.objects.filter(structure=structure)
        self.fields["pe_agreement"].queryset = agreements
        # A form posted without it (an older page, a script) keeps what the places are kept for.
        self.fields["reservation"].required = False
        self.fields["pe_agreement"].empty_label = "Aucune"
        self.fields["pe_agreement"].error_messages["invalid_choice"] = (
            "Choisissez une convention de cette structure dans la liste."
        )

    def clean_reservation(self):
        return (
            self.cleaned_data.get("reservation")
            or self.instance.reservation
            or PlaceReservation.ORDINARY
        )

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


class BasePlaceCapacityFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "structure": self.instance}


PlaceCapacityFormSet = forms.inlineformset_factory(
    Structure,
    PlaceCapacity,
    form=PlaceCapacityForm,
    formset=BasePlaceCapacityFormSet,
    extra=1,
    can_delete=False,
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


# -- placement à l'extérieur agreements (JUS-03) ----------------------------------------------


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlacementAgreementForm(forms.ModelForm):
    """JUS-03: the SIAO records an agreement the SPIP sent, with its signed document."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    class Meta:
        model = PlacementAgreement
        fields = [
            "structure",
            "spip",
            "disp",
            "reference",
            "starts_on",
            "ends_on",
            "places",
            "funding",
            "conditions",
            "document",
        ]
        widgets = {
            "starts_on": _date_widget(),
            "ends_on": _date_widget(),
            "funding": forms.Textarea(attrs={"rows": 2}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "document": forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
        }
        error_messages = {
            "structure": {
                "required": "Choisissez la structure signataire.",
                "invalid_choice": "Choisissez une structure du territoire dans la liste.",
            },
            "spip": {
                "required": "Choisissez le SPIP signataire.",
                "invalid_choice": "Choisissez un SPIP du territoire dans la liste.",
            },
            "disp": {"invalid_choice": "Choisissez un service de l'État dans la liste."},
            "starts_on": {
                "required": "Indiquez le début de validité.",
                "invalid": "Indiquez une date valide.",
            },
            "ends_on": {
                "required": "Indiquez la fin de validité.",
                "invalid": "Indiquez une date valide.",
            },
            "places": {
                "required": "Indiquez le nombre de places.",
                "invalid": "Indiquez un nombre entier de places.",
                "min_value": "Indiquez au moins une place.",
            },
            "funding": {"required": "Indiquez le financement prévu par la convention."},
            "document": {
                "required": "Joignez la convention signée (PDF, PNG ou JPEG).",
                "invalid": "Le fichier envoyé n'est pas lisible : joignez-le de nouveau.",
            },
        }

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.filter(territory=territory)
        self.fields["spip"].queryset = Organisation.objects.filter(
            territory=territory, kind=OrganisationKind.SPIP
        )
        self.fields["disp"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.STATE_SERVICE
        )
        self.fields["disp"].empty_label = "Aucune"
        for name in ("starts_on", "ends_on"):
            self.fields[name].validators += date_validators(FIRST_RECORD_DAY, LAST_DAY)
        self.fields["places"].validators.append(
            MinValueValidator(1, message="Indiquez au moins une place.")
        )
        self.fields["document"].help_text = (
            "PDF, ou scan PNG ou JPEG, 10 Mo au plus. Le document n'est lisible que par le "
            "SIAO et le SPIP signataire."
        )
        if self.instance.pk:
            self.fields["document"].required = False
            self.fields["document"].help_text += " Laissez vide pour garder le document actuel."
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        # A new file sent with the form (not the one already stored).
        if (
            upload
            and hasattr(upload, "content_type")
            and (refusal := agreement_document_refusal(upload))
        ):
            raise ValidationError(refusal)
        return upload

    def save(self, commit=True, *, by=None):
        agreement = super().save(commit=False)
        upload = self.cleaned_data.get("document")
        if upload and hasattr(upload, "content_type"):
            agreement.document_name = upload.name[:200]
        if agreement.pk is None:
            agreement.recorded_by = by
        if commit:
            agreement.save()
        return agreement
