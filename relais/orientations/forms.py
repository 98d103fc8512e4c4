from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.core.inputs import (
    FIRST_RECORD_DAY,
    LAST_DAY,
    MAX_ID,
    LocalDateTimeField,
    date_validators,
)
from relais.places.enums import PlaceReservation, PlaceType, StructureType

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
    # JUS-12: the placement à l'extérieur places are never suggested (the SPIP's).
    reservation = forms.ChoiceField(
        label="Places réservées",
        choices=[("", "Toutes")]
        + [(v, label) for v, label in PlaceReservation.choices if v != PlaceReservation.PLACEMENT],
        required=False,
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


class _WindowFields(DsfrBaseForm):
    """A reservation's window (JUS-06): the dates the place is held for the person."""

    starts_on = forms.DateField(
        label="Place réservée à partir du",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=date_validators(FIRST_RECORD_DAY, LAST_DAY),
        error_messages={
            "required": "Indiquez le début de la période.",
            "invalid": "Indiquez une date valide.",
        },
    )
    ends_on = forms.DateField(
        label="Jusqu'au",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=date_validators(FIRST_RECORD_DAY, LAST_DAY),
        error_messages={
            "required": "Indiquez la fin de la période.",
            "invalid": "Indiquez une date valide.",
        },
    )
    note = forms.CharField(label="Commentaire pour la structure", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "La fin de la période précède son début.")
        elif end and end < timezone.localdate():
            self.add_error(
                "ends_on", "Cette période est déjà passée : choisissez des dates à venir."
            )
        return data


class ReservationForm(_WindowFields):
    """Reserve a place over a window around the release date."""


class WindowForm(_WindowFields):
    """Confirm a new window for a reservation whose release date moved."""

    note = forms.CharField(label="Commentaire", required=False, max_length=500)


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


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class _DatedStepForm(DsfrBaseForm):
    """A step of the stay recorded with the date and time it happened (SIAO-16), checked
    against the orientation's own bounds (Orientation.arrival_refusal / departure_refusal)."""

    date_field: str
    bound_check: str

    def __init__(self, *args, orientation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.orientation = orientation

    def clean(self):
        data = super().clean()
        at = data.get(self.date_field)
        if at is not None and self.orientation is not None:
            refusal = getattr(self.orientation, self.bound_check)(at)
            if refusal:
                self.add_error(self.date_field, refusal)
        return data


class ArrivalForm(_DatedStepForm):
    date_field = "arrived_at"
    bound_check = "arrival_refusal"

    arrived_at = LocalDateTimeField(
        label="Date et heure d'arrivée",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=_now_to_the_minute,
        help_text="Maintenant par défaut ; corrigez-la pour une arrivée enregistrée après coup.",
        error_messages={"invalid": "Indiquez une date et une heure valides."},
    )

    def clean_arrived_at(self):
        return self.cleaned_data["arrived_at"] or timezone.now()


class EndStayForm(_DatedStepForm):
    date_field = "ended_on"
    bound_check = "departure_refusal"

    ended_on = LocalDateTimeField(
        label="Date et heure de sortie",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=_now_to_the_minute,
        error_messages={
            "required": "Indiquez la date et l'heure de sortie.",
            "invalid": "Indiquez une date et une heure valides.",
        },
    )
    destination = forms.ChoiceField(
        label="Destination",
        choices=[("", "Choisir")] + EndDestination.choices,
        error_messages={"required": "Choisissez la destination à la sortie."},
    )
    reason = forms.ChoiceField(
        label="Motif",
        choices=[("", "Choisir")] + EndReason.choices,
        error_messages={"required": "Choisissez le motif de la sortie."},
    )
    note = forms.CharField(label="Commentaire", required=False, max_length=1000)
