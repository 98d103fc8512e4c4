"""What the API shows of each record: read-only serializers.

Each value a page masks for a reader is masked here by the same rule, asked of the model
(`Orientation.refusal_for`, `end_destination_for`, `relais.requests.sensitivity`): the
serializers receive the reader in their context and never decide a rule themselves.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from relais.orientations.models import Orientation
from relais.persons.models import Person
from relais.places.models import PlaceCapacity, Structure
from relais.requests import sensitivity
from relais.requests.models import Request


def _reader(serializer):
    return serializer.context["request"].user


class OrganisationRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CapacitySerializer(serializers.ModelSerializer):
    place_type_label = serializers.CharField(source="get_place_type_display")
    reservation_label = serializers.CharField(source="get_reservation_display")
    occupied = serializers.IntegerField(
        read_only=True, help_text="Places tenues par des orientations et des séjours."
    )
    vacant = serializers.IntegerField(
        read_only=True,
        help_text="Places libres : capacité, moins les indisponibles, moins les occupées.",
    )

    class Meta:
        model = PlaceCapacity
        fields = [
            "id",
            "structure",
            "place_type",
            "place_type_label",
            "label",
            "places",
            "unavailable_places",
            "occupied",
            "vacant",
            "is_winter_only",
            "reservation",
            "reservation_label",
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
        read_only_fields = fields


class StructureSerializer(serializers.ModelSerializer):
    structure_type_label = serializers.CharField(source="get_structure_type_display")
    territory = serializers.CharField(source="territory.insee_code")
    manager = OrganisationRef()
    capacities = serializers.SerializerMethodField()

    class Meta:
        model = Structure
        fields = [
            "id",
            "name",
            "structure_type",
            "structure_type_label",
            "has_chrs_status",
            "territory",
            "manager",
            "finess",
            "siret",
            "street",
            "postcode",
            "commune",
            "commune_insee_code",
            "email",
            "capacities",
        ]
        read_only_fields = fields

    @extend_schema_field(CapacitySerializer(many=True))
    def get_capacities(self, structure) -> list[dict]:
        rows = getattr(structure, "capacities_with_vacancies", None)
        if rows is None:
            rows = PlaceCapacity.objects.with_vacancies().filter(structure=structure)
        return CapacitySerializer(rows, many=True, context=self.context).data


class PersonSerializer(serializers.ModelSerializer):
    sex = serializers.CharField(help_text="F, M, ou vide si non renseigné.")
    sex_label = serializers.CharField(source="get_sex_display")

    class Meta:
        model = Person
        fields = [
            "id",
            "birth_name",
            "usage_name",
            "first_names",
            "sex",
            "sex_label",
            "birth_year",
            "birth_month",
            "birth_day",
        ]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    channel_label = serializers.CharField(source="get_channel_display")
    status_label = serializers.CharField(source="get_status_display")
    territory = serializers.CharField(source="territory.insee_code")
    referrer_organisation = OrganisationRef()
    notes = serializers.SerializerMethodField(
        help_text="Observations, pour qui lit les informations sensibles du dossier."
    )

    class Meta:
        model = Request
        fields = [
            "id",
            "person",
            "household",
            "channel",
            "channel_label",
            "status",
            "status_label",
            "territory",
            "referrer_organisation",
            "requested_on",
            "current_location",
            "needs_tonight",
            "notes",
            "host_structure",
            "detention",
            "admitted_at",
            "ended_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_notes(self, req) -> str:
        return req.notes if sensitivity.readable_categories(_reader(self), req) else ""


class OrientationSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    structure = serializers.SerializerMethodField()
    refusal = serializers.SerializerMethodField(
        help_text="Motif du refus, pour qui peut le lire ; vide sinon."
    )
    end_destination = serializers.SerializerMethodField(
        help_text="Destination à la sortie, masquée quand elle révèle une information sensible."
    )
    end_reason = serializers.CharField(help_text="Motif de la sortie (code), vide avant.")
    end_reason_label = serializers.CharField(source="get_end_reason_display")

    class Meta:
        model = Orientation
        fields = [
            "id",
            "request",
            "structure",
            "capacity",
            "places",
            "state",
            "state_label",
            "is_direct_admission",
            "created_at",
            "prepositioned_at",
            "proposed_at",
            "decided_at",
            "stay_started_at",
            "ended_at",
            "cancelled_at",
            "refusal",
            "end_destination",
            "end_reason",
            "end_reason_label",
            "window_starts_on",
            "window_ends_on",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganisationRef)
    def get_structure(self, orientation) -> dict:
        return {"id": orientation.structure_id, "name": orientation.structure.name}

    def get_refusal(self, orientation) -> str:
        return orientation.refusal_for(_reader(self))

    def get_end_destination(self, orientation) -> str:
        return orientation.end_destination_for(_reader(self))
