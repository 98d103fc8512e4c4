"""The endpoints of /api/v1/. Each reads through the model's `visible_to(user)` and writes
through the model's named transitions, with the pages' forms: the API has no rule of its own.

A refused transition is a 409 with the French message; a step the role may not take is a 403
with the transition's own refusal; an object out of scope is a 404, as on the pages.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import FIRST_RECORD_DAY
from relais.core.transitions import TransitionNotAllowed
from relais.identity.entry import NEW_REQUEST_ANYWAY, SOMEONE_ELSE, EntryCheck
from relais.identity.intake import open_request
from relais.indicators.calendar import Schedule, cutoff_for, latest_cutoff
from relais.indicators.engine import COUNTED, SOURCE, compute
from relais.indicators.views import reader_territory
from relais.justice.forms import DetentionForm, MoveEndDateForm
from relais.justice.models import Detention, follows, may_record
from relais.justice.views import JUSTICE_ROLES
from relais.orientations.enums import OrientationEventKind as Kind
from relais.orientations.forms import ArrivalForm, EndStayForm, RefusalForm
from relais.orientations.models import Orientation
from relais.persons.models import HouseholdMember
from relais.places.forms import AvailabilityForm
from relais.places.models import PlaceCapacity, Structure
from relais.requests.enums import EventKind
from relais.requests.forms import (
    CloseRequestForm,
    EmergencyIntakeForm,
    HouseholdMemberForm,
    HouseholdMemberFormSet,
    InsertionRequestForm,
    PersonForm,
    RequestEditForm,
)
from relais.requests.models import Request, SocialEvaluation
from relais.requests.views import may_open_emergencies, may_open_requests, open_emergency

from ..bridge import checked, serializer_for, validated, validated_formset
from ..enums import Resource
from ..errors import NOT_FOUND, Invalid, form_errors
from ..idempotency import idempotent
from . import feed, filters
from .evaluation import EvaluationBody, bound_forms
from .serializers import (
    CapacitySerializer,
    DetentionSerializer,
    EvaluationSerializer,
    OrientationSerializer,
    RequestSerializer,
    StructureSerializer,
)


class Pages(CursorPagination):
    """Opaque cursors (`next`, `previous`): stable while rows are added, no COUNT(*)."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class Problem(serializers.Serializer):
    detail = serializers.CharField()


class FieldProblems(Problem):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


REFUSED = OpenApiResponse(Problem, description="Étape refusée (état, règle) : message en français.")
INVALID = OpenApiResponse(FieldProblems, description="Données invalides, message par champ.")
FORBIDDEN = OpenApiResponse(
    Problem, description="Le rôle ou les droits du jeton ne le permettent pas."
)


NOT_EDITABLE = "Seul le service prescripteur ou le SIAO peut modifier cette demande."
NO_EVALUATION = "Les demandes d'urgence n'ont pas d'évaluation sociale."


def _audit_write(request, obj, **detail) -> None:
    audit.record(request_or_user=request._request, action=Action.WRITE, obj=obj, detail=detail)


class ScopedViewSet(viewsets.GenericViewSet):
    """A resource read through `visible_to(user)`, filtered by its filter form."""

    # Any text reaches the view, which answers 404 for what is not an id (never Django's page).
    lookup_value_regex = "[^/]+"
    resource: str
    model = None
    filter_form = None
    pagination_class = Pages

    def base_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self):
        queryset = self.base_queryset()
        if self.action == "list" and self.filter_form is not None:
            queryset = filters.apply(self.filter_form, self.request.query_params, queryset)
        return queryset


def documented(*, items: str, one: str):
    """The OpenAPI summaries of a resource's list and detail; the list's query parameters
    come from the view's filter form."""

    def decorate(view):
        return extend_schema_view(
            list=extend_schema(summary=items, parameters=filters.parameters(view.filter_form)),
            retrieve=extend_schema(summary=one),
        )(view)

    return decorate


# -- structures and places -------------------------------------------------------------------


@documented(items="Structures visibles", one="Une structure, ses places et ses disponibilités")
class StructureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    resource = Resource.STRUCTURES
    model = Structure
    serializer_class = StructureSerializer
    filter_form = filters.StructureFilter

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("territory", "manager")
            .prefetch_related(
                Prefetch(
                    "capacities",
                    queryset=PlaceCapacity.objects.with_vacancies(),
                    to_attr="capacities_with_vacancies",
                )
            )
        )


@documented(items="Capacités et places libres", one="Une capacité et ses places libres")
class CapacityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    resource = Resource.STRUCTURES
    model = PlaceCapacity
    serializer_class = CapacitySerializer
    filter_form = filters.CapacityFilter

    def base_queryset(self):
        return super().base_queryset().with_vacancies().select_related("structure")

    @extend_schema(
        summary="Déclarer des places indisponibles, ou de nouveau disponibles (gestionnaire)",
        request=serializer_for(AvailabilityForm),
        responses={200: CapacitySerializer, 400: INVALID, 403: FORBIDDEN, 409: REFUSED},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def availability(self, request, pk=None):
        capacity = self.get_object()
        if not request.user.manages(capacity.structure):
            raise exceptions.PermissionDenied(
                "Seul le gestionnaire de la structure déclare ses places."
            )
        data = validated(AvailabilityForm, request.data).cleaned_data
        with transaction.atomic():
            if data["action"] == "unavailable":
                capacity.declare_unavailable(
                    by=request.user, count=data["count"], note=data["note"]
                )
            else:
                capacity.declare_available(by=request.user, count=data["count"], note=data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=capacity.pk)).data)


# -- requests -----------------------------------------------------------------------------------


NEW_REQUEST_EXTRAS = ("person", "person_id", "someone_else", "confirm_new_request", "members")
MEMBERS_HELP = (
    "Les personnes du ménage (conjoint, enfants…), comme sur le formulaire : chacune a sa "
    "demande dans le ménage du demandeur principal."
)


def _without(body: dict, names) -> dict:
    return {key: value for key, value in body.items() if key not in names}


class IdentityAnswer(serializers.Serializer):
    """How the caller answers the identity check's 409 (the entry form's choices)."""

    person_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="La personne déjà connue qu'il faut lier (un des candidats d'un 409).",
    )
    someone_else = serializers.BooleanField(
        required=False, help_text="Aucun des candidats d'un 409 : c'est quelqu'un d'autre."
    )
    confirm_new_request = serializers.BooleanField(
        required=False, help_text="Ouvrir une demande bien qu'une autre soit en cours."
    )
    members = serializer_for(HouseholdMemberForm)(
        many=True, required=False, max_length=HouseholdMemberFormSet.max_num, help_text=MEMBERS_HELP
    )


class NewRequestBody(IdentityAnswer, serializer_for(InsertionRequestForm)):
    requested_on = serializers.DateField(
        required=False, help_text="Date de la demande (aujourd'hui par défaut)."
    )
    person = serializer_for(PersonForm)(help_text="La personne, comme sur le formulaire.")


class NewEmergencyBody(IdentityAnswer, serializer_for(EmergencyIntakeForm)):
    """The 115's short form: the person's traits are fields of the body itself."""


class NewMembersBody(serializers.Serializer):
    members = serializer_for(HouseholdMemberForm)(
        many=True, min_length=1, max_length=HouseholdMemberFormSet.max_num, help_text=MEMBERS_HELP
    )


def _members(payload) -> HouseholdMemberFormSet:
    """The household formset of the pages, bound to the body's `members`."""
    return validated_formset(
        HouseholdMemberFormSet, payload.get("members"), field_prefix="members", prefix="members"
    )


class NewDetentionBody(serializer_for(DetentionForm)):
    spip = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Le SPIP qui suit la personne (celui du CPIP par défaut).",
    )
    person = serializer_for(PersonForm)(help_text="La personne, comme sur le formulaire.")
    person_id = serializers.IntegerField(
        required=False, min_value=1, help_text="La personne déjà connue qu'il faut lier."
    )
    someone_else = serializers.BooleanField(
        required=False, help_text="Aucun des candidats d'un 409 : c'est quelqu'un d'autre."
    )


class LookAlike(serializers.Serializer):
    person_id = serializers.IntegerField()
    birth_name = serializers.CharField()
    usage_name = serializers.CharField()
    first_names = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.CharField()
    score = serializers.FloatField()


class Underway(serializers.Serializer):
    request_id = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()


class LookAlikes(Problem):
    candidates = LookAlike(many=True)
    ongoing = Underway(many=True)


def _identity_check(body: dict, *, user, warn_ongoing: bool = True) -> EntryCheck:
    """The entry form's identity check, answered by the body: a person named, or someone
    else, and a new request confirmed despite one under way."""
    choice = SOMEONE_ELSE if body.get("someone_else") else str(body.get("person_id") or "")
    return EntryCheck(
        {
            "identity-choice": choice,
            "identity-new_request": NEW_REQUEST_ANYWAY if body.get("confirm_new_request") else "",
        },
        user=user,
        warn_ongoing=warn_ongoing,
    )


def _look_alikes(identity: EntryCheck) -> dict:
    """The 409 of a person who may already be known: the look-alikes (identity traits only,
    as the entry form shows them), or what is under way for the person named."""
    if identity.linked is not None:
        return {
            "detail": "Une demande est déjà en cours pour cette personne : renvoyez avec "
            "« confirm_new_request » pour en ouvrir une autre.",
            "candidates": [],
            "ongoing": [
                {"request_id": o.request.pk, "summary": o.phrase} for o in identity.ongoing.visible
            ]
            + [{"request_id": None, "summary": "Demande suivie par un autre service"}]
            * identity.ongoing.hidden,
        }
    return {
        "detail": identity.error,
        "candidates": [
            {
                "person_id": c.person.pk,
                "birth_name": c.person.birth_name,
                "usage_name": c.person.usage_name,
                "first_names": c.person.first_names,
                "sex": c.person.sex,
                "birth_date": c.person.birth_date_display,
                "score": round(c.comparison.score, 4),
            }
            for c in identity.candidates
        ],
        "ongoing": [],
    }


NEW_REQUEST_CONFLICT = OpenApiResponse(
    LookAlikes,
    description="Des personnes déjà connues ressemblent à celle-ci, ou une demande est en "
    "cours pour elle : renvoyer avec `person_id` ou `someone_else`, et `confirm_new_request`.",
)


@documented(items="Demandes visibles", one="Une demande et sa personne")
class RequestViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    resource = Resource.REQUESTS
    model = Request
    serializer_class = RequestSerializer
    filter_form = filters.RequestFilter

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("person", "territory", "referrer_organisation", "household")
            .prefetch_related(
                Prefetch(
                    "household__members",
                    queryset=HouseholdMember.objects.select_related("person").order_by("id"),
                )
            )
            .order_by()
        )

    @extend_schema(
        summary="Créer une demande et sa personne, avec la vérification d'identité",
        request=NewRequestBody,
        responses={
            201: RequestSerializer,
            400: INVALID,
            403: FORBIDDEN,
            409: NEW_REQUEST_CONFLICT,
        },
    )
    @idempotent
    def create(self, request):
        user = request.user
        organisation = may_open_requests(user)  # the page's rule, and the import's
        body = checked(NewRequestBody, request.data)
        form = validated(
            InsertionRequestForm,
            {"requested_on": timezone.localdate(), **_without(request.data, NEW_REQUEST_EXTRAS)},
        )
        person_form = validated(PersonForm, request.data.get("person"), field_prefix="person")
        members = _members(request.data)
        identity = _identity_check(body, user=user)
        if not identity.is_valid_for(person_form.instance):
            return Response(_look_alikes(identity), status=409)
        req = open_request(
            typed=person_form.instance,
            identity=identity,
            channel=form.cleaned_data["channel"],
            referrer_organisation=organisation,
            by=user,
            audit_as=request._request,
            requested_on=form.cleaned_data["requested_on"],
            notes=form.cleaned_data["notes"],
            members=members,
            audit_detail={"api": True},
        )
        return Response(self.get_serializer(self.base_queryset().get(pk=req.pk)).data, status=201)

    action_resources = {"evaluation": Resource.EVALUATIONS, "evaluate": Resource.EVALUATIONS}

    @extend_schema(
        summary="Enregistrer un appel au 115 : une demande d'urgence, avec la vérification "
        "d'identité",
        request=NewEmergencyBody,
        responses={
            201: RequestSerializer,
            400: INVALID,
            403: FORBIDDEN,
            409: NEW_REQUEST_CONFLICT,
        },
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def emergency(self, request):
        may_open_emergencies(request.user)  # the page's rule
        body = checked(NewEmergencyBody, request.data)
        form = validated(EmergencyIntakeForm, _without(request.data, NEW_REQUEST_EXTRAS))
        members = _members(request.data)
        identity = _identity_check(body, user=request.user)
        if not identity.is_valid_for(form.new_person(phone=form.cleaned_data["phone"])):
            return Response(_look_alikes(identity), status=409)
        req = open_emergency(
            form,
            identity=identity,
            members=members,
            by=request.user,
            audit_as=request._request,
            api=True,
        )
        return Response(self.get_serializer(self.base_queryset().get(pk=req.pk)).data, status=201)

    @extend_schema(
        summary="Ajouter des personnes au ménage de la demande",
        request=NewMembersBody,
        responses={200: RequestSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def members(self, request, pk=None):
        req = self.editable()
        checked(NewMembersBody, request.data)
        members = _members(request.data)
        with transaction.atomic():
            members.attach_to(req, by=request.user)
            _audit_write(
                request, req, added_person_ids=[form.instance.pk for form in members.forms]
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)

    @extend_schema(
        methods=["GET"],
        summary="L'évaluation sociale de la demande (annexe IV), telle que le lecteur peut la lire",
        responses={200: EvaluationSerializer, 403: FORBIDDEN},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Compléter ou corriger l'évaluation sociale, bloc par bloc, comme sur la page",
        request=EvaluationBody,
        responses={200: EvaluationSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get", "patch"])
    def evaluation(self, request, pk=None):
        if request.method == "PATCH":
            return self.write_evaluation()
        req = self.get_object()
        if not req.needs_evaluation:
            raise exceptions.PermissionDenied(NO_EVALUATION)
        found = SocialEvaluation.objects.filter(request=req.evaluation_request).first()
        if found is None:
            raise exceptions.NotFound("Cette demande n'a pas encore d'évaluation sociale.")
        return Response(EvaluationSerializer(found, context={"request": request}).data)

    def write_evaluation(self) -> Response:
        """As the page: the household's evaluation is the principal request's (SIAO-06)."""
        req = self.editable()
        if not req.needs_evaluation:
            raise exceptions.PermissionDenied(NO_EVALUATION)
        req = req.evaluation_request
        if not req.editable_by(self.request.user):
            raise exceptions.PermissionDenied(NOT_EDITABLE)
        current = SocialEvaluation.objects.filter(request=req).first()
        forms = bound_forms(req, current or SocialEvaluation(request=req), self.request.data)
        with transaction.atomic():
            forms.save(by=self.request.user, audit_as=self.request._request)
        saved = SocialEvaluation.objects.get(request=req)
        return Response(EvaluationSerializer(saved, context={"request": self.request}).data)

    @extend_schema(
        summary="Valider l'évaluation : la demande devient à orienter",
        request=None,
        responses={200: RequestSerializer, 403: FORBIDDEN, 409: REFUSED},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def evaluate(self, request, pk=None):
        req = self.editable()
        step = req.workflow[EventKind.EVALUATED]
        if not step.may(req, request.user):
            raise exceptions.PermissionDenied(step.denied)
        with transaction.atomic():
            req.evaluate(by=request.user)
            _audit_write(request, req, event="evaluated")
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)

    def editable(self) -> Request:
        req = self.get_object()
        if not req.editable_by(self.request.user):
            raise exceptions.PermissionDenied(NOT_EDITABLE)
        return req

    @extend_schema(
        summary="Modifier une demande (champs envoyés seulement)",
        request=serializer_for(RequestEditForm),
        responses={200: RequestSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def partial_update(self, request, pk=None):
        req = self.editable()
        form = validated(RequestEditForm, request.data, partial=True, instance=req)
        with transaction.atomic():
            changed = audit.form_changes({"": form})
            form.save()
            if changed["changes"]:
                req.record_update(by=request.user, fields=list(changed["labels"].values()))
                _audit_write(request, req, **changed)
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)

    @extend_schema(
        summary="Clôturer une demande, avec un motif de la liste",
        request=serializer_for(CloseRequestForm),
        responses={200: RequestSerializer, 400: INVALID, 403: FORBIDDEN, 409: REFUSED},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        req = self.editable()
        step = req.workflow[EventKind.CLOSED]
        if not step.may(req, request.user):
            raise exceptions.PermissionDenied(step.denied)
        data = validated(CloseRequestForm, request.data).cleaned_data
        with transaction.atomic():
            req.close(by=request.user, reason=data["reason"], note=data["note"])
            _audit_write(request, req, event="closed")
        return Response(self.get_serializer(self.get_queryset().get(pk=req.pk)).data)


# -- detentions ---------------------------------------------------------------------------------


@documented(items="Détentions visibles (SIAO, SPIP)", one="Une détention et ses dates")
class DetentionViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    resource = Resource.DETENTIONS
    model = Detention
    serializer_class = DetentionSerializer
    filter_form = filters.DetentionFilter

    @extend_schema(
        summary="Enregistrer une personne détenue (SPIP, SIAO), avec la vérification d'identité",
        request=NewDetentionBody,
        responses={
            201: DetentionSerializer,
            400: INVALID,
            403: FORBIDDEN,
            409: OpenApiResponse(
                LookAlikes,
                description="Des personnes déjà connues ressemblent à celle-ci : renvoyer "
                "avec `person_id` ou `someone_else`.",
            ),
        },
    )
    @idempotent
    def create(self, request):
        user = request.user
        if not (user.is_superuser or user.role in JUSTICE_ROLES) or not user.organisation_id:
            raise exceptions.PermissionDenied(
                "Votre rôle ne donne pas accès aux dossiers de détention."
            )
        body = checked(NewDetentionBody, request.data)
        # The page pre-selects the CPIP who types; software names the CPIP, if any.
        defaults = {"cpip": None}
        if user.role == Role.CPIP:
            defaults["spip"] = user.organisation_id
        form = validated(
            DetentionForm,
            {**defaults, **_without(request.data, NEW_REQUEST_EXTRAS)},
            user=user,
            territory_id=user.organisation.territory_id,
        )
        if not may_record(user, form.cleaned_data["spip"]):
            raise Invalid(
                {"spip": ["Vous ne pouvez pas enregistrer une détention suivie par ce SPIP."]}
            )
        person_form = validated(PersonForm, request.data.get("person"), field_prefix="person")
        identity = _identity_check(body, user=user, warn_ongoing=False)
        if not identity.is_valid_for(person_form.instance):
            return Response(_look_alikes(identity), status=409)
        with transaction.atomic():
            person = identity.person_for(person_form.instance)
            values = {name: form.cleaned_data[name] for name in form.fields}
            detention = Detention.record(by=user, person=person, **values)
            _audit_write(request, detention, event="detention_recorded")
        return Response(
            self.get_serializer(self.base_queryset().get(pk=detention.pk)).data, status=201
        )

    def base_queryset(self):
        return super().base_queryset().select_related("person", "establishment", "spip").order_by()

    @extend_schema(
        summary="Changer la date de fin de peine prévue, avec son motif (SPIP, SIAO)",
        request=serializer_for(MoveEndDateForm),
        responses={200: DetentionSerializer, 400: INVALID, 403: FORBIDDEN, 409: REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="end-date")
    @idempotent
    def end_date(self, request, pk=None):
        detention = self.get_object()
        if not follows(request.user, detention):
            raise exceptions.PermissionDenied(
                "Seuls le SPIP qui suit la personne et le SIAO modifient ce dossier."
            )
        data = validated(MoveEndDateForm, request.data, detention=detention).cleaned_data
        with transaction.atomic():
            detention.move_end_date(
                data["new_date"], reason=data["reason"], by=request.user, note=data["note"]
            )
            _audit_write(request, detention, event="end_date_moved")
        return Response(self.get_serializer(self.get_queryset().get(pk=detention.pk)).data)


# -- orientations -------------------------------------------------------------------------------


def _orientation_step(body=None, *, summary: str):
    return extend_schema(
        summary=summary,
        request=body,
        responses={200: OrientationSerializer, 400: INVALID, 403: FORBIDDEN, 409: REFUSED},
    )


@documented(items="Orientations visibles", one="Une orientation")
class OrientationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    resource = Resource.ORIENTATIONS
    model = Orientation
    serializer_class = OrientationSerializer
    filter_form = filters.OrientationFilter

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("structure", "request__territory", "request__referrer_organisation")
            .order_by()
        )

    def act(self, name: str, step) -> Response:
        """Take transition `name` through `step(orientation)`, as the page does (`_act`)."""
        orientation = self.get_object()
        transition = orientation.workflow[name]
        if not transition.may(orientation, self.request.user):
            raise exceptions.PermissionDenied(transition.denied)
        with transaction.atomic():
            step(orientation)
            _audit_write(
                self.request, orientation.request, orientation=orientation.pk, transition=name
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=orientation.pk)).data)

    @_orientation_step(summary="Accepter l'admission (structure)")
    @action(detail=True, methods=["post"])
    @idempotent
    def admit(self, request, pk=None):
        checked(serializers.Serializer, request.data)  # no body, or an empty object
        return self.act(Kind.ADMITTED, lambda o: o.admit(by=request.user))

    @_orientation_step(serializer_for(RefusalForm), summary="Refuser l'admission, avec un motif")
    @action(detail=True, methods=["post"])
    @idempotent
    def refuse(self, request, pk=None):
        data = validated(RefusalForm, request.data).cleaned_data
        return self.act(
            Kind.REFUSED,
            lambda o: o.refuse(by=request.user, reason=data["reason"], comment=data["comment"]),
        )

    @_orientation_step(serializer_for(ArrivalForm), summary="Enregistrer l'arrivée (structure)")
    @action(detail=True, methods=["post"])
    @idempotent
    def arrival(self, request, pk=None):
        orientation = self.get_object()
        form = validated(ArrivalForm, request.data, orientation=orientation)
        return self.act(
            Kind.STAY_STARTED,
            lambda o: _field_refusal(
                form,
                "arrived_at",
                o.start_stay,
                by=request.user,
                at=form.cleaned_data["arrived_at"],
            ),
        )

    @_orientation_step(serializer_for(EndStayForm), summary="Enregistrer la fin du séjour")
    @action(detail=True, methods=["post"], url_path="end-stay")
    @idempotent
    def end_stay(self, request, pk=None):
        orientation = self.get_object()
        data = validated(EndStayForm, request.data, orientation=orientation).cleaned_data
        return self.act(
            Kind.STAY_ENDED,
            lambda o: o.end_stay(
                by=request.user,
                at=data["ended_on"],
                destination=data["destination"],
                reason=data["reason"],
                note=data["note"],
            ),
        )


def _field_refusal(form, field: str, step, **kwargs):
    """A date refused under the lock is the field's error (400), as on the page."""
    try:
        return step(**kwargs)
    except TransitionNotAllowed as refusal:
        form.add_error(field, str(refusal))
        raise Invalid(form_errors(form)) from refusal


# -- the change feed -------------------------------------------------------------------------


class FeedQuery(serializers.Serializer):
    after = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Curseur de la réponse précédente.",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class FeedEvent(serializers.Serializer):
    cursor = serializers.CharField()
    source = serializers.ChoiceField(choices=[s.name for s in feed.SOURCES])
    id = serializers.IntegerField()
    object_id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    from_state = serializers.CharField(required=False)
    to_state = serializers.CharField(required=False)
    places = serializers.IntegerField(required=False)
    places_before = serializers.IntegerField(required=False)
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()


class FeedPage(serializers.Serializer):
    events = FeedEvent(many=True)
    cursor = serializers.CharField(help_text="À renvoyer dans `after` au prochain appel.")
    has_more = serializers.BooleanField()


class EventFeedView(APIView):
    """What changed, in the order Relais recorded it."""

    resource = None

    @extend_schema(
        summary="Fil des changements (demandes, orientations, disponibilités, capacités)",
        parameters=[FeedQuery],
        responses={200: FeedPage, 400: INVALID},
    )
    def get(self, request):
        query = FeedQuery(data=request.query_params)
        if not query.is_valid():
            raise Invalid(query.errors)
        try:
            page = feed.read(
                user=request.user,
                token=request.auth,
                after=query.validated_data.get("after", ""),
                limit=query.validated_data["limit"],
            )
        except feed.BadCursor as error:
            raise Invalid({"after": [str(error)]}) from error
        return Response(FeedPage(page).data)


# -- aggregated indicators ------------------------------------------------------------------


class IndicatorQuery(serializers.Serializer):
    schedule = serializers.ChoiceField(choices=Schedule.choices, default=Schedule.WEEKLY)
    day = serializers.DateField(
        required=False,
        help_text="Un jour de la période (par défaut : le dernier arrêté passé).",
    )


class IndicatorCount(serializers.Serializer):
    persons = serializers.IntegerField()
    groups = serializers.IntegerField()


class IndicatorRow(serializers.Serializer):
    level = serializers.CharField()
    key = serializers.CharField()
    channel = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.DictField(child=IndicatorCount())
    late = serializers.DictField(child=IndicatorCount())
    hosted = serializers.IntegerField()
    capacity = serializers.IntegerField()
    occupancy = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class IndicatorTable(serializers.Serializer):
    territory = serializers.CharField()
    schedule = serializers.CharField()
    cutoff_day = serializers.DateField()
    period_start = serializers.DateTimeField()
    cutoff_at = serializers.DateTimeField()
    source = serializers.CharField()
    rows = IndicatorRow(many=True)


class IndicatorView(APIView):
    """The Annex II table at a past cut-off: figures only, never a person."""

    resource = Resource.INDICATORS

    @extend_schema(
        summary="Indicateurs de l'annexe II à un arrêté passé (SIAO, services de l'État)",
        parameters=[IndicatorQuery],
        responses={200: IndicatorTable, 400: INVALID, 403: FORBIDDEN},
    )
    def get(self, request):
        territory = reader_territory(request._request)
        query = IndicatorQuery(data=request.query_params)
        if not query.is_valid():
            raise Invalid(query.errors)
        schedule, day = query.validated_data["schedule"], query.validated_data.get("day")
        if day is not None and not FIRST_RECORD_DAY <= day <= timezone.localdate():
            raise Invalid(
                {"day": [f"Indiquez un jour entre le {FIRST_RECORD_DAY:%d/%m/%Y} et aujourd'hui."]}
            )
        cutoff = cutoff_for(schedule, day) if day else latest_cutoff(schedule)
        if not cutoff.is_past():
            raise Invalid(
                {"day": ["Cet arrêté n'est pas encore passé : ses chiffres changent encore."]}
            )
        table = compute(territory, cutoff)
        return Response(
            IndicatorTable(
                {
                    "territory": territory.insee_code,
                    "schedule": cutoff.schedule,
                    "cutoff_day": cutoff.day,
                    "period_start": cutoff.start,
                    "cutoff_at": cutoff.at,
                    "source": SOURCE,
                    "rows": [_indicator_row(row) for row in table.rows],
                }
            ).data
        )


def _indicator_row(row) -> dict:
    def counts(getter) -> dict:
        return {
            indicator: {"persons": count.persons, "groups": count.groups}
            for indicator in COUNTED
            if (count := getter(indicator)) is not None
        }

    return {
        "level": row.level,
        "key": row.key,
        "channel": row.channel,
        "label": row.label,
        "counts": counts(row.count),
        "late": counts(row.late_count),
        "hosted": row.hosted,
        "capacity": row.capacity,
        "occupancy": row.occupancy,
    }


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, *args, **kwargs):
    raise exceptions.NotFound(NOT_FOUND)
