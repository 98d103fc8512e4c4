"""What the API shows of each record: read-only serializers.

Each value a page masks for a reader is masked here by the same rule, asked of the model
(`Orientation.refusal_for`, `end_destination_for`, `relais.requests.sensitivity`): the
serializers receive the reader in their context and never decide a rule themselves.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from relais.justice.models import Detention
from relais.orientations.models import Orientation
from relais.persons.models import HouseholdMember, Person
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


class HouseholdMemberSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    relationship_label = serializers.CharField(source="get_relationship_display")
    child_situation = serializers.CharField(help_text="Situation d'un enfant (code), vide sinon.")
    child_situation_label = serializers.CharField(source="get_child_situation_display")

    class Meta:
        model = HouseholdMember
        fields = [
            "person",
            "relationship",
            "relationship_label",
            "child_situation",
            "child_situation_label",
        ]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    household_members = HouseholdMemberSerializer(
        source="household.members",
        many=True,
        help_text="Les personnes du ménage, le demandeur principal compris, comme sur la page "
        "de la demande ; chacune a sa demande dans le même ménage.",
    )
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
            "household_members",
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


class DetentionSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    establishment = OrganisationRef()
    spip = OrganisationRef()
    state_label = serializers.CharField(source="get_state_display")
    legal_status_label = serializers.CharField(source="get_legal_status_display")

    class Meta:
        model = Detention
        fields = [
            "id",
            "person",
            "establishment",
            "prison_number",
            "spip",
            "legal_status",
            "legal_status_label",
            "incarcerated_on",
            "sentence_years",
            "sentence_months",
            "sentence_days",
            "end_date",
            "lsc_examination_on",
            "lsc_automatic_on",
            "due_on",
            "state",
            "state_label",
            "released_on",
            "measure_ends_on",
            "created_at",
        ]
        read_only_fields = fields


# Never through the API: the NIR (CNIL), and the link back to the request.
EVALUATION_NEVER = {"id", "request", "social_security_number"}


class EvaluationSerializer(serializers.Serializer):
    """The social evaluation (Annex IV) as its reader may read it: the health and justice
    fields, reasons, resource lines and housing situation that would reveal a category the
    reader may not read are left out, as on the printed evaluation. The shapes are those the
    PATCH takes, so software may read, change and send back."""

    request = serializers.IntegerField()
    fields = serializers.DictField(help_text="Les champs de l'évaluation, par nom (codes).")
    employment_applicant = serializers.DictField(allow_null=True)
    employment_spouse = serializers.DictField(allow_null=True)
    reasons = serializers.ListField(child=serializers.DictField())
    resources = serializers.ListField(child=serializers.DictField())
    debts = serializers.ListField(child=serializers.DictField())
    housing_aids = serializers.ListField(child=serializers.DictField())
    complete = serializers.BooleanField()
    missing_blocks = serializers.ListField(child=serializers.CharField())
    hidden = serializers.ListField(
        child=serializers.CharField(), help_text="Les champs masqués pour ce lecteur."
    )

    def to_representation(self, evaluation):
        user, req = _reader(self), evaluation.request
        hidden = set(sensitivity.hidden_fields(user, req))
        if not sensitivity.shows_housing_situation(user, req):
            hidden.add("housing_situation")
        hidden_reasons = sensitivity.hidden_reasons(user, req)
        hidden_kinds = sensitivity.hidden_resource_kinds(user, req)
        employments = {e.holder: e for e in evaluation.employments.all()}
        return {
            "request": req.pk,
            "fields": _values(evaluation, skip=EVALUATION_NEVER | hidden),
            **{
                f"employment_{holder}": _values(employments[holder], skip=EMPLOYMENT_NEVER)
                if holder in employments
                else None
                for holder in ("applicant", "spouse")
            },
            "reasons": [
                _values(r, skip=LINE_NEVER)
                for r in evaluation.reasons.all()
                if r.reason not in hidden_reasons
            ],
            "resources": [
                _values(line, skip=LINE_NEVER)
                for line in evaluation.resources.all()
                if line.kind not in hidden_kinds
            ],
            "debts": [_values(debt, skip=LINE_NEVER) for debt in evaluation.debts.all()],
            "housing_aids": [
                _values(aid, skip=LINE_NEVER) for aid in evaluation.housing_aids.all()
            ],
            "complete": evaluation.is_complete,
            "missing_blocks": [str(block) for block in evaluation.missing_blocks()],
            "hidden": sorted(hidden),
        }


EMPLOYMENT_NEVER = {"id", "evaluation", "holder"}
LINE_NEVER = {"id", "evaluation"}


def _values(record, *, skip: set[str]) -> dict:
    """A record's fields by name, as JSON values (dates in ISO 8601, amounts as text)."""
    values = {}
    for field in record._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(record, field.attname)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, bool | int | str):
            value = str(value)
        values[field.name] = value
    return values
