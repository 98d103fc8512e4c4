"""Filters of the lists, as small Django forms: the query string is checked like a form (a bad
value is a 400 with a French message for that parameter, never a 500), and the OpenAPI
parameters are derived from the same fields."""

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from relais.core.inputs import LocalDateTimeField
from relais.justice.enums import DetentionState
from relais.orientations.enums import OrientationState
from relais.places.enums import PlaceReservation, PlaceType, StructureType
from relais.requests.enums import Channel, RequestStatus

from ..errors import Invalid, form_errors

_ID = {"min_value": 1, "max_value": 2**63 - 1}


def _choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, required=False)


class FilterForm(forms.Form):
    """`lookups` maps each field to the ORM lookup it filters on."""

    lookups: dict[str, str] = {}

    def apply(self, queryset):
        for name, lookup in self.lookups.items():
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                queryset = queryset.filter(**{lookup: value})
        return queryset


class StructureFilter(FilterForm):
    structure_type = _choice("Type de structure", StructureType.choices)
    lookups = {"structure_type": "structure_type"}


class CapacityFilter(FilterForm):
    structure = forms.IntegerField(label="Structure (identifiant)", required=False, **_ID)
    place_type = _choice("Type de place", PlaceType.choices)
    reservation = _choice("Places réservées", PlaceReservation.choices)
    vacant = forms.NullBooleanField(
        label="true : seulement les capacités avec des places libres", required=False
    )
    lookups = {
        "structure": "structure_id",
        "place_type": "place_type",
        "reservation": "reservation",
    }

    def apply(self, queryset):
        queryset = super().apply(queryset)
        if self.cleaned_data.get("vacant") is True:
            queryset = queryset.filter(vacant__gt=0)
        return queryset


class RequestFilter(FilterForm):
    status = _choice("État", RequestStatus.choices)
    channel = _choice("Dispositif", Channel.choices)
    person = forms.IntegerField(label="Personne (identifiant)", required=False, **_ID)
    updated_since = LocalDateTimeField(label="Modifiées depuis (ISO 8601)", required=False)
    lookups = {
        "status": "status",
        "channel": "channel",
        "person": "person_id",
        "updated_since": "updated_at__gte",
    }


class OrientationFilter(FilterForm):
    state = _choice("État", OrientationState.choices)
    structure = forms.IntegerField(label="Structure (identifiant)", required=False, **_ID)
    request = forms.IntegerField(label="Demande (identifiant)", required=False, **_ID)
    lookups = {"state": "state", "structure": "structure_id", "request": "request_id"}


class DetentionFilter(FilterForm):
    state = _choice("État", DetentionState.choices)
    establishment = forms.IntegerField(label="Établissement (identifiant)", required=False, **_ID)
    due_before = forms.DateField(label="Sortie possible au plus tôt avant le", required=False)
    lookups = {"state": "state", "establishment": "establishment_id", "due_before": "due_on__lte"}


def apply(form_class: type[FilterForm], params, queryset):
    form = form_class(data=params)
    if not form.is_valid():
        raise Invalid(form_errors(form))
    return form.apply(queryset)


def parameters(form_class: type[FilterForm]) -> list[OpenApiParameter]:
    """The query parameters of a list, from its filter form."""
    return [_parameter(name, field) for name, field in form_class.base_fields.items()]


def _parameter(name: str, field: forms.Field) -> OpenApiParameter:
    kind, enum = OpenApiTypes.STR, None
    match field:
        case forms.NullBooleanField():
            kind = OpenApiTypes.BOOL
        case forms.IntegerField():
            kind = OpenApiTypes.INT64
        case forms.DateTimeField():
            kind = OpenApiTypes.DATETIME
        case forms.DateField():
            kind = OpenApiTypes.DATE
        case forms.ChoiceField():
            enum = [value for value, _ in field.choices if value]
    return OpenApiParameter(
        name, kind, OpenApiParameter.QUERY, required=False, description=str(field.label), enum=enum
    )
