import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from relais.accounts.enums import Role
from relais.accounts.models import Organisation, Territory
from relais.core.inputs import (
    FIRST_FACT_DAY,
    FIRST_RECORD_DAY,
    LAST_DAY,
    date_validators,
    in_range,
    plausible_dates,
)
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    TransitionNotAllowed,
    Workflow,
    transition,
)
from relais.justice.models import Detention
from relais.persons import enums as person_enums
from relais.persons.models import Household, HouseholdMember, Person
from relais.places.models import Structure

from . import enums
from .enums import Channel, EventKind, RequestStatus

# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


# A placement step of a request is asked of its orientation, never of the request itself.
DRIVEN_BY_ORIENTATION = {"may": lambda req, user: False}


def _followed_by_spip(spip_id: int) -> Q:
    """JUS-13: a SPIP reads a person's files while one of its judicial measures runs for
    them; once every measure it recorded for the person has ended, its access closes. A
    person it never recorded in detention is not restricted (no measure is known here)."""
    recorded = Detention.objects.filter(spip_id=spip_id)
    return Q(person_id__in=recorded.measure_running().values("person_id")) | ~Q(
        person_id__in=recorded.values("person_id")
    )


class RequestQuerySet(StatefulQuerySet):
    def visible_to(self, user) -> "RequestQuerySet":
        """Who sees which request (seed 004 Annex II §1–2; SIAO-20, SIAO-21, SEC-02).

        - the SIAO sees every request of its territory;
        - the 115 sees the territory's urgence requests, and what it referred;
        - a referring service (social worker, CPIP) sees what its organisation referred, and
          another service's file only through an active access on request;
        - a structure manager sees the people oriented to or hosted in its structures;
        - the territory administrator manages accounts, the State service reads aggregates,
          the SIAE has no housing file: they see no one.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        territory_id = user.organisation.territory_id
        own = Q(referrer_organisation_id=user.organisation_id)
        match user.role:
            case Role.SIAO_OPERATOR:
                return self.filter(territory_id=territory_id)
            case Role.EMERGENCY_LINE:
                return self.filter(Q(territory_id=territory_id, channel=Channel.EMERGENCY) | own)
            case Role.SOCIAL_WORKER | Role.CPIP:
                # Through the relation that points here: requests need not import access.
                grants = self.model._meta.get_field("access_grants").related_model.objects
                granted = grants.active().filter(user=user).values("request_id")
                seen = self.filter(own | Q(pk__in=granted))
                if user.role == Role.CPIP:
                    return seen.filter(_followed_by_spip(user.organisation_id))
                return seen
            case Role.STRUCTURE_MANAGER:
                return self.filter(host_structure__manager_id=user.organisation_id)
            case _:
                return self.none()

    def submitted(self, key: str) -> "Request | None":
        """The request an intake form with this one-time key already made, if any."""
        return self.filter(submission_key=key).first() if key else None

    def make_once(self, key: str, make) -> tuple["Request", bool]:
        """`make()` the request of an intake form sent with one-time `key`, unless it was
        already made: (request, made now). Two copies of the form sent at the same instant
        race on the key's unique constraint; the loser gets the winner's request."""
        if done := self.submitted(key):
            return done, False
        try:
            with transaction.atomic():
                return make(), True
        except IntegrityError:
            if done := self.submitted(key):
                return done, False
            raise

    def by_household(self, *, members=None, oldest_first: bool = False) -> "HouseholdRows":
        """These requests, one row per household (SIAO-02): a family of four is one row
        naming the four. `members`: the requests a row names (default: these); a name search
        finds the household, and the row still names every member the reader may see."""
        return HouseholdRows(self, members=self if members is None else members, old=oldest_first)

    def search(self, text: str) -> "RequestQuerySet":
        for word in text.split():
            self = self.filter(
                Q(person__birth_name__icontains=word)
                | Q(person__usage_name__icontains=word)
                | Q(person__first_names__icontains=word)
            )
        return self


@dataclass
class HouseholdRow:
    """One household in a list: its request (the principal's when listed), and every
    listed request of the household, the principal's first."""

    request: "Request"
    members: list["Request"]


class HouseholdRows:
    """A lazy sequence of HouseholdRow a Paginator can slice: a fixed number of queries per
    page (the households, their requests, their members' relationships), whatever its size."""

    def __init__(self, requests: RequestQuerySet, *, members: RequestQuerySet, old: bool):
        self.households = (
            requests.order_by()
            .values("household_id")
            .annotate(first=Min("created_at"), latest=Max("created_at"))
            .order_by(*(("first", "household_id") if old else ("-latest", "-household_id")))
        )
        self.members = members

    def count(self) -> int:
        return self.households.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, key: slice) -> list[HouseholdRow]:
        ids = [row["household_id"] for row in self.households[key]]
        requests = self.members.filter(household_id__in=ids).select_related(
            "person", "household", "referrer_organisation", "territory", "host_structure"
        )
        relationships = {
            (household, person): relationship
            for household, person, relationship in HouseholdMember.objects.filter(
                household_id__in=ids
            ).values_list("household_id", "person_id", "relationship")
        }
        by_household: dict[int, list[Request]] = {pk: [] for pk in ids}
        for req in requests.order_by("created_at", "pk"):
            req.relationship = person_enums.Relationship(
                relationships.get((req.household_id, req.person_id), "other")
            ).label
            by_household[req.household_id].append(req)
        rows = []
        for members in by_household.values():
            if not members:
                continue
            members.sort(key=lambda r: not r.is_principal)
            rows.append(HouseholdRow(request=members[0], members=members))
        return rows


class Request(Stateful):
    """One request for shelter or housing, for one person (SIAO-01, SIAO-02).

    Its status only changes through the named transitions below; each writes a RequestEvent.
    """

    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="requests"
    )
    household = models.ForeignKey(
        Household, verbose_name="ménage", on_delete=models.PROTECT, related_name="requests"
    )
    # JUS-01: the detention the person leaves, when the request prepares a release.
    detention = models.ForeignKey(
        "justice.Detention",
        verbose_name="détention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    channel = models.CharField("dispositif", max_length=10, choices=Channel.choices)
    status = models.CharField(
        "état",
        max_length=10,
        choices=RequestStatus.choices,
        default=RequestStatus.NEW,
        editable=False,
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, related_name="requests"
    )
    referrer_organisation = models.ForeignKey(
        Organisation,
        verbose_name="service prescripteur",
        on_delete=models.PROTECT,
        related_name="referred_requests",
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referred_requests",
    )
    requested_on = models.DateField(
        "date de la demande",
        default=timezone.localdate,
        validators=date_validators(FIRST_RECORD_DAY, LAST_DAY),
    )
    # Urgence intake (115): where the person is and what they need tonight.
    current_location = models.CharField("lieu où se trouve la personne", max_length=200, blank=True)
    needs_tonight = models.BooleanField("demande de mise à l'abri ce soir", default=False)
    notes = models.TextField("observations", blank=True)
    # Where the person is oriented / hosted. Set only by transitions.
    host_structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        editable=False,
    )
    is_direct_admission = models.BooleanField("admission directe", default=False, editable=False)
    admitted_at = models.DateTimeField("admise le", null=True, blank=True, editable=False)
    ended_at = models.DateTimeField("sortie le", null=True, blank=True, editable=False)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True, editable=False)
    close_reason = models.CharField(
        "motif de clôture", max_length=20, choices=enums.CloseReason.choices, blank=True
    )
    # The intake form's one-time key: the same form sent twice makes one request.
    submission_key = models.CharField("clé d'envoi", max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["territory", "channel", "status"]),
            models.Index(fields=["referrer_organisation", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["waiting", "oriented", "admitted", "ended"])
                | Q(host_structure__isnull=False),
                name="request_placed_has_structure",
                violation_error_message="Une demande orientée ou hébergée a une structure.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["admitted", "ended"]) | Q(admitted_at__isnull=False),
                name="request_admitted_has_date",
                violation_error_message="Une demande admise a une date d'admission.",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(ended_at__isnull=False),
                name="request_ended_has_date",
                violation_error_message="Une demande sortie a une date de sortie.",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="request_closed_has_date",
                violation_error_message="Une demande clôturée a une date de clôture.",
            ),
            in_range(
                "requested_on",
                FIRST_RECORD_DAY,
                LAST_DAY,
                name="request_requested_on_plausible",
                message=f"La date de la demande doit suivre le {FIRST_RECORD_DAY:%d/%m/%Y}.",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~Q(submission_key=""),
                name="request_submitted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande n° {self.pk} — {self.person}"

    # -- facts of the household (SIAO-02) ------------------------------------------------

    # What is true of the whole household, not of one member: every request of the household
    # in the same channel carries the same values, whichever member's request is written.
    HOUSEHOLD_FACTS = ("needs_tonight", "current_location")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_facts = instance._household_facts()
        return instance

    def _household_facts(self) -> dict:
        return {name: self.__dict__.get(name) for name in self.HOUSEHOLD_FACTS}

    def household_requests(self) -> "RequestQuerySet":
        """The other requests of this household in the same channel (spouse, children…)."""
        return Request.objects.filter(household_id=self.household_id, channel=self.channel).exclude(
            pk=self.pk
        )

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        facts = self._household_facts()
        if (written := kwargs.get("update_fields")) is not None:
            facts = {name: value for name, value in facts.items() if name in written}
        stored = getattr(self, "_stored_facts", {})
        changed = {name: v for name, v in facts.items() if name in stored and stored[name] != v}
        if changed and not adding:
            self.household_requests().update(**changed)
        self._stored_facts = self._household_facts()

    @property
    def is_principal(self) -> bool:
        return self.person_id == self.household.principal_id

    @property
    def principal_request(self) -> "Request | None":
        """The request this one is attached to, when it is a secondary request (SIAO-02)."""
        if self.is_principal:
            return None
        return (
            self.household.requests.filter(person_id=self.household.principal_id)
            .order_by("-created_at")
            .first()
        )

    def access_grant_for(self, user):
        """The active access on request through which `user` reads this file, if any."""
        if user.is_superuser or user.organisation_id == self.referrer_organisation_id:
            return None
        return self.access_grants.active().filter(user=user).order_by("-granted_at").first()

    def editable_by(self, user) -> bool:
        """The referring service and the territory's SIAO may change a request."""
        if user.is_superuser:
            return True
        if user.role == Role.SIAO_OPERATOR:
            return user.organisation.territory_id == self.territory_id
        return (
            user.role in (Role.SOCIAL_WORKER, Role.CPIP, Role.EMERGENCY_LINE)
            and user.organisation_id == self.referrer_organisation_id
        )

    @property
    def needs_evaluation(self) -> bool:
        return self.channel != Channel.EMERGENCY

    # -- history -------------------------------------------------------------------------

    def status_at(self, moment: dt.datetime, *, known_at: dt.datetime | None = None) -> str | None:
        """The status the request had at `moment`, as recorded by `known_at` (default: now).

        None when the request did not exist yet. Events carry both when they happened and when
        they were recorded, so an a-posteriori entry changes the past only from its recording on.
        """
        events = self.events.filter(occurred_at__lte=moment).exclude(to_state="")
        if known_at is not None:
            events = events.filter(recorded_at__lte=known_at)
        last = events.order_by("-occurred_at", "-id").first()
        return last.to_state if last else None

    # -- transitions ---------------------------------------------------------------------

    def evaluation_refusal(self) -> str:
        """Why the request cannot be validated yet, or "" (Annex IV blocks still missing)."""
        if not self.needs_evaluation:
            return ""
        evaluation = getattr(self.evaluation_request, "evaluation", None)
        if evaluation is None:
            return "L'évaluation sociale est incomplète : toute l'évaluation."
        if not evaluation.is_complete:
            return (
                f"L'évaluation sociale est incomplète : {', '.join(evaluation.missing_blocks())}."
            )
        return ""

    def orientation_refusal(self) -> str:
        """An insertion or housing request is evaluated before it is oriented; urgence is not."""
        if self.status == RequestStatus.NEW and self.needs_evaluation:
            return "La demande doit d'abord être évaluée."
        return ""

    @property
    def evaluation_request(self) -> "Request":
        """The request holding the household's evaluation: the principal's, when attached.

        Annex IV describes the whole household on one form, so a spouse's or a child's
        request shares the principal applicant's evaluation.
        """
        return self.principal_request or self

    def evaluate(self, *, by) -> "RequestEvent":
        """The household's social evaluation is complete: the SIAO can now orient the request.

        Validating the principal request validates the household's attached requests too.
        """
        with transaction.atomic():
            _, event = self._apply(EventKind.EVALUATED, by=by)
            if self.is_principal:
                attached = self.household.requests.filter(
                    status=RequestStatus.NEW, channel=self.channel
                ).exclude(pk=self.pk)
                for secondary in attached:
                    secondary.evaluate(by=by)
        return event

    def close(
        self, *, by, reason: str, note: str = "", at: dt.datetime | None = None
    ) -> "RequestEvent":
        """Close the request, with a reason from the list; a pending orientation or
        pre-positioning is cancelled with it."""
        if reason not in enums.CloseReason.values:
            raise TransitionNotAllowed("Choisissez le motif de clôture dans la liste.")
        if reason == enums.CloseReason.OTHER and not note.strip():
            raise TransitionNotAllowed("Précisez le motif de clôture.")
        note = note.strip()
        text = note if reason == enums.CloseReason.OTHER else enums.CloseReason(reason).label
        if note and reason != enums.CloseReason.OTHER:
            text += f". {note}"
        at = at or timezone.now()
        with transaction.atomic():
            # Lock order as everywhere: orientation first, then the request.
            for orientation in self.orientations.active():
                orientation.cancel(by=by, reason=text, at=at, request_closing=True)
            _, event = self._apply(
                EventKind.CLOSED,
                by=by,
                at=at,
                note=text,
                closed_at=at,
                close_reason=reason,
                host_structure=None,
            )
        return event

    def _follow(self, name: str, *, orientation, by, at: dt.datetime, note: str = ""):
        """A placement step, driven only by relais.orientations.Orientation, which holds the
        place, checks vacancies and calls this in the same transaction. The event names the
        structure and the orientation, so the timeline can be replayed at any cut-off."""
        data = {"orientation": orientation.pk, "structure": orientation.structure_id}
        changes: dict = {}
        target = None
        if name in (EventKind.PREPOSITIONED, EventKind.ORIENTED):
            changes["host_structure_id"] = orientation.structure_id
        elif name == EventKind.ADMITTED:
            changes["admitted_at"] = at
        elif name == EventKind.DIRECT_ADMISSION:
            changes.update(
                host_structure_id=orientation.structure_id,
                admitted_at=at,
                is_direct_admission=True,
            )
        elif name == EventKind.STAY_ENDED:
            if self.admitted_at and at < self.admitted_at:
                raise TransitionNotAllowed("La date de sortie précède la date d'admission.")
            changes["ended_at"] = at
        elif name in (EventKind.ORIENTATION_REFUSED, EventKind.ORIENTATION_CANCELLED):
            # Back to « Évaluée » if it ever was, else to « À évaluer ».
            was_evaluated = self.events.filter(kind=EventKind.EVALUATED).exists()
            target = RequestStatus.EVALUATED if was_evaluated else RequestStatus.NEW
            changes.update(host_structure=None, admitted_at=None)
        _, event = self._apply(name, by=by, at=at, note=note, data=data, target=target, **changes)
        return event

    def record_event(
        self,
        *,
        kind: str,
        by,
        at: dt.datetime | None = None,
        note: str = "",
        data: dict | None = None,
    ) -> "RequestEvent":
        """A fact on the timeline that does not change the request's status (start of stay)."""
        return RequestEvent.objects.create(
            request=self,
            kind=kind,
            actor=by,
            occurred_at=at or timezone.now(),
            note=note,
            data=data or {},
        )

    def record_update(self, *, by, fields: list[str]) -> "RequestEvent":
        """An edit that does not change the state still leaves a trace on the timeline."""
        return RequestEvent.objects.create(
            request=self,
            kind=EventKind.UPDATED,
            actor=by,
            data={"fields": sorted(fields)},
        )

    def state_phrase(self) -> str:
        return f"la demande est « {self.get_status_display()} »"

    S = RequestStatus
    _PLACED = [S.WAITING, S.ORIENTED, S.ADMITTED]
    workflow = Workflow(
        transition(EventKind.CREATED, "Créer", sources=[INITIAL], target=S.NEW),
        transition(
            EventKind.EVALUATED,
            "Valider l'évaluation",
            sources=[S.NEW],
            target=S.EVALUATED,
            may=lambda req, user: req.editable_by(user),
            rule=lambda req: req.evaluation_refusal(),
        ),
        # Placement: only an orientation drives these (`_follow`); no user asks for them here.
        transition(
            EventKind.PREPOSITIONED,
            "Prépositionner",
            sources=[S.NEW, S.EVALUATED],
            target=S.WAITING,
            **DRIVEN_BY_ORIENTATION,
        ),
        transition(
            EventKind.ORIENTED,
            "Orienter",
            sources=[S.NEW, S.EVALUATED, S.WAITING],
            target=S.ORIENTED,
            **DRIVEN_BY_ORIENTATION,
            rule=lambda req: req.orientation_refusal(),
        ),
        transition(
            EventKind.ADMITTED,
            "Admettre",
            sources=[S.ORIENTED],
            target=S.ADMITTED,
            **DRIVEN_BY_ORIENTATION,
        ),
        transition(
            EventKind.DIRECT_ADMISSION,
            "Admission directe",
            sources=[S.NEW],
            target=S.ADMITTED,
            **DRIVEN_BY_ORIENTATION,
        ),
        transition(
            EventKind.ORIENTATION_REFUSED,
            "Refus de la structure",
            sources=_PLACED,
            target=None,
            **DRIVEN_BY_ORIENTATION,
        ),
        transition(
            EventKind.ORIENTATION_CANCELLED,
            "Annulation de l'orientation",
            sources=_PLACED,
            target=None,
            **DRIVEN_BY_ORIENTATION,
        ),
        transition(
            EventKind.STAY_ENDED,
            "Fin de séjour",
            sources=[S.ADMITTED],
            target=S.ENDED,
            **DRIVEN_BY_ORIENTATION,
        ),
        transition(
            EventKind.CLOSED,
            "Clôturer la demande",
            sources=[S.NEW, S.EVALUATED, S.WAITING, S.ORIENTED],
            target=S.CLOSED,
            may=lambda req, user: req.editable_by(user),
        ),
        field="status",
    )
    del S


class RequestEvent(StateEvent):
    """A timestamped fact on a request's timeline: a transition, or a fact that changes no
    status (an edit, the start of a stay). Rows are only ever added.

    `occurred_at` is when it happened (in the past for an a-posteriori entry); `recorded_at`
    is when Relais learnt it.
    """

    request = models.ForeignKey(
        Request, verbose_name="demande", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("événement", max_length=20, choices=EventKind.choices)
    from_state = models.CharField(
        "état précédent", max_length=20, choices=RequestStatus.choices, blank=True
    )
    to_state = models.CharField(
        "nouvel état", max_length=20, choices=RequestStatus.choices, blank=True
    )
    occurred_at = models.DateTimeField("survenu le", default=timezone.now, db_index=True)

    class Meta(StateEvent.Meta):
        verbose_name = "événement"
        indexes = [models.Index(fields=["request", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.occurred_at:%d/%m/%Y %H:%M}"


def create_request(
    *,
    person: Person,
    channel: str,
    referrer_organisation: Organisation,
    by,
    household: Household | None = None,
    occurred_at: dt.datetime | None = None,
    **fields,
) -> Request:
    """Create a request, its household if none is given, and its `created` event."""
    with transaction.atomic():
        if household is not None:
            # A member attached to a household shares its facts of tonight (SIAO-02).
            principal = (
                household.requests.filter(person_id=household.principal_id, channel=channel)
                .order_by("-created_at")
                .first()
            )
            for name in Request.HOUSEHOLD_FACTS if principal else ():
                fields[name] = getattr(principal, name)
        if household is None:
            household = Household.objects.create(principal=person)
            HouseholdMember.objects.create(
                household=household, person=person, relationship=person_enums.Relationship.PRINCIPAL
            )
        request, _ = Request._create(
            EventKind.CREATED,
            by=by,
            at=occurred_at,
            values={
                "person": person,
                "household": household,
                "channel": channel,
                "territory": referrer_organisation.territory,
                "referrer_organisation": referrer_organisation,
                "referrer": by if by and by.organisation_id == referrer_organisation.pk else None,
                **fields,
            },
        )
    return request


# ---------------------------------------------------------------------------------------------
# Social evaluation (seed 004 Annex IV)
# ---------------------------------------------------------------------------------------------

_money = {"max_digits": 9, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class SocialEvaluation(models.Model):
    """The Annex IV evaluation form of an insertion or housing request (SIAO-06).

    Identity, nationality and residence permit live on Person; spouse and children are
    household members. Repeated blocks (employment, resources, debts, reasons, housing aid
    schemes) are rows of their own, one per holder and kind.
    """

    request = models.OneToOneField(
        Request, verbose_name="demande", on_delete=models.CASCADE, related_name="evaluation"
    )
    interview_date = models.DateField(
        "date de l'entretien",
        null=True,
        blank=True,
        validators=date_validators(FIRST_RECORD_DAY, LAST_DAY),
    )
    interviewers = models.CharField(
        "personnes et structure ayant effectué l'entretien", max_length=300, blank=True
    )
    # Origin of the referral
    referral_origin = models.CharField(
        "origine de l'orientation", max_length=10, choices=enums.ReferralOrigin.choices, blank=True
    )
    prescriber_service = models.CharField(
        "nom du service ou de l'association", max_length=200, blank=True
    )
    prescriber_name = models.CharField(
        "nom et fonction du prescripteur", max_length=200, blank=True
    )
    prescriber_address = models.CharField("adresse du prescripteur", max_length=300, blank=True)
    prescriber_phone = models.CharField("téléphone du prescripteur", max_length=30, blank=True)
    prescriber_email = models.EmailField("courriel du prescripteur", blank=True)
    referent_name = models.CharField("référent", max_length=200, blank=True)
    referent_address = models.CharField("adresse du référent", max_length=300, blank=True)
    referent_phone = models.CharField("téléphone du référent", max_length=30, blank=True)
    referent_email = models.EmailField("courriel du référent", blank=True)
    # Administrative
    caf_number = models.CharField("n° CAF", max_length=20, blank=True)
    social_security_number = models.CharField(
        "n° de sécurité sociale",
        max_length=15,
        blank=True,
        help_text="Conservé seulement si le territoire l'autorise.",
    )
    health_coverage = models.CharField(
        "couverture maladie", max_length=15, choices=enums.HealthCoverage.choices, blank=True
    )
    mutual_insurance = models.CharField("nom et n° de mutuelle", max_length=200, blank=True)
    ongoing_procedures = models.TextField("démarches administratives en cours", blank=True)
    # Debts
    is_indebted = models.BooleanField("endettement", null=True, blank=True)
    over_indebtedness_filed = models.BooleanField(
        "dossier de surendettement déposé à la Banque de France", null=True, blank=True
    )
    over_indebtedness_filed_on = models.DateField(
        "date du dépôt du dossier",
        null=True,
        blank=True,
        validators=date_validators(FIRST_FACT_DAY, LAST_DAY),
    )
    moratorium = models.BooleanField("moratoire", null=True, blank=True)
    # Legal protection
    has_protection_measure = models.BooleanField("mesure de protection", null=True, blank=True)
    protection_measure = models.CharField(
        "nature de la mesure", max_length=15, choices=enums.ProtectionMeasure.choices, blank=True
    )
    protection_referent = models.CharField(
        "nom du référent de la mesure", max_length=200, blank=True
    )
    # Housing situation
    housing_situation = models.CharField(
        "logement ou hébergement actuel",
        max_length=15,
        choices=enums.HousingSituation.choices,
        blank=True,
    )
    housing_comment = models.TextField("commentaires sur le logement actuel", blank=True)
    # Nature of the request
    wants_independent_housing = models.BooleanField("logement autonome", default=False)
    wants_shelter = models.BooleanField("hébergement", default=False)
    wants_maison_relais = models.BooleanField("maison relais", default=False)
    wants_social_residence = models.BooleanField("résidence sociale", default=False)
    wants_fjt = models.BooleanField("FJT", default=False)
    landlord_steps_taken = models.BooleanField(
        "démarches entreprises auprès des offices (bailleurs)", null=True, blank=True
    )
    landlord_steps_detail = models.TextField("précisions sur les démarches", blank=True)
    # Situation
    problem_administrative = models.BooleanField("problème administratif", default=False)
    problem_financial = models.BooleanField("problème financier", default=False)
    problem_health = models.BooleanField("problème de santé", default=False)
    problem_justice = models.BooleanField("problème justice", default=False)
    needs_adapted_housing = models.BooleanField(
        "nécessité d'un hébergement adapté", null=True, blank=True
    )
    fit_for_collective_life = models.BooleanField(
        "apte à la vie en collectif", null=True, blank=True
    )
    situation_comment = models.TextField("commentaires sur la situation", blank=True)
    argument = models.TextField("argumentaire (parcours – besoins)", blank=True)
    orientation_proposal = models.CharField(
        "proposition d'orientation",
        max_length=20,
        choices=enums.OrientationProposal.choices,
        blank=True,
    )
    orientation_comment = models.TextField("précisions sur la proposition", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "évaluation sociale"
        verbose_name_plural = "évaluations sociales"
        constraints = [
            models.CheckConstraint(
                condition=Q(over_indebtedness_filed_on__isnull=True)
                | Q(over_indebtedness_filed=True),
                name="evaluation_overindebtedness_date_needs_file",
                violation_error_message="Une date de dépôt est indiquée : cochez « oui » pour "
                "le dossier de surendettement.",
            ),
            *plausible_dates(
                "evaluation", interview_date=FIRST_RECORD_DAY, over_indebtedness_filed_on=None
            ),
        ]

    def __str__(self) -> str:
        return f"Évaluation — {self.request}"

    def save(self, *args, **kwargs) -> None:
        # CNIL: the NIR is only kept where the territory has decided to keep it.
        if not self.request.territory.stores_social_security_number:
            self.social_security_number = ""
        super().save(*args, **kwargs)

    # Blocks the SIAO needs before it can orient; the rest is useful but optional.
    REQUIRED_BLOCKS = {
        "origine de l'orientation": lambda e: bool(e.referral_origin),
        "logement actuel": lambda e: bool(e.housing_situation),
        "motif de la demande": lambda e: e.reasons.exists(),
        "nature de la demande": lambda e: any(
            [
                e.wants_independent_housing,
                e.wants_shelter,
                e.wants_maison_relais,
                e.wants_social_residence,
                e.wants_fjt,
            ]
        ),
        "argumentaire": lambda e: bool(e.argument.strip()),
        "proposition d'orientation": lambda e: bool(e.orientation_proposal),
    }

    def missing_blocks(self) -> list[str]:
        return [name for name, filled in self.REQUIRED_BLOCKS.items() if not filled(self)]

    @property
    def is_complete(self) -> bool:
        return not self.missing_blocks()

    def resources_total(self, holder: str | None = None) -> Decimal:
        lines = self.resources.all()
        if holder:
            lines = [line for line in lines if line.holder == holder]
        return sum((line.monthly_amount or Decimal("0") for line in lines), Decimal("0"))


class Employment(models.Model):
    evaluation = models.ForeignKey(
        SocialEvaluation,
        verbose_name="évaluation",
        on_delete=models.CASCADE,
        related_name="employments",
    )
    holder = models.CharField("personne", max_length=10, choices=enums.Holder.choices)
    status = models.CharField("situation", max_length=12, choices=enums.EmploymentStatus.choices)
    contract_type = models.CharField(
        "contrat", max_length=12, choices=enums.ContractType.choices, blank=True
    )
    part_time = models.BooleanField("temps partiel", default=False)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)

    class Meta:
        verbose_name = "situation professionnelle"
        verbose_name_plural = "situations professionnelles"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "holder"], name="employment_one_per_holder"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="employment_dates_ordered",
                violation_error_message="La date de fin précède la date de début.",
            ),
            *plausible_dates("employment", start_date=None, end_date=None),
        ]

    def __str__(self) -> str:
        return f"{self.get_holder_display()} — {self.get_status_display()}"


class ResourceLine(models.Model):
    """One kind of monthly resource of the applicant or the spouse (SIAO-06)."""

    evaluation = models.ForeignKey(
        SocialEvaluation,
        verbose_name="évaluation",
        on_delete=models.CASCADE,
        related_name="resources",
    )
    holder = models.CharField("personne", max_length=10, choices=enums.Holder.choices)
    kind = models.CharField("ressource", max_length=16, choices=enums.ResourceKind.choices)
    monthly_amount = models.DecimalField("montant mensuel (€)", null=True, blank=True, **_money)
    rights_start = models.DateField("début des droits", null=True, blank=True)
    rights_end = models.DateField("fin des droits", null=True, blank=True)
    detail = models.CharField("précision", max_length=200, blank=True)

    class Meta:
        verbose_name = "ressource"
        ordering = ["holder", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "holder", "kind"], name="resource_one_per_holder_kind"
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__isnull=True) | Q(monthly_amount__gte=0),
                name="resource_amount_not_negative",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(rights_end__isnull=True)
                | Q(rights_start__isnull=True)
                | Q(rights_end__gte=models.F("rights_start")),
                name="resource_rights_dates_ordered",
                violation_error_message="La fin des droits précède leur début.",
            ),
            *plausible_dates("resource", rights_start=None, rights_end=None),
        ]

    def __str__(self) -> str:
        return f"{self.get_holder_display()} — {self.get_kind_display()}"


class Debt(models.Model):
    evaluation = models.ForeignKey(
        SocialEvaluation,
        verbose_name="évaluation",
        on_delete=models.CASCADE,
        related_name="debts",
    )
    kind = models.CharField("nature", max_length=10, choices=enums.DebtKind.choices)
    amount = models.DecimalField("montant (€)", null=True, blank=True, **_money)
    detail = models.CharField("précision", max_length=200, blank=True)

    class Meta:
        verbose_name = "dette"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "kind"], name="debt_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class EvaluationReason(models.Model):
    evaluation = models.ForeignKey(
        SocialEvaluation,
        verbose_name="évaluation",
        on_delete=models.CASCADE,
        related_name="reasons",
    )
    reason = models.CharField("motif", max_length=25, choices=enums.RequestReason.choices)
    detail = models.CharField("précisions", max_length=300, blank=True)

    class Meta:
        verbose_name = "motif de la demande"
        verbose_name_plural = "motifs de la demande"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "reason"], name="reason_once"),
        ]

    def __str__(self) -> str:
        return self.get_reason_display()


class HousingAid(models.Model):
    """Where the household stands with one housing aid scheme (FSL, ASLL, préfecture, DALO)."""

    evaluation = models.ForeignKey(
        SocialEvaluation,
        verbose_name="évaluation",
        on_delete=models.CASCADE,
        related_name="housing_aids",
    )
    scheme = models.CharField("dispositif", max_length=15, choices=enums.HousingAidScheme.choices)
    status = models.CharField("situation", max_length=12, choices=enums.HousingAidStatus.choices)
    decision_date = models.DateField("date (accord, refus ou commission)", null=True, blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    detail = models.CharField("motif / précision", max_length=300, blank=True)

    class Meta:
        verbose_name = "dispositif d'aide au logement"
        verbose_name_plural = "dispositifs d'aide au logement"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "scheme"], name="housing_aid_once"),
            *plausible_dates("housing_aid", decision_date=None, start_date=None, end_date=None),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} — {self.get_status_display()}"
